#[trinity::vsa(dim = 16777217)]
pub struct Hv;

fn main() {}
