#[trinity::vsa(dim = 100, ops())]
pub struct Hv;

fn main() {}
