//! Time item memory searches: top-k over N bitsliced records of dimension D, for 1 and 64
//! queries, on rayon's pool and on one thread, and k = 1 against k = 100.
//!
//! ```text
//! cargo run --release -p trinity-runtime --example memory_scan [-- N D]
//! ```

use std::time::{Duration, Instant};
use trinity_runtime::{BitVector, ItemMemory, Metric};

/// The fastest of a few runs of `f`.
fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() -> trinity_runtime::Result<()> {
    let mut args =
        std::env::args().skip(1).map(|a| a.parse::<usize>().expect("N and D are numbers"));
    let n = args.next().unwrap_or(100_000);
    let dim = args.next().unwrap_or(10_000);
    let mut mem = ItemMemory::new(dim)?;
    for seed in 0..n as u64 {
        mem.push(&BitVector::random(dim, seed)?)?;
    }
    let queries: Vec<BitVector> =
        (0..64).map(|i| BitVector::random(dim, 1_000_000 + i)).collect::<Result<_, _>>()?;
    let refs: Vec<&BitVector> = queries.iter().collect();
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a thread");
    println!(
        "N = {n}, D = {dim}, bitsliced, {} MB of records, rayon threads: {}",
        mem.region()?.len() >> 20,
        rayon::current_num_threads()
    );
    let time = |label: &str, runs: usize, queries: usize, f: &mut dyn FnMut()| {
        let t = best_of(runs, f);
        let pairs = (n * queries) as f64;
        println!(
            "{label:<34} {:>9.1} ms  {:>6.1} ns/pair",
            t.as_secs_f64() * 1e3,
            t.as_nanos() as f64 / pairs
        );
    };
    let q = &queries[0];
    time("top-10, 1 query, pool", 5, 1, &mut || drop(mem.top_k(q, 10, Metric::Hamming).unwrap()));
    time("top-10, 1 query, 1 thread", 3, 1, &mut || {
        drop(one.install(|| mem.top_k(q, 10, Metric::Hamming)).unwrap())
    });
    time("top-10, 64 queries, pool", 2, 64, &mut || {
        drop(mem.top_k_batch(&refs, 10, Metric::Hamming).unwrap())
    });
    time("top-10, 64 queries, 1 thread", 1, 64, &mut || {
        drop(one.install(|| mem.top_k_batch(&refs, 10, Metric::Hamming)).unwrap())
    });
    // k = 100 against k = 1, alternating so that load changes on the machine hit both.
    let (mut best1, mut best100) = (Duration::MAX, Duration::MAX);
    for _ in 0..6 {
        for (k, best) in [(100, &mut best100), (1, &mut best1)] {
            let t = best_of(1, || drop(one.install(|| mem.top_k(q, k, Metric::Cosine)).unwrap()));
            *best = (*best).min(t);
        }
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let extra = (best100.as_secs_f64() / best1.as_secs_f64() - 1.0) * 100.0;
    println!(
        "top-1 / top-100, 1 query cosine, 1 thread: {:.1} / {:.1} ms ({extra:+.1}%)",
        ms(best1),
        ms(best100)
    );
    Ok(())
}
