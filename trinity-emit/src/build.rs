//! Baking kernels from a Cargo build script into a static library and a C header.
//!
//! ```no_run
//! // build.rs
//! use trinity_emit::build::Bake;
//! use trinity_emit::kernels::{Layout, Op};
//!
//! fn main() {
//!     Bake::new("vsa")
//!         .dims(&[10_000])
//!         .ops(&[Op::Dot, Op::Bind, Op::Permute])
//!         .layouts(&[Layout::Bits])
//!         .permute(&[1, -1])
//!         .run()
//!         .unwrap_or_else(|e| panic!("{e}"));
//! }
//! ```
//!
//! [`Bake::run`] reads `CARGO_CFG_TARGET_ARCH`, `CARGO_CFG_TARGET_OS` and `OUT_DIR`, generates
//! the kernels for the target's best tier (`avx2` on x86-64, `dotprod` on AArch64; choose
//! another with [`Bake::tier`]), writes `lib<name>.a` (`<name>.lib` for Windows) and `<name>.h`
//! into `OUT_DIR`, and prints the `cargo:` lines that link the library. Symbols follow
//! docs/design.md §3 (`trinity_bits_dot_10000`); declare them with `extern "C"` (Rust) or include the header (C).

use crate::kernels::tuning::{Planner, Wisdom};
use crate::kernels::{generate, spec_set, Arch, Kernel, KernelError, Layout, Op, Tier};
use crate::object_file::{c_header, call_conv_for, write_object, ObjectError, ObjectFormat};
use std::path::{Path, PathBuf};

/// Why baking failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A variable Cargo sets for build scripts is missing.
    #[error("environment variable {var} is not set (is this running from a build script?)")]
    MissingEnv {
        /// The variable.
        var: &'static str,
    },
    /// The target architecture has no kernels.
    #[error("target architecture {arch:?} has no Trinity kernels (x86_64 and aarch64 do)")]
    UnsupportedArch {
        /// The architecture named by Cargo.
        arch: String,
    },
    /// The library name would not make a valid file or symbol name.
    #[error("library name {name:?} must be non-empty ASCII letters, digits or '_'")]
    BadName {
        /// The name given.
        name: String,
    },
    /// A tier of another architecture was asked for.
    #[error("tier {tier} does not run on {arch:?}", tier = tier.name())]
    WrongTier {
        /// The tier.
        tier: Tier,
        /// The target architecture.
        arch: Arch,
    },
    /// A kernel could not be generated (for example a dimension of 0).
    #[error("{0}")]
    Kernel(#[from] KernelError),
    /// The object file could not be written.
    #[error("{0}")]
    Object(#[from] ObjectError),
    /// Writing a file failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// What [`Bake::write_to`] produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baked {
    /// The static library.
    pub library: PathBuf,
    /// The C header.
    pub header: PathBuf,
    /// The name to pass to `cargo:rustc-link-lib=static=`.
    pub link_name: String,
    /// The symbols defined.
    pub symbols: Vec<String>,
}

/// A set of kernels to bake: dimensions x ops x layouts, permute shifts for permute.
#[derive(Debug, Clone)]
pub struct Bake {
    name: String,
    dims: Vec<u32>,
    ops: Vec<Op>,
    layouts: Vec<Layout>,
    shifts: Vec<i64>,
    tier: Option<Tier>,
    planner: Planner,
}

impl Bake {
    /// Kernels for library `name`: by default every op, both layouts, permute shift 1, and
    /// no dimensions yet (add them with [`dims`](Self::dims)).
    pub fn new(name: &str) -> Self {
        Bake {
            name: name.to_string(),
            dims: Vec::new(),
            ops: Op::ALL.to_vec(),
            layouts: Layout::ALL.to_vec(),
            shifts: vec![1],
            tier: None,
            planner: Planner::defaults(),
        }
    }

    /// The dimensions to bake.
    pub fn dims(mut self, dims: &[u32]) -> Self {
        self.dims = dims.to_vec();
        self
    }

    /// The ops to bake.
    pub fn ops(mut self, ops: &[Op]) -> Self {
        self.ops = ops.to_vec();
        self
    }

    /// The layouts to bake.
    pub fn layouts(mut self, layouts: &[Layout]) -> Self {
        self.layouts = layouts.to_vec();
        self
    }

    /// The permute shifts to bake (any integers; symbols carry them mod D).
    pub fn permute(mut self, shifts: &[i64]) -> Self {
        self.shifts = shifts.to_vec();
        self
    }

    /// The CPU tier (default: the target architecture's best).
    pub fn tier(mut self, tier: Tier) -> Self {
        self.tier = Some(tier);
        self
    }

    /// Generate the variants `wisdom` (from `trinity tune`, e.g. [`Wisdom::read`]) chose, its
    /// CPU family's built-in table filling the gaps (default: every kernel's default variant).
    pub fn wisdom(mut self, wisdom: Wisdom) -> Self {
        self.planner = Planner::with_wisdom(wisdom);
        self
    }

    /// Generate the kernels for `arch` and `format`.
    pub fn kernels(&self, arch: Arch, format: ObjectFormat) -> Result<Vec<Kernel>, BuildError> {
        let tier = match (self.tier, arch) {
            (Some(tier), _) if tier.arch() != arch => {
                return Err(BuildError::WrongTier { tier, arch })
            }
            (Some(tier), _) => tier,
            (None, Arch::X86_64) => Tier::Avx2,
            (None, Arch::Aarch64) => Tier::DotProd,
        };
        let specs = spec_set(&self.dims, &self.ops, &self.layouts, &self.shifts, tier);
        let conv = call_conv_for(format, arch);
        Ok(specs
            .into_iter()
            .map(|mut spec| {
                spec.conv = conv;
                spec.variant = self.planner.choose(&spec);
                generate(&spec)
            })
            .collect::<Result<_, _>>()?)
    }

    /// Write the static library and header for `arch` and operating system `os` (as named by
    /// `CARGO_CFG_TARGET_OS`) into `dir`.
    pub fn write_to(&self, dir: &Path, arch: Arch, os: &str) -> Result<Baked, BuildError> {
        if self.name.is_empty()
            || !self.name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(BuildError::BadName { name: self.name.clone() });
        }
        let format = ObjectFormat::for_os(os);
        let kernels = self.kernels(arch, format)?;
        let object = write_object(&kernels, format)?;
        let (file, kind) = match format {
            ObjectFormat::Elf => {
                (format!("lib{}.a", self.name), ar_archive_writer::ArchiveKind::Gnu)
            }
            ObjectFormat::MachO => {
                (format!("lib{}.a", self.name), ar_archive_writer::ArchiveKind::Darwin)
            }
            ObjectFormat::Coff => {
                (format!("{}.lib", self.name), ar_archive_writer::ArchiveKind::Coff)
            }
        };
        let member = ar_archive_writer::NewArchiveMember::new(
            object,
            &ar_archive_writer::DEFAULT_OBJECT_READER,
            format!("{}.o", self.name),
        );
        let mut archive = std::io::Cursor::new(Vec::new());
        let library = dir.join(file);
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| BuildError::Io { path, source }
        };
        ar_archive_writer::write_archive_to_stream(&mut archive, &[member], kind, false, None)
            .map_err(io(&library))?;
        std::fs::write(&library, archive.into_inner()).map_err(io(&library))?;
        let header = dir.join(format!("{}.h", self.name));
        let guard = format!("TRINITY_{}_H", self.name.to_ascii_uppercase());
        std::fs::write(&header, c_header(&kernels, &guard)).map_err(io(&header))?;
        Ok(Baked {
            library,
            header,
            link_name: self.name.clone(),
            symbols: kernels.iter().map(|k| k.spec.symbol()).collect(),
        })
    }

    /// From a build script: bake for Cargo's target into `OUT_DIR` and print the link lines.
    pub fn run(&self) -> Result<Baked, BuildError> {
        let env =
            |var: &'static str| std::env::var(var).map_err(|_| BuildError::MissingEnv { var });
        let target = env("CARGO_CFG_TARGET_ARCH")?;
        let Some(arch) = Arch::ALL.into_iter().find(|a| a.name() == target) else {
            return Err(BuildError::UnsupportedArch { arch: target });
        };
        let os = env("CARGO_CFG_TARGET_OS")?;
        let out_dir = PathBuf::from(env("OUT_DIR")?);
        let baked = self.write_to(&out_dir, arch, &os)?;
        println!("cargo:rustc-link-search=native={}", out_dir.display());
        println!("cargo:rustc-link-lib=static={}", baked.link_name);
        println!("cargo:rerun-if-changed=build.rs");
        Ok(baked)
    }
}
