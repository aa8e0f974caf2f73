// The old way to run arbitrary bytes from safe code: hand the probe a closure that places them.
use trinity::runtime::exec::{probe_with, Arena};

fn main() {
    let arena = Arena::new();
    let _ = probe_with(None, |_| arena.add(&[0xcc, 0xc3]));
}
