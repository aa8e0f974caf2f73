//! Trinity's run-time half: vectors, the portable reference, executable memory and the engine.

#![deny(missing_docs)]
