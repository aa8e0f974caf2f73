//! Relocatable object files (ELF, Mach-O, COFF) holding generated kernels, and the C header that
//! declares them (DESIGN §3).
//!
//! Kernels contain no relocations, so an object is just one executable section with each kernel
//! placed at a 64-byte boundary and one global function symbol per kernel. COFF objects add the
//! Win64 unwind data of the kernels that have it (see [`unwind`](crate::kernels::unwind)):
//! their `UNWIND_INFO` in `.xdata` and a `RUNTIME_FUNCTION` each in `.pdata`.

use crate::kernels::unwind::UnwindInfo;
use crate::kernels::{Arch, CallConv, Kernel, Layout, Signature};
use object::write::{Object, Relocation, StandardSection, Symbol, SymbolId, SymbolSection};
use object::{
    Architecture, BinaryFormat, Endianness, RelocationFlags, SectionKind, SymbolFlags, SymbolKind,
    SymbolScope,
};

/// The object-file format to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectFormat {
    /// ELF (Linux and other Unix systems).
    Elf,
    /// Mach-O (macOS, iOS).
    MachO,
    /// COFF (Windows).
    Coff,
}

impl ObjectFormat {
    /// The usual format of an operating system named as in `CARGO_CFG_TARGET_OS`
    /// (`macos`/`ios` give Mach-O, `windows` gives COFF, anything else ELF).
    pub fn for_os(os: &str) -> Self {
        match os {
            "macos" | "ios" | "tvos" | "watchos" | "visionos" => ObjectFormat::MachO,
            "windows" | "uefi" => ObjectFormat::Coff,
            _ => ObjectFormat::Elf,
        }
    }
}

/// Why an object file could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ObjectError {
    /// No kernels were given.
    #[error("no kernels to write")]
    Empty,
    /// Kernels for two architectures cannot share one object.
    #[error("kernel {symbol} is for {found:?} but the object holds {expected:?} code")]
    MixedArch {
        /// The offending kernel's symbol.
        symbol: String,
        /// The architecture of the first kernel.
        expected: Arch,
        /// The offending kernel's architecture.
        found: Arch,
    },
    /// A kernel's calling convention does not match the object format's platform.
    #[error("kernel {symbol} uses the {conv:?} calling convention, which {format:?} objects for {arch:?} do not use")]
    WrongCallConv {
        /// The offending kernel's symbol.
        symbol: String,
        /// Its calling convention.
        conv: CallConv,
        /// The object format.
        format: ObjectFormat,
        /// The architecture.
        arch: Arch,
    },
    /// Two kernels have the same symbol.
    #[error("symbol {symbol} is defined twice")]
    DuplicateSymbol {
        /// The repeated symbol.
        symbol: String,
    },
    /// The object crate failed to write the file.
    #[error("writing the object failed: {0}")]
    Write(String),
}

/// The calling convention kernels in an object of `format` for `arch` must follow.
pub fn call_conv_for(format: ObjectFormat, arch: Arch) -> CallConv {
    match (format, arch) {
        (ObjectFormat::Coff, Arch::X86_64) => CallConv::Win64,
        _ => CallConv::Native,
    }
}

/// Write `kernels` (all for one architecture) as a relocatable object of `format`.
///
/// Each kernel gets a global function symbol named [`KernelSpec::symbol`](crate::kernels::KernelSpec::symbol)
/// (Mach-O adds its usual leading underscore), starting on a 64-byte boundary of the code
/// section. ELF objects carry an empty `.note.GNU-stack` so linking them never makes the stack
/// executable. COFF objects carry, for each kernel with [`unwind`](Kernel::unwind) data, its
/// `UNWIND_INFO` in `.xdata` and a `RUNTIME_FUNCTION` in `.pdata` covering the kernel's bytes;
/// leaf kernels get no entry.
pub fn write_object(kernels: &[Kernel], format: ObjectFormat) -> Result<Vec<u8>, ObjectError> {
    let first = kernels.first().ok_or(ObjectError::Empty)?;
    let arch = first.spec.tier.arch();
    let conv = call_conv_for(format, arch);
    let mut seen = std::collections::HashSet::new();
    for kernel in kernels {
        let symbol = kernel.spec.symbol();
        let found = kernel.spec.tier.arch();
        if found != arch {
            return Err(ObjectError::MixedArch { symbol, expected: arch, found });
        }
        if kernel.spec.conv != conv {
            return Err(ObjectError::WrongCallConv {
                symbol,
                conv: kernel.spec.conv,
                format,
                arch,
            });
        }
        if !seen.insert(symbol.clone()) {
            return Err(ObjectError::DuplicateSymbol { symbol });
        }
    }

    let binary_format = match format {
        ObjectFormat::Elf => BinaryFormat::Elf,
        ObjectFormat::MachO => BinaryFormat::MachO,
        ObjectFormat::Coff => BinaryFormat::Coff,
    };
    let architecture = match arch {
        Arch::X86_64 => Architecture::X86_64,
        Arch::Aarch64 => Architecture::Aarch64,
    };
    let mut object = Object::new(binary_format, architecture, Endianness::Little);
    let text = object.section_id(StandardSection::Text);
    let mut unwound = Vec::new();
    for kernel in kernels {
        let offset = object.append_section_data(text, &kernel.code, 64);
        let symbol = object.add_symbol(Symbol {
            name: kernel.spec.symbol().into_bytes(),
            value: offset,
            size: kernel.code.len() as u64,
            kind: SymbolKind::Text,
            scope: SymbolScope::Dynamic,
            weak: false,
            section: SymbolSection::Section(text),
            flags: SymbolFlags::None,
        });
        // Win64 is the one convention with unwind data in the object (COFF, x86-64).
        if let (CallConv::Win64, Some(info)) = (conv, &kernel.unwind) {
            unwound.push((info, symbol, kernel.code.len() as u64));
        }
    }
    if !unwound.is_empty() {
        write_unwind(&mut object, &unwound)?;
    }
    if format == ObjectFormat::Elf {
        object.add_section(
            Vec::new(),
            b".note.GNU-stack".to_vec(),
            SectionKind::Elf(object::elf::SHT_PROGBITS),
        );
    }
    object.write().map_err(|e| ObjectError::Write(e.to_string()))
}

/// `.xdata` and `.pdata` for kernels given as (unwind data, symbol, code length): per kernel
/// its `UNWIND_INFO` and a `RUNTIME_FUNCTION` {start, end, unwind info}, each field an
/// image-relative (`IMAGE_REL_AMD64_ADDR32NB`) relocation.
fn write_unwind(
    object: &mut Object,
    kernels: &[(&UnwindInfo, SymbolId, u64)],
) -> Result<(), ObjectError> {
    let xdata = object.add_section(Vec::new(), b".xdata".to_vec(), SectionKind::ReadOnlyData);
    let pdata = object.add_section(Vec::new(), b".pdata".to_vec(), SectionKind::ReadOnlyData);
    let xdata_symbol = object.section_symbol(xdata);
    for &(info, symbol, len) in kernels {
        let info_offset = object.append_section_data(xdata, &info.to_bytes(), 4);
        let entry = object.append_section_data(pdata, &[0; 12], 4);
        let fields = [(symbol, 0), (symbol, len), (xdata_symbol, info_offset)];
        for (k, (target, addend)) in fields.into_iter().enumerate() {
            let relocation = Relocation {
                offset: entry + 4 * k as u64,
                symbol: target,
                addend: addend as i64,
                flags: RelocationFlags::Coff { typ: object::pe::IMAGE_REL_AMD64_ADDR32NB },
            };
            object
                .add_relocation(pdata, relocation)
                .map_err(|e| ObjectError::Write(e.to_string()))?;
        }
    }
    Ok(())
}

/// A C header declaring `kernels` with the prototypes of DESIGN §3.
pub fn c_header(kernels: &[Kernel], guard: &str) -> String {
    let mut out = format!(
        "/* Generated by trinity-emit: ternary VSA kernels (see DESIGN.md section 3). */\n\
         #ifndef {guard}\n#define {guard}\n\n#include <stdint.h>\n\n\
         #ifdef __cplusplus\nextern \"C\" {{\n#endif\n\n"
    );
    for kernel in kernels {
        let t = match kernel.spec.layout {
            Layout::Dense => "int8_t",
            Layout::Bits => "uint64_t",
        };
        let name = kernel.spec.symbol();
        let line = match kernel.spec.op.signature() {
            Signature::Reduce => format!("int64_t {name}(const {t} *a, const {t} *b);"),
            Signature::ReduceF64 => format!("double {name}(const {t} *a, const {t} *b);"),
            Signature::Binary => format!("void {name}({t} *out, const {t} *a, const {t} *b);"),
            Signature::Unary => format!("void {name}({t} *out, const {t} *v);"),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str(&format!("\n#ifdef __cplusplus\n}}\n#endif\n\n#endif /* {guard} */\n"));
    out
}
