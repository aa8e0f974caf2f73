//! `JitEngine::table`: every op through a kernel table against the reference, in both
//! layouts, at boundary dimensions; what it compiles and what it hands back to the engine.

use trinity_runtime::reference::{self, Trits};
use trinity_runtime::Vector;
use trinity_runtime::{BitVector, DenseVector, Error, JitEngine, KernelTable};

fn check<V: Vector + PartialEq + std::fmt::Debug>(
    table: &KernelTable,
    a: &V,
    b: &V,
    shifts: &[i64],
) {
    assert_eq!(table.dot(a, b).unwrap(), reference::dot(a, b).unwrap());
    assert_eq!(table.hamming(a, b).unwrap(), reference::hamming(a, b).unwrap());
    let (got, want) = (table.cosine(a, b).unwrap(), reference::cosine(a, b).unwrap());
    assert_eq!(got.to_bits(), want.to_bits());
    assert_eq!(table.bind(a, b).unwrap().to_trits(), reference::bind(a, b).unwrap());
    assert_eq!(table.bundle(a, b).unwrap().to_trits(), reference::bundle(a, b).unwrap());
    let mut out = b.clone();
    table.bind_into(&mut out, a, b).unwrap();
    assert_eq!(out.to_trits(), reference::bind(a, b).unwrap());
    table.bundle_into(&mut out, b, a).unwrap();
    assert_eq!(out.to_trits(), reference::bundle(b, a).unwrap());
    for &k in shifts {
        assert_eq!(table.permute(a, k).unwrap().to_trits(), reference::permute(a, k), "k = {k}");
        assert_eq!(&table.inverse_permute(&table.permute(a, k).unwrap(), k).unwrap(), a);
    }
}

fn inputs(dim: usize) -> Vec<(DenseVector, DenseVector)> {
    let all = |t: i8| DenseVector::from_slice(&vec![t; dim]).unwrap();
    vec![
        (DenseVector::random(dim, 1).unwrap(), DenseVector::random(dim, 2).unwrap()),
        (all(-1), all(-1)),
        (all(1), all(-1)),
        (all(0), all(1)),
    ]
}

#[test]
fn tables_match_the_reference() {
    for engine in [JitEngine::new(), JitEngine::portable()] {
        for dim in [1, 2, 63, 64, 65, 127, 129, 1000, 1025, 10000] {
            let table = engine.table(dim, &[1, -1]).unwrap();
            for (a, b) in inputs(dim) {
                check(&table, &a, &b, &[1, -1, 0, 5]);
                check(&table, &BitVector::from(&a), &BitVector::from(&b), &[1, -1, 0, 5]);
            }
        }
    }
}

#[test]
fn a_table_compiles_its_kernels_once_and_hands_back_the_rest() {
    let engine = JitEngine::new();
    let table = engine.table(1000, &[3, 1003, -1]).unwrap();
    let a = BitVector::random(1000, 1).unwrap();
    let stats = engine.stats();
    if engine.tier().is_none() {
        eprintln!("NOTE: no tier here: the table is empty and the engine serves every call");
        assert!(table.is_empty());
        table.dot(&a, &a).unwrap();
        assert_eq!(table.stats().fallback_ops, 1);
        return;
    }
    // 5 ops and the shifts 3 and 999 (1003 is 3 again), in both layouts.
    assert_eq!(table.len(), 14);
    // It compiled 14 kernels and made no op call.
    assert_eq!((stats.cache_size, stats.total_ops), (14, 0));
    assert!(stats.code_bytes > 0);
    assert_eq!(table.tier(), engine.tier());
    // A second table for the same dimension compiles nothing.
    let again = engine.table(1000, &[3]).unwrap();
    let after = engine.stats();
    assert_eq!((again.len(), after.cache_size, after.code_bytes), (12, 14, stats.code_bytes));
    for k in [3, 1003, -1, 999] {
        assert_eq!(table.permute(&a, k).unwrap().to_trits(), reference::permute(&a, k));
    }
    assert_eq!(table.stats().fallback_ops, 0);
    table.permute(&a, 2).unwrap();
    assert_eq!(table.stats().fallback_ops, 1, "shift 2 is not in the table");
    let after = engine.stats();
    assert_eq!((after.jit_misses, after.cache_size), (1, 15), "the engine compiled it");
}

#[test]
fn table_errors_are_typed() {
    let engine = JitEngine::new();
    assert_eq!(engine.table(0, &[]).unwrap_err(), Error::ZeroDimension);
    let too_big = trinity_runtime::MAX_DIM + 1;
    assert_eq!(engine.table(too_big, &[]).unwrap_err(), Error::DimensionTooLarge { dim: too_big });
    let table = engine.table(100, &[]).unwrap();
    let (a, b) = (DenseVector::random(100, 1).unwrap(), DenseVector::random(99, 1).unwrap());
    assert_eq!(table.dot(&a, &b), Err(Error::DimensionMismatch { left: 100, right: 99 }));
    let mut out = DenseVector::zeros(99).unwrap();
    assert_eq!(
        table.bind_into(&mut out, &a, &a),
        Err(Error::DimensionMismatch { left: 100, right: 99 })
    );
    assert_eq!(table.bundle_n::<DenseVector>(&[]), Err(Error::EmptyBundle));
}
