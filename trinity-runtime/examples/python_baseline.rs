//! The Rust side of the Python package's speed table (`python/bench/bench.py`): the same calls
//! through the Rust API at D = 10000, each the fastest of several rounds, one JSON object a
//! line (`{"name": ..., "ns": ...}`, nanoseconds a call).
//!
//! ```text
//! cargo run --release -p trinity-runtime --example python_baseline [-- --records 100000]
//! ```

use std::hint::black_box;
use std::time::Instant;
use trinity_runtime::{BitVector, DenseSlice, DenseVector, ItemMemory, JitEngine, Metric};

const DIM: usize = 10_000;
const ROUNDS: usize = 7;

/// The fastest of `ROUNDS` rounds of `iters` calls of `f`, in ns a call.
fn time(iters: usize, mut f: impl FnMut()) -> f64 {
    f(); // compile and warm up
    (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iters {
                f();
            }
            start.elapsed().as_nanos() as f64 / iters as f64
        })
        .fold(f64::INFINITY, f64::min)
}

fn report(name: &str, ns: f64) {
    println!("{{\"name\": \"{name}\", \"ns\": {ns:.1}}}");
}

fn main() -> Result<(), trinity_runtime::Error> {
    let records: usize = std::env::args()
        .skip_while(|a| a != "--records")
        .nth(1)
        .map_or(100_000, |n| n.parse().expect("--records N"));
    let e = JitEngine::global();
    let (da, db) = (DenseVector::random(DIM, 1)?, DenseVector::random(DIM, 2)?);
    let (ba, bb) = (BitVector::from(&da), BitVector::from(&db));
    let dense256: Vec<DenseVector> =
        (0..256).map(|s| DenseVector::random(DIM, 100 + s)).collect::<Result<_, _>>()?;
    let bits256: Vec<BitVector> = dense256.iter().map(BitVector::from).collect();
    let (d256, b256): (Vec<&DenseVector>, Vec<&BitVector>) =
        (dense256.iter().collect(), bits256.iter().collect());
    let n = 20_000;
    for (layout, dense) in [("bits", false), ("dense", true)] {
        macro_rules! op {
            ($name:expr, $d:expr, $b:expr) => {
                let ns = if dense {
                    time(n, || drop(black_box($d)))
                } else {
                    time(n, || drop(black_box($b)))
                };
                report(&format!("{}/{layout}", $name), ns);
            };
        }
        op!("dot", e.dot(&da, &db), e.dot(&ba, &bb));
        op!("bind", e.bind(&da, &db), e.bind(&ba, &bb));
        op!("bundle2", e.bundle(&da, &db), e.bundle(&ba, &bb));
        op!("hamming", e.hamming(&da, &db), e.hamming(&ba, &bb));
        op!("cosine", e.cosine(&da, &db), e.cosine(&ba, &bb));
        op!("permute", e.permute(&da, 1), e.permute(&ba, 1));
        let ns = if dense {
            time(200, || drop(black_box(e.bundle_n(&d256))))
        } else {
            time(200, || drop(black_box(e.bundle_n(&b256))))
        };
        report(&format!("bundle256/{layout}"), ns);
    }
    // One against a batch of 1000 rows: a loop of engine calls on prebuilt vectors, and for dense
    // rows also straight from one contiguous buffer of trits (checked in place, as Python's are).
    let rows: Vec<DenseVector> =
        (0..1000).map(|s| DenseVector::random(DIM, 1000 + s)).collect::<Result<_, _>>()?;
    let bit_rows: Vec<BitVector> = rows.iter().map(BitVector::from).collect();
    let buffer: Vec<i8> = rows.iter().flat_map(|r| r.as_slice().iter().copied()).collect();
    report(
        "batch_dot/bits",
        time(20, || drop(black_box(bit_rows.iter().map(|r| e.dot(&ba, r)).collect::<Vec<_>>()))),
    );
    report(
        "batch_dot/dense",
        time(20, || drop(black_box(rows.iter().map(|r| e.dot(&da, r)).collect::<Vec<_>>()))),
    );
    report(
        "batch_cosine/bits",
        time(20, || drop(black_box(bit_rows.iter().map(|r| e.cosine(&ba, r)).collect::<Vec<_>>()))),
    );
    report(
        "batch_cosine/dense",
        time(20, || drop(black_box(rows.iter().map(|r| e.cosine(&da, r)).collect::<Vec<_>>()))),
    );
    report(
        "batch_bind/bits",
        time(20, || drop(black_box(bit_rows.iter().map(|r| e.bind(&ba, r)).collect::<Vec<_>>()))),
    );
    report(
        "batch_bind/dense",
        time(20, || drop(black_box(rows.iter().map(|r| e.bind(&da, r)).collect::<Vec<_>>()))),
    );
    let q = DenseSlice::from(&da);
    report(
        "batch_dot_buffer/dense",
        time(20, || {
            let out: Vec<i64> = buffer
                .chunks(DIM)
                .map(|row| DenseSlice::new(row).and_then(|r| e.dot_slices(q, r)).unwrap_or(0))
                .collect();
            drop(black_box(out));
        }),
    );
    // Top-10 by dot over `records` bitsliced vectors, one query and 64.
    let mut memory = ItemMemory::<BitVector>::new(DIM)?;
    for s in 0..records as u64 {
        memory.push(&BitVector::random(DIM, 10_000 + s)?)?;
    }
    let queries: Vec<BitVector> =
        (0..64).map(|s| BitVector::random(DIM, 20_000_000 + s)).collect::<Result<_, _>>()?;
    let refs: Vec<&BitVector> = queries.iter().collect();
    let timed = |iters, f: &dyn Fn()| {
        (0..iters)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed().as_nanos() as f64
            })
            .fold(f64::INFINITY, f64::min)
    };
    report(
        "search1/bits",
        timed(9, &|| drop(black_box(memory.top_k(&queries[0], 10, Metric::Dot)))),
    );
    report(
        "search64/bits",
        timed(5, &|| drop(black_box(memory.top_k_batch(&refs, 10, Metric::Dot)))),
    );
    Ok(())
}
