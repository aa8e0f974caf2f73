//! `trinity bake`: write kernels as a relocatable object file and a C header.

use super::{host_arch, resolve_tier, ArchArg, LayoutArg, OpArg, TierArg};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use trinity_emit::kernels::{generate, Arch, Kernel, KernelSpec, Layout, Op};
use trinity_emit::object_file::{c_header, call_conv_for, write_object, ObjectFormat};

/// An operating system as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OsArg {
    /// ELF objects.
    Linux,
    /// Mach-O objects.
    Macos,
    /// COFF objects (Win64 calling convention on x86-64).
    Windows,
}

/// Arguments of `trinity bake`.
#[derive(Debug, Args)]
pub struct BakeArgs {
    /// Dimensions to bake (repeat or separate with commas).
    #[arg(long, required = true, value_delimiter = ',')]
    pub dim: Vec<u32>,
    /// Ops to bake (default: all).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub ops: Vec<OpArg>,
    /// Layouts to bake (default: both).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub layout: Vec<LayoutArg>,
    /// Permute shifts to bake (any integers, stored mod D; default: 1).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub permute: Vec<i64>,
    /// Target architecture (default: this machine's).
    #[arg(long, value_enum)]
    pub arch: Option<ArchArg>,
    /// Target operating system (default: this machine's).
    #[arg(long, value_enum)]
    pub os: Option<OsArg>,
    /// CPU tier (default: the architecture's best).
    #[arg(long, value_enum)]
    pub tier: Option<TierArg>,
    /// Where to write the object file.
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// Where to write the C header (optional).
    #[arg(long)]
    pub header: Option<PathBuf>,
}

fn host_os() -> OsArg {
    if cfg!(target_os = "macos") {
        OsArg::Macos
    } else if cfg!(target_os = "windows") {
        OsArg::Windows
    } else {
        OsArg::Linux
    }
}

/// Generate the kernels and write the files; returns a one-line summary.
pub fn run(args: &BakeArgs) -> Result<String, String> {
    let arch = args.arch.map(Arch::from).unwrap_or_else(host_arch);
    let tier = resolve_tier(arch, args.tier)?;
    let format = match args.os.unwrap_or_else(host_os) {
        OsArg::Linux => ObjectFormat::Elf,
        OsArg::Macos => ObjectFormat::MachO,
        OsArg::Windows => ObjectFormat::Coff,
    };
    let ops: Vec<Op> = if args.ops.is_empty() {
        Op::ALL.to_vec()
    } else {
        args.ops.iter().map(|&op| op.into()).collect()
    };
    let layouts: Vec<Layout> = if args.layout.is_empty() {
        Layout::ALL.to_vec()
    } else {
        args.layout.iter().map(|&l| l.into()).collect()
    };
    let shifts = if args.permute.is_empty() { vec![1] } else { args.permute.clone() };
    let mut specs = Vec::new();
    for &dim in &args.dim {
        for &layout in &layouts {
            for &op in &ops {
                if op == Op::Permute {
                    specs.extend(shifts.iter().map(|&k| KernelSpec::permute(layout, dim, tier, k)));
                } else {
                    specs.push(KernelSpec::new(op, layout, dim, tier));
                }
            }
        }
    }
    specs.sort();
    specs.dedup();
    let kernels = specs
        .into_iter()
        .map(|mut spec| {
            spec.conv = call_conv_for(format, arch);
            generate(&spec).map_err(|e| format!("--dim {}: {e}", spec.dim))
        })
        .collect::<Result<Vec<Kernel>, String>>()?;
    let object = write_object(&kernels, format).map_err(|e| e.to_string())?;
    std::fs::write(&args.output, &object)
        .map_err(|e| format!("cannot write {}: {e}", args.output.display()))?;
    if let Some(path) = &args.header {
        let guard = path
            .file_name()
            .map(|n| {
                n.to_string_lossy()
                    .to_uppercase()
                    .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
            })
            .unwrap_or_else(|| "TRINITY_KERNELS_H".into());
        std::fs::write(path, c_header(&kernels, &guard))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(format!(
        "wrote {} kernels ({} bytes of code) to {}",
        kernels.len(),
        kernels.iter().map(|k| k.code.len()).sum::<usize>(),
        args.output.display()
    ))
}
