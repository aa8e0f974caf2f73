//! From text to symbols: lowercase letters, one word-boundary symbol for everything else.

use std::collections::{BTreeSet, HashMap};

/// The symbol table letter n-grams are made of, built from the training text.
///
/// Text is lowercased; each letter (`char::is_alphabetic`, so Cyrillic and Greek letters
/// too) is a symbol of its own, and every run of anything else (spaces, digits,
/// punctuation) is one word boundary, [`BOUNDARY`](Self::BOUNDARY), also put at the start and
/// end of a text. So n-grams keep the spaces between words (word starts and ends are among
/// the most telling trigrams) but not digits or punctuation, which say little about the
/// language.
///
/// Why a table from the training text and not a hash onto a fixed alphabet: the 21
/// languages use about a hundred and fifty distinct lowercase letters between them, few
/// enough that each gets its own vector, and a hash would make unrelated letters (say a Greek
/// and a Latvian one) share a vector and so blur exactly the letters that tell languages
/// apart. A letter that never occurs in training carries no evidence for any language, so
/// every such letter maps to one [`UNKNOWN`](Self::UNKNOWN) symbol. Letters are numbered in
/// code-point order, so the table does not depend on the order the texts come in.
///
/// ```
/// use language_id::Alphabet;
/// let alphabet = Alphabet::from_texts(["ab", "Ba!"]);
/// assert_eq!(alphabet.len(), 4); // boundary, unknown, a, b
/// let (a, b) = (2, 3);
/// assert_eq!(alphabet.encode("A b, 42 ba?"), [0, a, 0, b, 0, b, a, 0]);
/// assert_eq!(alphabet.encode("ac"), [0, a, Alphabet::UNKNOWN, 0]);
/// assert_eq!(alphabet.encode("..."), [0]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alphabet {
    letters: HashMap<char, usize>,
}

impl Alphabet {
    /// The word-boundary symbol.
    pub const BOUNDARY: usize = 0;
    /// The symbol of every letter not seen in the texts the alphabet was built from.
    pub const UNKNOWN: usize = 1;

    /// The alphabet of every lowercase letter in `texts`.
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut seen = BTreeSet::new();
        for text in texts {
            seen.extend(text.chars().flat_map(char::to_lowercase).filter(|c| c.is_alphabetic()));
        }
        let letters = seen.into_iter().zip(2..).collect();
        Alphabet { letters }
    }

    /// The number of symbols: the boundary, the unknown letter and every known letter.
    pub fn len(&self) -> usize {
        self.letters.len() + 2
    }

    /// Whether the alphabet has no letters (only the boundary and the unknown letter).
    pub fn is_empty(&self) -> bool {
        self.letters.is_empty()
    }

    /// The symbol of one lowercase character: its letter symbol, [`UNKNOWN`](Self::UNKNOWN)
    /// for an unseen letter, [`BOUNDARY`](Self::BOUNDARY) for anything that is not a letter.
    pub fn symbol(&self, c: char) -> usize {
        if c.is_alphabetic() {
            self.letters.get(&c).copied().unwrap_or(Self::UNKNOWN)
        } else {
            Self::BOUNDARY
        }
    }

    /// `text` as symbols: lowercased, boundaries collapsed, one boundary at each end. A text
    /// with no letters is a single boundary.
    pub fn encode(&self, text: &str) -> Vec<usize> {
        let mut out = Vec::with_capacity(text.len() + 2);
        self.encode_into(text, &mut out);
        out
    }

    /// [`encode`](Self::encode) into `out`, which is cleared first.
    pub fn encode_into(&self, text: &str, out: &mut Vec<usize>) {
        out.clear();
        out.push(Self::BOUNDARY);
        for c in text.chars().flat_map(char::to_lowercase) {
            let symbol = self.symbol(c);
            if symbol != Self::BOUNDARY || out.last() != Some(&Self::BOUNDARY) {
                out.push(symbol);
            }
        }
        if out.last() != Some(&Self::BOUNDARY) {
            out.push(Self::BOUNDARY);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_of_every_script_are_their_own_symbols() {
        let alphabet = Alphabet::from_texts(["Ωμέγα", "Жаба", "Ölçü"]);
        let symbols = alphabet.encode("ωΩ жЖ öÖ");
        assert_eq!(symbols.len(), 10);
        assert_eq!(symbols[1], symbols[2]);
        assert_eq!(symbols[4], symbols[5]);
        assert_eq!(symbols[7], symbols[8]);
        assert!(symbols[1] != symbols[4] && symbols[4] != symbols[7]);
        assert!(symbols.iter().all(|&s| s != Alphabet::UNKNOWN));
    }

    #[test]
    fn table_does_not_depend_on_text_order() {
        assert_eq!(Alphabet::from_texts(["xyz", "abc"]), Alphabet::from_texts(["abc", "zyx"]));
    }

    #[test]
    fn empty_text_is_one_boundary() {
        let alphabet = Alphabet::from_texts([]);
        assert!(alphabet.is_empty());
        assert_eq!(alphabet.encode(""), [Alphabet::BOUNDARY]);
        assert_eq!(alphabet.encode("q"), [0, Alphabet::UNKNOWN, 0]);
    }
}
