#[trinity::vsa(dim = 100, dim = 200)]
pub struct Hv;

fn main() {}
