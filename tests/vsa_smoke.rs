use trinity::Vsa;
use trinity::runtime::{reference, BitVector};

#[trinity::vsa(dim = 1000)]
pub struct H;

#[test]
fn smoke() {
    let a = H::random_bits(1).unwrap();
    let b = H::random_bits(2).unwrap();
    assert_eq!(H::dot(&a, &b).unwrap(), reference::dot(&a, &b).unwrap());
    println!("{:?} {:?}", H::kernels(), H::kernels().specs());
    let _ = BitVector::zeros(3);
    for k in trinity::runtime::baked::registry() { println!("{} {:p}", k.symbol(), k.code().entry()); }
}
