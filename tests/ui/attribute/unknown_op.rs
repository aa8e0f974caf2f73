#[trinity::vsa(dim = 100, ops(dot, xor))]
pub struct Hv;

fn main() {}
