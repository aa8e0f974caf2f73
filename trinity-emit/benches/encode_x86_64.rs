//! Encoding speed of the x86_64 encoder (to be written).
fn main() {}
