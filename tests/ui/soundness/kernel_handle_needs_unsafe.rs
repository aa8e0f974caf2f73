// Placing bytes is safe; turning them into a callable kernel is not.
use trinity::runtime::exec::{call::ReduceKernel, Arena};

fn main() {
    let code = Arena::new().add(&[0xcc, 0xc3]).unwrap();
    let kernel = ReduceKernel::<u64>::new(code, 1);
    let _ = kernel.call(&[0], &[0]);
}
