//! The code budget (docs/design.md §9.1): 100,000 distinct kernel keys against an engine with
//! a 1 MiB budget. The engine compiles until the budget is spent and then serves every new key
//! in portable Rust: code bytes, cached keys and resident memory stay bounded, and every result
//! equals the reference. Its own test binary, so no other test changes resident memory
//! meanwhile.
#![cfg(target_os = "linux")]

use trinity_emit::kernels::{scan::ScanMetric, Layout};
use trinity_runtime::exec::Backend;
use trinity_runtime::{reference, BitVector, DenseVector, EngineConfig, JitEngine, Vector};

const BUDGET: usize = 1 << 20;
const REQUESTS: u64 = 100_000;

fn page_size() -> usize {
    // SAFETY: sysconf reads a system constant; it has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(page).expect("a page size")
}

/// Resident bytes of this process (the second field of /proc/self/statm, in pages).
fn resident_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * page_size()
}

/// Every op on `V`'s layout at the dimension of `a` and `b` (one distinct kernel key each:
/// permute takes one kernel for every shift), checked against the reference; stops after
/// `left` requests. Returns the requests made.
fn requests<V: Vector + PartialEq + std::fmt::Debug>(
    engine: &JitEngine,
    a: &DenseVector,
    b: &DenseVector,
    left: u64,
) -> u64 {
    let (va, vb) = (V::from_dense(a), V::from_dense(b));
    let back = |t: Vec<i8>| V::from_dense(&DenseVector::from_slice(&t).unwrap());
    let mut made = 0;
    // Every request runs; its result is checked while kernels compile and then on a sample
    // (the reference in a debug build is what would make this test slow).
    let mut request = |run: &dyn Fn(bool)| {
        if made < left {
            run(made < 1_000 || made % 61 == 0);
            made += 1;
        }
    };
    macro_rules! op {
        ($run:expr, $want:expr) => {
            request(&|check| {
                let got = $run;
                if check {
                    assert_eq!(got, $want);
                }
            })
        };
    }
    op!(engine.dot(&va, &vb).unwrap(), reference::dot(a, b).unwrap());
    op!(engine.hamming(&va, &vb).unwrap(), reference::hamming(a, b).unwrap());
    op!(engine.cosine(&va, &vb).unwrap().to_bits(), reference::cosine(a, b).unwrap().to_bits());
    op!(engine.bind(&va, &vb).unwrap(), back(reference::bind(a, b).unwrap()));
    op!(engine.bundle(&va, &vb).unwrap(), back(reference::bundle(a, b).unwrap()));
    op!(engine.bundle_n(&[&va, &vb, &vb]).unwrap(), back(reference::bundle_n(&[a, b, b]).unwrap()));
    let k = a.dim() as i64 / 2 + 1;
    op!(engine.permute(&va, k).unwrap(), back(reference::permute(a, k)));
    made
}

#[test]
fn a_hundred_thousand_distinct_keys_stay_within_the_code_budget() {
    let engine = JitEngine::with_config(EngineConfig::default().code_budget(BUDGET));
    let before = resident_bytes();
    let mut made = 0;
    let mut dim = 0;
    while made < REQUESTS {
        dim += 1;
        let a = DenseVector::random(dim, dim as u64).unwrap();
        let b = DenseVector::random(dim, 3 * dim as u64 + 1).unwrap();
        made += requests::<DenseVector>(&engine, &a, &b, REQUESTS - made);
        made += requests::<BitVector>(&engine, &a, &b, REQUESTS - made);
    }
    // Scan kernels share the budget: none is compiled once it is spent.
    let scan = engine.scan_kernel(ScanMetric::Dot, Layout::Bits, 10_000, 4, false);
    let grown = resident_bytes().saturating_sub(before);
    let s = engine.stats();
    println!("{dim} dimensions, resident +{grown} bytes, {s:?}");
    assert_eq!(s.total_ops, REQUESTS, "{s:?}");
    assert!(s.code_bytes as usize <= BUDGET, "{s:?}");
    let page = page_size();
    if s.backend != Backend::Jit || s.tier.is_none() {
        println!("SKIPPED the budget checks: this engine compiles nothing ({:?})", s.backend);
        assert_eq!(s.portable_ops, REQUESTS);
        return;
    }
    // Each kernel takes at least a page, so at most BUDGET / page compile; the key whose
    // kernel the arena refused stays cached as a failure, and no later key enters the cache.
    let compiled = s.jit_misses as usize;
    assert!(compiled > 0 && compiled <= BUDGET / page, "{s:?}");
    assert_eq!(s.cache_size, compiled + 1, "{s:?}");
    assert!(scan.is_none(), "no scan kernel compiles past the budget");
    assert_eq!(s.jit_hits, 0, "every request is a new key");
    assert_eq!(s.over_budget_ops, REQUESTS - s.jit_misses, "{s:?}");
    // Without the budget each of the 100,000 kernels would make a page resident (390 MiB at
    // 4 KiB). With it, growth is the budget's pages plus small heap slack: the cache of a
    // few hundred keys, the vectors of one dimension at a time (a few hundred trits), and
    // what the allocator keeps; 4 MiB covers those many times over.
    let margin = 4 << 20;
    assert!(grown < BUDGET + margin, "resident memory grew {grown} bytes: {s:?}");
}
