//! Encoding speed of the aarch64 encoder (to be written).
fn main() {}
