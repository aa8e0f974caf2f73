#[trinity::vsa(dim = 100, ops(dot, bind, dot))]
pub struct Hv;

fn main() {}
