// A dense vector's bytes cannot be written from outside the crate (7 is not a trit).
use trinity::runtime::{DenseVector, Vector};

fn main() {
    let mut v = DenseVector::zeros(4).unwrap();
    v.elems_mut()[0] = 7;
    let _ = v.elems();
}
