#[trinity::vsa(dim = "10000")]
pub struct Hv;

fn main() {}
