//! Assembler source that defines kernels inside the binary being compiled: the text the
//! `#[trinity::vsa]` attribute hands to `global_asm!`, in the GNU directive syntax LLVM accepts
//! for ELF, Mach-O and COFF alike.
//!
//! Each kernel is a global function symbol at the start of an executable section of its own
//! (ELF `"ax"`, Mach-O `__TEXT,...,regular,pure_instructions`, COFF `"xr"`), aligned to 64
//! bytes. The bytes are the generator's, written as data directives: `.byte` on x86-64 and
//! `.inst` words on AArch64 (so disassemblers see code, not a data island).
//!
//! A `#[link_section]` static would not do: on ELF its section is not executable.

use crate::kernels::{Arch, Kernel};
use crate::object_file::ObjectFormat;

/// The name the assembler must use for a symbol that Rust and C call `symbol`: Mach-O
/// prefixes C names with an underscore, ELF and COFF (x86-64, AArch64) do not.
///
/// ```
/// use trinity_emit::asm_source::assembler_name;
/// use trinity_emit::object_file::ObjectFormat;
/// assert_eq!(assembler_name("k", ObjectFormat::MachO), "_k");
/// assert_eq!(assembler_name("k", ObjectFormat::Elf), "k");
/// ```
pub fn assembler_name(symbol: &str, format: ObjectFormat) -> String {
    match format {
        ObjectFormat::MachO => format!("_{symbol}"),
        ObjectFormat::Elf | ObjectFormat::Coff => symbol.to_string(),
    }
}

/// The section that holds `symbol`'s code. Mach-O section names have at most 16 characters,
/// so there the name is `__tk` and 12 hex digits of a hash of the symbol.
///
/// ```
/// use trinity_emit::asm_source::section_name;
/// use trinity_emit::object_file::ObjectFormat;
/// assert_eq!(section_name("k", ObjectFormat::Elf), ".text.trinity.k");
/// assert_eq!(section_name("k", ObjectFormat::Coff), ".text$trinity_k");
/// assert_eq!(section_name("k", ObjectFormat::MachO).len(), 16);
/// ```
pub fn section_name(symbol: &str, format: ObjectFormat) -> String {
    match format {
        ObjectFormat::Elf => format!(".text.trinity.{symbol}"),
        ObjectFormat::Coff => format!(".text$trinity_{symbol}"),
        ObjectFormat::MachO => format!("__tk{:012x}", fnv1a(symbol.as_bytes()) >> 16),
    }
}

/// 64-bit FNV-1a: a fixed, dependency-free hash, so section names are the same on every host.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

/// Assembler source defining `symbol` as a global function holding `kernel`'s code in its own
/// executable section of `format`, 64-byte aligned; the source ends back in `.text`.
///
/// ```
/// use trinity_emit::asm_source::kernel_source;
/// use trinity_emit::kernels::{generate, KernelSpec, Layout, Op, Tier};
/// use trinity_emit::object_file::ObjectFormat;
/// let kernel = generate(&KernelSpec::new(Op::Dot, Layout::Bits, 64, Tier::Avx2))?;
/// let source = kernel_source(&kernel, "my_dot", ObjectFormat::Elf);
/// assert!(source.starts_with(".section .text.trinity.my_dot,\"ax\",%progbits\n"));
/// assert!(source.contains("\n.globl my_dot\n") && source.contains("\nmy_dot:\n"));
/// # Ok::<(), trinity_emit::kernels::KernelError>(())
/// ```
pub fn kernel_source(kernel: &Kernel, symbol: &str, format: ObjectFormat) -> String {
    let name = assembler_name(symbol, format);
    let section = section_name(symbol, format);
    let mut lines = vec![match format {
        ObjectFormat::Elf => format!(".section {section},\"ax\",%progbits"),
        ObjectFormat::MachO => format!(".section __TEXT,{section},regular,pure_instructions"),
        ObjectFormat::Coff => format!(".section {section},\"xr\""),
    }];
    lines.push(".p2align 6".into());
    lines.push(format!(".globl {name}"));
    match format {
        ObjectFormat::Elf => lines.push(format!(".type {name},%function")),
        ObjectFormat::Coff => lines.push(format!(".def {name}\n.scl 2\n.type 32\n.endef")),
        ObjectFormat::MachO => {}
    }
    lines.push(format!("{name}:"));
    let code = &kernel.code;
    if kernel.spec.tier.arch() == Arch::Aarch64 && code.len() % 4 == 0 {
        lines.extend(code.chunks(32).map(|line| {
            let words: Vec<String> = line
                .chunks(4)
                .map(|w| format!("{:#010x}", u32::from_le_bytes([w[0], w[1], w[2], w[3]])))
                .collect();
            format!(".inst {}", words.join(","))
        }));
    } else {
        lines.extend(code.chunks(32).map(|line| {
            let bytes: Vec<String> = line.iter().map(|b| format!("{b:#04x}")).collect();
            format!(".byte {}", bytes.join(","))
        }));
    }
    if format == ObjectFormat::Elf {
        lines.push(format!(".size {name}, . - {name}"));
    }
    lines.push(".text\n".into());
    lines.join("\n")
}
