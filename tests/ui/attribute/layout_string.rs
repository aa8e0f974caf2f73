#[trinity::vsa(dim = 100, layout = "bits")]
pub struct Hv;

fn main() {}
