//! Encoding speed (filled in with the encoders).
fn main() {}
