//! Many engines on many threads: engines are created and dropped while other threads keep
//! calling other engines, and threads end while the engines they called live on. Every result
//! equals the reference, and each engine's counters add up to exactly the calls made on it,
//! with one compile per distinct key (docs/design.md §9.1: the per-thread kernel caches and
//! counts).

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use trinity_runtime::exec::Backend;
use trinity_runtime::{reference, BitVector, DenseVector, JitEngine, Vector};

const DIMS: [usize; 4] = [1, 64, 65, 1000];
/// Ops a call picks from: dot, hamming, cosine, bind, bundle, bundle_n, permute by 1, by D/2.
const OPS: u64 = 8;

/// A call's kernel key: (op, bitsliced, D); both permutes run the one run-time-shift kernel
/// of their layout and D.
type CallKey = (u64, bool, usize);

struct Tracked {
    engine: JitEngine,
    calls: AtomicU64,
    keys: Mutex<HashSet<CallKey>>,
}

impl Tracked {
    fn new(i: u64) -> Arc<Tracked> {
        let engine = if i % 3 == 2 { JitEngine::portable() } else { JitEngine::new() };
        Arc::new(Tracked { engine, calls: AtomicU64::new(0), keys: Mutex::default() })
    }

    /// The engine's counters against the calls made on it, from whichever thread lets go of
    /// it last (just before it is dropped).
    fn check(self) {
        let s = self.engine.stats();
        let calls = self.calls.load(Ordering::SeqCst);
        let keys = self.keys.lock().unwrap().len() as u64;
        assert_eq!(s.total_ops, calls, "{s:?}");
        let kernels = s.baked_hits + s.jit_hits + s.jit_misses;
        assert_eq!(kernels + s.portable_ops + s.over_budget_ops, calls, "{s:?}");
        if s.backend == Backend::Jit && s.tier.is_some() {
            assert_eq!(s.jit_misses, keys, "one compile per distinct key: {s:?}");
            assert_eq!(s.jit_hits, calls - keys, "{s:?}");
        } else {
            assert_eq!(s.portable_ops, calls, "{s:?}");
        }
    }
}

fn release(tracked: Arc<Tracked>) {
    if let Some(last) = Arc::into_inner(tracked) {
        last.check();
    }
}

/// A small xorshift generator, so each thread's sequence is its own and repeatable.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

struct Operands {
    a: DenseVector,
    b: DenseVector,
}

/// One call of op `op` on `engine` in `V`'s layout, checked against the reference; its key.
fn call<V: Vector + PartialEq + std::fmt::Debug>(
    engine: &JitEngine,
    x: &Operands,
    op: u64,
) -> CallKey {
    let (a, b) = (V::from_dense(&x.a), V::from_dense(&x.b));
    let dim = a.dim();
    let back = |t: Vec<i8>| V::from_dense(&DenseVector::from_slice(&t).unwrap());
    match op {
        0 => assert_eq!(engine.dot(&a, &b).unwrap(), reference::dot(&x.a, &x.b).unwrap()),
        1 => assert_eq!(engine.hamming(&a, &b).unwrap(), reference::hamming(&x.a, &x.b).unwrap()),
        2 => assert_eq!(
            engine.cosine(&a, &b).unwrap().to_bits(),
            reference::cosine(&x.a, &x.b).unwrap().to_bits()
        ),
        3 => assert_eq!(engine.bind(&a, &b).unwrap(), back(reference::bind(&x.a, &x.b).unwrap())),
        4 => {
            assert_eq!(engine.bundle(&a, &b).unwrap(), back(reference::bundle(&x.a, &x.b).unwrap()))
        }
        5 => assert_eq!(
            engine.bundle_n(&[&a, &b, &b]).unwrap(),
            back(reference::bundle_n(&[&x.a, &x.b, &x.b]).unwrap())
        ),
        _ => {
            let k = if op == 6 { 1 } else { dim as i64 / 2 };
            assert_eq!(engine.permute(&a, k).unwrap(), back(reference::permute(&x.a, k)));
        }
    }
    (op.min(6), V::LAYOUT == trinity_emit::kernels::Layout::Bits, dim)
}

#[test]
fn engines_dropped_while_other_threads_call_other_engines() {
    let operands: Vec<Operands> = DIMS
        .iter()
        .map(|&d| Operands {
            a: DenseVector::random(d, d as u64).unwrap(),
            b: DenseVector::random(d, 7 * d as u64 + 1).unwrap(),
        })
        .collect();
    let made = AtomicU64::new(0);
    let fresh = || Tracked::new(made.fetch_add(1, Ordering::SeqCst));
    let pool: Mutex<Vec<Arc<Tracked>>> = Mutex::new((0..4).map(|_| fresh()).collect());
    // Three waves of three threads: threads end (their counts must survive them) while the
    // pool's engines live on into the next wave.
    for wave in 0..3u64 {
        std::thread::scope(|s| {
            for t in 0..3u64 {
                let (pool, operands, fresh) = (&pool, &operands, &fresh);
                s.spawn(move || {
                    let mut rng = 0x9e37_79b9_7f4a_7c15 ^ (wave * 3 + t + 1);
                    for i in 0..3000 {
                        let r = next(&mut rng);
                        let slot = (r % 4) as usize;
                        if i % 400 == 399 {
                            // Drop an engine (or leave its last release to a thread still
                            // calling it) while the others keep running.
                            let old = std::mem::replace(&mut pool.lock().unwrap()[slot], fresh());
                            release(old);
                            continue;
                        }
                        let tracked = Arc::clone(&pool.lock().unwrap()[slot]);
                        let x = &operands[(r >> 8) as usize % operands.len()];
                        let op = (r >> 16) % OPS;
                        let key = if (r >> 24) & 1 == 0 {
                            call::<DenseVector>(&tracked.engine, x, op)
                        } else {
                            call::<BitVector>(&tracked.engine, x, op)
                        };
                        tracked.keys.lock().unwrap().insert(key);
                        tracked.calls.fetch_add(1, Ordering::SeqCst);
                        release(tracked);
                    }
                });
            }
        });
    }
    for tracked in pool.into_inner().unwrap() {
        release(tracked);
    }
    assert!(made.load(Ordering::SeqCst) > 40, "engines were replaced along the way");
}
