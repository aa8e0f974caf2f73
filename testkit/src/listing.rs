//! Listings of generated code in the layouts the tests' snapshots use, all made by the one
//! implementation, `trinity_emit::disasm` (also `trinity::disasm`, the `trinity disasm`
//! command's), and the decoded instructions of an x86-64 kernel.

use iced_x86::{Decoder, DecoderOptions, Instruction};
pub use trinity_emit::disasm::{listing, listing_with, x86_64_code_end, Style};
use trinity_emit::kernels::Arch;

/// An x86-64 kernel's listing in the kernel snapshots' layout: `0x` numbers, each
/// instruction's bytes run together, and the constants after the `ret` as data rows.
pub fn x86_64_kernel(code: &[u8]) -> String {
    const KERNEL: Style =
        Style { wide_offsets: false, spaced_bytes: false, bytes_width: 24, prefixed_hex: true };
    listing_with(Arch::X86_64, code, x86_64_code_end(code), KERNEL)
}

/// An encoder snapshot's listing: `0x` numbers on x86-64, each instruction's bytes spaced, and
/// the bytes from `code_end` on as data rows.
pub fn encoded(arch: Arch, code: &[u8], code_end: usize) -> String {
    let style = match arch {
        Arch::X86_64 => {
            Style { wide_offsets: false, spaced_bytes: true, bytes_width: 32, prefixed_hex: true }
        }
        // Four bytes each: the column is just wide enough.
        Arch::Aarch64 => {
            Style { wide_offsets: false, spaced_bytes: true, bytes_width: 12, prefixed_hex: true }
        }
    };
    listing_with(arch, code, code_end, style)
}

/// The decoded instructions of an x86-64 kernel's code, up to and including its `ret`.
pub fn x86_64_instructions(code: &[u8]) -> Vec<Instruction> {
    let code = &code[..x86_64_code_end(code)];
    Decoder::with_ip(64, code, 0, DecoderOptions::NONE).iter().collect()
}
