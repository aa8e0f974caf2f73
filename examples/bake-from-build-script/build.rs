//! Bakes dot, hamming, bind and permute (shift 1) at D = 1000 and 10000, both layouts, into a
//! static library linked into this crate.

use trinity_emit::build::Bake;
use trinity_emit::kernels::Op;

fn main() {
    Bake::new("trinity_example")
        .dims(&[1000, 10000])
        .ops(&[Op::Dot, Op::Hamming, Op::Bind, Op::Permute])
        .permute(&[1])
        .run()
        .unwrap_or_else(|e| panic!("baking kernels failed: {e}"));
}
