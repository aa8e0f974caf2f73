#[trinity::vsa(dim = 100, ops = dot)]
pub struct Hv;

fn main() {}
