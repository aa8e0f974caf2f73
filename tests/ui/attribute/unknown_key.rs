#[trinity::vsa(dim = 100, tier = avx2)]
pub struct Hv;

fn main() {}
