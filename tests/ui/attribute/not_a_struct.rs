#[trinity::vsa(dim = 100)]
pub fn hv() {}

fn main() {}
