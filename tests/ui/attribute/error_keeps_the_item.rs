// A bad argument is the only error: the struct is still defined, so code using it compiles.
#[trinity::vsa(dim = 0)]
pub struct Hv;

fn main() {
    let _unit: Hv = Hv;
}
