//! `trinity_hdc._native`: Trinity for Python. The JIT kernels, the item memory and the
//! encoders of `trinity-runtime` over NumPy `int8` arrays (dense vectors: one trit a byte) and
//! `BitVector` (packed, two bit planes), built by maturin as an abi3 extension module. The
//! Python package `trinity_hdc` re-exports everything here; `trinity_hdc.compat` offers the
//! names of the `trinity-vsa` package.
//!
//! Conventions: every op takes two NumPy arrays or two `BitVector`s and returns the kind it
//! was given; 1-D is one vector, 2-D a batch of rows (row-wise with another batch, or against
//! one vector). Bad input is a `ValueError` or `TypeError` naming the argument, the value and
//! its position, never a crash. Batches, searches and encoders over many inputs release the
//! GIL.

#![deny(missing_docs, clippy::undocumented_unsafe_blocks)]

mod args;
mod bits;
mod encode;
mod error;
mod memory;
mod ops;

use pyo3::prelude::*;

/// Trinity's ternary hyperdimensional-computing kernels, item memory and encoders.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<bits::PyBitVector>()?;
    m.add_class::<memory::PyItemMemory>()?;
    m.add_class::<encode::PyCodebook>()?;
    m.add_class::<encode::PyLevels>()?;
    m.add_class::<encode::PyBundler>()?;
    m.add_function(wrap_pyfunction!(ops::dot, m)?)?;
    m.add_function(wrap_pyfunction!(ops::hamming, m)?)?;
    m.add_function(wrap_pyfunction!(ops::cosine, m)?)?;
    m.add_function(wrap_pyfunction!(ops::bind, m)?)?;
    m.add_function(wrap_pyfunction!(ops::unbind, m)?)?;
    m.add_function(wrap_pyfunction!(ops::bundle, m)?)?;
    m.add_function(wrap_pyfunction!(ops::bundle_n, m)?)?;
    m.add_function(wrap_pyfunction!(ops::permute, m)?)?;
    m.add_function(wrap_pyfunction!(ops::inverse_permute, m)?)?;
    m.add_function(wrap_pyfunction!(ops::random, m)?)?;
    m.add_function(wrap_pyfunction!(ops::stats, m)?)?;
    m.add_function(wrap_pyfunction!(encode::ngram, m)?)?;
    m.add_function(wrap_pyfunction!(encode::sequence, m)?)?;
    m.add_function(wrap_pyfunction!(encode::sequence_batch, m)?)?;
    m.add_function(wrap_pyfunction!(encode::record, m)?)?;
    m.add("MAX_DIM", trinity_runtime::MAX_DIM)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
