#[trinity::vsa(dim = 100, permute(1, -2.5))]
pub struct Hv;

fn main() {}
