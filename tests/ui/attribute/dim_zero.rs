#[trinity::vsa(dim = 0)]
pub struct Hv;

fn main() {}
