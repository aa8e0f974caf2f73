//! Metrics, hits and top-k selection: the order every search and merge uses.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// How a record is scored against a query.
///
/// ```
/// use trinity_runtime::memory::Metric;
/// assert!(Metric::Hamming.lower_is_better());
/// assert!(!Metric::Cosine.lower_is_better());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Metric {
    /// The dot product; higher is better.
    Dot,
    /// The cosine similarity, exactly as [`reference::cosine`](crate::reference::cosine)
    /// computes it; higher is better.
    Cosine,
    /// The hamming distance; lower is better.
    Hamming,
}

impl Metric {
    /// Whether a lower score is a better match (hamming) rather than a higher one.
    ///
    /// ```
    /// assert!(!trinity_runtime::memory::Metric::Dot.lower_is_better());
    /// ```
    pub fn lower_is_better(self) -> bool {
        self == Metric::Hamming
    }

    /// A key that is higher for better scores. `0.0 - h` keeps it +0.0 for h = 0, so no
    /// -0.0 ever meets +0.0.
    pub(crate) fn key(self, score: f64) -> f64 {
        if self.lower_is_better() {
            0.0 - score
        } else {
            score
        }
    }
}

/// One match: a record id and its score.
///
/// The score is an `f64` for every metric: dot products and hamming distances are integers of
/// magnitude at most D <= 2^24, which `f64` holds exactly; cosines are bit-identical to
/// [`reference::cosine`](crate::reference::cosine).
///
/// ```
/// use trinity_runtime::memory::{Hit, Metric};
/// use trinity_runtime::{BitVector, ItemMemory};
/// let mut mem = ItemMemory::new(64)?;
/// mem.push(&BitVector::random(64, 1)?)?;
/// let hit = mem.cleanup(&BitVector::random(64, 1)?, Metric::Hamming)?;
/// assert_eq!(hit, Some(Hit { id: 0, score: 0.0 }));
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    /// The record's id (its index in push order).
    pub id: u64,
    /// Its score under the metric searched with.
    pub score: f64,
}

/// A hit with its key, ordered so that the greatest entry is the worst: the lowest key, and
/// among equal keys the highest id.
#[derive(Clone, Copy, Debug)]
struct Entry {
    key: f64,
    hit: Hit,
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.total_cmp(&self.key).then(self.hit.id.cmp(&other.hit.id))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

/// The best `k` hits offered so far, worst on top of the heap.
pub(crate) struct TopK {
    k: usize,
    metric: Metric,
    heap: BinaryHeap<Entry>,
    /// The worst retained key once `k` are held (`-inf` before): most offers are rejected
    /// by this one comparison, so a large `k` costs about what `k = 1` does.
    bar: f64,
}

impl TopK {
    pub fn new(k: usize, metric: Metric) -> TopK {
        TopK { k, metric, heap: BinaryHeap::with_capacity(k.min(1 << 16)), bar: f64::NEG_INFINITY }
    }

    #[inline]
    pub fn offer(&mut self, id: u64, score: f64) {
        let key = self.metric.key(score);
        if key < self.bar || self.k == 0 {
            return;
        }
        let entry = Entry { key, hit: Hit { id, score } };
        if self.heap.len() < self.k {
            self.heap.push(entry);
        } else if let Some(mut worst) = self.heap.peek_mut() {
            if entry < *worst {
                *worst = entry;
            }
        }
        if self.heap.len() == self.k {
            self.bar = self.heap.peek().map_or(f64::NEG_INFINITY, |worst| worst.key);
        }
    }

    /// The hits, best first.
    pub fn into_sorted(self) -> Vec<Hit> {
        self.heap.into_sorted_vec().into_iter().map(|e| e.hit).collect()
    }
}

/// Combine the top-k results of disjoint row ranges into the top `k` of their union, exactly
/// as one scan of all of them would rank it: best first (highest dot or cosine, lowest
/// hamming), ties broken by the lower id.
///
/// This is the step that makes a memory shardable: give each shard (a machine, a file, or a
/// row range of one file via [`ItemMemory::top_k_range`](super::ItemMemory::top_k_range))
/// the query, have each return its own top `k` with global ids, and merge those lists here.
/// Each part needs at least its own top `k` for the result to be exact.
///
/// ```
/// use trinity_runtime::memory::{merge_top_k, Metric};
/// use trinity_runtime::{BitVector, ItemMemory};
/// let mut mem = ItemMemory::new(256)?;
/// for seed in 0..100 {
///     mem.push(&BitVector::random(256, seed)?)?;
/// }
/// let query = BitVector::random(256, 5)?;
/// let parts = vec![
///     mem.top_k_range(0..40, &query, 5, Metric::Cosine)?,
///     mem.top_k_range(40..100, &query, 5, Metric::Cosine)?,
/// ];
/// assert_eq!(merge_top_k(&parts, 5, Metric::Cosine), mem.top_k(&query, 5, Metric::Cosine)?);
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
pub fn merge_top_k(parts: &[Vec<Hit>], k: usize, metric: Metric) -> Vec<Hit> {
    let mut top = TopK::new(k, metric);
    for hit in parts.iter().flatten() {
        top.offer(hit.id, hit.score);
    }
    top.into_sorted()
}
