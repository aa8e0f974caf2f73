//! Writes and reads item-memory files, for the Python package's tests of files shared between
//! the two APIs (`python/tests/test_memory.py`).
//!
//! ```text
//! memory_file write PATH dense|bits DIM N   # records random(DIM, seed) for seed 0..N
//! memory_file read PATH                     # one line per fact, for the test to compare
//! ```
//!
//! `read` prints `layout`, `dim` and `len`, then for each record `record ID DOT` with
//! `DOT = dot(record, random(DIM, 1_000_000))` (a fingerprint of its trits), then
//! `top ID SCORE` for the cosine top 3 of `random(DIM, 7)`.

use trinity_runtime::memory::Record;
use trinity_runtime::{BitVector, DenseVector, Error, ItemMemory, JitEngine, Metric, Vector};

/// A seeded random vector of one layout.
type Random<V> = fn(usize, u64) -> Result<V, Error>;

fn write<V: Record + Vector>(
    path: &str,
    dim: usize,
    n: u64,
    random: Random<V>,
) -> Result<(), Error> {
    let mut memory = ItemMemory::<V>::create(path, dim)?;
    for seed in 0..n {
        memory.push(&random(dim, seed)?)?;
    }
    memory.sync()
}

fn read<V: Record + Vector>(memory: ItemMemory<V>, random: Random<V>) -> Result<(), Error> {
    let (dim, engine) = (memory.dim(), JitEngine::global());
    println!("layout {}", <V as Record>::LAYOUT.name());
    println!("dim {dim}");
    println!("len {}", memory.len());
    let probe = random(dim, 1_000_000)?;
    for id in 0..memory.len() {
        println!("record {id} {}", engine.dot(&memory.get(id)?, &probe)?);
    }
    for hit in memory.top_k(&random(dim, 7)?, 3, Metric::Cosine)? {
        println!("top {} {:?}", hit.id, hit.score);
    }
    Ok(())
}

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: memory_file write PATH dense|bits DIM N | memory_file read PATH";
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["write", path, layout, dim, n] => {
            let (dim, n) = (dim.parse().expect(usage), n.parse().expect(usage));
            match layout {
                "dense" => write(path, dim, n, DenseVector::random),
                "bits" => write(path, dim, n, BitVector::random),
                _ => panic!("{usage}"),
            }
        }
        ["read", path] => match ItemMemory::<BitVector>::open(path) {
            Ok(memory) => read(memory, BitVector::random),
            Err(_) => read(ItemMemory::<DenseVector>::open(path)?, DenseVector::random),
        },
        _ => panic!("{usage}"),
    }
}
