//! Readable listings of generated machine code, for any architecture on any host.

use trinity_emit::kernels::Arch;

/// One line per instruction: offset, bytes in hex, and the instruction (Intel syntax on x86-64,
/// ARM syntax on AArch64). Bytes that do not decode (constant tables placed after the code)
/// are shown as `(data)`.
///
/// ```
/// use trinity::disasm::listing;
/// use trinity::emit::kernels::Arch;
/// let text = listing(Arch::X86_64, &[0xc5, 0xf8, 0x77, 0xc3]);
/// assert!(text.contains("vzeroupper") && text.contains("ret"));
/// let text = listing(Arch::Aarch64, &[0xc0, 0x03, 0x5f, 0xd6]);
/// assert!(text.contains("ret"));
/// ```
pub fn listing(arch: Arch, code: &[u8]) -> String {
    match arch {
        Arch::X86_64 => x86_64(code),
        Arch::Aarch64 => aarch64(code),
    }
}

fn line(out: &mut String, offset: usize, bytes: &[u8], text: &str) {
    let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    out.push_str(&format!("{offset:6x}:  {:<32} {text}\n", hex.join(" ")));
}

fn x86_64(code: &[u8]) -> String {
    use iced_x86::{Decoder, DecoderOptions, Formatter, Instruction, IntelFormatter};
    let mut decoder = Decoder::with_ip(64, code, 0, DecoderOptions::NONE);
    let mut formatter = IntelFormatter::new();
    let mut instruction = Instruction::default();
    let mut out = String::new();
    while decoder.can_decode() {
        let offset = decoder.position();
        decoder.decode_out(&mut instruction);
        let bytes = &code[offset..offset + instruction.len()];
        if instruction.is_invalid() {
            line(&mut out, offset, bytes, "(data)");
        } else {
            let mut text = String::new();
            formatter.format(&instruction, &mut text);
            line(&mut out, offset, bytes, &text);
        }
    }
    out
}

fn aarch64(code: &[u8]) -> String {
    use yaxpeax_arch::{Decoder, U8Reader};
    use yaxpeax_arm::armv8::a64::InstDecoder;
    let decoder = InstDecoder::default();
    let mut out = String::new();
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
        line(&mut out, index * 4, word, &text);
    }
    out
}
