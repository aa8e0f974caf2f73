//! Scoring predictions and the whole benchmark run.

use crate::{
    Alphabet, Corpus, Error, HdcClassifier, HdcConfig, Language, NgramProfiles, Prediction, Split,
};
use std::fmt;
use std::time::{Duration, Instant};
use trinity::runtime::exec::Backend;
use trinity::runtime::{JitEngine, Metric};

/// A confusion matrix over classes: how often each true class was predicted as each class,
/// and how often no prediction could be made (a text with no n-gram).
///
/// ```
/// let mut eval = language_id::Evaluation::new(3);
/// eval.record(0, Some(0));
/// eval.record(1, Some(2));
/// eval.record(1, Some(2));
/// eval.record(2, None);
/// assert_eq!((eval.correct(), eval.total()), (1, 4));
/// assert_eq!(eval.accuracy(), 0.25);
/// assert_eq!(eval.class_accuracy(1), 0.0);
/// assert_eq!(eval.most_confused(5), [(1, 2, 2)]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    confusion: Vec<Vec<usize>>,
    unclassified: Vec<usize>,
}

impl Evaluation {
    /// An empty matrix for `classes` classes.
    pub fn new(classes: usize) -> Self {
        Evaluation { confusion: vec![vec![0; classes]; classes], unclassified: vec![0; classes] }
    }

    /// Records one prediction (`None`: none could be made). A class out of range is counted
    /// as unclassified for a prediction and ignored for a truth.
    pub fn record(&mut self, truth: usize, predicted: Option<usize>) {
        let Some(row) = self.confusion.get_mut(truth) else { return };
        match predicted.and_then(|p| row.get_mut(p)) {
            Some(cell) => *cell += 1,
            None => self.unclassified[truth] += 1,
        }
    }

    /// The number of classes.
    pub fn classes(&self) -> usize {
        self.confusion.len()
    }

    /// How many predictions were recorded.
    pub fn total(&self) -> usize {
        (0..self.classes()).map(|c| self.class_total(c)).sum()
    }

    /// How many were right.
    pub fn correct(&self) -> usize {
        (0..self.classes()).map(|c| self.confusion[c][c]).sum()
    }

    /// `correct / total`, 0.0 before any prediction.
    pub fn accuracy(&self) -> f64 {
        ratio(self.correct(), self.total())
    }

    /// How many texts of class `class` were recorded (0 past the last class).
    pub fn class_total(&self, class: usize) -> usize {
        self.confusion.get(class).map_or(0, |row| row.iter().sum::<usize>())
            + self.unclassified.get(class).copied().unwrap_or(0)
    }

    /// The share of class `class`'s texts predicted as `class` (0.0 when it has none).
    pub fn class_accuracy(&self, class: usize) -> f64 {
        let right = self.confusion.get(class).map_or(0, |row| row[class]);
        ratio(right, self.class_total(class))
    }

    /// How often a text of class `truth` was predicted as `predicted`.
    pub fn count(&self, truth: usize, predicted: usize) -> usize {
        self.confusion.get(truth).and_then(|row| row.get(predicted)).copied().unwrap_or(0)
    }

    /// How many of class `class`'s texts got no prediction.
    pub fn unclassified(&self, class: usize) -> usize {
        self.unclassified.get(class).copied().unwrap_or(0)
    }

    /// The `k` most frequent mistakes as `(truth, predicted, count)`, most frequent first,
    /// equal counts in class order.
    pub fn most_confused(&self, k: usize) -> Vec<(usize, usize, usize)> {
        let mut pairs: Vec<(usize, usize, usize)> = self
            .confusion
            .iter()
            .enumerate()
            .flat_map(|(t, row)| row.iter().enumerate().map(move |(p, &count)| (t, p, count)))
            .filter(|&(t, p, count)| t != p && count > 0)
            .collect();
        pairs.sort_by(|a, b| b.2.cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1))));
        pairs.truncate(k);
        pairs
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// How long a phase took for how many sentences.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// Sentences processed.
    pub sentences: usize,
    /// Wall time.
    pub time: Duration,
}

impl Timing {
    /// Sentences per second (0.0 for no time at all).
    pub fn per_second(&self) -> f64 {
        let secs = self.time.as_secs_f64();
        if secs > 0.0 {
            self.sentences as f64 / secs
        } else {
            0.0
        }
    }
}

/// What one run measures and prints: both classifiers' results and timings.
#[derive(Clone, Debug)]
pub struct Report {
    /// The languages, index `i` being class `i`.
    pub languages: Vec<Language>,
    /// How each language was split.
    pub split: Split,
    /// The HDC settings.
    pub hdc_config: HdcConfig,
    /// Symbols in the alphabet (boundary and unknown letter included).
    pub alphabet_len: usize,
    /// N-grams bundled into the prototypes.
    pub training_ngrams: usize,
    /// Which backend ran the kernels, e.g. `"JIT avx2"`.
    pub backend: String,
    /// HDC predictions.
    pub hdc: Evaluation,
    /// Baseline predictions.
    pub baseline: Evaluation,
    /// HDC training: encoding and bundling every training sentence.
    pub hdc_train: Timing,
    /// HDC test: encoding every test sentence and its cleanup.
    pub hdc_test: Timing,
    /// Baseline training: counting n-grams.
    pub baseline_train: Timing,
    /// Baseline test: counting a sentence's n-grams and comparing with every profile.
    pub baseline_test: Timing,
}

/// Everything a run needs.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Config {
    /// The train/test split.
    pub split: Split,
    /// The HDC classifier's settings (its `n` is the baseline's too).
    pub hdc: HdcConfig,
}

/// The benchmark: loads the corpus, builds the alphabet from the training sentences, trains
/// and tests the HDC classifier and the exact baseline on the same split, and times both.
/// Errors: any of [`Corpus::load`], [`HdcClassifier::train`], [`NgramProfiles::train`], and
/// Trinity's errors during classification.
pub fn run(config: &Config) -> Result<Report, Error> {
    let corpus = Corpus::load(config.split)?;
    let train: Vec<Vec<&str>> = corpus.languages.iter().map(|l| l.train.clone()).collect();
    let alphabet = Alphabet::from_texts(train.iter().flatten().copied());
    let train_sentences = train.iter().map(Vec::len).sum();
    let test_sentences = corpus.languages.iter().map(|l| l.test.len()).sum();
    let n = config.hdc.n;
    let training_ngrams = train
        .iter()
        .flatten()
        .map(|s| alphabet.encode(s).len().saturating_sub(n.saturating_sub(1)))
        .sum();

    let started = Instant::now();
    let hdc = HdcClassifier::train(config.hdc, alphabet.clone(), &train)?;
    let hdc_train = Timing { sentences: train_sentences, time: started.elapsed() };
    let started = Instant::now();
    let hdc_eval = evaluate(&corpus, |text| hdc.classify(text))?;
    let hdc_test = Timing { sentences: test_sentences, time: started.elapsed() };

    let started = Instant::now();
    let baseline = NgramProfiles::train(n, alphabet.clone(), &train)?;
    let baseline_train = Timing { sentences: train_sentences, time: started.elapsed() };
    let started = Instant::now();
    let baseline_eval = evaluate(&corpus, |text| baseline.classify(text))?;
    let baseline_test = Timing { sentences: test_sentences, time: started.elapsed() };

    let engine = JitEngine::global();
    let backend = match (engine.stats().backend, engine.tier()) {
        (Backend::Jit, Some(tier)) => format!("JIT {}", tier.name()),
        (Backend::Jit, None) => "JIT".to_owned(),
        (Backend::Portable { reason }, _) => format!("portable Rust ({reason})"),
    };
    Ok(Report {
        languages: corpus.languages.iter().map(|l| l.language).collect(),
        split: config.split,
        hdc_config: config.hdc,
        alphabet_len: alphabet.len(),
        training_ngrams,
        backend,
        hdc: hdc_eval,
        baseline: baseline_eval,
        hdc_train,
        hdc_test,
        baseline_train,
        baseline_test,
    })
}

/// Classifies every test sentence of `corpus`; a sentence with no n-gram is unclassified.
fn evaluate(
    corpus: &Corpus,
    classify: impl Fn(&str) -> Result<Prediction, Error>,
) -> Result<Evaluation, Error> {
    let mut eval = Evaluation::new(corpus.languages.len());
    for (truth, language) in corpus.languages.iter().enumerate() {
        for text in &language.test {
            match classify(text) {
                Ok(prediction) => eval.record(truth, Some(prediction.class)),
                Err(Error::TooShort { .. }) => eval.record(truth, None),
                Err(e) => return Err(e),
            }
        }
    }
    Ok(eval)
}

impl fmt::Display for Report {
    /// The run's printout; its last two lines are `hdc accuracy: 0.xxxx` and
    /// `baseline accuracy: 0.xxxx`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.hdc_config;
        let metric = match c.metric {
            Metric::Cosine => "cosine",
            Metric::Dot => "dot",
            Metric::Hamming => "hamming",
        };
        let bundling = match c.bundling {
            crate::Bundling::PerNgram => "per n-gram",
            crate::Bundling::PerSentence => "per sentence",
        };
        writeln!(
            f,
            "{} languages, {} training and {} test sentences each (lingua 1.2.0 test data)",
            self.languages.len(),
            self.split.train,
            self.split.test
        )?;
        writeln!(
            f,
            "HDC: D = {}, bitsliced; letter {}-grams over {} symbols, {} of them in \
             training; prototypes bundled {}; cleanup by {}; {}",
            c.dim, c.n, self.alphabet_len, self.training_ngrams, bundling, metric, self.backend
        )?;
        writeln!(f, "baseline: exact {}-gram counts per language, cosine", c.n)?;
        writeln!(f)?;
        writeln!(f, "{:<4} {:<11} {:>8} {:>9}", "lang", "name", "HDC", "baseline")?;
        for (i, language) in self.languages.iter().enumerate() {
            writeln!(
                f,
                "{:<4} {:<11} {:>8.4} {:>9.4}",
                language.code,
                language.name,
                self.hdc.class_accuracy(i),
                self.baseline.class_accuracy(i)
            )?;
        }
        writeln!(f)?;
        for (name, eval) in [("HDC", &self.hdc), ("baseline", &self.baseline)] {
            writeln!(f, "most confused ({name}), true -> predicted:")?;
            for (t, p, count) in eval.most_confused(5) {
                let (t, p) = (&self.languages[t], &self.languages[p]);
                writeln!(
                    f,
                    "  {} -> {}  {:>3}  ({} as {})",
                    t.code, p.code, count, t.name, p.name
                )?;
            }
            let unclassified: usize = (0..eval.classes()).map(|c| eval.unclassified(c)).sum();
            if unclassified > 0 {
                writeln!(f, "  {unclassified} sentences without an n-gram, counted as wrong")?;
            }
        }
        writeln!(f)?;
        for (name, t) in [
            ("HDC training", self.hdc_train),
            ("HDC test", self.hdc_test),
            ("baseline training", self.baseline_train),
            ("baseline test", self.baseline_test),
        ] {
            writeln!(
                f,
                "{:<18} {:>6} sentences in {:>8.3} s: {:>9.0} sentences/s",
                name,
                t.sentences,
                t.time.as_secs_f64(),
                t.per_second()
            )?;
        }
        writeln!(f, "hdc accuracy: {:.4}", self.hdc.accuracy())?;
        write!(f, "baseline accuracy: {:.4}", self.baseline.accuracy())
    }
}
