//! Fastest-of-N timing for benches on a shared machine: closures timed in alternating batches,
//! the fastest batch of each kept (the minimum is what noise disturbs least).

use std::time::Instant;

/// Fastest per-call time (ns) of each closure over `rounds` alternating batches of `reps` calls.
pub fn race(rounds: u32, reps: u32, fs: &mut [&mut dyn FnMut()]) -> Vec<f64> {
    let mut best = vec![f64::MAX; fs.len()];
    for _ in 0..rounds {
        for (b, f) in best.iter_mut().zip(fs.iter_mut()) {
            let t = Instant::now();
            for _ in 0..reps {
                f();
            }
            *b = b.min(t.elapsed().as_nanos() as f64 / f64::from(reps));
        }
    }
    best
}
