//! Scan kernels: one pass over many stored records, scoring each against a block of queries.
//!
//! A scan kernel has the C signature
//!
//! ```c
//! void scan(const T *records, size_t stride, size_t n, const T *queries, int32_t *scores);
//! ```
//!
//! where `T` is the layout's element type (`int8_t` dense, `uint64_t` bitsliced, as for the
//! pair kernels) and
//!
//! - record `r` (`0 <= r < n`) starts at byte `r * stride` of `records`; `stride` is a
//!   multiple of 64 and at least [`Layout::operand_bytes`]; only each record's operand bytes
//!   are read (the gap up to the next record may be anything, even unmapped);
//! - query `q` (`0 <= q < Q`, `Q` = [`ScanSpec::queries`]) starts at byte `q * stride` of
//!   `queries`;
//! - `scores[r * Q + q]` receives metric(record `r`, query `q`); nothing else is written, and
//!   nothing at all when `n` is 0.
//!
//! `D` and `Q` are fixed per kernel; `stride` and `n` are run-time arguments. The calling
//! convention is System V on x86-64 and AAPCS64 on AArch64.
//!
//! Cosine is not a scan metric: for ternary vectors `dot(v, v)` is the number of nonzero
//! trits, so the caller derives cosine from the [`ScanMetric::Dot`] score and per-record norms
//! it keeps (`dot / sqrt(nnz(record) * nnz(query))`, 0 when either is zero).
//!
//! Each record is read once per call and combined with all `Q` queries while it is in
//! registers; the queries stay in L1 across records for moderate `D`. A block of queries
//! therefore costs less memory traffic per (record, query) pair than `Q` single-query scans.

use std::fmt;

use super::{aarch64, x86_64, CallConv, KernelError, Layout, Tier, MAX_DIM};

/// The query-block sizes `Q` a scan kernel can be generated for.
///
/// Eight is the most whose per-query accumulators fit in the sixteen AVX2 registers beside
/// the record and lookup tables; the repository README ("Scan kernels") has the measurements
/// behind the set.
pub const QUERY_BLOCKS: [u32; 4] = [1, 2, 4, 8];

/// What a scan kernel computes for each (record, query) pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScanMetric {
    /// Sum of products, in `-D..=D`.
    Dot,
    /// Number of positions that differ, in `0..=D`.
    Hamming,
}

impl ScanMetric {
    /// Both metrics.
    pub const ALL: [ScanMetric; 2] = [ScanMetric::Dot, ScanMetric::Hamming];

    /// The metric's name as used in symbols (`dot`, `hamming`).
    pub fn name(self) -> &'static str {
        match self {
            ScanMetric::Dot => "dot",
            ScanMetric::Hamming => "hamming",
        }
    }
}

/// A request for one scan kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScanSpec {
    /// The metric.
    pub metric: ScanMetric,
    /// The layout of records and queries.
    pub layout: Layout,
    /// The dimension D, 1..=[`MAX_DIM`].
    pub dim: u32,
    /// The CPU tier (and so the architecture).
    pub tier: Tier,
    /// The query block size Q, one of [`QUERY_BLOCKS`].
    pub queries: u32,
    /// The calling convention: only [`CallConv::Native`] has scan kernels.
    pub conv: CallConv,
    /// The records stream from memory (many times the caches): one query's bitsliced `avx2`
    /// kernel then reads each record strictly in order, plane after plane, which reads memory
    /// faster but combines every chunk with both query planes. Measured with one query at
    /// D = 10000 (fastest of many rounds): from 256 MB of records on a Zen 3, 5.9-6.2 GB/s
    /// interleaved against 8.5-9.1 in order; on an Intel Xeon, 10% faster for dot and 30%
    /// slower for hamming from 127 MiB, and 1.4-2.7x slower on records in L2. Other kernels
    /// ignore it.
    pub streaming: bool,
}

impl ScanSpec {
    /// A spec with the native calling convention, for records that may sit in the caches
    /// (`streaming` false).
    pub fn new(metric: ScanMetric, layout: Layout, dim: u32, tier: Tier, queries: u32) -> Self {
        ScanSpec { metric, layout, dim, tier, queries, conv: CallConv::Native, streaming: false }
    }

    /// Check the spec: dimension in range, a supported query block, the native convention.
    ///
    /// ```
    /// use trinity_emit::kernels::scan::{ScanMetric, ScanSpec};
    /// use trinity_emit::kernels::{KernelError, Layout, Tier};
    /// let spec = ScanSpec::new(ScanMetric::Dot, Layout::Bits, 10000, Tier::Avx2, 3);
    /// assert_eq!(spec.validate(), Err(KernelError::BadQueryBlock { queries: 3 }));
    /// ```
    pub fn validate(&self) -> Result<(), KernelError> {
        if self.dim == 0 || self.dim > MAX_DIM {
            return Err(KernelError::BadDimension { dim: self.dim });
        }
        if !QUERY_BLOCKS.contains(&self.queries) {
            return Err(KernelError::BadQueryBlock { queries: self.queries });
        }
        if self.conv != CallConv::Native {
            return Err(KernelError::NativeOnly { kind: "scan", conv: self.conv });
        }
        Ok(())
    }

    /// The C symbol, e.g. `trinity_bits_scan_dot_10000_q4`, with `_streaming` appended for a
    /// [`streaming`](Self::streaming) spec.
    pub fn symbol(&self) -> String {
        format!(
            "trinity_{}_scan_{}_{}_q{}{}",
            self.layout.name(),
            self.metric.name(),
            self.dim,
            self.queries,
            if self.streaming { "_streaming" } else { "" }
        )
    }
}

impl fmt::Display for ScanSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}]", self.symbol(), self.tier.name())
    }
}

/// A generated scan kernel: position-independent machine code for one [`ScanSpec`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanKernel {
    /// What was asked for.
    pub spec: ScanSpec,
    /// The code; the entry point is at offset 0.
    pub code: Vec<u8>,
}

/// Generate the scan kernel for `spec`: validate it, then hand it to its architecture's
/// generator.
///
/// Deterministic: the same spec gives the same bytes on any host.
///
/// ```
/// use trinity_emit::kernels::scan::{generate_scan, ScanMetric, ScanSpec};
/// use trinity_emit::kernels::{Layout, Tier};
/// let spec = ScanSpec::new(ScanMetric::Hamming, Layout::Dense, 1024, Tier::DotProd, 4);
/// let kernel = generate_scan(&spec)?;
/// assert_eq!(kernel.code, generate_scan(&spec)?.code);
/// # Ok::<(), trinity_emit::kernels::KernelError>(())
/// ```
pub fn generate_scan(spec: &ScanSpec) -> Result<ScanKernel, KernelError> {
    spec.validate()?;
    let code = match spec.tier {
        Tier::Avx2 => x86_64::scan::generate(spec)?,
        Tier::Avx512 | Tier::Avx512Vpopcnt => x86_64::scan_avx512::generate(spec)?,
        Tier::Neon | Tier::DotProd => aarch64::scan::generate(spec)?,
    };
    Ok(ScanKernel { spec: *spec, code })
}
