//! The `#[trinity::vsa(dim = N)]` attribute (to be written).
