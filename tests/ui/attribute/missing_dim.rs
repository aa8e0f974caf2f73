#[trinity::vsa(ops(dot))]
pub struct Hv;

fn main() {}
