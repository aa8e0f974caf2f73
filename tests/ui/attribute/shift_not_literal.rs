const K: i64 = 3;

#[trinity::vsa(dim = 100, permute(1, K))]
pub struct Hv;

fn main() {}
