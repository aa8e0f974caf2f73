#[trinity::vsa(dim = 100)]
pub struct Hv {
    x: u8,
}

fn main() {}
