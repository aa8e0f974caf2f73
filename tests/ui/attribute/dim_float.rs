#[trinity::vsa(dim = 100.5)]
pub struct Hv;

fn main() {}
