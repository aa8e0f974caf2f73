//! The non-HDC baseline: exact n-gram counts per language, compared by cosine.

use crate::{Alphabet, Error, Prediction};
use std::collections::HashMap;

/// One class's n-gram counts and their Euclidean norm.
#[derive(Clone, Debug)]
struct Profile {
    counts: HashMap<u64, u64>,
    norm: f64,
}

impl Profile {
    fn new(counts: HashMap<u64, u64>) -> Self {
        let norm = counts.values().map(|&c| (c as f64) * (c as f64)).sum::<f64>().sqrt();
        Profile { counts, norm }
    }
}

/// Exact n-gram profiles: for each class, how often each n-gram of symbols occurs in its
/// training texts. A text goes to the class whose profile has the highest cosine with the
/// text's own n-gram counts. It reads text with the same [`Alphabet`] as the
/// [`HdcClassifier`](crate::HdcClassifier), so the two differ only in how they keep counts:
/// exactly here, as a sign pattern of D random projections there.
///
/// ```
/// use language_id::{Alphabet, NgramProfiles};
/// let classes = [vec!["the cat sat on the mat"], vec!["der hund und die katze"]];
/// let alphabet = Alphabet::from_texts(classes.iter().flatten().copied());
/// let profiles = NgramProfiles::train(3, alphabet, &classes)?;
/// assert_eq!(profiles.classify("the hat")?.class, 0);
/// assert_eq!(profiles.classify("die katze")?.class, 1);
/// # Ok::<(), language_id::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct NgramProfiles {
    n: usize,
    bits: u32,
    alphabet: Alphabet,
    profiles: Vec<Profile>,
}

impl NgramProfiles {
    /// Counts the n-grams of each class's texts (`classes[i]` are class `i`'s texts). Errors:
    /// `n == 0` ([`Error::ZeroN`]), n-grams that do not fit a 64-bit key
    /// ([`Error::NgramTooLong`]), no classes ([`Error::NoClasses`]), a class without a single
    /// n-gram ([`Error::NoNgrams`]).
    pub fn train<S: AsRef<str>>(
        n: usize,
        alphabet: Alphabet,
        classes: &[Vec<S>],
    ) -> Result<Self, Error> {
        if n == 0 {
            return Err(Error::ZeroN);
        }
        if classes.is_empty() {
            return Err(Error::NoClasses);
        }
        // Bits per symbol, so that an n-gram packs into one u64 key.
        let bits = (usize::BITS - (alphabet.len() - 1).leading_zeros()).max(1);
        if n.saturating_mul(bits as usize) > 64 {
            return Err(Error::NgramTooLong { n, symbols: alphabet.len() });
        }
        let mut profiles = NgramProfiles { n, bits, alphabet, profiles: Vec::new() };
        let mut symbols = Vec::new();
        for (class, texts) in classes.iter().enumerate() {
            let mut counts = HashMap::new();
            for text in texts {
                profiles.alphabet.encode_into(text.as_ref(), &mut symbols);
                profiles.count_into(&symbols, &mut counts);
            }
            if counts.is_empty() {
                return Err(Error::NoNgrams { class, n });
            }
            profiles.profiles.push(Profile::new(counts));
        }
        Ok(profiles)
    }

    /// Adds the n-grams of `symbols` to `counts`.
    fn count_into(&self, symbols: &[usize], counts: &mut HashMap<u64, u64>) {
        for window in symbols.windows(self.n) {
            let key = window.iter().fold(0u64, |key, &s| (key << self.bits) | s as u64);
            *counts.entry(key).or_insert(0) += 1;
        }
    }

    /// The class whose profile has the highest cosine with the text's n-gram counts; ties
    /// go to the lower class. Errors: a text with fewer symbols than `n`
    /// ([`Error::TooShort`]).
    pub fn classify(&self, text: &str) -> Result<Prediction, Error> {
        let symbols = self.alphabet.encode(text);
        if symbols.len() < self.n {
            return Err(Error::TooShort { len: symbols.len(), n: self.n });
        }
        let mut counts = HashMap::new();
        self.count_into(&symbols, &mut counts);
        let query = Profile::new(counts);
        let mut best = Prediction { class: 0, score: f64::NEG_INFINITY };
        for (class, profile) in self.profiles.iter().enumerate() {
            let dot: u64 = query
                .counts
                .iter()
                .map(|(key, &c)| c * profile.counts.get(key).copied().unwrap_or(0))
                .sum();
            let norms = query.norm * profile.norm;
            let score = if norms > 0.0 { dot as f64 / norms } else { 0.0 };
            if score > best.score {
                best = Prediction { class, score };
            }
        }
        Ok(best)
    }

    /// The number of distinct n-grams in class `class`'s profile (0 past the last class).
    pub fn distinct_ngrams(&self, class: usize) -> usize {
        self.profiles.get(class).map_or(0, |p| p.counts.len())
    }

    /// The number of classes.
    pub fn classes(&self) -> usize {
        self.profiles.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_every_trigram_with_its_boundaries() {
        let classes = [vec!["aa a", "a"], vec!["b"]];
        let alphabet = Alphabet::from_texts(classes.iter().flatten().copied());
        let profiles = NgramProfiles::train(3, alphabet, &classes).unwrap();
        // " aa a " gives " aa", "aa ", "a a", " a ", and " a " again from "a".
        assert_eq!(profiles.distinct_ngrams(0), 4);
        assert_eq!(profiles.distinct_ngrams(1), 1);
        assert_eq!(profiles.distinct_ngrams(2), 0);
        assert_eq!(profiles.classes(), 2);
    }

    #[test]
    fn picks_the_highest_cosine() {
        let classes = [vec!["xyz"], vec!["xyz abc abc"]];
        let alphabet = Alphabet::from_texts(classes.iter().flatten().copied());
        let profiles = NgramProfiles::train(3, alphabet, &classes).unwrap();
        let p = profiles.classify("xyz").unwrap();
        // " xyz " has exactly class 0's trigrams: cosine 1.
        assert_eq!(p.class, 0);
        assert!((p.score - 1.0).abs() < 1e-12);
        assert_eq!(profiles.classify("abc").unwrap().class, 1);
        // Nothing shared with either class: every cosine is 0 and the tie goes to class 0.
        assert_eq!(profiles.classify("qqq").unwrap(), Prediction { class: 0, score: 0.0 });
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        let alphabet = Alphabet::from_texts(["abc"]);
        let train = |n, classes: &[Vec<&str>]| NgramProfiles::train(n, alphabet.clone(), classes);
        assert_eq!(train(0, &[vec!["abc"]]).unwrap_err(), Error::ZeroN);
        assert_eq!(train(3, &[]).unwrap_err(), Error::NoClasses);
        assert_eq!(
            train(3, &[vec!["abc"], vec![]]).unwrap_err(),
            Error::NoNgrams { class: 1, n: 3 }
        );
        // 5 symbols take 3 bits: 21 of them fit in 64 bits, 22 do not.
        assert!(train(21, &[vec!["abc abc abc abc abc abc"]]).is_ok());
        let err = train(22, &[vec!["abc"]]).unwrap_err();
        assert_eq!(err, Error::NgramTooLong { n: 22, symbols: 5 });
        let profiles = train(3, &[vec!["abc"]]).unwrap();
        assert_eq!(profiles.classify("").unwrap_err(), Error::TooShort { len: 1, n: 3 });
    }
}
