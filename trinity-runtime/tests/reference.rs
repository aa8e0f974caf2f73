//! The fast portable code against the plain reference, both layouts, at the dimensions of
//! docs/design.md §7, on seeded random, all -1 and all-zero vectors.

use trinity_runtime::reference::{self, shift_mod};
use trinity_runtime::{portable, BitVector, DenseVector, Error, MAX_DIM};

fn dims() -> Vec<usize> {
    (1..=70)
        .chain([127, 128, 129, 255, 256, 257, 1000, 1023, 1024, 1025, 10000, 59049, 65537])
        .collect()
}

fn cases(dim: usize) -> Vec<(DenseVector, DenseVector)> {
    let ones = DenseVector::from_slice(&vec![-1; dim]).unwrap();
    let zeros = DenseVector::zeros(dim).unwrap();
    let r1 = DenseVector::random(dim, 1).unwrap();
    let r2 = DenseVector::random(dim, 2).unwrap();
    vec![
        (r1.clone(), r2),
        (ones.clone(), r1.clone()),
        (ones.clone(), ones),
        (zeros.clone(), r1),
        (zeros.clone(), zeros),
    ]
}

fn check(a: &DenseVector, b: &DenseVector) {
    let (ba, bb) = (BitVector::from(a), BitVector::from(b));
    let (x, y, bx, by) = (a.as_slice(), b.as_slice(), ba.words(), bb.words());
    let dim = a.dim();
    assert_eq!(portable::dense_dot(x, y), reference::dot(a, b).unwrap());
    assert_eq!(portable::bits_dot(bx, by), reference::dot(&ba, &bb).unwrap());
    assert_eq!(reference::dot(&ba, &bb).unwrap(), reference::dot(a, b).unwrap());
    assert_eq!(portable::dense_hamming(x, y), reference::hamming(a, b).unwrap());
    assert_eq!(portable::bits_hamming(bx, by), reference::hamming(a, b).unwrap());
    let cos = reference::cosine(a, b).unwrap();
    assert!(!cos.is_nan());
    assert_eq!(portable::dense_cosine(x, y).to_bits(), cos.to_bits());
    assert_eq!(portable::bits_cosine(bx, by).to_bits(), cos.to_bits());
    let mut out = vec![0i8; dim];
    let mut bits_out = vec![0u64; bx.len()];
    portable::dense_bind(&mut out, x, y);
    assert_eq!(out, reference::bind(a, b).unwrap());
    portable::bits_bind(&mut bits_out, bx, by);
    assert_eq!(bits_out, BitVector::from(&DenseVector::from_slice(&out).unwrap()).words());
    portable::dense_bundle(&mut out, x, y);
    assert_eq!(out, reference::bundle(a, b).unwrap());
    portable::bits_bundle(&mut bits_out, bx, by);
    assert_eq!(bits_out, BitVector::from(&DenseVector::from_slice(&out).unwrap()).words());
    for k in [0, 1, -1, 63, 64, 65, dim as i64 / 2, dim as i64 - 1, i64::MIN, i64::MAX] {
        let expect = reference::permute(a, k);
        let shift = shift_mod(k, dim);
        portable::dense_permute(&mut out, x, shift);
        assert_eq!(out, expect, "dense permute {dim} {k}");
        portable::bits_permute(&mut bits_out, bx, dim, shift);
        assert_eq!(
            bits_out,
            BitVector::from(&DenseVector::from_slice(&expect).unwrap()).words(),
            "bits permute {dim} {k}"
        );
        assert_eq!(reference::inverse_permute(&DenseVector::from_slice(&expect).unwrap(), k), x);
    }
}

#[test]
fn portable_matches_reference() {
    for dim in dims() {
        for (a, b) in cases(dim) {
            check(&a, &b);
        }
    }
}

#[test]
fn portable_matches_reference_at_max_dim() {
    let a = DenseVector::random(MAX_DIM, 11).unwrap();
    let b = DenseVector::random(MAX_DIM, 12).unwrap();
    let (ba, bb) = (BitVector::from(&a), BitVector::from(&b));
    assert_eq!(
        portable::bits_dot(ba.words(), bb.words()),
        portable::dense_dot(a.as_slice(), b.as_slice())
    );
    assert_eq!(portable::bits_hamming(ba.words(), bb.words()), reference::hamming(&a, &b).unwrap());
    let ones = vec![-1i8; MAX_DIM];
    assert_eq!(portable::dense_dot(&ones, &ones), MAX_DIM as i64);
}

#[test]
fn semantics_hold() {
    let a = DenseVector::random(1000, 3).unwrap();
    // cosine(a, a) is 1, cosine with zeros is exactly 0.0, bind is self-inverse for keys
    // without zeros, and bundle ties give 0.
    assert_eq!(reference::cosine(&a, &a).unwrap(), 1.0);
    assert_eq!(reference::cosine(&a, &DenseVector::zeros(1000).unwrap()).unwrap(), 0.0);
    let key = DenseVector::from_slice(
        &(0..1000).map(|i| if i % 3 == 0 { 1 } else { -1 }).collect::<Vec<_>>(),
    )
    .unwrap();
    let bound = DenseVector::from_slice(&reference::bind(&a, &key).unwrap()).unwrap();
    assert_eq!(reference::bind(&bound, &key).unwrap(), a.as_slice());
    let neg =
        DenseVector::from_slice(&a.as_slice().iter().map(|t| -t).collect::<Vec<_>>()).unwrap();
    assert!(reference::bundle(&a, &neg).unwrap().iter().all(|&t| t == 0));
    assert_eq!(reference::bundle_n(&[&a, &a, &neg]).unwrap(), a.as_slice());
    assert_eq!(reference::bundle_n::<DenseVector>(&[]).unwrap_err(), Error::EmptyBundle);
    let short = DenseVector::zeros(999).unwrap();
    assert_eq!(
        reference::dot(&a, &short).unwrap_err(),
        Error::DimensionMismatch { left: 1000, right: 999 }
    );
}
