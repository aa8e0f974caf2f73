//! `encode`: the bundler against the reference's bundle_n, the encoders against plain
//! compositions of reference ops, reproducibility, and the typed errors.

use trinity_runtime::encode::{
    ngram, record, sequence, symbol_seed, Bundler, Codebook, EncodeError, Levels,
};
use trinity_runtime::reference;
use trinity_runtime::{BitVector, DenseVector, Error, JitEngine, Vector};

const DIMS: [usize; 5] = [1, 63, 64, 65, 1000];

fn dense(trits: Vec<i8>) -> DenseVector {
    DenseVector::new(trits).unwrap()
}

/// `count` random vectors of dimension `dim` in layout `V`.
fn randoms<V: Vector>(dim: usize, count: usize, seed: u64) -> Vec<V> {
    let book = Codebook::<V>::new(dim, count, seed).unwrap();
    (0..count).map(|i| book.get(i).unwrap().clone()).collect()
}

fn check_bundler<V: Vector>() {
    for dim in DIMS {
        for n in 1..=4 {
            let vs: Vec<V> = randoms(dim, n, 100 + n as u64);
            let refs: Vec<&V> = vs.iter().collect();
            let want = reference::bundle_n(&refs).unwrap();

            let mut one = Bundler::new(dim).unwrap();
            for v in &vs {
                one.add(v).unwrap();
            }
            let mut all = Bundler::new(dim).unwrap();
            all.add_all(&refs).unwrap();
            assert_eq!(one, all, "dim {dim} n {n}");
            assert_eq!(one.count(), n);

            let d = one.finish_dense().unwrap();
            let b = one.finish_bits().unwrap();
            assert_eq!(d.as_slice(), want, "dim {dim} n {n}");
            assert_eq!(b, BitVector::from(&d), "dim {dim} n {n}");
            assert_eq!(one.finish::<V>().unwrap().to_trits(), want);
            for (i, &sum) in one.sums().iter().enumerate() {
                let s: i32 = vs.iter().map(|v| i32::from(v.trit(i))).sum();
                assert_eq!(sum, s, "dim {dim} n {n} position {i}");
            }
            if dim == 1000 && n % 2 == 0 {
                // Even n: some positions tie with nonzero trits, and the bundle is 0 there.
                let ties = (0..dim)
                    .filter(|&i| one.sums()[i] == 0 && vs.iter().any(|v| v.trit(i) != 0))
                    .count();
                assert!(ties > 50, "only {ties} ties at n {n}");
            }
        }
    }
}

#[test]
fn bundler_matches_reference_bundle_n_dense() {
    check_bundler::<DenseVector>();
}

#[test]
fn bundler_matches_reference_bundle_n_bits() {
    check_bundler::<BitVector>();
}

#[test]
fn bundler_ties_give_zero() {
    let a = dense(vec![1, -1, 1, 0]);
    let b = dense(vec![-1, 1, 1, 0]);
    let mut bundler = Bundler::new(4).unwrap();
    bundler.add_all(&[&a, &b]).unwrap();
    assert_eq!(bundler.finish_dense().unwrap().as_slice(), &[0, 0, 1, 0]);
    bundler.add(&BitVector::from(&a)).unwrap();
    assert_eq!(bundler.finish_dense().unwrap().as_slice(), &[1, -1, 1, 0]);
}

#[test]
fn bundler_mixes_layouts() {
    let vs: Vec<DenseVector> = randoms(65, 3, 5);
    let mut mixed = Bundler::new(65).unwrap();
    mixed.add(&vs[0]).unwrap();
    mixed.add(&BitVector::from(&vs[1])).unwrap();
    mixed.add(&vs[2]).unwrap();
    let want = reference::bundle_n(&[&vs[0], &vs[1], &vs[2]]).unwrap();
    assert_eq!(mixed.finish_dense().unwrap().as_slice(), want);
}

#[test]
fn merge_equals_adding_everything_to_one() {
    for dim in DIMS {
        let vs: Vec<BitVector> = randoms(dim, 7, 9);
        let mut parts =
            [Bundler::new(dim).unwrap(), Bundler::new(dim).unwrap(), Bundler::new(dim).unwrap()];
        for (i, v) in vs.iter().enumerate() {
            parts[i % 3].add(v).unwrap();
        }
        let mut whole = Bundler::new(dim).unwrap();
        whole.add_all(&vs.iter().collect::<Vec<_>>()).unwrap();
        let [mut first, second, third] = parts;
        first.merge(&second).unwrap();
        first.merge(&third).unwrap();
        first.merge(&Bundler::new(dim).unwrap()).unwrap();
        assert_eq!(first.count(), 7);
        assert_eq!(first, whole, "dim {dim}");
        assert_eq!(first.finish_bits().unwrap(), whole.finish_bits().unwrap());
    }
}

#[test]
fn bundler_errors_leave_it_unchanged() {
    let mut bundler = Bundler::new(64).unwrap();
    let good = DenseVector::random(64, 1).unwrap();
    let bad = DenseVector::random(65, 1).unwrap();
    bundler.add(&good).unwrap();
    let before = bundler.clone();
    assert_eq!(bundler.add(&bad).unwrap_err(), Error::DimensionMismatch { left: 64, right: 65 });
    assert_eq!(
        bundler.add_all(&[&good, &bad]).unwrap_err(),
        Error::DimensionMismatch { left: 64, right: 65 }
    );
    assert_eq!(
        bundler.merge(&Bundler::new(63).unwrap()).unwrap_err(),
        Error::DimensionMismatch { left: 64, right: 63 }
    );
    assert_eq!(bundler, before);
    assert_eq!(bundler.count(), 1);
}

#[test]
fn empty_bundler_is_a_typed_error() {
    let bundler = Bundler::new(10).unwrap();
    assert_eq!(bundler.finish_dense().unwrap_err(), Error::EmptyBundle);
    assert_eq!(bundler.finish_bits().unwrap_err(), Error::EmptyBundle);
    let mut empty = Bundler::new(10).unwrap();
    empty.merge(&bundler).unwrap();
    assert!(empty.is_empty());
    assert_eq!(Bundler::new(0).unwrap_err(), Error::ZeroDimension);
    // Adding no vectors is fine and adds nothing.
    empty.add_all::<DenseVector>(&[]).unwrap();
    assert_eq!(empty.finish_dense().unwrap_err(), Error::EmptyBundle);
}

#[test]
fn codebook_is_seeded_and_layout_independent() {
    for dim in DIMS {
        let d = Codebook::<DenseVector>::new(dim, 5, 77).unwrap();
        let b = Codebook::<BitVector>::new(dim, 5, 77).unwrap();
        let again = Codebook::<DenseVector>::new(dim, 5, 77).unwrap();
        for i in (0..5).rev() {
            let want = DenseVector::random(dim, symbol_seed(77, i)).unwrap();
            assert_eq!(d.get(i).unwrap(), &want);
            assert_eq!(again.get(i).unwrap(), &want);
            assert_eq!(b.get(i).unwrap(), &BitVector::random(dim, symbol_seed(77, i)).unwrap());
        }
    }
    let a = Codebook::<DenseVector>::new(1000, 3, 1).unwrap();
    let other = Codebook::<DenseVector>::new(1000, 3, 2).unwrap();
    for i in 0..3 {
        for j in 0..3 {
            assert_ne!(a.get(i).unwrap(), other.get(j).unwrap());
            if i != j {
                assert_ne!(a.get(i).unwrap(), a.get(j).unwrap());
            }
        }
    }
}

#[test]
fn codebook_errors() {
    let book = Codebook::<BitVector>::new(100, 3, 0).unwrap();
    assert_eq!(
        book.get(3).unwrap_err(),
        Error::Encode(EncodeError::UnknownSymbol { symbol: 3, size: 3 })
    );
    assert_eq!(
        book.get(usize::MAX).unwrap_err().to_string(),
        format!("encode: unknown symbol {}: the codebook has symbols 0..3", usize::MAX)
    );
    assert_eq!(
        Codebook::<BitVector>::new(100, 0, 0).unwrap_err(),
        Error::Encode(EncodeError::EmptyCodebook)
    );
    assert_eq!(Codebook::<BitVector>::new(0, 3, 0).unwrap_err(), Error::ZeroDimension);
    assert_eq!(
        Codebook::<BitVector>::new(100, usize::MAX / 2, 0).unwrap_err(),
        Error::Encode(EncodeError::CodebookTooLarge { size: usize::MAX / 2 })
    );
}

/// The n-gram by hand: bind over j of permute(item(window[j]), j), all reference ops.
fn plain_ngram<V: Vector>(book: &Codebook<V>, window: &[usize]) -> DenseVector {
    let mut acc = book.get(window[0]).unwrap().to_trits();
    for (j, &s) in window.iter().enumerate().skip(1) {
        let rotated = dense(reference::permute(book.get(s).unwrap(), j as i64));
        acc = reference::bind(&dense(acc), &rotated).unwrap();
    }
    dense(acc)
}

fn check_encoders<V: Vector>() {
    let engine = JitEngine::global();
    for dim in DIMS {
        let book = Codebook::<V>::new(dim, 6, 31).unwrap();
        let symbols = [0, 3, 1, 5, 5, 2, 0, 4, 3];
        for n in 1..=4 {
            let window = &symbols[..n];
            let got = ngram(engine, &book, window).unwrap();
            assert_eq!(got.to_trits(), plain_ngram(&book, window).as_slice(), "dim {dim} n {n}");

            let grams: Vec<DenseVector> =
                symbols.windows(n).map(|w| plain_ngram(&book, w)).collect();
            let want = reference::bundle_n(&grams.iter().collect::<Vec<_>>()).unwrap();
            let got = sequence(engine, &book, &symbols, n).unwrap();
            assert_eq!(got.to_trits(), want, "dim {dim} n {n}");
            assert_eq!(got.to_trits(), sequence(engine, &book, &symbols, n).unwrap().to_trits());
        }

        let values = Codebook::<V>::new(dim, 4, 32).unwrap();
        let pairs: Vec<(&V, &V)> =
            (0..4).map(|i| (book.get(i).unwrap(), values.get(3 - i).unwrap())).collect();
        let bound: Vec<DenseVector> =
            pairs.iter().map(|(k, v)| dense(reference::bind(*k, *v).unwrap())).collect();
        let want = reference::bundle_n(&bound.iter().collect::<Vec<_>>()).unwrap();
        assert_eq!(record(engine, &pairs).unwrap().to_trits(), want, "dim {dim}");
    }
}

/// Sequences on both sides of the 4096 windows the n-way bundle kernel takes at once (past
/// them the windows are counted in a `Bundler`): the same bundle as the reference's.
fn check_long_sequences<V: Vector>() {
    let engine = JitEngine::global();
    let book = Codebook::<V>::new(300, 7, 5).unwrap();
    for len in [4097, 4098, 5000] {
        let symbols: Vec<usize> = (0..len).map(|i| (i * i + 3 * i) % 7).collect();
        let grams: Vec<DenseVector> = symbols.windows(2).map(|w| plain_ngram(&book, w)).collect();
        let want = reference::bundle_n(&grams.iter().collect::<Vec<_>>()).unwrap();
        let got = sequence(engine, &book, &symbols, 2).unwrap();
        assert_eq!(got.to_trits(), want, "{len} symbols");
    }
}

#[test]
fn long_sequences_match_reference_dense() {
    check_long_sequences::<DenseVector>();
}

#[test]
fn long_sequences_match_reference_bits() {
    check_long_sequences::<BitVector>();
}

#[test]
fn encoders_match_plain_reference_compositions_dense() {
    check_encoders::<DenseVector>();
}

#[test]
fn encoders_match_plain_reference_compositions_bits() {
    check_encoders::<BitVector>();
}

#[test]
fn encoders_agree_across_layouts() {
    let engine = JitEngine::global();
    let d = Codebook::<DenseVector>::new(1000, 5, 8).unwrap();
    let b = Codebook::<BitVector>::new(1000, 5, 8).unwrap();
    let symbols = [4, 0, 1, 1, 3, 2];
    assert_eq!(
        BitVector::from(&sequence(engine, &d, &symbols, 3).unwrap()),
        sequence(engine, &b, &symbols, 3).unwrap()
    );
}

#[test]
fn ngram_depends_on_order() {
    let engine = JitEngine::global();
    let book = Codebook::<BitVector>::new(10_000, 3, 4).unwrap();
    let abc = ngram(engine, &book, &[0, 1, 2]).unwrap();
    let cba = ngram(engine, &book, &[2, 1, 0]).unwrap();
    assert!(engine.cosine(&abc, &cba).unwrap().abs() < 0.1);
}

#[test]
fn encoder_errors() {
    let engine = JitEngine::global();
    let book = Codebook::<DenseVector>::new(100, 3, 0).unwrap();
    let zero_n = Error::Encode(EncodeError::ZeroN);
    assert_eq!(ngram(engine, &book, &[]).unwrap_err(), zero_n);
    assert_eq!(sequence(engine, &book, &[0, 1], 0).unwrap_err(), zero_n);
    assert_eq!(sequence(engine, &book, &[], 0).unwrap_err(), zero_n);
    assert_eq!(
        sequence(engine, &book, &[], 1).unwrap_err(),
        Error::Encode(EncodeError::SequenceTooShort { len: 0, n: 1 })
    );
    let unknown = Error::Encode(EncodeError::UnknownSymbol { symbol: 7, size: 3 });
    assert_eq!(ngram(engine, &book, &[0, 7]).unwrap_err(), unknown);
    assert_eq!(sequence(engine, &book, &[0, 1, 2, 7], 2).unwrap_err(), unknown);
    assert_eq!(
        record::<DenseVector>(engine, &[]).unwrap_err(),
        Error::Encode(EncodeError::EmptyRecord)
    );
    let (short, long) = (DenseVector::random(10, 1).unwrap(), DenseVector::random(11, 1).unwrap());
    assert_eq!(
        record(engine, &[(&long, &long), (&short, &short)]).unwrap_err(),
        Error::DimensionMismatch { left: 11, right: 10 }
    );
    assert_eq!(
        record(engine, &[(&long, &short)]).unwrap_err(),
        Error::DimensionMismatch { left: 11, right: 10 }
    );
}

#[test]
fn levels_similarity_falls_with_distance() {
    let engine = JitEngine::global();
    let count = 10;
    let levels = Levels::<BitVector>::new(10_000, count, 12).unwrap();
    for a in 0..count {
        let mut last = 1.0f64;
        for b in a + 1..count {
            let cos = engine.cosine(levels.get(a).unwrap(), levels.get(b).unwrap()).unwrap();
            assert!(cos < last, "levels {a} and {b}: cosine {cos} not below {last}");
            let expected = 1.0 - (b - a) as f64 / (count - 1) as f64;
            assert!(
                (cos - expected).abs() < 0.05,
                "levels {a} and {b}: cosine {cos}, expected ~{expected}"
            );
            last = cos;
        }
    }
    let ends = engine.cosine(levels.get(0).unwrap(), levels.get(count - 1).unwrap()).unwrap();
    assert!(ends.abs() < 0.1, "first and last: cosine {ends}");
    // Each step negates at most ceil(D / (2 (count - 1))) positions, half of D in all.
    for k in 1..count {
        let changed =
            reference::hamming(levels.get(k - 1).unwrap(), levels.get(k).unwrap()).unwrap();
        assert!(changed <= 556, "step {k} changed {changed}");
    }
    let total = reference::hamming(levels.get(0).unwrap(), levels.get(count - 1).unwrap()).unwrap();
    assert!(total <= 5000 && total > 3000, "first to last changed {total}");
}

#[test]
fn levels_are_reproducible_and_layout_independent() {
    for dim in DIMS {
        let count = if dim == 1 { 2 } else { 5 };
        let d = Levels::<DenseVector>::new(dim, count, 3).unwrap();
        let b = Levels::<BitVector>::new(dim, count, 3).unwrap();
        assert_eq!(d, Levels::<DenseVector>::new(dim, count, 3).unwrap());
        assert_eq!((d.count(), d.dim()), (count, dim));
        assert_eq!(d.get(0).unwrap(), &DenseVector::random(dim, symbol_seed(3, 0)).unwrap());
        for k in 0..count {
            assert_eq!(&BitVector::from(d.get(k).unwrap()), b.get(k).unwrap());
        }
    }
    let other = Levels::<DenseVector>::new(1000, 5, 4).unwrap();
    assert_ne!(other, Levels::<DenseVector>::new(1000, 5, 3).unwrap());
}

#[test]
fn levels_errors() {
    let levels = Levels::<DenseVector>::new(100, 3, 0).unwrap();
    assert_eq!(
        levels.get(3).unwrap_err(),
        Error::Encode(EncodeError::LevelOutOfRange { level: 3, count: 3 })
    );
    assert_eq!(
        levels.get(3).unwrap_err().to_string(),
        "encode: level 3 out of range: the levels are 0..3"
    );
    for count in [0, 1] {
        assert_eq!(
            Levels::<DenseVector>::new(100, count, 0).unwrap_err(),
            Error::Encode(EncodeError::TooFewLevels { count })
        );
    }
    assert_eq!(Levels::<DenseVector>::new(0, 3, 0).unwrap_err(), Error::ZeroDimension);
    // At most max(1, D/2) steps, each negating one position or more.
    assert!(Levels::<BitVector>::new(10, 6, 0).is_ok());
    let too_many = Levels::<BitVector>::new(10, 7, 0).unwrap_err();
    assert_eq!(too_many, Error::Encode(EncodeError::TooManyLevels { count: 7, dim: 10 }));
    assert_eq!(
        too_many.to_string(),
        "encode: 7 levels for dimension 10: at most 6 (one position negated per step)"
    );
    let one = Levels::<BitVector>::new(1, 2, 0).unwrap();
    assert_eq!(one.get(0).unwrap(), one.get(1).unwrap());
    assert_eq!(
        Levels::<BitVector>::new(1, 3, 0).unwrap_err().to_string(),
        "encode: 3 levels for dimension 1: at most 2 (one position negated per step)"
    );
    assert_eq!(
        Levels::<DenseVector>::new(100, usize::MAX, 0).unwrap_err(),
        Error::Encode(EncodeError::TooManyLevels { count: usize::MAX, dim: 100 })
    );
}
