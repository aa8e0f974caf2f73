//! The item memory: N stored vectors of one dimension, searched for the ones closest to a
//! query ("cleanup"), in RAM or in a file scanned in place.
//!
//! ```
//! use trinity_runtime::{BitVector, Hit, ItemMemory, Metric};
//! let mut mem = ItemMemory::new(10_000)?;
//! for seed in 0..100 {
//!     mem.push(&BitVector::random(10_000, seed)?)?;
//! }
//! let query = BitVector::random(10_000, 42)?;
//! let best = mem.top_k(&query, 3, Metric::Cosine)?;
//! assert_eq!(best[0], Hit { id: 42, score: 1.0 });
//! assert!(best[1].score < 0.1);
//! # Ok::<(), trinity_runtime::Error>(())
//! ```
//!
//! # Ranking
//!
//! Every search ranks best first: the highest dot product or cosine, the lowest hamming
//! distance; equal scores rank the lower id first. Scores are `f64` (see [`Hit`]); cosine is
//! computed from the integer dot product and the nonzero counts stored with each record
//! exactly as [`reference::cosine`](crate::reference::cosine) computes it, so it is
//! bit-identical. Searching an empty memory, or with `k = 0`, gives no hits; `k` above the
//! record count gives every record, ranked.
//!
//! # Threads
//!
//! Searches run on rayon's current pool: the global one, or the one the caller is inside
//! ([`rayon::ThreadPool::install`]). Few queries split the records into row ranges whose top
//! `k` are merged with [`merge_top_k`]; many queries are split into groups as well. Results do
//! not depend on the split. To search on one thread, install a one-thread pool:
//!
//! ```
//! # use trinity_runtime::{BitVector, ItemMemory, Metric};
//! # let mut mem = ItemMemory::new(64)?;
//! # mem.push(&BitVector::random(64, 1)?)?;
//! let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
//! let hits = pool.install(|| mem.top_k(&BitVector::random(64, 1)?, 1, Metric::Dot))?;
//! assert_eq!(hits[0].id, 0);
//! # Ok::<(), trinity_runtime::Error>(())
//! ```
//!
//! # Shards
//!
//! [`ItemMemory::top_k_range`] searches a row range and [`merge_top_k`] combines the results
//! of disjoint ranges into exactly what one scan gives. A memory too large for one machine is
//! split by rows: each machine holds (or maps) a contiguous range of ids, answers
//! `top_k_range` (or its own `top_k`, adding its first id to each hit's id) with the same `k`
//! and metric, and the caller merges the lists with `merge_top_k`.
//!
//! # Storage
//!
//! Records are contiguous slots of `stride` bytes, each starting on a 64-byte boundary:
//!
//! | bytes of a slot | content |
//! | --- | --- |
//! | `0..B` | the vector's elements exactly as the pair kernels take them: dense, `B = D` `i8`; bitsliced, `B = 16 * ceil(D/64)`, the +1 plane then the -1 plane of `u64` words |
//! | `B..stride-8` | zero |
//! | `stride-8..stride-4` | `nnz`, the number of nonzero trits (= dot(v, v)), `u32` |
//! | `stride-4..stride` | CRC-32 (IEEE) of the record's index as a `u64`, then bytes `0..stride-4` |
//!
//! `stride` is `B + 8` rounded up to a multiple of 64. In RAM the slots sit in a 64-byte
//! aligned buffer; in a file they follow the header and are read through a memory map, so
//! [`ItemMemory::region`] is the same kind of region for both, and the scans
//! ([`Scanner`]) read it in place.
//!
//! # File format (version 1)
//!
//! A 64-byte header, then the slots; integers are little-endian, record elements in the
//! machine's byte order (recorded in the header; little-endian on every target Trinity
//! generates kernels for).
//!
//! | offset | size | field |
//! | --- | --- | --- |
//! | 0 | 8 | magic `TRINMEM\0` |
//! | 8 | 4 | version, 1 |
//! | 12 | 4 | layout: 0 dense, 1 bitsliced |
//! | 16 | 8 | D |
//! | 24 | 8 | stride |
//! | 32 | 8 | record bytes `B` |
//! | 40 | 4 | header length, 64 |
//! | 44 | 4 | byte order of the elements: 0 little-endian, 1 big-endian |
//! | 48 | 12 | zero |
//! | 60 | 4 | CRC-32 of bytes 0..60 |
//!
//! Record `i` starts at byte `64 + i * stride`. The record count is the file length less the
//! header, divided by the stride; no header field holds it, so none can be stale.
//!
//! # Durability and crashes
//!
//! [`ItemMemory::push`] writes its record to the file at once (no buffering in this process),
//! so a memory dropped or killed afterwards reopens with it; it is durable against a power
//! loss or OS crash after [`ItemMemory::sync`] (an `fdatasync`). [`ItemMemory::create`] syncs
//! the header and the directory entry. [`ItemMemory::open`]
//! - reads the header and checks its magic, version, checksum, fields, layout and (with
//!   [`OpenOptions::dim`]) dimension;
//! - drops a torn tail, reported in [`OpenReport`]: bytes past the last whole record, and
//!   whole records of zeros at the end that fail their checksum (left by a crash between the
//!   file growing and its data being written). Opened for writing, it cuts them off the file
//!   before any append;
//! - unless [`OpenOptions::verify`] is off, reads every record once and checks its checksum,
//!   that it is a valid vector, and its stored nnz, so a damaged, moved or copied record is an
//!   error naming it before anything is searched.
//!
//! One process writes a file at a time. Others may open it read-only meanwhile and see the
//! records that were whole when they opened it (and may see the last one torn). Before every
//! scan and [`get`](ItemMemory::get), the file's length is checked against the records the
//! memory holds, so a file shortened by another process is an error, not a crash; a file
//! shortened between that check and the reads still faults (`SIGBUS`), a race no mapped file
//! can close.

mod error;
mod format;
mod record;
mod scan;
mod storage;
mod topk;

pub use error::MemoryError;
pub use format::{HEADER_LEN, MAGIC, VERSION};
pub use record::Record;
pub use scan::Scanner;
pub use topk::{merge_top_k, Hit, Metric};
pub use trinity_emit::kernels::scan::ScanMetric;
use trinity_emit::kernels::scan::QUERY_BLOCKS;

use crate::reference::cosine_from_sums;
use crate::vector::{check_dim, same_dim};
use crate::Result;
use format::Header;
use rayon::prelude::*;
use std::marker::PhantomData;
use std::ops::Range;
use std::path::Path;
use storage::{aligned, Block, FileStore, Store};
use topk::TopK;

/// Records a scan tile holds: about this many bytes, so a tile stays in cache while every
/// query block of a task reads it.
const TILE_BYTES: usize = 64 << 10;
/// The fewest records worth a task of their own.
const MIN_TASK_ROWS: usize = 256;
/// Searches over more record bytes than this take the scan kernels for records that stream
/// from memory (`ScanSpec::streaming`): past the last-level cache of most machines, where the
/// streaming form was measured to pay off (256 MB on a Zen 3), while in the caches it costs
/// up to 2.7x.
const STREAMING_BYTES: usize = 64 << 20;

/// How to open a memory file.
///
/// ```
/// use trinity_runtime::memory::OpenOptions;
/// let options = OpenOptions { verify: false, ..OpenOptions::default() };
/// assert!(!options.read_only && options.dim.is_none());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenOptions {
    /// Check every record's checksum and contents at open (one sequential read). On by
    /// default; off opens a large file at once, trusting it.
    pub verify: bool,
    /// Open without write access: no pushes, and a torn tail is skipped but left in the file.
    pub read_only: bool,
    /// The dimension the caller expects; another one in the file is an error.
    pub dim: Option<usize>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions { verify: true, read_only: false, dim: None }
    }
}

/// What [`ItemMemory::open`] found.
///
/// ```
/// use trinity_runtime::{BitVector, ItemMemory};
/// let path = std::env::temp_dir().join(format!("report-doc-{}.tim", std::process::id()));
/// # let _ = std::fs::remove_file(&path);
/// let mut mem = ItemMemory::create(&path, 64)?;
/// mem.push(&BitVector::random(64, 1)?)?;
/// drop(mem);
/// // A crash in the middle of the next append leaves part of a record.
/// let file = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
/// std::io::Write::write_all(&mut &file, &[1, 2, 3]).unwrap();
/// let mem = ItemMemory::<BitVector>::open(&path)?;
/// let report = mem.open_report().unwrap();
/// assert_eq!((report.records, report.dropped_bytes, report.tail_removed), (1, 3, true));
/// assert_eq!(mem.len(), 1);
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenReport {
    /// Whole, kept records.
    pub records: u64,
    /// Bytes of a torn tail that were not taken as records (0 when the file was whole).
    pub dropped_bytes: u64,
    /// Whether those bytes were cut off the file (opened for writing) or left (read-only).
    pub tail_removed: bool,
    /// Whether every record was verified.
    pub verified: bool,
}

/// N vectors of one type and dimension, searched by similarity to a query. See the
/// [module docs](self) for the ranking, threads, storage and file format.
///
/// ```
/// use trinity_runtime::{DenseVector, ItemMemory, Metric};
/// let mut mem = ItemMemory::new(3)?;
/// assert_eq!(mem.push(&DenseVector::from_slice(&[1, 0, -1])?)?, 0);
/// assert_eq!(mem.push(&DenseVector::from_slice(&[1, 1, 1])?)?, 1);
/// let hits = mem.top_k(&DenseVector::from_slice(&[1, 1, 0])?, 2, Metric::Dot)?;
/// assert_eq!(hits.iter().map(|h| (h.id, h.score)).collect::<Vec<_>>(), [(1, 2.0), (0, 1.0)]);
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
pub struct ItemMemory<V: Record> {
    header: Header,
    len: u64,
    store: Store,
    report: Option<OpenReport>,
    _vectors: PhantomData<fn() -> V>,
}

/// A block of up to 8 queries laid out at the memory's stride, with its scanner.
struct QueryBlock {
    /// Index of the block's first query in the caller's slice.
    first: usize,
    scanner: Scanner,
    buf: Vec<Block>,
    nnz: Vec<u32>,
}

impl<V: Record> ItemMemory<V> {
    /// An empty memory in RAM for vectors of dimension `dim`.
    ///
    /// ```
    /// use trinity_runtime::{BitVector, Error, ItemMemory};
    /// assert!(ItemMemory::<BitVector>::new(10_000)?.is_empty());
    /// assert_eq!(ItemMemory::<BitVector>::new(0).unwrap_err(), Error::ZeroDimension);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(dim: usize) -> Result<Self> {
        check_dim(dim)?;
        Ok(Self::with_store(Header::new(V::LAYOUT, dim), Store::Ram(Vec::new()), 0, None))
    }

    /// A new, empty memory file at `path`; an existing file is an error, never overwritten.
    /// The header and the directory entry are synced before this returns.
    ///
    /// ```
    /// use trinity_runtime::{BitVector, ItemMemory, Metric};
    /// let path = std::env::temp_dir().join(format!("create-doc-{}.tim", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let mut mem = ItemMemory::create(&path, 1000)?;
    /// mem.push(&BitVector::random(1000, 7)?)?;
    /// mem.sync()?;
    /// drop(mem);
    /// assert!(ItemMemory::<BitVector>::create(&path, 1000).is_err()); // exists
    /// let mem = ItemMemory::<BitVector>::open(&path)?;
    /// assert_eq!(mem.get(0)?, BitVector::random(1000, 7)?);
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn create(path: impl AsRef<Path>, dim: usize) -> Result<Self> {
        check_dim(dim)?;
        let header = Header::new(V::LAYOUT, dim);
        let store = Store::File(FileStore::create(path.as_ref(), &header)?);
        Ok(Self::with_store(header, store, 0, None))
    }

    /// Open the memory file at `path` for searching and appending, verifying every record
    /// (see [`open_with`](Self::open_with)).
    ///
    /// ```
    /// use trinity_runtime::memory::MemoryError;
    /// use trinity_runtime::{BitVector, DenseVector, Error, ItemMemory};
    /// let path = std::env::temp_dir().join(format!("open-doc-{}.tim", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// ItemMemory::<DenseVector>::create(&path, 16)?;
    /// let err = ItemMemory::<BitVector>::open(&path).unwrap_err();
    /// assert!(matches!(
    ///     err,
    ///     Error::Memory(MemoryError::WrongLayout { found: "dense", expected: "bits", .. })
    /// ));
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(path, OpenOptions::default())
    }

    /// Open the memory file at `path` as `options` say. The header must match `V`'s layout
    /// (and `options.dim` if given); a torn tail is dropped and reported in
    /// [`open_report`](Self::open_report); with `options.verify`, every record is checked.
    ///
    /// ```
    /// use trinity_runtime::memory::{MemoryError, OpenOptions};
    /// use trinity_runtime::{BitVector, Error, ItemMemory};
    /// let path = std::env::temp_dir().join(format!("open-with-doc-{}.tim", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// ItemMemory::<BitVector>::create(&path, 100)?;
    /// let options = OpenOptions { verify: false, read_only: true, dim: Some(100) };
    /// let mut mem = ItemMemory::<BitVector>::open_with(&path, options)?;
    /// let err = mem.push(&BitVector::zeros(100)?).unwrap_err();
    /// assert!(matches!(err, Error::Memory(MemoryError::ReadOnly { .. })));
    /// let wrong = OpenOptions { dim: Some(99), ..OpenOptions::default() };
    /// assert!(ItemMemory::<BitVector>::open_with(&path, wrong).is_err());
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn open_with(path: impl AsRef<Path>, options: OpenOptions) -> Result<Self> {
        let (file, header, report) = FileStore::open::<V>(path.as_ref(), V::LAYOUT, &options)?;
        Ok(Self::with_store(header, Store::File(file), report.records, Some(report)))
    }

    fn with_store(header: Header, store: Store, len: u64, report: Option<OpenReport>) -> Self {
        ItemMemory { header, len, store, report, _vectors: PhantomData }
    }

    /// Append `v`; its id is the number of records before it (0, 1, 2, ...). In a file it is
    /// written at once; see [`sync`](Self::sync) for durability.
    ///
    /// ```
    /// use trinity_runtime::{BitVector, Error, ItemMemory};
    /// let mut mem = ItemMemory::new(8)?;
    /// assert_eq!(mem.push(&BitVector::zeros(8)?)?, 0);
    /// assert_eq!(mem.push(&BitVector::zeros(8)?)?, 1);
    /// assert_eq!(mem.push(&BitVector::zeros(9)?).unwrap_err(), Error::DimensionMismatch { left: 8, right: 9 });
    /// # Ok::<(), Error>(())
    /// ```
    pub fn push(&mut self, v: &V) -> Result<u64> {
        same_dim(self.header.dim, v.dim())?;
        let elems: &[u8] = bytemuck::cast_slice(v.elems());
        // Valid vectors always pass the check; it gives the nnz.
        let nnz = V::check(self.header.dim, v.elems()).unwrap_or_default();
        self.store.push(&self.header, self.len, elems, nnz)?;
        self.len += 1;
        Ok(self.len - 1)
    }

    /// Make every pushed record durable (`fdatasync`); nothing to do in RAM.
    ///
    /// ```
    /// let mut mem = trinity_runtime::ItemMemory::<trinity_runtime::DenseVector>::new(4)?;
    /// mem.sync()?;
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn sync(&self) -> Result<()> {
        self.store.sync()
    }

    /// The number of records.
    ///
    /// ```
    /// let mut mem = trinity_runtime::ItemMemory::new(4)?;
    /// mem.push(&trinity_runtime::DenseVector::zeros(4)?)?;
    /// assert_eq!(mem.len(), 1);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether there are no records.
    ///
    /// ```
    /// assert!(trinity_runtime::ItemMemory::<trinity_runtime::DenseVector>::new(4)?.is_empty());
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The dimension D of every record.
    ///
    /// ```
    /// assert_eq!(trinity_runtime::ItemMemory::<trinity_runtime::DenseVector>::new(4)?.dim(), 4);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn dim(&self) -> usize {
        self.header.dim
    }

    /// Bytes from one record to the next in [`region`](Self::region): a multiple of 64.
    ///
    /// ```
    /// use trinity_runtime::{BitVector, ItemMemory};
    /// // 10000 trits: 2 planes of 157 words = 2512 bytes, + 8 trailer bytes, rounded up.
    /// assert_eq!(ItemMemory::<BitVector>::new(10_000)?.stride(), 2560);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn stride(&self) -> usize {
        self.header.stride
    }

    /// The file this memory lives in, if any.
    ///
    /// ```
    /// assert!(trinity_runtime::ItemMemory::<trinity_runtime::DenseVector>::new(4)?.path().is_none());
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn path(&self) -> Option<&Path> {
        self.store.path()
    }

    /// What [`open`](Self::open) found; `None` for a memory made by `new` or `create`.
    ///
    /// ```
    /// assert!(trinity_runtime::ItemMemory::<trinity_runtime::DenseVector>::new(4)?.open_report().is_none());
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn open_report(&self) -> Option<&OpenReport> {
        self.report.as_ref()
    }

    /// Every record as one region: record `i` at bytes `i * stride..(i + 1) * stride`,
    /// starting on a 64-byte boundary, laid out as the [module docs](self#storage) say. This
    /// is what [`Scanner::scan`] reads.
    ///
    /// ```
    /// use trinity_runtime::{DenseVector, ItemMemory};
    /// let mut mem = ItemMemory::new(3)?;
    /// mem.push(&DenseVector::from_slice(&[1, 0, -1])?)?;
    /// let region = mem.region()?;
    /// assert_eq!((region.len(), region.as_ptr() as usize % 64), (64, 0));
    /// assert_eq!(&region[..3], &[1, 0, 0xff]);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn region(&self) -> Result<&[u8]> {
        self.store.region(&self.header, self.len)
    }

    /// The record with this id.
    ///
    /// ```
    /// use trinity_runtime::memory::MemoryError;
    /// use trinity_runtime::{BitVector, Error, ItemMemory};
    /// let mut mem = ItemMemory::new(70)?;
    /// mem.push(&BitVector::random(70, 3)?)?;
    /// assert_eq!(mem.get(0)?, BitVector::random(70, 3)?);
    /// assert_eq!(mem.get(1).unwrap_err(), Error::Memory(MemoryError::NoRecord { id: 1, len: 1 }));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn get(&self, id: u64) -> Result<V> {
        if id >= self.len {
            return Err(MemoryError::NoRecord { id, len: self.len }.into());
        }
        let at = id as usize * self.header.stride;
        let bytes = &self.region()?[at..at + self.header.record_bytes];
        let elems =
            bytemuck::try_cast_slice(bytes).map_err(|e| self.bad_record(id, e.to_string()))?;
        V::from_elems(self.header.dim, elems).map_err(|e| self.bad_record(id, e.to_string()))
    }

    fn bad_record(&self, record: u64, reason: String) -> crate::Error {
        let path = self.path().unwrap_or(Path::new("<memory>")).to_owned();
        MemoryError::BadRecord { path, record, offset: self.header.offset(record), reason }.into()
    }

    /// Every record in id order.
    ///
    /// ```
    /// use trinity_runtime::{DenseVector, ItemMemory};
    /// let mut mem = ItemMemory::new(2)?;
    /// mem.push(&DenseVector::from_slice(&[1, -1])?)?;
    /// mem.push(&DenseVector::from_slice(&[0, 1])?)?;
    /// let all: Vec<DenseVector> = mem.iter().collect::<Result<_, _>>()?;
    /// assert_eq!(all[1].as_slice(), &[0, 1]);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = Result<V>> + '_ {
        (0..self.len).map(|id| self.get(id))
    }

    /// The `k` records best matching `query`, best first, ties by the lower id (see the
    /// [module docs](self#ranking)).
    ///
    /// ```
    /// use trinity_runtime::{DenseVector, ItemMemory, Metric};
    /// let mut mem = ItemMemory::new(2)?;
    /// for trits in [[1, 1], [1, -1], [1, 1]] {
    ///     mem.push(&DenseVector::from_slice(&trits)?)?;
    /// }
    /// let q = DenseVector::from_slice(&[1, 1])?;
    /// let ids = |hits: Vec<trinity_runtime::Hit>| hits.iter().map(|h| h.id).collect::<Vec<_>>();
    /// assert_eq!(ids(mem.top_k(&q, 2, Metric::Hamming)?), [0, 2]); // a tie: lower id first
    /// assert_eq!(ids(mem.top_k(&q, 9, Metric::Dot)?), [0, 2, 1]);
    /// assert!(mem.top_k(&q, 0, Metric::Dot)?.is_empty());
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn top_k(&self, query: &V, k: usize, metric: Metric) -> Result<Vec<Hit>> {
        self.top_k_range(0..self.len, query, k, metric)
    }

    /// The single best match, or `None` for an empty memory.
    ///
    /// ```
    /// use trinity_runtime::{BitVector, ItemMemory, Metric};
    /// let mut mem = ItemMemory::new(500)?;
    /// let q = BitVector::random(500, 1)?;
    /// assert_eq!(mem.cleanup(&q, Metric::Cosine)?, None);
    /// mem.push(&BitVector::random(500, 2)?)?;
    /// mem.push(&q)?;
    /// assert_eq!(mem.cleanup(&q, Metric::Cosine)?.map(|h| h.id), Some(1));
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn cleanup(&self, query: &V, metric: Metric) -> Result<Option<Hit>> {
        Ok(self.top_k(query, 1, metric)?.into_iter().next())
    }

    /// The top `k` of each query, in one pass over the memory; each list equals that query's
    /// [`top_k`](Self::top_k).
    ///
    /// ```
    /// use trinity_runtime::{BitVector, ItemMemory, Metric};
    /// let mut mem = ItemMemory::new(300)?;
    /// for seed in 0..20 {
    ///     mem.push(&BitVector::random(300, seed)?)?;
    /// }
    /// let queries: Vec<BitVector> = (0..3).map(|s| BitVector::random(300, s)).collect::<Result<_, _>>()?;
    /// let refs: Vec<&BitVector> = queries.iter().collect();
    /// let batch = mem.top_k_batch(&refs, 4, Metric::Dot)?;
    /// for (q, hits) in queries.iter().zip(&batch) {
    ///     assert_eq!(hits, &mem.top_k(q, 4, Metric::Dot)?);
    /// }
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn top_k_batch(&self, queries: &[&V], k: usize, metric: Metric) -> Result<Vec<Vec<Hit>>> {
        self.top_k_range_batch(0..self.len, queries, k, metric)
    }

    /// The top `k` among the records with ids in `range` (ids stay global): one shard's
    /// share of a search, combined with [`merge_top_k`].
    ///
    /// ```
    /// use trinity_runtime::{BitVector, ItemMemory, Metric};
    /// let mut mem = ItemMemory::new(64)?;
    /// for seed in 0..10 {
    ///     mem.push(&BitVector::random(64, seed)?)?;
    /// }
    /// let hits = mem.top_k_range(5..10, &BitVector::random(64, 7)?, 1, Metric::Hamming)?;
    /// assert_eq!((hits[0].id, hits[0].score), (7, 0.0));
    /// assert!(mem.top_k_range(5..11, &BitVector::random(64, 7)?, 1, Metric::Hamming).is_err());
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn top_k_range(
        &self,
        range: Range<u64>,
        query: &V,
        k: usize,
        metric: Metric,
    ) -> Result<Vec<Hit>> {
        let mut lists = self.top_k_range_batch(range, &[query], k, metric)?;
        Ok(lists.pop().unwrap_or_default())
    }

    /// [`top_k_range`](Self::top_k_range) for many queries in one pass.
    ///
    /// ```
    /// use trinity_runtime::{DenseVector, ItemMemory, Metric};
    /// let mut mem = ItemMemory::new(4)?;
    /// for seed in 0..6 {
    ///     mem.push(&DenseVector::random(4, seed)?)?;
    /// }
    /// let q = DenseVector::random(4, 1)?;
    /// let lists = mem.top_k_range_batch(0..3, &[&q, &q], 2, Metric::Cosine)?;
    /// assert_eq!(lists[0], lists[1]);
    /// assert!(lists[0].iter().all(|h| h.id < 3));
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn top_k_range_batch(
        &self,
        range: Range<u64>,
        queries: &[&V],
        k: usize,
        metric: Metric,
    ) -> Result<Vec<Vec<Hit>>> {
        self.check_queries(queries)?;
        if range.start > range.end || range.end > self.len {
            let (start, end, len) = (range.start, range.end, self.len);
            return Err(MemoryError::BadRange { start, end, len }.into());
        }
        let region = self.region()?;
        let rows = range.start as usize..range.end as usize;
        if k == 0 || rows.is_empty() || queries.is_empty() {
            return Ok(vec![Vec::new(); queries.len()]);
        }
        let streaming = rows.len() * self.header.stride > STREAMING_BYTES;
        let blocks = self.query_blocks(queries, scan_op(metric), streaming)?;
        // Query groups (contiguous blocks) times row chunks: enough tasks to balance the pool.
        let threads = rayon::current_num_threads();
        let groups = blocks.len().min(threads);
        let chunks = (4 * threads).div_ceil(groups).min(rows.len().div_ceil(MIN_TASK_ROWS));
        let split = |r: Range<usize>, parts: usize, i: usize| {
            r.start + r.len() * i / parts..r.start + r.len() * (i + 1) / parts
        };
        let tasks: Vec<(Range<usize>, Range<usize>)> = (0..groups)
            .flat_map(|g| (0..chunks).map(move |c| (g, c)))
            .map(|(g, c)| (split(0..blocks.len(), groups, g), split(rows.clone(), chunks, c)))
            .collect();
        let parts = tasks
            .par_iter()
            .map(|(b, rows)| self.scan_task(region, &blocks[b.clone()], rows.clone(), k, metric))
            .collect::<Result<Vec<_>>>()?;
        // Task (g, c) holds the lists of group g's queries over chunk c; merge across chunks.
        let mut out = Vec::with_capacity(queries.len());
        for group in parts.chunks(chunks) {
            for q in 0..group[0].len() {
                let lists: Vec<Vec<Hit>> = group.iter().map(|task| task[q].clone()).collect();
                out.push(merge_top_k(&lists, k, metric));
            }
        }
        Ok(out)
    }

    /// Every record's score against `query`, in id order, into `out` (of length
    /// [`len`](Self::len)).
    ///
    /// ```
    /// use trinity_runtime::{reference, BitVector, ItemMemory, Metric};
    /// let mut mem = ItemMemory::new(200)?;
    /// for seed in 0..5 {
    ///     mem.push(&BitVector::random(200, seed)?)?;
    /// }
    /// let q = BitVector::random(200, 9)?;
    /// let mut out = vec![0.0; 5];
    /// mem.scores(&q, Metric::Cosine, &mut out)?;
    /// assert_eq!(out[3], reference::cosine(&mem.get(3)?, &q)?);
    /// assert!(mem.scores(&q, Metric::Cosine, &mut [0.0; 4]).is_err());
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn scores(&self, query: &V, metric: Metric, out: &mut [f64]) -> Result<()> {
        self.check_queries(&[query])?;
        if out.len() as u64 != self.len {
            let (expected, actual) = (self.len as usize, out.len());
            return Err(MemoryError::WrongLength { what: "scores", expected, actual }.into());
        }
        let region = self.region()?;
        let streaming = out.len() * self.header.stride > STREAMING_BYTES;
        let blocks = self.query_blocks(&[query], scan_op(metric), streaming)?;
        let rows = out.len().div_ceil(4 * rayon::current_num_threads()).max(MIN_TASK_ROWS);
        out.par_chunks_mut(rows).enumerate().try_for_each(|(c, out)| {
            let start = c * rows;
            self.scan_tiles(region, &blocks, start..start + out.len(), metric, |_, id, score| {
                out[id as usize - start] = score;
            })
        })
    }

    fn check_queries(&self, queries: &[&V]) -> Result<()> {
        queries.iter().try_for_each(|q| same_dim(self.header.dim, q.dim()))
    }

    /// The queries in blocks of 8, 4, 2 or 1, each at the stride in an aligned buffer, with
    /// scanners for records that stream from memory when `streaming`.
    fn query_blocks(
        &self,
        queries: &[&V],
        op: ScanMetric,
        streaming: bool,
    ) -> Result<Vec<QueryBlock>> {
        let (stride, dim) = (self.header.stride, self.header.dim);
        let mut blocks = Vec::new();
        let mut first = 0;
        while first < queries.len() {
            let left = queries.len() - first;
            let q = QUERY_BLOCKS
                .into_iter()
                .rev()
                .map(|q| q as usize)
                .find(|&q| q <= left)
                .unwrap_or(1);
            let mut buf = aligned(q * stride);
            let mut nnz = Vec::with_capacity(q);
            let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut buf);
            for (j, v) in queries[first..first + q].iter().enumerate() {
                let elems: &[u8] = bytemuck::cast_slice(v.elems());
                bytes[j * stride..j * stride + elems.len()].copy_from_slice(elems);
                nnz.push(V::check(dim, v.elems()).unwrap_or_default());
            }
            let scanner = Scanner::new(op, V::LAYOUT, dim, q, streaming)?;
            blocks.push(QueryBlock { first, scanner, buf, nnz });
            first += q;
        }
        Ok(blocks)
    }

    /// The top `k` of each query of `blocks` over `rows`.
    fn scan_task(
        &self,
        region: &[u8],
        blocks: &[QueryBlock],
        rows: Range<usize>,
        k: usize,
        metric: Metric,
    ) -> Result<Vec<Vec<Hit>>> {
        let first = blocks[0].first;
        let count = blocks.iter().map(|b| b.nnz.len()).sum();
        let mut tops: Vec<TopK> = (0..count).map(|_| TopK::new(k, metric)).collect();
        self.scan_tiles(region, blocks, rows, metric, |query, id, score| {
            tops[query - first].offer(id, score)
        })?;
        Ok(tops.into_iter().map(TopK::into_sorted).collect())
    }

    /// Score `rows` against every query of `blocks` a tile at a time, calling
    /// `sink(query index, record id, score)` for each pair.
    fn scan_tiles(
        &self,
        region: &[u8],
        blocks: &[QueryBlock],
        rows: Range<usize>,
        metric: Metric,
        mut sink: impl FnMut(usize, u64, f64),
    ) -> Result<()> {
        let stride = self.header.stride;
        let tile = (TILE_BYTES / stride).max(1);
        let mut scores = vec![0i32; tile * *QUERY_BLOCKS.iter().max().unwrap_or(&1) as usize];
        for start in rows.clone().step_by(tile) {
            let end = (start + tile).min(rows.end);
            let records = &region[start * stride..end * stride];
            for block in blocks {
                let q = block.nnz.len();
                let queries = bytemuck::cast_slice(&block.buf);
                block.scanner.scan(records, stride, end - start, queries, &mut scores)?;
                for (r, row) in scores[..(end - start) * q].chunks_exact(q).enumerate() {
                    let record_nnz = match metric {
                        Metric::Cosine => self.header.slot_nnz(&records[r * stride..]),
                        _ => 0,
                    };
                    for (j, &s) in row.iter().enumerate() {
                        let score = match metric {
                            Metric::Cosine => {
                                cosine_from_sums(s.into(), record_nnz.into(), block.nnz[j].into())
                            }
                            _ => s.into(),
                        };
                        sink(block.first + j, (start + r) as u64, score);
                    }
                }
            }
        }
        Ok(())
    }
}

/// The integer each metric is computed from.
fn scan_op(metric: Metric) -> ScanMetric {
    match metric {
        Metric::Dot | Metric::Cosine => ScanMetric::Dot,
        Metric::Hamming => ScanMetric::Hamming,
    }
}

impl<V: Record> std::fmt::Debug for ItemMemory<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ItemMemory")
            .field("layout", &self.header.layout.name())
            .field("dim", &self.header.dim)
            .field("len", &self.len)
            .field("stride", &self.header.stride)
            .field("path", &self.path())
            .finish()
    }
}
