//! Assembler source that defines kernels inside the binary being compiled: the text the
//! `#[trinity::vsa]` attribute hands to `global_asm!`, in the GNU directive syntax LLVM accepts
//! for ELF, Mach-O and COFF alike.
//!
//! Each kernel is a global function symbol at the start of an executable section of its own
//! (ELF `"ax"`, Mach-O `__TEXT,...,regular,pure_instructions`, COFF `"xr"`), aligned to 64
//! bytes. The bytes are the generator's, written as data directives: `.byte` on x86-64 and
//! `.inst` words on AArch64 (so disassemblers see code, not a data island).
//!
//! On COFF, a kernel with Win64 [`unwind`](crate::kernels::unwind) data is wrapped in SEH
//! directives (`.seh_proc`, `.seh_pushreg`, `.seh_stackalloc`, `.seh_savexmm`,
//! `.seh_endprologue`, `.seh_endproc`), from which the assembler writes its `.xdata` and
//! `.pdata`; leaf kernels get none.
//!
//! A `#[link_section]` static would not do: on ELF its section is not executable.

use crate::kernels::unwind::PrologueOp;
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

/// A `.byte` directive holding `bytes`.
fn byte_line(bytes: &[u8]) -> String {
    let bytes: Vec<String> = bytes.iter().map(|b| format!("{b:#04x}")).collect();
    format!(".byte {}", bytes.join(","))
}

/// The SEH directive describing a prologue instruction. Registers are given by number, which
/// llvm-mc takes in both the AT&T and the Intel syntax (`global_asm!` uses Intel's).
fn seh_directive(op: PrologueOp) -> String {
    match op {
        PrologueOp::Push(reg) => format!(".seh_pushreg {}", reg.num()),
        PrologueOp::Alloc(bytes) => format!(".seh_stackalloc {bytes}"),
        PrologueOp::SaveXmm(reg, offset) => format!(".seh_savexmm {}, {offset}", reg.num()),
    }
}

/// 64-bit FNV-1a: a fixed, dependency-free hash, so section names are the same on every host.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

/// Assembler source defining `symbol` as a global function holding `kernel`'s code in its own
/// executable section of `format`, 64-byte aligned; the source ends back in `.text`. On COFF,
/// an x86-64 kernel's [`unwind`](Kernel::unwind) data becomes SEH directives around it (data
/// whose prologue is longer than the code, which [`generate`](crate::kernels::generate) never
/// makes, is left out).
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
    let x86 = kernel.spec.tier.arch() == Arch::X86_64;
    let unwind = kernel
        .unwind
        .as_ref()
        .filter(|info| x86 && format == ObjectFormat::Coff && info.prologue_size() <= code.len());
    let mut body = &code[..];
    if let Some(info) = unwind {
        // The assembler writes .xdata/.pdata from SEH directives, each recording the offset it
        // sits at: so the prologue goes instruction by instruction, each followed by its own.
        lines.push(format!(".seh_proc {name}"));
        let mut start = 0;
        for step in info.steps() {
            lines.push(byte_line(&code[start..step.end]));
            lines.push(seh_directive(step.op));
            start = step.end;
        }
        lines.push(".seh_endprologue".into());
        body = &code[start..];
    }
    if !x86 && body.len() % 4 == 0 {
        lines.extend(body.chunks(32).map(|line| {
            let words: Vec<String> = line
                .chunks(4)
                .map(|w| format!("{:#010x}", u32::from_le_bytes([w[0], w[1], w[2], w[3]])))
                .collect();
            format!(".inst {}", words.join(","))
        }));
    } else {
        lines.extend(body.chunks(32).map(byte_line));
    }
    if unwind.is_some() {
        lines.push(".seh_endproc".into());
    }
    if format == ObjectFormat::Elf {
        lines.push(format!(".size {name}, . - {name}"));
    }
    lines.push(".text\n".into());
    lines.join("\n")
}
