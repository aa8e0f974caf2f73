//! AArch64 encoder (to be written).
