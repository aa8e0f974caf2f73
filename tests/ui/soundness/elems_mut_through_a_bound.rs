// Nor through a `V: Vector` bound, which brings the sealed supertrait's methods into reach: a
// bitsliced vector must never get a position set in both planes, or a padding bit.
use trinity::runtime::{BitVector, Vector};

fn set_everything<V: Vector<Elem = u64>>(v: &mut V) {
    for word in v.elems_mut() {
        *word = u64::MAX;
    }
}

fn main() {
    let mut v = BitVector::zeros(3).unwrap();
    set_everything(&mut v);
}
