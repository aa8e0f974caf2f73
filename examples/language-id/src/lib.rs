//! Example: telling 21 European languages apart from letter trigrams, with Trinity's
//! encoders and item memory, against an exact trigram-count baseline on the same data.
//!
//! The data are the 1,000 test sentences per language that lingua's language-model crates
//! (version 1.2.0, Apache-2.0) ship in their packages, compiled into the program: nothing is
//! downloaded at run time. Each language's first 800 sentences train, its last 200 test.
//!
//! The HDC classifier reads text through an [`Alphabet`] (lowercase letters, one symbol for
//! every run of non-letters), gives each symbol a random vector from a
//! [`Codebook`](trinity::runtime::encode::Codebook) at D = 10000 in the bitsliced layout,
//! binds each trigram `(a, b, c)` as `a * rho(b) * rho^2(c)` (Trinity's
//! [`ngram`](trinity::runtime::encode::ngram), `rho` a rotation), bundles a sentence's
//! trigrams into one vector ([`sequence`](trinity::runtime::encode::sequence)), bundles a
//! language's training sentences into its prototype with a
//! [`Bundler`](trinity::runtime::encode::Bundler), and classifies a test sentence's vector by
//! [`ItemMemory::cleanup`](trinity::runtime::ItemMemory::cleanup) over the 21 prototypes by
//! cosine ([`HdcConfig`] says why per sentence and why cosine). The baseline,
//! [`NgramProfiles`], keeps the exact trigram counts of each language and compares a
//! sentence's counts with them by cosine.
//!
//! ```no_run
//! let report = language_id::run(&language_id::Config::default())?;
//! println!("{report}");
//! assert!(report.hdc.accuracy() > 0.9);
//! # Ok::<(), language_id::Error>(())
//! ```
//!
//! # How this compares with the published figure
//!
//! Joshi, Halseth and Kanerva ("Language geometry using random indexing", 2016) report 97.8%
//! on 21,000 sentences of 21 languages with this kind of encoding (letter n-grams bound from
//! random letter vectors, D = 10000, one bundled prototype per language). Their prototypes
//! were trained on the Wortschatz corpora and their test sentences came from Europarl. Here a
//! prototype sees 800 sentences, 71,000 to 104,000 characters per language (88,000 in the
//! median), about a tenth of the roughly one million bytes per language that later papers
//! on the same benchmark describe; the test sentences are short (a median of 101
//! characters) and, like the training ones, mixed web and news text rather than
//! parliamentary proceedings. Most errors fall between close relatives (Swedish and Danish,
//! Czech and Slovak, Spanish and Portuguese, Latvian and Lithuanian), which little training
//! text separates least. The exact baseline shows how much of the gap is the data rather than
//! the hypervectors: it reads exactly the same trigrams and does only about half a point
//! better (the crate's README has a run's figures).

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod alphabet;
mod baseline;
mod corpus;
mod eval;
mod hdc;

pub use alphabet::Alphabet;
pub use baseline::NgramProfiles;
pub use corpus::{Corpus, Language, LanguageData, Split, LANGUAGES};
pub use eval::{run, Config, Evaluation, Report, Timing};
pub use hdc::{Bundling, HdcClassifier, HdcConfig};

/// The README's Rust examples, run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// A classifier's answer for one text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prediction {
    /// The predicted class (the index of a language in [`LANGUAGES`] in a [`run`]).
    pub class: usize,
    /// Its score: the cosine (or the metric searched with) between the text and the class.
    pub score: f64,
}

/// What can go wrong; each variant names the bad value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A language-model crate without `sentences.txt` in its test data.
    #[error("the lingua model crate for {language} has no testdata/sentences.txt")]
    MissingTestData {
        /// The language's code.
        language: &'static str,
    },
    /// A `sentences.txt` that is not UTF-8.
    #[error("sentences.txt for {language} is not UTF-8 (from byte {offset})")]
    NotUtf8 {
        /// The language's code.
        language: &'static str,
        /// Where the bad bytes start.
        offset: usize,
    },
    /// Fewer sentences than the split takes.
    #[error("{language} has {found} sentences, the split needs {needed}")]
    TooFewSentences {
        /// The language's code.
        language: &'static str,
        /// Non-blank lines in its file.
        found: usize,
        /// Training plus test sentences asked for.
        needed: usize,
    },
    /// An n-gram size of 0.
    #[error("n-gram size 0: n must be at least 1")]
    ZeroN,
    /// N-grams too long to pack into a 64-bit key.
    #[error("{n}-grams over {symbols} symbols do not fit a 64-bit key")]
    NgramTooLong {
        /// The n-gram size.
        n: usize,
        /// The alphabet's size.
        symbols: usize,
    },
    /// Training with no classes, or classifying with none.
    #[error("no classes to train or to classify into")]
    NoClasses,
    /// A class whose training texts have no n-gram at all.
    #[error("class {class} has no {n}-gram in its training texts")]
    NoNgrams {
        /// The class.
        class: usize,
        /// The n-gram size.
        n: usize,
    },
    /// A text too short for one n-gram.
    #[error("a text of {len} symbols has no {n}-gram")]
    TooShort {
        /// The text's length in symbols (with its boundaries).
        len: usize,
        /// The n-gram size.
        n: usize,
    },
    /// An error from Trinity.
    #[error(transparent)]
    Trinity(#[from] trinity::runtime::Error),
}
