//! The kernels baked by this crate's build script agree with the reference.

use trinity_runtime::{reference, BitVector, DenseVector};

#[test]
fn baked_kernels_match_the_reference() {
    if !trinity_example_bake::supported() {
        eprintln!("SKIPPED: this CPU lacks the tier the kernels were baked for");
        return;
    }
    let (a, b) = (BitVector::random(10_000, 1).unwrap(), BitVector::random(10_000, 2).unwrap());
    assert_eq!(trinity_example_bake::bits_dot_10000(&a, &b), Some(reference::dot(&a, &b).unwrap()));
    let rotated = trinity_example_bake::bits_permute_10000_1(&a).unwrap();
    assert_eq!(DenseVector::from(&rotated).into_vec(), reference::permute(&a, 1));
    let (x, y) = (DenseVector::random(1000, 3).unwrap(), DenseVector::random(1000, 4).unwrap());
    assert_eq!(
        trinity_example_bake::dense_hamming_1000(&x, &y),
        Some(reference::hamming(&x, &y).unwrap())
    );
    assert_eq!(
        trinity_example_bake::dense_bind_1000(&x, &y).unwrap().into_vec(),
        reference::bind(&x, &y).unwrap()
    );
    // Wrong dimensions are refused, not passed to the kernels.
    assert_eq!(trinity_example_bake::bits_dot_10000(&a, &BitVector::zeros(9_999).unwrap()), None);
}
