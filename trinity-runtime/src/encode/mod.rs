//! Encoding data as vectors: a [`Bundler`] that bundles any number of vectors in O(D) memory,
//! a seeded [`Codebook`] of symbol vectors, [`Levels`] for scalar features, and encoders for
//! n-grams ([`ngram`]), whole sequences ([`sequence`]) and key-value records ([`record`]).
//! The encoders work on either layout through a [`JitEngine`].
//!
//! ```
//! use trinity_runtime::encode::{sequence, Codebook};
//! use trinity_runtime::{BitVector, JitEngine};
//! let engine = JitEngine::global();
//! let letters = Codebook::<BitVector>::new(10_000, 26, 7)?;
//! // 'a'..='z' as symbols 0..26; anything else is skipped.
//! let text = |s: &str| s.bytes().filter(u8::is_ascii_lowercase).map(|b| usize::from(b - b'a')).collect::<Vec<_>>();
//! let a = sequence(engine, &letters, &text("thequickbrownfox"), 3)?;
//! let b = sequence(engine, &letters, &text("thequickbrownfix"), 3)?;
//! let c = sequence(engine, &letters, &text("lazydogsjumpover"), 3)?;
//! assert!(engine.cosine(&a, &b)? > engine.cosine(&a, &c)?);
//! # Ok::<(), trinity_runtime::Error>(())
//! ```

mod bundler;
mod codebook;
mod levels;

pub use bundler::{Bundler, MAX_BUNDLE};
pub use codebook::{symbol_seed, Codebook};
pub use levels::Levels;

use crate::{JitEngine, Result, Vector};

/// What can go wrong encoding; wrapped in [`Error::Encode`](crate::Error::Encode). Every
/// variant names the bad value.
///
/// ```
/// use trinity_runtime::encode::EncodeError;
/// let err = EncodeError::UnknownSymbol { symbol: 30, size: 26 };
/// assert_eq!(err.to_string(), "unknown symbol 30: the codebook has symbols 0..26");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A bundler that would hold more than [`MAX_BUNDLE`] vectors.
    #[error("a bundler holding {count} vectors cannot take {more} more: at most {max}", max = MAX_BUNDLE)]
    BundleFull {
        /// Vectors it holds.
        count: usize,
        /// Vectors offered.
        more: usize,
    },
    /// A codebook of no symbols.
    #[error("a codebook needs at least one symbol, got size 0")]
    EmptyCodebook,
    /// A codebook too large to index in memory.
    #[error("a codebook of {size} symbols is too large to allocate")]
    CodebookTooLarge {
        /// The size asked for.
        size: usize,
    },
    /// A symbol past the end of the codebook.
    #[error("unknown symbol {symbol}: the codebook has symbols 0..{size}")]
    UnknownSymbol {
        /// The symbol asked for.
        symbol: usize,
        /// The codebook's size.
        size: usize,
    },
    /// An n-gram of size 0 (an empty window).
    #[error("n-gram size 0: n must be at least 1")]
    ZeroN,
    /// A sequence with fewer symbols than the n-gram size.
    #[error("a sequence of {len} symbols is shorter than the n-gram size {n}")]
    SequenceTooShort {
        /// The sequence's length.
        len: usize,
        /// The n-gram size.
        n: usize,
    },
    /// A record of no key-value pairs.
    #[error("a record needs at least one key-value pair, got none")]
    EmptyRecord,
    /// Fewer than two levels.
    #[error("{count} levels: at least 2 are needed")]
    TooFewLevels {
        /// The count asked for.
        count: usize,
    },
    /// More levels than steps that can each negate a position: at most `max(1, D/2) + 1`.
    #[error("{count} levels for dimension {dim}: at most {max} (one position negated per step)", max = dim / 2 + 1 + usize::from(*dim == 1))]
    TooManyLevels {
        /// The count asked for.
        count: usize,
        /// The dimension.
        dim: usize,
    },
    /// A level past the last.
    #[error("level {level} out of range: the levels are 0..{count}")]
    LevelOutOfRange {
        /// The level asked for.
        level: usize,
        /// The number of levels.
        count: usize,
    },
}

/// The n-gram of a window of symbols: `bind over j of permute(item(window[j]), j)` — the
/// first symbol as it is, the symbol at offset `j` rotated right by `j` (see
/// [`JitEngine::permute`]). The window's length is `n`. Errors: an empty window
/// ([`EncodeError::ZeroN`]), an unknown symbol ([`EncodeError::UnknownSymbol`]).
///
/// ```
/// use trinity_runtime::encode::{ngram, Codebook};
/// use trinity_runtime::{DenseVector, JitEngine};
/// let engine = JitEngine::global();
/// let book = Codebook::<DenseVector>::new(1000, 4, 1)?;
/// let abc = ngram(engine, &book, &[0, 1, 2])?;
/// let by_hand = engine.bind(
///     &engine.bind(book.get(0)?, &engine.permute(book.get(1)?, 1)?)?,
///     &engine.permute(book.get(2)?, 2)?,
/// )?;
/// assert_eq!(abc, by_hand);
/// assert!(engine.cosine(&abc, &ngram(engine, &book, &[2, 1, 0])?)?.abs() < 0.15);
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
pub fn ngram<V: Vector>(engine: &JitEngine, codebook: &Codebook<V>, window: &[usize]) -> Result<V> {
    let (&first, rest) = window.split_first().ok_or(EncodeError::ZeroN)?;
    let mut gram = codebook.get(first)?.clone();
    for (j, &symbol) in rest.iter().enumerate() {
        let item = engine.permute(codebook.get(symbol)?, j as i64 + 1)?;
        engine.bind_assign(&mut gram, &item)?;
    }
    Ok(gram)
}

/// A whole sequence: the bundle (the engine's n-way bundle kernel, or a [`Bundler`] past
/// 4096 windows, which keeps memory O(D)) of the [`ngram`]s of all its windows of `n`
/// symbols, `symbols[i..i + n]` for `i` in `0..=len - n`. Errors: `n == 0`
/// ([`EncodeError::ZeroN`]), fewer than `n` symbols ([`EncodeError::SequenceTooShort`]), an
/// unknown symbol.
///
/// ```
/// use trinity_runtime::encode::{ngram, sequence, Bundler, Codebook, EncodeError};
/// use trinity_runtime::{BitVector, Error, JitEngine};
/// let engine = JitEngine::global();
/// let book = Codebook::<BitVector>::new(500, 3, 2)?;
/// let mut bundler = Bundler::new(500)?;
/// bundler.add(&ngram(engine, &book, &[0, 1])?)?;
/// bundler.add(&ngram(engine, &book, &[1, 2])?)?;
/// assert_eq!(sequence(engine, &book, &[0, 1, 2], 2)?, bundler.finish()?);
/// let err = sequence(engine, &book, &[0, 1], 3).unwrap_err();
/// assert_eq!(err, Error::Encode(EncodeError::SequenceTooShort { len: 2, n: 3 }));
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
pub fn sequence<V: Vector>(
    engine: &JitEngine,
    codebook: &Codebook<V>,
    symbols: &[usize],
    n: usize,
) -> Result<V> {
    if n == 0 {
        return Err(EncodeError::ZeroN.into());
    }
    if symbols.len() < n {
        return Err(EncodeError::SequenceTooShort { len: symbols.len(), n }.into());
    }
    bundle_all(engine, codebook.dim(), symbols.windows(n).map(|w| ngram(engine, codebook, w)))
}

/// Up to this many vectors are bundled by the engine's n-way bundle kernel, held all at once;
/// more are counted one by one in a [`Bundler`], in O(D) memory. Both give the same vector.
const KERNEL_BUNDLE_MAX: usize = 4096;

/// The bundle of the vectors `items` yields (at least one), on the n-way bundle kernel while
/// they are few enough to hold, else counted in a [`Bundler`].
fn bundle_all<V: Vector>(
    engine: &JitEngine,
    dim: usize,
    items: impl Iterator<Item = Result<V>>,
) -> Result<V> {
    let mut held = Vec::new();
    let mut bundler: Option<Bundler> = None;
    for item in items {
        let v = item?;
        match bundler.as_mut() {
            Some(b) => b.add(&v)?,
            None if held.len() < KERNEL_BUNDLE_MAX => held.push(v),
            None => {
                let mut b = Bundler::new(dim)?;
                for h in held.drain(..) {
                    b.add(&h)?;
                }
                b.add(&v)?;
                bundler = Some(b);
            }
        }
    }
    match bundler {
        Some(b) => b.finish(),
        None => engine.bundle_n(&held.iter().collect::<Vec<_>>()),
    }
}

/// A key-value record: the bundle (as in [`sequence`]) of `bind(key, value)` over the pairs. Errors:
/// no pairs ([`EncodeError::EmptyRecord`]), vectors of different dimensions
/// ([`Error::DimensionMismatch`](crate::Error::DimensionMismatch)).
///
/// ```
/// use trinity_runtime::encode::{record, Codebook};
/// use trinity_runtime::{DenseVector, JitEngine};
/// let engine = JitEngine::global();
/// let keys = Codebook::<DenseVector>::new(10_000, 3, 1)?;
/// let values = Codebook::<DenseVector>::new(10_000, 10, 2)?;
/// let pairs = [(keys.get(0)?, values.get(4)?), (keys.get(1)?, values.get(7)?), (keys.get(2)?, values.get(1)?)];
/// let rec = record(engine, &pairs)?;
/// // Unbinding a key gives something close to its value.
/// let probe = engine.unbind(&rec, keys.get(1)?)?;
/// assert!(engine.cosine(&probe, values.get(7)?)? > 0.3);
/// assert!(engine.cosine(&probe, values.get(4)?)?.abs() < 0.1);
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
pub fn record<V: Vector>(engine: &JitEngine, pairs: &[(&V, &V)]) -> Result<V> {
    let (key, _) = pairs.first().ok_or(EncodeError::EmptyRecord)?;
    bundle_all(engine, key.dim(), pairs.iter().map(|(key, value)| engine.bind(*key, *value)))
}
