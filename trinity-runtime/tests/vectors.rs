//! Vector construction, checks and conversions.

use trinity_runtime::{BitVector, DenseVector, Error, MAX_DIM};

#[test]
fn bad_trits_are_named() {
    let err = DenseVector::from_slice(&[0, 1, -1, 5, 0]).unwrap_err();
    assert_eq!(err, Error::InvalidTrit { value: 5, index: 3 });
    assert!(err.to_string().contains('5') && err.to_string().contains('3'));
    assert_eq!(
        DenseVector::from_slice(&[-2]).unwrap_err(),
        Error::InvalidTrit { value: -2, index: 0 }
    );
}

#[test]
fn dimensions_are_checked() {
    assert_eq!(DenseVector::from_slice(&[]).unwrap_err(), Error::ZeroDimension);
    assert_eq!(DenseVector::zeros(0).unwrap_err(), Error::ZeroDimension);
    assert_eq!(
        BitVector::zeros(MAX_DIM + 1).unwrap_err(),
        Error::DimensionTooLarge { dim: MAX_DIM + 1 }
    );
    assert_eq!(
        DenseVector::random(MAX_DIM + 1, 0).unwrap_err(),
        Error::DimensionTooLarge { dim: MAX_DIM + 1 }
    );
    assert_eq!(BitVector::zeros(MAX_DIM).unwrap().words().len(), 2 * MAX_DIM / 64);
}

#[test]
fn planes_are_checked() {
    assert_eq!(
        BitVector::from_planes(70, &[0], &[0]).unwrap_err(),
        Error::WrongWordCount { dim: 70, expected: 2, actual: 1 }
    );
    assert_eq!(
        BitVector::from_planes(70, &[1 << 9, 0], &[1 << 9, 0]).unwrap_err(),
        Error::BothPlanes { index: 9 }
    );
    assert_eq!(
        BitVector::from_planes(70, &[0, 1 << 6], &[0, 0]).unwrap_err(),
        Error::PaddingBitSet { index: 70, dim: 70 }
    );
    let v = BitVector::from_planes(70, &[1, 1 << 5], &[2, 0]).unwrap();
    assert_eq!(
        (v.get(0), v.get(1), v.get(2), v.get(69), v.get(70)),
        (Some(1), Some(-1), Some(0), Some(1), None)
    );
}

#[test]
fn conversions_round_trip_at_every_small_dimension() {
    for dim in (1..=200).chain([1023, 1024, 1025, 10000]) {
        let dense = DenseVector::random(dim, dim as u64).unwrap();
        let bits = BitVector::from(&dense);
        assert_eq!(bits.dim(), dim);
        for i in 0..dim {
            assert_eq!(bits.get(i), dense.get(i));
        }
        // Padding stays zero and planes stay disjoint: from_planes re-checks both.
        let rebuilt = BitVector::from_planes(dim, bits.plus(), bits.minus()).unwrap();
        assert_eq!(rebuilt, bits);
        assert_eq!(DenseVector::from(&bits), dense);
    }
}

#[test]
fn debug_is_a_summary() {
    let v = DenseVector::zeros(10_000).unwrap();
    let text = format!("{v:?}");
    assert!(text.len() < 100 && text.contains("dim: 10000"), "{text}");
    let text = format!("{:?}", BitVector::from(&DenseVector::from_slice(&[1, -1]).unwrap()));
    assert_eq!(text, "BitVector { dim: 2, trits: [1, -1] }");
}

/// The block-wise trit check finds the first bad byte wherever it lies: in the first or a later
/// block of 256, at a block's edges, in a short tail, with another bad byte after it.
#[test]
fn invalid_trits_are_found_at_every_position() {
    use trinity_runtime::DenseSlice;
    for len in [1, 2, 255, 256, 257, 511, 512, 513, 1000, 10000] {
        let good = DenseVector::random(len, len as u64).unwrap().into_vec();
        assert!(DenseSlice::new(&good).is_ok());
        let mut positions = vec![0, len / 2, len - 1];
        positions.extend([255, 256, 257, 511, 512].into_iter().filter(|&i| i < len));
        for &index in &positions {
            for value in [2i8, -2, 127, -128, 64] {
                let mut bad = good.clone();
                bad[index] = value;
                if index + 1 < len {
                    bad[len - 1] = 5; // a later bad byte is not the one named
                }
                let want = Error::InvalidTrit { value, index };
                assert_eq!(DenseSlice::new(&bad).unwrap_err(), want, "len {len}");
                assert_eq!(DenseVector::new(bad).unwrap_err(), want, "len {len}");
            }
        }
    }
}

/// Every way a vector comes to be, from the constructors to the engine's and the reference's
/// results, leaves its elements on a `VECTOR_ALIGN` boundary, at every small dimension (the
/// allocator hands out 16-byte-aligned blocks, so an unaligned one would show up in a few).
#[test]
fn elements_are_aligned_however_a_vector_is_made() {
    use trinity_runtime::{JitEngine, Trits, VECTOR_ALIGN};
    let aligned = |p: *const u8, what: &str, dim: usize| {
        assert_eq!(p as usize % VECTOR_ALIGN, 0, "{what} at D = {dim}");
    };
    let engine = JitEngine::new();
    for dim in 1..=200 {
        let a = DenseVector::random(dim, 1).unwrap();
        let b = DenseVector::random(dim, 2).unwrap();
        let dense = [
            ("random", a.clone()),
            ("new", DenseVector::new(a.to_trits()).unwrap()),
            ("from_slice", DenseVector::from_slice(a.as_slice()).unwrap()),
            ("zeros", DenseVector::zeros(dim).unwrap()),
            ("clone", a.clone()),
            ("from bits", DenseVector::from(&BitVector::from(&a))),
            ("engine bind", engine.bind(&a, &b).unwrap()),
            ("engine bundle_n", engine.bundle_n(&[&a, &b, &a]).unwrap()),
            ("engine permute", engine.permute(&a, 3).unwrap()),
        ];
        for (what, v) in &dense {
            aligned(v.as_slice().as_ptr().cast(), what, dim);
        }
        let (x, y) = (BitVector::from(&a), BitVector::from(&b));
        let bits = [
            ("random", BitVector::random(dim, 1).unwrap()),
            ("zeros", BitVector::zeros(dim).unwrap()),
            ("from_planes", BitVector::from_planes(dim, x.plus(), x.minus()).unwrap()),
            ("clone", x.clone()),
            ("engine bind", engine.bind(&x, &y).unwrap()),
            ("engine bundle", engine.bundle(&x, &y).unwrap()),
            ("engine bundle_n", engine.bundle_n(&[&x, &y, &x]).unwrap()),
        ];
        for (what, v) in &bits {
            aligned(v.words().as_ptr().cast(), what, dim);
        }
    }
}
