//! Every engine op against the plain reference, both layouts, on the JIT engine and on the
//! forced-portable engine (the path a CPU without a tier takes), at the dimensions of docs/design.md §7.

use std::sync::Arc;
use trinity_runtime::Vector;
use trinity_runtime::{reference, BitVector, DenseSlice, DenseVector, Error, JitEngine};

fn dims() -> Vec<usize> {
    (1..=70)
        .chain([127, 128, 129, 255, 256, 257, 1000, 1023, 1024, 1025, 10000, 59049, 65537])
        .collect()
}

fn pairs(dim: usize) -> Vec<(DenseVector, DenseVector)> {
    let ones = DenseVector::from_slice(&vec![-1; dim]).unwrap();
    let zeros = DenseVector::zeros(dim).unwrap();
    let r1 = DenseVector::random(dim, 100 + dim as u64).unwrap();
    let r2 = DenseVector::random(dim, 200 + dim as u64).unwrap();
    vec![(r1.clone(), r2), (ones.clone(), r1.clone()), (ones.clone(), ones), (zeros, r1)]
}

fn check_layout<V: Vector + std::fmt::Debug + PartialEq>(
    engine: &JitEngine,
    a: &DenseVector,
    b: &DenseVector,
) {
    let (va, vb) = (V::from_dense(a), V::from_dense(b));
    let dim = a.dim();
    let tag = format!("dim {dim} layout {:?}", V::LAYOUT);
    assert_eq!(engine.dot(&va, &vb).unwrap(), reference::dot(a, b).unwrap(), "{tag}");
    assert_eq!(engine.hamming(&va, &vb).unwrap(), reference::hamming(a, b).unwrap(), "{tag}");
    assert_eq!(
        engine.cosine(&va, &vb).unwrap().to_bits(),
        reference::cosine(a, b).unwrap().to_bits(),
        "{tag}"
    );
    let dense = |t: Vec<i8>| V::from_dense(&DenseVector::from_slice(&t).unwrap());
    let bound = dense(reference::bind(a, b).unwrap());
    assert_eq!(engine.bind(&va, &vb).unwrap(), bound, "{tag}");
    assert_eq!(engine.unbind(&va, &vb).unwrap(), bound, "{tag}");
    let bundled = dense(reference::bundle(a, b).unwrap());
    assert_eq!(engine.bundle(&va, &vb).unwrap(), bundled, "{tag}");
    // In place: out == a (bind_assign) and, through argument order, out == b.
    let mut x = va.clone();
    engine.bind_assign(&mut x, &vb).unwrap();
    assert_eq!(x, bound, "{tag}");
    let mut y = vb.clone();
    engine.bundle_assign(&mut y, &va).unwrap();
    assert_eq!(y, bundled, "{tag}");
    assert_eq!(
        engine.bundle_n(&[&va, &vb, &va]).unwrap(),
        dense(reference::bundle_n(&[a, b, a]).unwrap()),
        "{tag}"
    );
    // One vector, pairs with ties, and a batch-crossing count (bitsliced batches are 15).
    for n in [1, 2, 4, 17] {
        let refs: Vec<&DenseVector> = (0..n).map(|i| if i % 2 == 0 { a } else { b }).collect();
        let vs: Vec<&V> = (0..n).map(|i| if i % 2 == 0 { &va } else { &vb }).collect();
        let want = dense(reference::bundle_n(&refs).unwrap());
        assert_eq!(engine.bundle_n(&vs).unwrap(), want, "{tag} n {n}");
    }
    for k in [0, 1, -1, dim as i64 - 1, dim as i64 / 2, 64, -65, 12345] {
        let p = engine.permute(&va, k).unwrap();
        assert_eq!(p, dense(reference::permute(a, k)), "{tag} k {k}");
        assert_eq!(engine.inverse_permute(&p, k).unwrap(), va, "{tag} k {k}");
    }
}

/// The in-place ops on borrowed dense operands, against the reference.
fn check_slices(engine: &JitEngine, a: &DenseVector, b: &DenseVector) {
    let dim = a.dim();
    let tag = format!("slices dim {dim}");
    let (x, y) = (DenseSlice::from(a), DenseSlice::new(b.as_slice()).unwrap());
    assert_eq!(engine.dot_slices(x, y).unwrap(), reference::dot(a, b).unwrap(), "{tag}");
    assert_eq!(engine.hamming_slices(x, y).unwrap(), reference::hamming(a, b).unwrap(), "{tag}");
    assert_eq!(
        engine.cosine_slices(x, y).unwrap().to_bits(),
        reference::cosine(a, b).unwrap().to_bits(),
        "{tag}"
    );
    // Outputs start as garbage-free but wrong trits, so a kernel that skips a byte shows.
    let mut out = vec![1i8; dim];
    engine.bind_slices(&mut out, x, y).unwrap();
    assert_eq!(out, reference::bind(a, b).unwrap(), "{tag}");
    out.fill(-1);
    engine.bundle_slices(&mut out, x, y).unwrap();
    assert_eq!(out, reference::bundle(a, b).unwrap(), "{tag}");
    for n in [1, 2, 3, 17] {
        let vs: Vec<DenseSlice> = (0..n).map(|i| if i % 2 == 0 { x } else { y }).collect();
        let refs: Vec<&DenseVector> = (0..n).map(|i| if i % 2 == 0 { a } else { b }).collect();
        out.fill(1);
        engine.bundle_n_slices(&mut out, &vs).unwrap();
        assert_eq!(out, reference::bundle_n(&refs).unwrap(), "{tag} n {n}");
    }
    for k in [0, 1, -1, dim as i64 - 1, dim as i64 / 2, 64, -65, i64::MIN] {
        out.fill(1);
        engine.permute_slices(&mut out, x, k).unwrap();
        assert_eq!(out, reference::permute(a, k), "{tag} k {k}");
    }
    let mut short = vec![0i8; dim + 1];
    let mismatch = Error::DimensionMismatch { left: dim, right: dim + 1 };
    assert_eq!(engine.bind_slices(&mut short, x, y).unwrap_err(), mismatch);
    assert_eq!(engine.bundle_slices(&mut short, x, y).unwrap_err(), mismatch);
    assert_eq!(engine.bundle_n_slices(&mut short, &[x]).unwrap_err(), mismatch);
    let mismatch = Error::DimensionMismatch { left: dim + 1, right: dim };
    assert_eq!(engine.permute_slices(&mut short, x, 1).unwrap_err(), mismatch);
}

fn check_engine(engine: &JitEngine) {
    for dim in dims() {
        for (a, b) in pairs(dim) {
            check_layout::<DenseVector>(engine, &a, &b);
            check_layout::<BitVector>(engine, &a, &b);
            check_slices(engine, &a, &b);
        }
    }
}

#[test]
fn slices_of_other_dimensions_and_no_vectors_are_errors() {
    let engine = JitEngine::new();
    let (a, b) = (DenseVector::random(10, 1).unwrap(), DenseVector::random(11, 1).unwrap());
    let (x, y) = (DenseSlice::from(&a), DenseSlice::from(&b));
    let mismatch = Error::DimensionMismatch { left: 10, right: 11 };
    assert_eq!(engine.dot_slices(x, y).unwrap_err(), mismatch);
    assert_eq!(engine.hamming_slices(x, y).unwrap_err(), mismatch);
    assert_eq!(engine.cosine_slices(x, y).unwrap_err(), mismatch);
    assert_eq!(engine.bind_slices(&mut [0; 10], x, y).unwrap_err(), mismatch);
    assert_eq!(engine.bundle_n_slices(&mut [0; 10], &[x, y]).unwrap_err(), mismatch);
    assert_eq!(engine.bundle_n_slices(&mut [0; 10], &[]).unwrap_err(), Error::EmptyBundle);
}

#[test]
fn jit_engine_matches_reference() {
    check_engine(&JitEngine::new());
}

#[test]
fn portable_engine_matches_reference() {
    let engine = JitEngine::portable();
    check_engine(&engine);
    let stats = engine.stats();
    assert_eq!(stats.jit_hits + stats.jit_misses, 0);
    assert_eq!(stats.portable_ops, stats.total_ops);
    assert!(stats.tier.is_none());
}

#[test]
fn max_dim_once() {
    let engine = JitEngine::new();
    let a = BitVector::random(trinity_runtime::MAX_DIM, 1).unwrap();
    let b = BitVector::random(trinity_runtime::MAX_DIM, 2).unwrap();
    assert_eq!(engine.dot(&a, &b).unwrap(), reference::dot(&a, &b).unwrap());
    let ones = DenseVector::from_slice(&vec![-1; trinity_runtime::MAX_DIM]).unwrap();
    assert_eq!(engine.dot(&ones, &ones).unwrap(), trinity_runtime::MAX_DIM as i64);
}

#[test]
fn errors_are_typed() {
    let engine = JitEngine::new();
    let a = DenseVector::random(100, 1).unwrap();
    let b = DenseVector::random(101, 1).unwrap();
    assert_eq!(engine.dot(&a, &b).unwrap_err(), Error::DimensionMismatch { left: 100, right: 101 });
    assert_eq!(
        engine.bind(&a, &b).unwrap_err(),
        Error::DimensionMismatch { left: 100, right: 101 }
    );
    let mut out = DenseVector::zeros(101).unwrap();
    assert_eq!(
        engine.permute_into(&mut out, &a, 3).unwrap_err(),
        Error::DimensionMismatch { left: 101, right: 100 }
    );
    assert_eq!(engine.bundle_n::<DenseVector>(&[]).unwrap_err(), Error::EmptyBundle);
    assert_eq!(
        engine.bundle_n(&[&a, &b]).unwrap_err(),
        Error::DimensionMismatch { left: 100, right: 101 }
    );
    // Extreme shifts reduce mod D without overflow.
    assert_eq!(engine.permute(&a, i64::MIN).unwrap().as_slice(), reference::permute(&a, i64::MIN));
    assert_eq!(
        engine.inverse_permute(&a, i64::MIN).unwrap().as_slice(),
        reference::inverse_permute(&a, i64::MIN)
    );
}

#[test]
fn distinct_shifts_share_one_permute_kernel() {
    let engine = JitEngine::new();
    let v = DenseVector::random(10_000, 5).unwrap();
    let w = BitVector::from(&v);
    for k in (0..5_000).map(|i| i * 7 - 11_000) {
        let want = DenseVector::from_slice(&reference::permute(&v, k)).unwrap();
        assert_eq!(engine.permute(&v, k).unwrap(), want, "k {k}");
        assert_eq!(
            BitVector::from(&engine.permute(&v, k).unwrap()),
            engine.permute(&w, k).unwrap()
        );
    }
    let stats = engine.stats();
    assert_eq!(stats.total_ops, 15_000);
    if stats.backend == trinity_runtime::exec::Backend::Jit && stats.tier.is_some() {
        // One kernel per layout at D = 10000, whatever the shift.
        assert_eq!((stats.jit_misses, stats.cache_size), (2, 2));
        assert!(stats.code_bytes < 16 * 1024, "{} bytes of code", stats.code_bytes);
    }
}

#[test]
fn stats_count_as_documented() {
    let engine = JitEngine::new();
    let a = BitVector::random(1000, 1).unwrap();
    let b = BitVector::random(1000, 2).unwrap();
    for _ in 0..5 {
        engine.dot(&a, &b).unwrap();
    }
    engine.permute(&a, 3).unwrap();
    engine.permute(&a, 517).unwrap(); // one permute kernel serves every shift
    engine.bundle_n(&[&a, &b, &a]).unwrap();
    engine.bundle_n(&[&a, &b]).unwrap(); // same kernel, any n
    let stats = engine.stats();
    assert_eq!(stats.total_ops, 9);
    if stats.tier.is_some() {
        // Three keys: (dot, bits, 1000), the bitsliced run-time-shift permute at 1000 and the
        // bitsliced bundle_n at 1000; each compiled once.
        assert_eq!(stats.jit_misses, 3);
        assert_eq!(stats.jit_hits, 6);
        assert_eq!(stats.cache_size, 3);
        assert!((stats.hit_rate() - 6.0 / 9.0).abs() < 1e-12);
        assert_eq!(stats.portable_ops, 0, "every cell has a kernel on this tier");
        assert!(stats.code_bytes > 0 && stats.compile_time > std::time::Duration::ZERO);
    } else {
        assert_eq!(stats.portable_ops, 9);
        assert_eq!(stats.cache_size, 0);
    }
}

#[test]
fn concurrent_first_calls_compile_once() {
    let engine = Arc::new(JitEngine::new());
    let a = Arc::new(DenseVector::random(4096, 1).unwrap());
    let b = Arc::new(DenseVector::random(4096, 2).unwrap());
    let expected = reference::dot(&*a, &*b).unwrap();
    let barrier = Arc::new(std::sync::Barrier::new(16));
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let (engine, a, b, barrier) = (engine.clone(), a.clone(), b.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                engine.dot(&*a, &*b).unwrap()
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), expected);
    }
    let stats = engine.stats();
    if stats.tier.is_some() {
        assert_eq!(stats.jit_misses, 1, "one compile for one key");
        assert_eq!(stats.jit_hits, 15);
    }
}

#[test]
fn engine_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<JitEngine>();
    let global = JitEngine::global();
    assert!(std::ptr::eq(global, JitEngine::global()));
}

/// Set in the child process that runs under `qemu-x86_64 -cpu Westmere`.
const QEMU_CHILD: &str = "TRINITY_TEST_QEMU_CHILD";

#[cfg(target_arch = "x86_64")]
#[test]
fn cpu_without_avx2_takes_the_portable_path() {
    if std::env::var_os(QEMU_CHILD).is_some() {
        // The child: a Westmere CPU has SSE4.2 and POPCNT but no AVX or AVX2.
        let engine = JitEngine::new();
        assert_eq!(engine.tier(), None, "no tier may be detected on Westmere");
        for dim in [1, 63, 64, 65, 1000] {
            for (a, b) in pairs(dim) {
                check_layout::<DenseVector>(&engine, &a, &b);
                check_layout::<BitVector>(&engine, &a, &b);
            }
        }
        let stats = engine.stats();
        assert_eq!(stats.portable_ops, stats.total_ops);
        println!("westmere child: {} ops on the portable path", stats.total_ops);
        return;
    }
    let why = "the non-AVX2 path on an emulated CPU (package qemu-user)";
    let Some(qemu) = trinity_testkit::tools::require_tool(&["qemu-x86_64"], why) else { return };
    let me = std::env::current_exe().expect("test binary path");
    let out = std::process::Command::new(qemu)
        .args(["-cpu", "Westmere"])
        .arg(me)
        .args([
            "--exact",
            "cpu_without_avx2_takes_the_portable_path",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(QEMU_CHILD, "1")
        .output()
        .expect("qemu-x86_64 runs");
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the Westmere run failed:\n{text}");
    assert!(text.contains("westmere child:") && text.contains("1 passed"), "{text}");
}
