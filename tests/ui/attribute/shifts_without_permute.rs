#[trinity::vsa(dim = 100, ops(dot), permute(2))]
pub struct Hv;

fn main() {}
