//! Choosing kernel variants ([`Variant`]) per CPU family and dimension (docs/design.md §5.2):
//! a built-in table the project measured, and "wisdom" files that `trinity tune` measures on
//! the user's machine, in the spirit of FFTW's wisdom. A [`Planner`] answers
//! [`choose`](Planner::choose): the wisdom's choice for the nearest measured dimension if it
//! has one, else the built-in table's, else [`Variant::DEFAULT`].
//!
//! A wisdom file is text, one record a line; `#` starts a comment, blank lines are ignored:
//!
//! ```text
//! trinity-wisdom 1
//! cpu amd-zen AMD EPYC 7B13 64-Core Processor
//! avx2 bits dot 10000 harley-seal   # times and the other variants' times as a comment
//! avx2 dense dot 1024 nibble:x8
//! ```
//!
//! The first record names the format and its version, the second the CPU family (and, as free
//! text, the model) it was measured on; each other line is tier, layout, op, dimension and
//! variant (its text form, [`Variant`]).

use super::{Layout, Op, Tier, Variant, MAX_DIM};
use std::fmt::Write as _;
use std::ops::RangeInclusive;
use std::path::Path;

/// A CPU family: CPUs whose kernels prefer the same variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CpuFamily {
    /// AMD Zen without AVX-512 (Zen 1 to Zen 3: x86-64 family 17h and 19h).
    AmdZen,
    /// AMD Zen with AVX-512 (Zen 4 and later), whose AVX2 code prefers other variants.
    AmdZen4,
    /// Intel Core and Xeon (x86-64 family 6).
    IntelCore,
    /// Arm Cortex-A cores.
    ArmCortex,
    /// Arm Neoverse cores.
    ArmNeoverse,
    /// Anything else: the default variants.
    Other,
}

impl CpuFamily {
    /// Every family.
    pub const ALL: [CpuFamily; 6] = [
        CpuFamily::AmdZen,
        CpuFamily::AmdZen4,
        CpuFamily::IntelCore,
        CpuFamily::ArmCortex,
        CpuFamily::ArmNeoverse,
        CpuFamily::Other,
    ];

    /// The family's name in wisdom files (`amd-zen`, `amd-zen4`, `intel-core`, `arm-cortex`,
    /// `arm-neoverse`, `other`).
    pub fn name(self) -> &'static str {
        match self {
            CpuFamily::AmdZen => "amd-zen",
            CpuFamily::AmdZen4 => "amd-zen4",
            CpuFamily::IntelCore => "intel-core",
            CpuFamily::ArmCortex => "arm-cortex",
            CpuFamily::ArmNeoverse => "arm-neoverse",
            CpuFamily::Other => "other",
        }
    }
}

/// One row of the built-in table: for this tier, layout and op at dimensions `dims`, use
/// `variant`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The tier.
    pub tier: Tier,
    /// The layout.
    pub layout: Layout,
    /// The op.
    pub op: Op,
    /// The dimensions the row covers.
    pub dims: RangeInclusive<u32>,
    /// The variant to generate.
    pub variant: Variant,
}

/// The built-in choices for a family. Rows not listed take [`Variant::DEFAULT`].
///
/// AMD Zen rows were measured on an AMD EPYC 7B13 (Zen 3) with `benches/variants.rs` (fastest
/// of 61 alternating rounds, on a machine shared with other builds; dense hamming at 1024 again
/// with 201 rounds on the idle machine): dense dot runs fastest with eight accumulators at every
/// D measured (1024, 10000, 59049), dense hamming with two at 1024 (18.9-20.1 ns against
/// 22.7 ns for eight) and eight from 10000 on; bitsliced dot
/// with two vectors per iteration; bitsliced hamming with four below 32768 and Harley-Seal
/// above (its one pass over a single term pays off once the blocks dominate); cosine in either
/// layout keeps the default.
///
/// Intel rows were measured the same way (101 rounds) on an Intel Xeon with AVX-512 (whose
/// rows matter where the `avx2` tier runs: Intel cores without AVX-512, or `--tier avx2`):
/// the defaults are within 1.02 of the fastest everywhere but bitsliced hamming, where four
/// vectors per iteration win at 10000 (41.2 ns against 43.8 ns) and Harley-Seal at 59049
/// (214 ns against 250 ns), and bitsliced cosine at 59049, where Harley-Seal wins (686 ns
/// against 716 ns). On the same machine's `avx512vpopcnt` tier (`trinity tune`, 201 rounds)
/// dense dot at 1024 runs fastest with two accumulators (11.6 ns against 12.7 ns for four,
/// level from 4096 on), and bitsliced hamming with four vectors per iteration at every D
/// measured (1024 4.1 against 4.3 ns, 4096 8.9 against 9.4, 10000 23.0 against 24.1, 59049
/// 117.5 against 119.6); the dense rows hold for `avx512` too, whose dense code is the same.
///
/// AMD Zen 4 rows were measured with `trinity tune` (401-801 rounds, two to three runs) on an
/// AMD EPYC with AVX-512 (family 19h model 11h, 2 cores of a shared VM). Its `avx512vpopcnt`
/// tier keeps the defaults (within 1.05 of the fastest) but for dense dot below 2048, where two
/// accumulators win (14.4-14.5 ns against 15.1-15.5 ns at 1024), and bitsliced hamming, where
/// four vectors per iteration are at least level. Its `avx2` tier (run where asked for) differs
/// from Zen 3: bitsliced hamming takes Harley-Seal from 4096 on (10000: 39.9-48.2 ns against
/// 42.2-52.8 ns for the best nibble form; 59049: 198-236 ns against 216-277 ns), bitsliced dot
/// four vectors per iteration, and dense dot keeps the default (Zen 3's eight accumulators are
/// 1.15-1.2x slower at 1024). Harley-Seal wins bitsliced dot and cosine by 5-12% where D fills
/// whole 16-vector blocks (16384, 24576, 32768, 45000) and loses where a long tail remains
/// (20000, 28000, 59049), so those keep the nibble forms. Bitsliced bind and bundle on the
/// AVX-512 tiers take the 256-bit code (`nibble:ymm`). Where the operands lie decides more
/// than the width: over 40 random placements (`cargo bench --bench placement`) the 512-bit
/// code took 0.75-4.5x the 256-bit code's time, with medians of 1.02-1.16 at D = 1024, 4096,
/// 6000, 10000, 16384, 20000 and 32768, 0.99-1.01 at 59049, 0.91-0.99 at 2048, and 0.88-1.10
/// at 8192, depending on the placements drawn (medians move by up to 0.2 between sets of
/// placements). In `min_ratio`'s one placement at 10000 the 512-bit code took 1.05-1.14x the
/// AVX2 yardstick (before commit 38f4e27, outputs in a plain `Vec`), the 256-bit code
/// 0.85-0.96x (since, outputs 64-byte aligned).
///
/// Arm Cortex and Neoverse rows come from llvm-mca 14 models of the generated loops
/// (`-mcpu=cortex-a72` and `neoverse-n1`, which LLVM 14 both schedules with its Cortex-A57
/// model, so they agree), not from timings: there is no Arm hardware here and qemu does not
/// model time. Cycles per 16-byte vector, default / `nibble:x2` / `nibble:x4`: bitsliced dot
/// 8.0 / 5.7 / 5.2, hamming 6.0 / 4.0 / 4.0, cosine 10.0 / 8.0 / 8.0 (the same on both
/// tiers); dense dot 4.0 / 2.5 / 2.25 (neon), 3.0 / 2.0 / 2.0 (dotprod), hamming 3.0 / 2.0 /
/// 2.0, cosine 5.0 / 3.75 / 3.5 (neon), 4.0 / 2.33 / 2.0 (dotprod). The default's
/// register-offset loads take two micro-ops each on these cores. On a tie, the smaller unroll.
pub fn builtin(family: CpuFamily) -> Vec<Choice> {
    use super::Popcount::{HarleySeal, Nibble};
    let row = |layout, op, dims: RangeInclusive<u32>, popcount, unroll| Choice {
        tier: Tier::Avx2,
        layout,
        op,
        dims,
        variant: Variant { popcount, unroll, ymm: false },
    };
    let on = |tier, choice: Choice| Choice { tier, ..choice };
    let ymm = |tier, op| Choice {
        tier,
        layout: Layout::Bits,
        op,
        dims: 1..=MAX_DIM,
        variant: Variant { ymm: true, ..Variant::DEFAULT },
    };
    let (bits, dense) = (Layout::Bits, Layout::Dense);
    match family {
        CpuFamily::AmdZen => vec![
            row(dense, Op::Dot, 1..=MAX_DIM, Nibble, 8),
            row(dense, Op::Hamming, 1..=4095, Nibble, 2),
            row(dense, Op::Hamming, 4096..=MAX_DIM, Nibble, 8),
            row(bits, Op::Dot, 1..=MAX_DIM, Nibble, 2),
            row(bits, Op::Hamming, 1..=32767, Nibble, 4),
            row(bits, Op::Hamming, 32768..=MAX_DIM, HarleySeal, 0),
        ],
        CpuFamily::ArmCortex | CpuFamily::ArmNeoverse => {
            let arm = |tier, layout, op, unroll| Choice {
                tier,
                layout,
                op,
                dims: 1..=MAX_DIM,
                variant: Variant { popcount: Nibble, unroll, ymm: false },
            };
            let (neon, dotprod) = (Tier::Neon, Tier::DotProd);
            let mut rows = vec![arm(neon, dense, Op::Dot, 4), arm(dotprod, dense, Op::Dot, 2)];
            for tier in [neon, dotprod] {
                rows.extend([
                    arm(tier, dense, Op::Hamming, 2),
                    arm(tier, dense, Op::Cosine, 4),
                    arm(tier, bits, Op::Dot, 4),
                    arm(tier, bits, Op::Hamming, 2),
                    arm(tier, bits, Op::Cosine, 2),
                ]);
            }
            rows
        }
        CpuFamily::IntelCore => {
            vec![
                row(bits, Op::Hamming, 4096..=32767, Nibble, 4),
                row(bits, Op::Hamming, 32768..=MAX_DIM, HarleySeal, 0),
                row(bits, Op::Cosine, 32768..=MAX_DIM, HarleySeal, 0),
                on(Tier::Avx512, row(dense, Op::Dot, 1..=2047, Nibble, 2)),
                on(Tier::Avx512Vpopcnt, row(dense, Op::Dot, 1..=2047, Nibble, 2)),
                on(Tier::Avx512Vpopcnt, row(bits, Op::Hamming, 1..=MAX_DIM, Nibble, 4)),
            ]
        }
        CpuFamily::AmdZen4 => vec![
            row(bits, Op::Dot, 1..=MAX_DIM, Nibble, 4),
            row(bits, Op::Hamming, 1..=4095, Nibble, 4),
            row(bits, Op::Hamming, 4096..=MAX_DIM, HarleySeal, 0),
            on(Tier::Avx512, row(dense, Op::Dot, 1..=2047, Nibble, 2)),
            on(Tier::Avx512Vpopcnt, row(dense, Op::Dot, 1..=2047, Nibble, 2)),
            on(Tier::Avx512Vpopcnt, row(bits, Op::Hamming, 1..=MAX_DIM, Nibble, 4)),
            ymm(Tier::Avx512, Op::Bind),
            ymm(Tier::Avx512, Op::Bundle),
            ymm(Tier::Avx512Vpopcnt, Op::Bind),
            ymm(Tier::Avx512Vpopcnt, Op::Bundle),
        ],
        CpuFamily::Other => Vec::new(),
    }
}

/// One measured choice in a wisdom file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measured {
    /// The tier.
    pub tier: Tier,
    /// The layout.
    pub layout: Layout,
    /// The op.
    pub op: Op,
    /// The dimension it was measured at.
    pub dim: u32,
    /// The fastest variant there.
    pub variant: Variant,
    /// A comment written after the record (the timings), without the `#`.
    pub note: String,
}

/// Choices measured on one machine (`trinity tune`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wisdom {
    /// The family of the CPU it was measured on.
    pub cpu: CpuFamily,
    /// The CPU's model, free text.
    pub model: String,
    /// The choices, in file order.
    pub choices: Vec<Measured>,
}

/// The format line that starts every wisdom file.
const HEADER: &str = "trinity-wisdom 1";

/// Why a wisdom file cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WisdomError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A line that is not a wisdom record.
    #[error("{path}:{line}: {problem}")]
    Syntax {
        /// The file (or where the text came from).
        path: String,
        /// The line, counted from 1.
        line: usize,
        /// What is wrong, naming the bad value.
        problem: String,
    },
    /// The file was measured on another CPU family than this one.
    #[error("{path} was measured on a {found} CPU, this one is {here}", found = found.name(), here = here.name())]
    OtherCpu {
        /// The file.
        path: String,
        /// The family it names.
        found: CpuFamily,
        /// This CPU's family.
        here: CpuFamily,
    },
}

/// The value of `all` whose `name` is `text`.
fn by_name<T: Copy>(all: &[T], name: fn(T) -> &'static str, text: &str) -> Option<T> {
    all.iter().copied().find(|&v| name(v) == text)
}

impl Wisdom {
    /// An empty wisdom for a CPU.
    pub fn new(cpu: CpuFamily, model: &str) -> Wisdom {
        Wisdom { cpu, model: model.to_string(), choices: Vec::new() }
    }

    /// Parse wisdom text; `path` names it in errors.
    ///
    /// ```
    /// use trinity_emit::kernels::tuning::{CpuFamily, Wisdom};
    /// let w = Wisdom::parse("trinity-wisdom 1\ncpu amd-zen EPYC\navx2 bits dot 10000 popcnt\n", "w.txt")?;
    /// assert_eq!((w.cpu, w.choices[0].variant.to_string().as_str()), (CpuFamily::AmdZen, "popcnt"));
    /// let e = Wisdom::parse("trinity-wisdom 1\ncpu amd-zen\navx2 bits dot 0 popcnt\n", "w.txt");
    /// assert_eq!(e.unwrap_err().to_string(), "w.txt:3: dimension \"0\" is not in 1..=16777216");
    /// # Ok::<(), trinity_emit::kernels::tuning::WisdomError>(())
    /// ```
    pub fn parse(text: &str, path: &str) -> Result<Wisdom, WisdomError> {
        let mut records = text.lines().enumerate().filter_map(|(n, line)| {
            let (record, note) = line.split_once('#').unwrap_or((line, ""));
            let fields: Vec<&str> = record.split_whitespace().collect();
            (!fields.is_empty()).then(|| (n + 1, fields, note.trim().to_string()))
        });
        let bad = |line: usize, problem: String| WisdomError::Syntax {
            path: path.to_string(),
            line,
            problem,
        };
        match records.next() {
            Some((_, fields, _)) if fields.join(" ") == HEADER => {}
            Some((line, fields, _)) => {
                return Err(bad(line, format!("{:?} is not {HEADER:?}", fields.join(" "))))
            }
            None => return Err(bad(1, format!("empty: a wisdom file starts with {HEADER:?}"))),
        }
        let mut wisdom = match records.next() {
            Some((line, fields, _)) if fields[0] == "cpu" && fields.len() >= 2 => {
                let cpu = by_name(&CpuFamily::ALL, CpuFamily::name, fields[1])
                    .ok_or_else(|| bad(line, format!("unknown CPU family {:?}", fields[1])))?;
                Wisdom::new(cpu, &fields[2..].join(" "))
            }
            Some((line, fields, _)) => {
                return Err(bad(
                    line,
                    format!("{:?} is not `cpu <family> <model>`", fields.join(" ")),
                ))
            }
            None => return Err(bad(2, "no `cpu <family> <model>` line".to_string())),
        };
        for (line, fields, note) in records {
            let [tier, layout, op, dim, variant] = fields[..] else {
                return Err(bad(
                    line,
                    format!("{:?} is not `<tier> <layout> <op> <dim> <variant>`", fields.join(" ")),
                ));
            };
            let unknown = |what: &str, text: &str| bad(line, format!("unknown {what} {text:?}"));
            let choice = Measured {
                tier: by_name(&Tier::ALL, Tier::name, tier).ok_or_else(|| unknown("tier", tier))?,
                layout: by_name(&Layout::ALL, Layout::name, layout)
                    .ok_or_else(|| unknown("layout", layout))?,
                op: by_name(&Op::ALL, Op::name, op).ok_or_else(|| unknown("op", op))?,
                dim: dim.parse().ok().filter(|d| (1..=MAX_DIM).contains(d)).ok_or_else(|| {
                    bad(line, format!("dimension {dim:?} is not in 1..={MAX_DIM}"))
                })?,
                variant: variant.parse().map_err(|e| bad(line, format!("{e}")))?,
                note,
            };
            let spec = choice.spec();
            if !Variant::candidates(&spec).contains(&choice.variant) {
                return Err(bad(
                    line,
                    format!("variant {} does not exist for {spec}", choice.variant),
                ));
            }
            wisdom.choices.push(choice);
        }
        Ok(wisdom)
    }

    /// Read and parse a wisdom file.
    pub fn read(path: &Path) -> Result<Wisdom, WisdomError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|source| WisdomError::Io { path: name.clone(), source })?;
        Wisdom::parse(&text, &name)
    }

    /// The wisdom as text, in the format [`parse`](Self::parse) reads.
    pub fn to_text(&self) -> String {
        let mut text = format!("{HEADER}\ncpu {} {}\n", self.cpu.name(), self.model);
        for c in &self.choices {
            let _ = write!(
                text,
                "{} {} {} {} {}",
                c.tier.name(),
                c.layout.name(),
                c.op.name(),
                c.dim,
                c.variant
            );
            if !c.note.is_empty() {
                let _ = write!(text, "  # {}", c.note);
            }
            text.push('\n');
        }
        text
    }

    /// Write the wisdom to a file.
    pub fn write(&self, path: &Path) -> Result<(), WisdomError> {
        std::fs::write(path, self.to_text())
            .map_err(|source| WisdomError::Io { path: path.display().to_string(), source })
    }
}

impl Measured {
    /// The spec measured (default variant, native convention).
    pub fn spec(&self) -> super::KernelSpec {
        super::KernelSpec::new(self.op, self.layout, self.dim, self.tier)
    }
}

/// Picks the variant of each kernel: from wisdom, then the built-in table of a CPU family.
#[derive(Debug, Clone)]
pub struct Planner {
    table: Vec<Choice>,
    wisdom: Option<Wisdom>,
}

impl Planner {
    /// A planner with the built-in table of `family` and no wisdom.
    pub fn new(family: CpuFamily) -> Planner {
        Planner { table: builtin(family), wisdom: None }
    }

    /// A planner that generates every kernel's default variant (today's bytes).
    pub fn defaults() -> Planner {
        Planner { table: Vec::new(), wisdom: None }
    }

    /// Use `wisdom` first; its CPU family's built-in table fills in what it lacks.
    pub fn with_wisdom(wisdom: Wisdom) -> Planner {
        Planner { table: builtin(wisdom.cpu), wisdom: Some(wisdom) }
    }

    /// The variant for `spec` (whose own variant is ignored): the wisdom's choice measured at
    /// the dimension nearest D (by ratio) for the same tier, layout and op; else the built-in
    /// row covering D; else [`Variant::DEFAULT`]. Always one of
    /// [`Variant::candidates`]`(spec)`.
    ///
    /// ```
    /// use trinity_emit::kernels::tuning::{CpuFamily, Planner, Wisdom};
    /// use trinity_emit::kernels::{KernelSpec, Layout, Op, Tier, Variant};
    /// let w = Wisdom::parse("trinity-wisdom 1\ncpu other\navx2 bits dot 1024 popcnt\navx2 bits dot 59049 harley-seal\n", "w")?;
    /// let planner = Planner::with_wisdom(w);
    /// let at = |dim| planner.choose(&KernelSpec::new(Op::Dot, Layout::Bits, dim, Tier::Avx2)).to_string();
    /// assert_eq!([at(100), at(5000), at(10000)], ["popcnt", "popcnt", "harley-seal"]);
    /// let bind = KernelSpec::new(Op::Bind, Layout::Bits, 1024, Tier::Avx2);
    /// assert_eq!(planner.choose(&bind), Variant::DEFAULT);
    /// # Ok::<(), trinity_emit::kernels::tuning::WisdomError>(())
    /// ```
    pub fn choose(&self, spec: &super::KernelSpec) -> Variant {
        let same = |tier, layout, op| (tier, layout, op) == (spec.tier, spec.layout, spec.op);
        let distance = |dim: u32| (f64::from(dim) / f64::from(spec.dim)).ln().abs();
        let measured = self.wisdom.iter().flat_map(|w| &w.choices);
        let wise = measured
            .filter(|c| same(c.tier, c.layout, c.op))
            .min_by(|x, y| distance(x.dim).total_cmp(&distance(y.dim)))
            .map(|c| c.variant);
        let table = || {
            self.table
                .iter()
                .find(|c| same(c.tier, c.layout, c.op) && c.dims.contains(&spec.dim))
                .map(|c| c.variant)
        };
        let plain = super::KernelSpec { variant: Variant::DEFAULT, ..*spec };
        wise.or_else(table)
            .filter(|v| Variant::candidates(&plain).contains(v))
            .unwrap_or(Variant::DEFAULT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::{KernelSpec, Popcount};

    const GOOD: &str = "# tuned\ntrinity-wisdom 1\ncpu amd-zen AMD EPYC 7B13\n\n\
                        avx2 bits hamming 1024 popcnt  # 1 ns\navx2 dense dot 59049 nibble:x8\n";

    #[test]
    fn arm_families_unroll_every_aarch64_reduction() {
        // The llvm-mca figures rank the default (register-offset loads) last for every AArch64
        // reduction, so no Arm row may leave one at the default.
        for family in [CpuFamily::ArmCortex, CpuFamily::ArmNeoverse] {
            let planner = Planner::new(family);
            for tier in [Tier::Neon, Tier::DotProd] {
                for layout in Layout::ALL {
                    for op in [Op::Dot, Op::Hamming, Op::Cosine] {
                        for dim in [1, 10_000, MAX_DIM] {
                            let spec = KernelSpec::new(op, layout, dim, tier);
                            let chosen = planner.choose(&spec);
                            assert_ne!(chosen, Variant::DEFAULT, "{family:?} {spec}");
                            assert!(Variant::candidates(&spec).contains(&chosen), "{spec}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn text_round_trips() {
        let w = Wisdom::parse(GOOD, "good").unwrap();
        assert_eq!(
            (w.cpu, w.model.as_str(), w.choices.len()),
            (CpuFamily::AmdZen, "AMD EPYC 7B13", 2)
        );
        assert_eq!(w.choices[0].note, "1 ns");
        assert_eq!(w.choices[1].variant, Variant { unroll: 8, ..Variant::DEFAULT });
        assert_eq!(Wisdom::parse(&w.to_text(), "again").unwrap(), w);
    }

    #[test]
    fn every_bad_line_names_the_file_the_line_and_the_value() {
        let cases = [
            ("", "w:1: empty"),
            ("trinity-wisdom 2\n", "w:1: \"trinity-wisdom 2\" is not"),
            ("trinity-wisdom 1\n", "w:2: no `cpu"),
            ("trinity-wisdom 1\ncpu pentium\n", "w:2: unknown CPU family \"pentium\""),
            ("trinity-wisdom 1\nkernel\n", "w:2: \"kernel\" is not `cpu"),
            ("trinity-wisdom 1\ncpu other\navx2 bits dot 64\n", "w:3: \"avx2 bits dot 64\" is not"),
            (
                "trinity-wisdom 1\ncpu other\navx9 bits dot 64 popcnt\n",
                "w:3: unknown tier \"avx9\"",
            ),
            (
                "trinity-wisdom 1\ncpu other\navx2 bytes dot 64 popcnt\n",
                "w:3: unknown layout \"bytes\"",
            ),
            ("trinity-wisdom 1\ncpu other\navx2 bits add 64 popcnt\n", "w:3: unknown op \"add\""),
            ("trinity-wisdom 1\ncpu other\navx2 bits dot x popcnt\n", "w:3: dimension \"x\""),
            (
                "trinity-wisdom 1\ncpu other\navx2 bits dot 64 nibble:x0\n",
                "w:3: \"nibble:x0\" is not a kernel variant",
            ),
            (
                "trinity-wisdom 1\ncpu other\navx2 bits bind 64 popcnt\n",
                "w:3: variant popcnt does not exist for trinity_bits_bind_64",
            ),
            (
                "trinity-wisdom 1\ncpu other\nneon bits dot 64 harley-seal\n",
                "w:3: variant harley-seal does not exist",
            ),
            (
                "trinity-wisdom 1\ncpu other\navx2 bits bind 64 nibble:ymm\n",
                "w:3: variant nibble:ymm does not exist for trinity_bits_bind_64",
            ),
            ("trinity-wisdom 1\ncpu other\navx2 bits bind 64 ymm\n", "w:3: \"ymm\" is not a"),
        ];
        for (text, want) in cases {
            let got = Wisdom::parse(text, "w").unwrap_err().to_string();
            assert!(got.starts_with(want), "{text:?}: {got}");
        }
    }

    #[test]
    fn the_planner_prefers_wisdom_then_the_table_then_the_default() {
        let spec = |op, layout, dim| KernelSpec::new(op, layout, dim, crate::kernels::Tier::Avx2);
        let zen = Planner::new(CpuFamily::AmdZen);
        let row = builtin(CpuFamily::AmdZen)
            .into_iter()
            .find(|c| c.layout == Layout::Bits && c.op == Op::Dot)
            .unwrap();
        let inside = *row.dims.start();
        assert_eq!(zen.choose(&spec(Op::Dot, Layout::Bits, inside)), row.variant);
        let wise = Planner::with_wisdom(Wisdom::parse(GOOD, "good").unwrap());
        assert_eq!(
            wise.choose(&spec(Op::Hamming, Layout::Bits, 1 << 20)).popcount,
            Popcount::Scalar
        );
        // Not in the wisdom: the wisdom family's table.
        assert_eq!(wise.choose(&spec(Op::Dot, Layout::Bits, inside)), row.variant);
        assert_eq!(
            Planner::defaults().choose(&spec(Op::Dot, Layout::Bits, inside)),
            Variant::DEFAULT
        );
        // Every built-in row names a variant that exists.
        for family in CpuFamily::ALL {
            for c in builtin(family) {
                let s = spec(c.op, c.layout, *c.dims.start());
                assert!(
                    Variant::candidates(&KernelSpec { tier: c.tier, ..s }).contains(&c.variant),
                    "{c:?}"
                );
            }
        }
    }
}
