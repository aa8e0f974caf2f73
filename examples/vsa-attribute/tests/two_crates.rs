//! Two crates baking the same dimension link into one program without symbol clashes, and
//! each uses its own kernels.

use trinity::emit::kernels::{KernelSpec, Layout, Op};
use trinity::runtime::{baked, reference};
use trinity::Vsa;
use trinity_example_vsa::{Codebook, Hv};

/// The same dimension as the library's `Hv`, baked again by this test crate.
#[trinity::vsa(dim = 10000, layout = bits)]
struct LocalHv;

#[test]
fn both_crates_bake_d_10000_under_distinct_symbols() {
    let dot = |s: &KernelSpec| s.op == Op::Dot && s.layout == Layout::Bits && s.dim == 10000;
    let symbols: Vec<&str> =
        baked::registry().iter().filter(|k| dot(k.spec())).map(|k| k.symbol()).collect();
    if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) {
        let tiers = if cfg!(target_arch = "aarch64") { 2 } else { 3 };
        assert_eq!(symbols.len(), 2 * tiers, "{symbols:?}");
        assert!(symbols.iter().any(|s| s.contains("trinity_example_vsa")), "{symbols:?}");
        assert!(symbols.iter().any(|s| s.contains("two_crates")), "{symbols:?}");
    }
    let (a, b) = (Hv::random_bits(1).unwrap(), LocalHv::random_bits(2).unwrap());
    let want = reference::dot(&a, &b).unwrap();
    assert_eq!((Hv::dot(&a, &b).unwrap(), LocalHv::dot(&a, &b).unwrap()), (want, want));
    if trinity::runtime::cpu::detect_tier().is_some() {
        assert_eq!(Hv::kernels().stats().fallback_ops, 0);
        assert_eq!(LocalHv::kernels().stats().fallback_ops, 0);
    }
}

#[test]
fn records_answer_queries() {
    let mut book = Codebook::new();
    let names = ["name", "capital", "currency", "usa", "mexico", "dc", "cdmx", "dollar", "peso"];
    for (i, name) in names.iter().enumerate() {
        book.insert(name, 100 + i as u64).unwrap();
    }
    let usa = book.record(&[("name", "usa"), ("capital", "dc"), ("currency", "dollar")]).unwrap();
    assert_eq!(book.query(&usa, "capital").unwrap(), Some("dc"));
    assert_eq!(book.query(&usa, "currency").unwrap(), Some("dollar"));
    assert_eq!(book.query(&usa, "name").unwrap(), Some("usa"));
    assert_eq!(book.query(&usa, "planet").unwrap(), None);
}
