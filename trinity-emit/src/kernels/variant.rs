//! Kernel variants: generation parameters whose best value depends on the CPU and on D, not
//! on what the kernel computes (docs/design.md §5.2). A variant is part of the kernel's key
//! ([`KernelSpec::variant`]): the same spec and variant always give the same bytes, and every
//! variant of a spec computes the same results. [`Variant::DEFAULT`] is the code generated
//! before variants existed. Which variant to use is the planner's business
//! ([`tuning`](super::tuning)).

use super::{Arch, KernelSpec, Layout, Op, Tier};
use std::fmt;
use std::str::FromStr;

/// How a bitsliced reduction counts bits. Kernels without popcounts take [`Popcount::Nibble`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Popcount {
    /// The tier's vector popcount: a 4-bit lookup table per vector lane (`vpshufb` on
    /// x86-64) into byte counters summed every few vectors; `cnt` on AArch64, `vpopcntq` on
    /// `avx512vpopcnt`.
    #[default]
    Nibble,
    /// Harley-Seal carry-save adders: 16 vectors at a time reduced to one vector of weight 16
    /// by a tree of bit-sliced full adders, so only one vector in 16 is looked up; the tail
    /// vectors use the nibble lookup.
    HarleySeal,
    /// The scalar `popcnt` instruction on 64-bit words, four words per step into independent
    /// accumulators.
    Scalar,
}

impl Popcount {
    /// Every popcount method, in a fixed order.
    pub const ALL: [Popcount; 3] = [Popcount::Nibble, Popcount::HarleySeal, Popcount::Scalar];

    /// The method's name in variant text (`nibble`, `harley-seal`, `popcnt`).
    pub fn name(self) -> &'static str {
        match self {
            Popcount::Nibble => "nibble",
            Popcount::HarleySeal => "harley-seal",
            Popcount::Scalar => "popcnt",
        }
    }
}

/// One way of generating a kernel: the popcount method, the loop's unroll factor and, on the
/// AVX-512 tiers, the register width.
///
/// Written as text (wisdom files, the command line) as the popcount name, then `:x<unroll>`
/// when the unroll factor is not the generator's own default, then `:ymm` for the 256-bit
/// code: `nibble`, `nibble:x2`, `harley-seal`, `popcnt`, for dense reductions (which have no
/// popcount) `nibble:x8`, and for bitsliced bind and bundle on an AVX-512 tier `nibble:ymm`.
///
/// ```
/// use trinity_emit::kernels::{Popcount, Variant};
/// let v: Variant = "nibble:x2".parse().unwrap();
/// assert_eq!(v, Variant { popcount: Popcount::Nibble, unroll: 2, ymm: false });
/// assert_eq!(Variant::DEFAULT.to_string(), "nibble");
/// let narrow: Variant = "nibble:ymm".parse().unwrap();
/// assert_eq!(narrow, Variant { ymm: true, ..Variant::DEFAULT });
/// assert_eq!(narrow.to_string(), "nibble:ymm");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Variant {
    /// The popcount method.
    pub popcount: Popcount,
    /// Vectors per loop iteration (accumulators, for dense reductions); 0 means the
    /// generator's default for the op.
    pub unroll: u8,
    /// On an AVX-512 tier, the `avx2` tier's 256-bit code instead of the tier's own 512-bit
    /// code: for bitsliced bind and bundle, whose second plane starts off a 64-byte boundary
    /// unless D is a multiple of 512, so that every 512-bit access to it splits a cache line.
    /// A CPU that splits 512-bit operations anyway, such as Zen 4, runs the 256-bit code
    /// faster for most placements of the operands (`benches/placement.rs`).
    pub ymm: bool,
}

impl Variant {
    /// The default variant: the generator's original code.
    pub const DEFAULT: Variant = Variant { popcount: Popcount::Nibble, unroll: 0, ymm: false };

    /// Every variant the generator has for `spec` (whose own variant is ignored), the default
    /// first. Most specs have only the default.
    ///
    /// On AArch64 the reductions of both layouts have `nibble:x2` and `nibble:x4`; on the
    /// AVX-512 tiers bitsliced bind and bundle have `nibble:ymm`.
    ///
    /// ```
    /// use trinity_emit::kernels::{KernelSpec, Layout, Op, Tier, Variant};
    /// let spec = KernelSpec::new(Op::Dot, Layout::Bits, 10_000, Tier::Avx2);
    /// let names: Vec<String> = Variant::candidates(&spec).iter().map(|v| v.to_string()).collect();
    /// assert_eq!(names, ["nibble", "nibble:x2", "nibble:x4", "harley-seal", "popcnt"]);
    /// ```
    pub fn candidates(spec: &KernelSpec) -> Vec<Variant> {
        let unrolled = |factors: &'static [u8]| {
            factors.iter().map(|&unroll| Variant { unroll, ..Variant::DEFAULT })
        };
        let mut all = vec![Variant::DEFAULT];
        match (spec.tier.arch(), spec.layout, spec.op) {
            // The AVX-512 tiers count with their own vector popcount only.
            (Arch::X86_64, Layout::Bits, Op::Dot | Op::Hamming | Op::Cosine) => {
                all.extend(unrolled(&[2, 4]));
                if spec.tier == Tier::Avx2 {
                    all.extend(
                        [Popcount::HarleySeal, Popcount::Scalar]
                            .map(|popcount| Variant { popcount, ..Variant::DEFAULT }),
                    );
                }
            }
            // The default unrolls are 4 (dot, hamming) and 2 (cosine, whose three quantities
            // per vector leave registers for two).
            (Arch::X86_64, Layout::Dense, Op::Dot | Op::Hamming) => {
                all.extend(unrolled(&[1, 2, 8]))
            }
            (Arch::X86_64, Layout::Dense, Op::Cosine) => all.extend(unrolled(&[1])),
            (Arch::X86_64, Layout::Bits, Op::Bind | Op::Bundle) if spec.tier != Tier::Avx2 => {
                all.push(Variant { ymm: true, ..Variant::DEFAULT })
            }
            // 2 or 4 vectors per iteration at immediate offsets (the default loads one at a
            // register offset), into independent accumulators where registers allow.
            (Arch::Aarch64, _, Op::Dot | Op::Hamming | Op::Cosine) => all.extend(unrolled(&[2, 4])),
            _ => {}
        }
        all
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.popcount.name())?;
        if self.unroll != 0 {
            write!(f, ":x{}", self.unroll)?;
        }
        if self.ymm {
            f.write_str(":ymm")?;
        }
        Ok(())
    }
}

/// Text that is not a [`Variant`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{text:?} is not a kernel variant (write nibble, nibble:x<unroll>, harley-seal, popcnt or nibble:ymm)"
)]
pub struct BadVariantText {
    /// The text given.
    pub text: String,
}

impl FromStr for Variant {
    type Err = BadVariantText;

    fn from_str(text: &str) -> Result<Variant, BadVariantText> {
        let bad = || BadVariantText { text: text.to_string() };
        let (rest, ymm) = match text.strip_suffix(":ymm") {
            Some(rest) => (rest, true),
            None => (text, false),
        };
        let (name, unroll) = match rest.split_once(":x") {
            Some((name, unroll)) => {
                (name, unroll.parse::<u8>().ok().filter(|&u| u != 0).ok_or_else(bad)?)
            }
            None => (rest, 0),
        };
        let popcount = Popcount::ALL.into_iter().find(|p| p.name() == name).ok_or_else(bad)?;
        Ok(Variant { popcount, unroll, ymm })
    }
}
