//! The data: lingua's 1,000 test sentences for each of the 21 official EU languages of the
//! classic HDC benchmark, compiled into the program from the language-model crates.

use crate::Error;

/// One language: its ISO 639-1 code, its English name, and where its sentences come from.
#[derive(Clone, Copy, Debug)]
pub struct Language {
    /// ISO 639-1 code, e.g. `"en"`.
    pub code: &'static str,
    /// English name, e.g. `"English"`.
    pub name: &'static str,
    /// The `sentences.txt` bytes of the language's model crate, if it has that file.
    sentences_file: fn() -> Option<&'static [u8]>,
}

impl Language {
    /// The language's raw `sentences.txt`, one sentence a line. Errors: the model crate has no
    /// such file ([`Error::MissingTestData`]) or it is not UTF-8 ([`Error::NotUtf8`]).
    ///
    /// ```
    /// let en = language_id::LANGUAGES.iter().find(|l| l.code == "en").unwrap();
    /// assert_eq!(en.sentences_text()?.lines().count(), 1000);
    /// # Ok::<(), language_id::Error>(())
    /// ```
    pub fn sentences_text(&self) -> Result<&'static str, Error> {
        let bytes =
            (self.sentences_file)().ok_or(Error::MissingTestData { language: self.code })?;
        std::str::from_utf8(bytes)
            .map_err(|e| Error::NotUtf8 { language: self.code, offset: e.valid_up_to() })
    }
}

/// The table of languages: code, name, the model crate and its test-data constant.
macro_rules! languages {
    ($($code:literal $name:literal $krate:ident :: $dir:ident;)*) => {
        /// The 21 official EU languages of the classic HDC language-identification benchmark,
        /// in the order of their codes (that order is also each language's index in results).
        pub const LANGUAGES: [Language; 21] = [$(
            Language {
                code: $code,
                name: $name,
                sentences_file: || $krate::$dir.get_file("sentences.txt").map(|f| f.contents()),
            },
        )*];
    };
}

languages! {
    "bg" "Bulgarian" lingua_bulgarian_language_model::BULGARIAN_TESTDATA_DIRECTORY;
    "cs" "Czech" lingua_czech_language_model::CZECH_TESTDATA_DIRECTORY;
    "da" "Danish" lingua_danish_language_model::DANISH_TESTDATA_DIRECTORY;
    "de" "German" lingua_german_language_model::GERMAN_TESTDATA_DIRECTORY;
    "el" "Greek" lingua_greek_language_model::GREEK_TESTDATA_DIRECTORY;
    "en" "English" lingua_english_language_model::ENGLISH_TESTDATA_DIRECTORY;
    "es" "Spanish" lingua_spanish_language_model::SPANISH_TESTDATA_DIRECTORY;
    "et" "Estonian" lingua_estonian_language_model::ESTONIAN_TESTDATA_DIRECTORY;
    "fi" "Finnish" lingua_finnish_language_model::FINNISH_TESTDATA_DIRECTORY;
    "fr" "French" lingua_french_language_model::FRENCH_TESTDATA_DIRECTORY;
    "hu" "Hungarian" lingua_hungarian_language_model::HUNGARIAN_TESTDATA_DIRECTORY;
    "it" "Italian" lingua_italian_language_model::ITALIAN_TESTDATA_DIRECTORY;
    "lt" "Lithuanian" lingua_lithuanian_language_model::LITHUANIAN_TESTDATA_DIRECTORY;
    "lv" "Latvian" lingua_latvian_language_model::LATVIAN_TESTDATA_DIRECTORY;
    "nl" "Dutch" lingua_dutch_language_model::DUTCH_TESTDATA_DIRECTORY;
    "pl" "Polish" lingua_polish_language_model::POLISH_TESTDATA_DIRECTORY;
    "pt" "Portuguese" lingua_portuguese_language_model::PORTUGUESE_TESTDATA_DIRECTORY;
    "ro" "Romanian" lingua_romanian_language_model::ROMANIAN_TESTDATA_DIRECTORY;
    "sk" "Slovak" lingua_slovak_language_model::SLOVAK_TESTDATA_DIRECTORY;
    "sl" "Slovene" lingua_slovene_language_model::SLOVENE_TESTDATA_DIRECTORY;
    "sv" "Swedish" lingua_swedish_language_model::SWEDISH_TESTDATA_DIRECTORY;
}

/// How each language's sentences are split: the first `train` lines train, the last `test`
/// lines test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Split {
    /// Sentences taken from the start of the file for training.
    pub train: usize,
    /// Sentences taken from the end of the file for testing.
    pub test: usize,
}

impl Default for Split {
    /// 800 training and 200 test sentences, the whole of each 1,000-line file.
    fn default() -> Self {
        Split { train: 800, test: 200 }
    }
}

/// One language's sentences, split.
#[derive(Clone, Debug)]
pub struct LanguageData {
    /// The language.
    pub language: Language,
    /// Training sentences, in file order.
    pub train: Vec<&'static str>,
    /// Test sentences, in file order.
    pub test: Vec<&'static str>,
}

/// Every language's sentences, split the same way; index `i` is [`LANGUAGES`]`[i]`.
#[derive(Clone, Debug)]
pub struct Corpus {
    /// The languages, in the order of [`LANGUAGES`].
    pub languages: Vec<LanguageData>,
}

impl Corpus {
    /// Reads every language's sentences (from the program itself: nothing is downloaded) and
    /// splits them. Blank lines are skipped. Errors: a missing or non-UTF-8 file, or fewer
    /// sentences than `split.train + split.test` ([`Error::TooFewSentences`]), so training and
    /// test sentences never overlap.
    ///
    /// ```
    /// use language_id::{Corpus, Split};
    /// let corpus = Corpus::load(Split::default())?;
    /// assert_eq!(corpus.languages.len(), 21);
    /// assert!(corpus.languages.iter().all(|l| l.train.len() == 800 && l.test.len() == 200));
    /// let err = Corpus::load(Split { train: 900, test: 200 }).unwrap_err();
    /// assert!(matches!(err, language_id::Error::TooFewSentences { found: 1000, needed: 1100, .. }));
    /// # Ok::<(), language_id::Error>(())
    /// ```
    pub fn load(split: Split) -> Result<Self, Error> {
        let needed = split.train.saturating_add(split.test);
        let mut languages = Vec::with_capacity(LANGUAGES.len());
        for language in LANGUAGES {
            let lines: Vec<&'static str> =
                language.sentences_text()?.lines().filter(|l| !l.trim().is_empty()).collect();
            if lines.len() < needed {
                return Err(Error::TooFewSentences {
                    language: language.code,
                    found: lines.len(),
                    needed,
                });
            }
            let train = lines[..split.train].to_vec();
            let test = lines[lines.len() - split.test..].to_vec();
            languages.push(LanguageData { language, train, test });
        }
        Ok(Corpus { languages })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_ships_its_thousand_sentences() {
        let codes: Vec<&str> = LANGUAGES.iter().map(|l| l.code).collect();
        let want = "bg cs da de el en es et fi fr hu it lt lv nl pl pt ro sk sl sv";
        assert_eq!(codes.join(" "), want);
        for language in LANGUAGES {
            let text = language.sentences_text().unwrap();
            assert_eq!(
                text.lines().filter(|l| !l.trim().is_empty()).count(),
                1000,
                "{}",
                language.code
            );
        }
    }

    #[test]
    fn split_takes_the_first_for_training_and_the_last_for_testing() {
        let corpus = Corpus::load(Split { train: 3, test: 2 }).unwrap();
        let en = &corpus.languages[5];
        assert_eq!(en.language.code, "en");
        let lines: Vec<&str> = en.language.sentences_text().unwrap().lines().collect();
        assert_eq!(en.train, lines[..3]);
        assert_eq!(en.test, lines[998..]);
    }
}
