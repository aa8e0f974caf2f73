//! x86-64 encoder (to be written).
