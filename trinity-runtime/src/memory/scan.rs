//! The one scoring point of the item memory: a scan of `n` records against a block of `Q`
//! queries, in the shape the generated scan kernels take.

use super::record::sealed::Stored;
use crate::exec::call::{scan_shape_error, ScanKernel};
use crate::{BitVector, DenseVector, JitEngine, Result};
use trinity_emit::kernels::scan::{ScanMetric, QUERY_BLOCKS};
use trinity_emit::kernels::Layout;

/// A scan for one (op, layout, D, Q): for each of `n` records `r` and each of `Q` queries
/// `q`, `scores[r * Q + q] = op(record r, query q)`.
///
/// This is the shape of the generated scan kernels,
/// `scan(records: *const T, stride_bytes, n, queries: *const T, scores: *mut i32)`, with `T`
/// `i8` (dense) or `u64` (bitsliced): record `r` starts at byte `r * stride_bytes` of
/// `records`, query `q` at byte `q * stride_bytes` of `queries`, each holding the vector's
/// elements exactly as the pair kernels take them. Every search of an
/// [`ItemMemory`](super::ItemMemory) goes through [`Scanner::scan`]; today it runs portable
/// Rust (the [`portable`](crate::portable) pair functions), and a compiled kernel is one more
/// variant behind the same call.
///
/// ```
/// use trinity_runtime::memory::{ScanMetric, Scanner};
/// use trinity_runtime::{reference, BitVector, ItemMemory};
/// # use trinity_emit::kernels::Layout;
/// let dim = 100;
/// let mut records = ItemMemory::new(dim)?;
/// for seed in 0..3 {
///     records.push(&BitVector::random(dim, seed)?)?;
/// }
/// // A memory's region is a ready query block too: 64-byte aligned, at the same stride.
/// let mut queries = ItemMemory::new(dim)?;
/// queries.push(&BitVector::random(dim, 7)?)?;
/// let scanner = Scanner::portable(ScanMetric::Dot, Layout::Bits, dim, 1)?;
/// let mut scores = [0i32; 3];
/// scanner.scan(records.region()?, records.stride(), 3, queries.region()?, &mut scores)?;
/// for (id, score) in scores.iter().enumerate() {
///     let want = reference::dot(&records.get(id as u64)?, &queries.get(0)?)?;
///     assert_eq!(i64::from(*score), want);
/// }
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Scanner {
    op: ScanMetric,
    layout: Layout,
    dim: usize,
    queries: usize,
    imp: Imp,
}

/// How a [`Scanner`] runs: the place a compiled kernel is added.
#[derive(Clone, Debug)]
enum Imp {
    /// A generated kernel from the global engine.
    Jit(ScanKernel),
    Portable,
}

impl Scanner {
    /// The scan for `metric` over vectors of `layout` and `dim`, `queries` (1, 2, 4 or 8) at a
    /// time, over records that stream from memory when `streaming` (a kernel form that pays
    /// off only there; `ScanSpec::streaming`): the global engine's generated kernel where one
    /// can run here, else [`portable`](Self::portable), with identical results.
    ///
    /// ```
    /// use trinity_runtime::memory::{ScanMetric, Scanner};
    /// # use trinity_emit::kernels::Layout;
    /// let scanner = Scanner::new(ScanMetric::Dot, Layout::Bits, 10_000, 4, false)?;
    /// println!("scanning with generated code: {}", scanner.is_jit());
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn new(
        metric: ScanMetric,
        layout: Layout,
        dim: usize,
        queries: usize,
        streaming: bool,
    ) -> Result<Scanner> {
        let mut scanner = Scanner::portable(metric, layout, dim, queries)?;
        let engine = JitEngine::global();
        if let Some(kernel) = engine.scan_kernel(metric, layout, dim, queries, streaming) {
            scanner.imp = Imp::Jit(kernel);
        }
        Ok(scanner)
    }

    /// Whether a generated kernel runs the scan (else portable Rust).
    pub fn is_jit(&self) -> bool {
        matches!(self.imp, Imp::Jit(_))
    }

    /// The portable scan for `op` over vectors of `layout` and `dim`, `queries` (1, 2, 4 or
    /// 8) at a time.
    ///
    /// ```
    /// use trinity_runtime::memory::{ScanMetric, Scanner};
    /// # use trinity_emit::kernels::Layout;
    /// assert!(Scanner::portable(ScanMetric::Hamming, Layout::Dense, 64, 8).is_ok());
    /// assert!(Scanner::portable(ScanMetric::Hamming, Layout::Dense, 64, 3).is_err());
    /// assert!(Scanner::portable(ScanMetric::Hamming, Layout::Dense, 0, 1).is_err());
    /// ```
    pub fn portable(op: ScanMetric, layout: Layout, dim: usize, queries: usize) -> Result<Scanner> {
        crate::vector::check_dim(dim)?;
        if !QUERY_BLOCKS.iter().any(|&q| q as usize == queries) {
            return Err(shape(format!("{queries} queries per block; blocks are 1, 2, 4 or 8")));
        }
        Ok(Scanner { op, layout, dim, queries, imp: Imp::Portable })
    }

    /// Queries per block (Q).
    ///
    /// ```
    /// use trinity_runtime::memory::{ScanMetric, Scanner};
    /// # use trinity_emit::kernels::Layout;
    /// assert_eq!(Scanner::portable(ScanMetric::Dot, Layout::Bits, 10, 4)?.queries(), 4);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn queries(&self) -> usize {
        self.queries
    }

    /// Score `n` records against this scanner's `Q` queries into `scores[r * Q + q]`.
    ///
    /// `records` and `queries` start on a 64-byte boundary; `stride` is a multiple of 64 of
    /// at least the vector's bytes; `records` holds `n` vectors and `queries` `Q`, at that
    /// stride (the last one needs only its vector's bytes); `scores` has at least `n * Q`
    /// entries. Anything else is an [`Error::ScanShape`](crate::Error::ScanShape) error, never a read out of
    /// bounds.
    ///
    /// ```
    /// use trinity_runtime::memory::{ScanMetric, Scanner};
    /// # use trinity_emit::kernels::Layout;
    /// let scanner = Scanner::portable(ScanMetric::Dot, Layout::Dense, 64, 1)?;
    /// let mut scores = [0i32; 1];
    /// // A stride that is not a multiple of 64:
    /// assert!(scanner.scan(&[], 65, 0, &[], &mut scores).is_err());
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn scan(
        &self,
        records: &[u8],
        stride: usize,
        n: usize,
        queries: &[u8],
        scores: &mut [i32],
    ) -> Result<()> {
        let bytes = self.layout.operand_bytes(self.dim as u32);
        let operands = (records, stride, n);
        if let Some(reason) = scan_shape_error(bytes, self.queries, operands, queries, scores.len())
        {
            return Err(shape(reason));
        }
        for (what, ptr, count) in
            [("records", records.as_ptr(), n), ("queries", queries.as_ptr(), 1)]
        {
            if count > 0 && ptr as usize % 64 != 0 {
                return Err(shape(format!("{what} do not start on a 64-byte boundary")));
            }
        }
        let span = |count: usize| if count == 0 { 0 } else { (count - 1) * stride + bytes };
        let (records, queries) = (&records[..span(n)], &queries[..span(self.queries)]);
        match self.imp {
            Imp::Jit(ref kernel) => kernel.call(records, stride, n, queries, scores),
            Imp::Portable => match self.layout {
                Layout::Dense => {
                    self.run_portable::<DenseVector>(records, stride, n, queries, scores)
                }
                Layout::Bits => self.run_portable::<BitVector>(records, stride, n, queries, scores),
            },
        }
    }

    /// The portable scan: records outer, so each record is read once for all `Q` queries.
    fn run_portable<V: Stored>(
        &self,
        records: &[u8],
        stride: usize,
        n: usize,
        queries: &[u8],
        scores: &mut [i32],
    ) -> Result<()> {
        let pair = match self.op {
            ScanMetric::Dot => V::dot,
            ScanMetric::Hamming => V::hamming,
        };
        let (len, step) = (V::elem_count(self.dim), stride / size_of::<V::Elem>());
        let cast = |bytes| {
            bytemuck::try_cast_slice::<u8, V::Elem>(bytes).map_err(|e| shape(e.to_string()))
        };
        let (records, queries) = (cast(records)?, cast(queries)?);
        let q = self.queries;
        for (r, out) in scores[..n * q].chunks_exact_mut(q).enumerate() {
            let record = &records[r * step..r * step + len];
            for (j, score) in out.iter_mut().enumerate() {
                // |score| <= D <= 2^24, so the i32 is exact.
                *score = pair(record, &queries[j * step..j * step + len]) as i32;
            }
        }
        Ok(())
    }
}

fn shape(reason: String) -> crate::Error {
    crate::Error::ScanShape { reason }
}
