//! Item memory searches against a brute-force ranking built from the reference, in both
//! layouts, RAM and file, on one thread and several.

use std::fmt::Debug;
use trinity_runtime::memory::{merge_top_k, MemoryError, Record};
use trinity_runtime::reference;
use trinity_runtime::{BitVector, DenseVector, Error, Hit, ItemMemory, Metric};

const METRICS: [Metric; 3] = [Metric::Dot, Metric::Cosine, Metric::Hamming];

trait TestVector: Record + Clone + PartialEq + Debug + Sync {
    fn random(dim: usize, seed: u64) -> Self;
    fn zeros(dim: usize) -> Self;
    fn to_dense(&self) -> DenseVector;
}

impl TestVector for DenseVector {
    fn random(dim: usize, seed: u64) -> Self {
        DenseVector::random(dim, seed).unwrap()
    }
    fn zeros(dim: usize) -> Self {
        DenseVector::zeros(dim).unwrap()
    }
    fn to_dense(&self) -> DenseVector {
        self.clone()
    }
}

impl TestVector for BitVector {
    fn random(dim: usize, seed: u64) -> Self {
        BitVector::random(dim, seed).unwrap()
    }
    fn zeros(dim: usize) -> Self {
        BitVector::zeros(dim).unwrap()
    }
    fn to_dense(&self) -> DenseVector {
        DenseVector::from(self)
    }
}

fn reference_score(metric: Metric, record: &DenseVector, query: &DenseVector) -> f64 {
    match metric {
        Metric::Dot => reference::dot(record, query).unwrap() as f64,
        Metric::Hamming => reference::hamming(record, query).unwrap() as f64,
        Metric::Cosine => reference::cosine(record, query).unwrap(),
    }
}

/// Every record's reference score, ranked best first with ties by the lower id, cut to `k`.
fn brute_force(records: &[DenseVector], query: &DenseVector, k: usize, metric: Metric) -> Vec<Hit> {
    let mut hits = ranking(records, query, metric);
    hits.truncate(k);
    hits
}

/// Every record's reference score, ranked best first with ties by the lower id. The
/// reference runs on the dense form of the vectors: the same trits, read faster.
fn ranking(records: &[DenseVector], query: &DenseVector, metric: Metric) -> Vec<Hit> {
    let mut hits: Vec<Hit> = records
        .iter()
        .enumerate()
        .map(|(id, r)| Hit { id: id as u64, score: reference_score(metric, r, query) })
        .collect();
    hits.sort_by(|a, b| {
        let order = a.score.total_cmp(&b.score);
        let better_first = if metric == Metric::Hamming { order } else { order.reverse() };
        better_first.then(a.id.cmp(&b.id))
    });
    hits
}

/// `n` records: random, with every fifth one a copy of an earlier one (ties) and one zero.
fn records<V: TestVector>(dim: usize, n: usize) -> Vec<V> {
    (0..n as u64)
        .map(|i| match i {
            3 => V::zeros(dim),
            _ if i % 5 == 4 => V::random(dim, i / 3),
            _ => V::random(dim, i),
        })
        .collect()
}

/// Queries: a stored record, a zero vector, and fresh random ones.
fn queries<V: TestVector>(dim: usize, count: usize) -> Vec<V> {
    (0..count as u64)
        .map(|i| match i {
            0 => V::random(dim, 1),
            1 => V::zeros(dim),
            _ => V::random(dim, 1000 + i),
        })
        .collect()
}

fn dense<V: TestVector>(vectors: &[V]) -> Vec<DenseVector> {
    vectors.iter().map(V::to_dense).collect()
}

fn memory<V: TestVector>(dim: usize, records: &[V]) -> ItemMemory<V> {
    let mut mem = ItemMemory::new(dim).unwrap();
    for (i, r) in records.iter().enumerate() {
        assert_eq!(mem.push(r).unwrap(), i as u64);
    }
    mem
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap()
}

/// top_k, cleanup, scores, batch and range + merge against the brute force for `k`s around
/// the record count, on 1 and 3 threads.
fn check_search<V: TestVector>(dim: usize, n: usize, query_count: usize) {
    let recs = records::<V>(dim, n);
    let qs = queries::<V>(dim, query_count);
    let mem = memory(dim, &recs);
    let refs: Vec<&V> = qs.iter().collect();
    let dense_recs = dense(&recs);
    for metric in METRICS {
        let ranked: Vec<Vec<Hit>> =
            dense(&qs).iter().map(|q| ranking(&dense_recs, q, metric)).collect();
        for (k, threads) in [(0, 1), (1, 3), (5, 1), (5, 3), (n - 1, 3), (n + 3, 1)] {
            let want: Vec<Vec<Hit>> = ranked.iter().map(|r| r[..k.min(n)].to_vec()).collect();
            {
                let ctx = format!(
                    "{} D={dim} N={n} k={k} {metric:?} threads={threads}",
                    V::LAYOUT.name()
                );
                pool(threads).install(|| {
                    for (q, want) in qs.iter().zip(&want) {
                        assert_eq!(&mem.top_k(q, k, metric).unwrap(), want, "top_k {ctx}");
                    }
                    assert_eq!(mem.top_k_batch(&refs, k, metric).unwrap(), want, "batch {ctx}");
                    // Three uneven shards merged = one scan.
                    let cuts = [0, n as u64 / 3, n as u64 / 3 + 1, n as u64];
                    let parts: Vec<Vec<Vec<Hit>>> = cuts
                        .windows(2)
                        .map(|w| mem.top_k_range_batch(w[0]..w[1], &refs, k, metric).unwrap())
                        .collect();
                    for (i, want) in want.iter().enumerate() {
                        let per_query: Vec<Vec<Hit>> = parts.iter().map(|p| p[i].clone()).collect();
                        assert_eq!(&merge_top_k(&per_query, k, metric), want, "merge {ctx}");
                    }
                });
            }
        }
        for (q, ranked) in qs.iter().zip(&ranked) {
            assert_eq!(mem.cleanup(q, metric).unwrap(), ranked.first().copied());
            let mut out = vec![f64::NAN; n];
            pool(2).install(|| mem.scores(q, metric, &mut out)).unwrap();
            let mut want = vec![f64::NAN; n];
            for hit in ranked {
                want[hit.id as usize] = hit.score;
            }
            assert_eq!(out, want, "scores {} D={dim} N={n} {metric:?}", V::LAYOUT.name());
        }
    }
}

#[test]
fn searches_match_the_reference_bitsliced() {
    for (dim, n) in [(1, 37), (63, 70), (64, 1300), (65, 101), (1000, 300), (10_000, 23)] {
        check_search::<BitVector>(dim, n, 11);
    }
}

#[test]
fn searches_match_the_reference_dense() {
    for (dim, n) in [(1, 37), (63, 600), (64, 70), (65, 101), (1000, 40), (10_000, 7)] {
        check_search::<DenseVector>(dim, n, 11);
    }
}

#[test]
fn many_queries_split_across_threads_match_one_thread() {
    let (dim, n) = (256, 600);
    let recs = records::<BitVector>(dim, n);
    let qs = queries::<BitVector>(dim, 46); // 5 blocks of 8, then 4 and 2
    let refs: Vec<&BitVector> = qs.iter().collect();
    let mem = memory(dim, &recs);
    let (dense_recs, dense_qs) = (dense(&recs), dense(&qs));
    for metric in METRICS {
        let one = pool(1).install(|| mem.top_k_batch(&refs, 10, metric)).unwrap();
        let four = pool(4).install(|| mem.top_k_batch(&refs, 10, metric)).unwrap();
        assert_eq!(one, four);
        for (q, hits) in dense_qs.iter().zip(&one) {
            assert_eq!(hits, &brute_force(&dense_recs, q, 10, metric));
        }
    }
}

#[test]
fn an_empty_memory_gives_no_hits() {
    let mem = ItemMemory::<BitVector>::new(100).unwrap();
    let q = BitVector::random(100, 1).unwrap();
    for metric in METRICS {
        assert!(mem.top_k(&q, 10, metric).unwrap().is_empty());
        assert_eq!(mem.cleanup(&q, metric).unwrap(), None);
        assert_eq!(mem.top_k_batch(&[&q, &q], 3, metric).unwrap(), vec![vec![]; 2]);
        mem.scores(&q, metric, &mut []).unwrap();
    }
    assert!(mem.top_k_batch(&[], 3, Metric::Dot).unwrap().is_empty());
    assert_eq!(mem.iter().count(), 0);
}

#[test]
fn bad_arguments_are_typed_errors() {
    assert_eq!(ItemMemory::<DenseVector>::new(0).unwrap_err(), Error::ZeroDimension);
    let too_big = trinity_runtime::MAX_DIM + 1;
    assert_eq!(
        ItemMemory::<BitVector>::new(too_big).unwrap_err(),
        Error::DimensionTooLarge { dim: too_big }
    );
    let path =
        std::env::temp_dir().join(format!("trinity-memory-zero-d-{}.tim", std::process::id()));
    assert_eq!(ItemMemory::<BitVector>::create(&path, 0).unwrap_err(), Error::ZeroDimension);
    assert!(!path.exists(), "no file for a bad dimension");
    let mut mem = memory(64, &records::<BitVector>(64, 10));
    let wrong = BitVector::random(65, 1).unwrap();
    let mismatch = Error::DimensionMismatch { left: 64, right: 65 };
    assert_eq!(mem.push(&wrong).unwrap_err(), mismatch);
    assert_eq!(mem.top_k(&wrong, 1, Metric::Dot).unwrap_err(), mismatch);
    assert_eq!(mem.cleanup(&wrong, Metric::Cosine).unwrap_err(), mismatch);
    assert_eq!(mem.scores(&wrong, Metric::Dot, &mut [0.0; 10]).unwrap_err(), mismatch);
    let right = BitVector::random(64, 1).unwrap();
    assert_eq!(mem.top_k_batch(&[&right, &wrong], 1, Metric::Dot).unwrap_err(), mismatch);
    assert_eq!(mem.len(), 10, "a rejected push adds nothing");
    let range = |start, end| Error::Memory(MemoryError::BadRange { start, end, len: 10 });
    assert_eq!(mem.top_k_range(3..11, &right, 1, Metric::Dot).unwrap_err(), range(3, 11));
    #[allow(clippy::reversed_empty_ranges)]
    let reversed = 5..4;
    assert_eq!(mem.top_k_range(reversed, &right, 1, Metric::Dot).unwrap_err(), range(5, 4));
    assert!(mem.top_k_range(4..4, &right, 1, Metric::Dot).unwrap().is_empty());
    let err = mem.scores(&right, Metric::Dot, &mut [0.0; 9]).unwrap_err();
    let want = MemoryError::WrongLength { what: "scores", expected: 10, actual: 9 };
    assert_eq!(err, Error::Memory(want));
    assert!(err.to_string().contains('9') && err.to_string().contains("10"));
    let none = Error::Memory(MemoryError::NoRecord { id: 10, len: 10 });
    assert_eq!(mem.get(10).unwrap_err(), none);
}

#[test]
fn records_come_back_as_pushed() {
    for dim in [1, 63, 64, 65, 1000] {
        let recs = records::<BitVector>(dim, 20);
        let mem = memory(dim, &recs);
        let back: Vec<BitVector> = mem.iter().collect::<Result<_, _>>().unwrap();
        assert_eq!(back, recs);
        let recs = records::<DenseVector>(dim, 20);
        let mem = memory(dim, &recs);
        let back: Vec<DenseVector> = mem.iter().collect::<Result<_, _>>().unwrap();
        assert_eq!(back, recs);
        let region = mem.region().unwrap();
        assert_eq!(region.as_ptr() as usize % 64, 0);
        assert_eq!((region.len(), mem.stride() % 64), (20 * mem.stride(), 0));
    }
}

fn temp_path(name: &str) -> std::path::PathBuf {
    let path =
        std::env::temp_dir().join(format!("trinity-memory-{name}-{}.tim", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// A file memory gives the RAM memory's results, before and after a drop and reopen, and
/// appends after the reopen are searched too.
fn check_round_trip<V: TestVector>(dim: usize, n: usize) {
    let path = temp_path(&format!("round-trip-{}-{dim}", V::LAYOUT.name()));
    let recs = records::<V>(dim, n);
    let qs = queries::<V>(dim, 5);
    let refs: Vec<&V> = qs.iter().collect();
    let ram = memory(dim, &recs);
    let mut file = ItemMemory::<V>::create(&path, dim).unwrap();
    for r in &recs[..n / 2] {
        file.push(r).unwrap();
    }
    drop(file);
    let mut file = ItemMemory::<V>::open(&path).unwrap();
    assert_eq!(file.len(), (n / 2) as u64);
    for r in &recs[n / 2..] {
        file.push(r).unwrap();
    }
    file.sync().unwrap();
    for metric in METRICS {
        let want = ram.top_k_batch(&refs, 7, metric).unwrap();
        assert_eq!(file.top_k_batch(&refs, 7, metric).unwrap(), want);
        drop(file);
        file = ItemMemory::<V>::open(&path).unwrap();
        let report = file.open_report().unwrap();
        assert_eq!((report.records, report.dropped_bytes, report.verified), (n as u64, 0, true));
        assert_eq!(file.top_k_batch(&refs, 7, metric).unwrap(), want);
    }
    assert_eq!(file.iter().collect::<Result<Vec<V>, _>>().unwrap(), recs);
    assert_eq!(file.region().unwrap(), ram.region().unwrap(), "the file's records are RAM's");
    assert_eq!(file.path(), Some(path.as_path()));
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn file_memories_round_trip() {
    for dim in [1, 63, 64, 65, 1000, 10_000] {
        check_round_trip::<BitVector>(dim, 40);
        check_round_trip::<DenseVector>(dim, 40);
    }
}

/// The generated scan kernels (where this machine runs them) and the portable scan give the
/// same scores for every metric and query block, on a record count that is not a multiple of
/// anything, with duplicate and zero records. (With the JIT off an item memory scans with the
/// portable one, which the searches above check against the reference.)
fn check_scans_agree<V: TestVector>(dim: usize) {
    use trinity_emit::kernels::scan::QUERY_BLOCKS;
    use trinity_runtime::memory::{ScanMetric, Scanner};
    let mem = memory::<V>(dim, &records(dim, 37));
    let (region, stride, n) = (mem.region().unwrap(), mem.stride(), mem.len() as usize);
    let jit_runs = trinity_runtime::JitEngine::global().stats().backend
        == trinity_runtime::exec::Backend::Jit
        && trinity_runtime::cpu::detect_tier().is_some();
    for metric in [ScanMetric::Dot, ScanMetric::Hamming] {
        for (q, streaming) in
            QUERY_BLOCKS.map(|q| q as usize).into_iter().flat_map(|q| [(q, false), (q, true)])
        {
            let what = format!("{metric:?} D = {dim} Q = {q} streaming {streaming}");
            let jit = Scanner::new(metric, V::LAYOUT, dim, q, streaming).unwrap();
            assert_eq!(jit.is_jit(), jit_runs, "{what}");
            let portable = Scanner::portable(metric, V::LAYOUT, dim, q).unwrap();
            // The queries: the first q records (one of them the zero record).
            let queries = &region[..q * stride];
            let (mut want, mut got) = (vec![0; n * q], vec![-1; n * q]);
            portable.scan(region, stride, n, queries, &mut want).unwrap();
            jit.scan(region, stride, n, queries, &mut got).unwrap();
            assert_eq!(got, want, "{what}");
        }
    }
}

#[test]
fn generated_and_portable_scans_agree() {
    for dim in [1, 63, 64, 65, 1000, 10_000] {
        check_scans_agree::<BitVector>(dim);
        check_scans_agree::<DenseVector>(dim);
    }
}
