//! Example: hyperdimensional records on kernels baked by `#[trinity::vsa(dim = 10000)]`.
//!
//! A record `{ field: value, ... }` is the bundle of `bind(field, value)` over its fields.
//! Unbinding a record with a field's vector gives a noisy copy of that field's value, which
//! the nearest item of a codebook (by cosine) cleans up. Every op runs a kernel baked into
//! this crate's binary; nothing is compiled at run time on x86-64 with AVX2 or on AArch64.
//!
//! ```
//! use trinity_example_vsa::Codebook;
//! let mut book = Codebook::new();
//! for (i, name) in ["colour", "shape", "red", "green", "circle", "square"].iter().enumerate() {
//!     book.insert(name, i as u64 + 1)?;
//! }
//! let record = book.record(&[("colour", "green"), ("shape", "circle")])?;
//! assert_eq!(book.query(&record, "shape")?, Some("circle"));
//! assert_eq!(book.query(&record, "colour")?, Some("green"));
//! # Ok::<(), trinity::runtime::Error>(())
//! ```

#![deny(unsafe_code, missing_docs)]

use trinity::runtime::{BitVector, Result};
use trinity::Vsa;

/// The dimension every vector of this crate has, with its kernels baked in.
#[trinity::vsa(dim = 10000, layout = bits)]
pub struct Hv;

/// Named random vectors: the symbols records are built from.
#[derive(Default)]
pub struct Codebook {
    items: Vec<(String, BitVector)>,
}

impl Codebook {
    /// An empty codebook.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add `name` as a random vector drawn from `seed` (replacing an earlier one).
    pub fn insert(&mut self, name: &str, seed: u64) -> Result<()> {
        let v = Hv::random_bits(seed)?;
        self.items.retain(|(n, _)| n != name);
        self.items.push((name.to_string(), v));
        Ok(())
    }

    /// The vector of `name`, if present.
    pub fn get(&self, name: &str) -> Option<&BitVector> {
        self.items.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The record `{ field: value, ... }`: the bundle of each `bind(field, value)`. Names not
    /// in the codebook are skipped; no pairs give the all-zero vector.
    pub fn record(&self, pairs: &[(&str, &str)]) -> Result<BitVector> {
        let bound: Vec<BitVector> = pairs
            .iter()
            .filter_map(|(f, v)| Some((self.get(f)?, self.get(v)?)))
            .map(|(f, v)| Hv::bind(f, v))
            .collect::<Result<_>>()?;
        match bound.as_slice() {
            [] => BitVector::zeros(Hv::DIM),
            [one] => Ok(one.clone()),
            [first, second] => Hv::bundle(first, second),
            more => Hv::bundle_n(&more.iter().collect::<Vec<_>>()),
        }
    }

    /// The codebook item nearest (by cosine) to the record's value for `field`, or `None`
    /// when `field` is unknown or the codebook is empty.
    pub fn query(&self, record: &BitVector, field: &str) -> Result<Option<&str>> {
        let Some(key) = self.get(field) else { return Ok(None) };
        let noisy = Hv::unbind(record, key)?;
        let mut best: Option<(&str, f64)> = None;
        for (name, v) in &self.items {
            let score = Hv::cosine(&noisy, v)?;
            if best.is_none_or(|(_, s)| score > s) {
                best = Some((name, score));
            }
        }
        Ok(best.map(|(name, _)| name))
    }
}
