#[trinity::vsa(dim = 100, layout = packed)]
pub struct Hv;

fn main() {}
