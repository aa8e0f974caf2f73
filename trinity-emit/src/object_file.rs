//! Relocatable object files (ELF, Mach-O, COFF) holding generated kernels, and the C header that
//! declares them (docs/design.md §3).
//!
//! Kernels contain no relocations, so an object is just one executable section with each kernel
//! placed at a 64-byte boundary and one global function symbol per kernel. COFF objects add the
//! Win64 unwind data of the kernels that have it (see [`unwind`](crate::kernels::unwind)):
//! their `UNWIND_INFO` in `.xdata` and a `RUNTIME_FUNCTION` each in `.pdata`.

use crate::kernels::unwind::UnwindInfo;
use crate::kernels::{Arch, CallConv, Kernel, KernelSpec, Layout, Op, Signature, Tier};
use object::write::{Object, Relocation, StandardSection, Symbol, SymbolId, SymbolSection};
use object::{
    Architecture, BinaryFormat, Endianness, RelocationFlags, SectionKind, SymbolFlags, SymbolKind,
    SymbolScope,
};
use std::collections::BTreeSet;

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

/// A C header declaring `kernels` with the prototypes of docs/design.md §3.
///
/// Its comments say, from the kernels' specs, what a C caller needs and cannot see in the
/// prototypes: the architecture, CPU tier and calling convention the kernels were generated
/// for, the dimensions, what the ops compute, which pointers may alias, that no alignment is
/// needed, and, once per layout present, what an operand is (for bitsliced kernels, the
/// words per plane and the padding bits of every dimension). Declarations are grouped by
/// layout, in the order given.
///
/// ```
/// use trinity_emit::kernels::{generate, KernelSpec, Layout, Op, Tier};
/// use trinity_emit::object_file::c_header;
/// let dot = generate(&KernelSpec::new(Op::Dot, Layout::Bits, 100, Tier::Avx2))?;
/// let header = c_header(&[dot], "K_H");
/// assert!(header.contains("int64_t trinity_bits_dot_100(const uint64_t *a, const uint64_t *b);"));
/// assert!(header.contains("D = 100: W = 2,"));
/// # Ok::<(), trinity_emit::kernels::KernelError>(())
/// ```
pub fn c_header(kernels: &[Kernel], guard: &str) -> String {
    let specs: Vec<&KernelSpec> = kernels.iter().map(|k| &k.spec).collect();
    let mut out = String::from(
        "/* Generated by trinity-emit: ternary VSA kernels. Their semantics, operand layouts and\n \
         * calling rules are specified in docs/design.md (sections 1 to 3) of the Trinity\n \
         * repository; this header repeats what a C caller needs.\n *\n",
    );
    let mut targets: Vec<(Tier, CallConv)> = specs.iter().map(|s| (s.tier, s.conv)).collect();
    targets.sort();
    targets.dedup();
    for (tier, conv) in targets {
        out.push_str(&format!(
            " * Generated for {}, CPU tier {}, {} calling convention.\n * {}\n",
            arch_text(tier.arch()),
            tier.name(),
            conv_text(tier.arch(), conv),
            tier_text(tier)
        ));
    }
    let dims: BTreeSet<u32> = specs.iter().map(|s| s.dim).collect();
    let dims: Vec<String> = dims.iter().map(u32::to_string).collect();
    out.push_str(&format!(
        " *\n * Dimensions: {}. A kernel works on exactly the D in its name,\n \
         * trinity_<layout>_<op>_<D> (permute: trinity_<layout>_permute_<D>_<k>, 0 <= k < D);\n \
         * D is not an argument.\n *\n",
        dims.join(", ")
    ));
    out.push_str(
        " * Pointers need no alignment beyond their C type's: the kernels use unaligned loads\n \
         * and stores. A kernel touches no memory but its operands and its own stack.\n",
    );
    let has = |op: Op| specs.iter().any(|s| s.op == op);
    let has_signature = |signature: Signature| specs.iter().any(|s| s.op.signature() == signature);
    if has_signature(Signature::Reduce) || has_signature(Signature::ReduceF64) {
        out.push_str(
            " *   dot, hamming, cosine: a and b are only read; they may be the same or overlap.\n",
        );
    }
    if has_signature(Signature::Binary) {
        out.push_str(
            " *   bind, bundle: out may be the same pointer as a or b (in place), but must not\n \
             *   overlap either in any other way.\n",
        );
    }
    if has_signature(Signature::Unary) {
        out.push_str(" *   permute: out must not overlap v at all.\n");
    }
    out.push_str(" *\n * What they compute, trit by trit for i in 0..D-1:\n");
    for (op, text) in [
        (Op::Dot, "dot      returns the sum of a[i] * b[i]"),
        (Op::Hamming, "hamming  returns the number of i with a[i] != b[i]"),
        (
            Op::Cosine,
            "cosine   returns (double)dot(a, b) / sqrt((double)dot(a, a) * (double)dot(b, b)),\n \
             *            exactly 0.0 when a or b is all zeros",
        ),
        (Op::Bind, "bind     out[i] = a[i] * b[i] (unbind is the same call)"),
        (Op::Bundle, "bundle   out[i] = sign(a[i] + b[i]): 0 where they cancel"),
        (Op::Permute, "permute  out[(i + k) mod D] = v[i]: a rotation right by k"),
    ] {
        if has(op) {
            out.push_str(&format!(" *   {text}\n"));
        }
    }
    out.push_str(&format!(
        " */\n#ifndef {guard}\n#define {guard}\n\n#include <stdint.h>\n\n\
         #ifdef __cplusplus\nextern \"C\" {{\n#endif\n"
    ));
    for layout in Layout::ALL {
        let of_layout: Vec<&KernelSpec> =
            specs.iter().copied().filter(|s| s.layout == layout).collect();
        if of_layout.is_empty() {
            continue;
        }
        let dims: BTreeSet<u32> = of_layout.iter().map(|s| s.dim).collect();
        out.push('\n');
        out.push_str(&layout_text(layout, &dims));
        let t = match layout {
            Layout::Dense => "int8_t",
            Layout::Bits => "uint64_t",
        };
        for spec in of_layout {
            let name = spec.symbol();
            let line = match spec.op.signature() {
                Signature::Reduce => format!("int64_t {name}(const {t} *a, const {t} *b);"),
                Signature::ReduceF64 => format!("double {name}(const {t} *a, const {t} *b);"),
                Signature::Binary => format!("void {name}({t} *out, const {t} *a, const {t} *b);"),
                Signature::Unary => format!("void {name}({t} *out, const {t} *v);"),
            };
            out.push_str(&line);
            out.push('\n');
        }
    }
    out.push_str(&format!("\n#ifdef __cplusplus\n}}\n#endif\n\n#endif /* {guard} */\n"));
    out
}

fn arch_text(arch: Arch) -> &'static str {
    match arch {
        Arch::X86_64 => "x86-64",
        Arch::Aarch64 => "AArch64",
    }
}

fn conv_text(arch: Arch, conv: CallConv) -> &'static str {
    match (arch, conv) {
        (Arch::X86_64, CallConv::Native) => "System V AMD64",
        (Arch::X86_64, CallConv::Win64) => "Win64 (Microsoft x64)",
        (Arch::Aarch64, _) => "AAPCS64",
    }
}

/// What a CPU needs to run a tier's kernels, for the header.
fn tier_text(tier: Tier) -> &'static str {
    match tier {
        Tier::Avx2 => {
            "The CPU must have AVX2 (check first, e.g. __builtin_cpu_supports(\"avx2\")):\n \
             * without it the kernels fault on an invalid instruction."
        }
        Tier::Avx512 => {
            "The CPU must have AVX2 and AVX-512 F and BW (check first, e.g.\n \
             * __builtin_cpu_supports(\"avx512f\") && __builtin_cpu_supports(\"avx512bw\")):\n \
             * without them the kernels fault on an invalid instruction."
        }
        Tier::Avx512Vpopcnt => {
            "The CPU must have AVX2 and AVX-512 F, BW and VPOPCNTDQ (check first, e.g.\n \
             * __builtin_cpu_supports(\"avx512bw\") && __builtin_cpu_supports(\"avx512vpopcntdq\")):\n \
             * without them the kernels fault on an invalid instruction."
        }
        Tier::Neon => "Baseline Advanced SIMD: runs on every AArch64 CPU.",
        Tier::DotProd => {
            "The CPU must have FEAT_DotProd (sdot; Linux: HWCAP_ASIMDDP): without it the kernels\n \
             * fault on an invalid instruction. Tier neon runs on every AArch64 CPU."
        }
    }
}

/// The comment before a layout's declarations: what one operand is, per dimension.
fn layout_text(layout: Layout, dims: &BTreeSet<u32>) -> String {
    let mut text = match layout {
        Layout::Dense => String::from(
            "/* Dense kernels (trinity_dense_*): an operand is D int8_t, each -1, 0 or +1 (any\n \
             * other value gives an unspecified result); outputs hold only -1, 0 and +1.\n",
        ),
        Layout::Bits => String::from(
            "/* Bitsliced kernels (trinity_bits_*): an operand is 2 * W uint64_t, W = ceil(D / 64):\n \
             * the +1 plane (words 0..W-1), then the -1 plane (words W..2W-1). Trit i is bit i % 64\n \
             * (bit 0 least significant) of word i / 64 of each plane: +1 when its bit is set in the\n \
             * +1 plane, -1 when set in the -1 plane, 0 when in neither, never in both. Words are\n \
             * little-endian, as uint64_t is on these targets. The padding bits D..64W-1 of each\n \
             * plane must be zero on input; outputs keep them zero.\n",
        ),
    };
    for &dim in dims {
        let bytes = layout.operand_bytes(dim);
        let line = match layout {
            Layout::Dense => {
                let unit = if bytes == 1 { "byte" } else { "bytes" };
                format!(" *   D = {dim}: {bytes} {unit} per operand\n")
            }
            Layout::Bits => {
                let words = dim.div_ceil(64);
                let padding = match dim % 64 {
                    0 => "no padding bits".to_string(),
                    used => format!(
                        "bits {used}..63 of words {} and {} (the last of each plane) are padding",
                        words - 1,
                        2 * words - 1
                    ),
                };
                format!(
                    " *   D = {dim}: W = {words}, {} words ({bytes} bytes) per operand; {padding}\n",
                    2 * words
                )
            }
        };
        text.push_str(&line);
    }
    text.push_str(" */\n");
    text
}
