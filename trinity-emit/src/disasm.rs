//! Readable listings of generated machine code, for any architecture on any host (the `disasm`
//! feature: iced-x86 decodes x86-64, yaxpeax-arm AArch64).
//!
//! One implementation serves the `trinity disasm` command ([`listing`], [`Style::CLI`]) and
//! every test that snapshots or searches a listing (the other [`Style`]s, chosen by the test).

use crate::kernels::Arch;

/// How a listing is laid out. Every line is `offset  bytes instruction`, the bytes padded to
/// [`Style::bytes_width`]; bytes that do not decode, and every byte from the code end on, are
/// shown as `(data)`, the latter in rows of 16.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Offsets six wide with a colon (`    1c:`) when true, four zero-padded digits (`001c`)
    /// when false.
    pub wide_offsets: bool,
    /// An instruction's bytes separated by spaces (`48 8b 08`) when true, run together
    /// (`488b08`) when false.
    pub spaced_bytes: bool,
    /// The width the bytes column is padded to.
    pub bytes_width: usize,
    /// x86-64 numbers as `0x3e8` when true, iced-x86's default (`3E8h`) when false.
    pub prefixed_hex: bool,
}

impl Style {
    /// The `trinity disasm` command's listing.
    pub const CLI: Style =
        Style { wide_offsets: true, spaced_bytes: true, bytes_width: 32, prefixed_hex: false };
}

/// One line per instruction: offset, bytes in hex, and the instruction (Intel syntax on x86-64,
/// ARM syntax on AArch64). Bytes that do not decode (constant tables placed after the code)
/// are shown as `(data)`.
///
/// ```
/// use trinity_emit::disasm::listing;
/// use trinity_emit::kernels::Arch;
/// let text = listing(Arch::X86_64, &[0xc5, 0xf8, 0x77, 0xc3]);
/// assert!(text.contains("vzeroupper") && text.contains("ret"));
/// let text = listing(Arch::Aarch64, &[0xc0, 0x03, 0x5f, 0xd6]);
/// assert!(text.contains("ret"));
/// ```
pub fn listing(arch: Arch, code: &[u8]) -> String {
    listing_with(arch, code, code.len(), Style::CLI)
}

/// [`listing`] in `style`, decoding only `code[..code_end]`: the bytes from `code_end` on are
/// data, listed in rows of 16 (pass `code.len()` to decode everything, or
/// [`x86_64_code_end`] for an x86-64 kernel, whose constants follow its `ret`).
///
/// A `code_end` beyond the code decodes all of it.
///
/// ```
/// use trinity_emit::disasm::{listing, listing_with, Style};
/// use trinity_emit::kernels::Arch;
/// let code = [0xc5, 0xf8, 0x77, 0xc3];
/// assert_eq!(listing_with(Arch::X86_64, &code, 99, Style::CLI), listing(Arch::X86_64, &code));
/// assert!(listing_with(Arch::X86_64, &code, 3, Style::CLI).contains("(data)"));
/// ```
pub fn listing_with(arch: Arch, code: &[u8], code_end: usize, style: Style) -> String {
    let mut out = String::new();
    let (instructions, data) = code.split_at(code_end.min(code.len()));
    match arch {
        Arch::X86_64 => x86_64(&mut out, instructions, style),
        Arch::Aarch64 => aarch64(&mut out, instructions, style),
    }
    for (n, row) in data.chunks(16).enumerate() {
        let bytes: Vec<String> = row.iter().map(|b| format!("{b:02x}")).collect();
        let offset = offset(code_end + 16 * n, style);
        out.push_str(&format!("{offset}  {} (data)\n", bytes.join(" ")));
    }
    out
}

/// Where an x86-64 kernel's code ends: just past its `ret` (kernels have one, at the end of
/// their instructions; constants follow it), or `code.len()` when decoding from the start
/// finds none.
pub fn x86_64_code_end(code: &[u8]) -> usize {
    use iced_x86::{Decoder, DecoderOptions, Mnemonic};
    let mut decoder = Decoder::with_ip(64, code, 0, DecoderOptions::NONE);
    decoder
        .iter()
        .find(|instruction| instruction.mnemonic() == Mnemonic::Ret)
        .map_or(code.len(), |ret| ret.next_ip() as usize)
}

fn offset(offset: usize, style: Style) -> String {
    if style.wide_offsets {
        format!("{offset:6x}:")
    } else {
        format!("{offset:04x}")
    }
}

fn line(out: &mut String, at: usize, bytes: &[u8], text: &str, style: Style) {
    let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let hex = hex.join(if style.spaced_bytes { " " } else { "" });
    let width = style.bytes_width;
    out.push_str(&format!("{}  {hex:<width$} {text}\n", offset(at, style)));
}

fn x86_64(out: &mut String, code: &[u8], style: Style) {
    use iced_x86::{Decoder, DecoderOptions, Formatter, Instruction, IntelFormatter};
    let mut decoder = Decoder::with_ip(64, code, 0, DecoderOptions::NONE);
    let mut formatter = IntelFormatter::new();
    if style.prefixed_hex {
        formatter.options_mut().set_hex_prefix("0x");
        formatter.options_mut().set_hex_suffix("");
        formatter.options_mut().set_uppercase_hex(false);
    }
    let mut instruction = Instruction::default();
    while decoder.can_decode() {
        let at = decoder.position();
        decoder.decode_out(&mut instruction);
        let bytes = &code[at..at + instruction.len()];
        if instruction.is_invalid() {
            line(out, at, bytes, "(data)", style);
        } else {
            let mut text = String::new();
            formatter.format(&instruction, &mut text);
            line(out, at, bytes, &text, style);
        }
    }
}

fn aarch64(out: &mut String, code: &[u8], style: Style) {
    use yaxpeax_arch::{Decoder, U8Reader};
    use yaxpeax_arm::armv8::a64::InstDecoder;
    let decoder = InstDecoder::default();
    for (index, word) in code.chunks(4).enumerate() {
        let text = if word.len() == 4 {
            let mut reader = U8Reader::new(word);
            match decoder.decode(&mut reader) {
                Ok(instruction) => instruction.to_string(),
                Err(_) => "(data)".to_string(),
            }
        } else {
            "(data)".to_string()
        };
        line(out, index * 4, word, &text, style);
    }
}
