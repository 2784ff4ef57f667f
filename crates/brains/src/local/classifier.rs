//! The intent classifier: multinomial logistic regression over character
//! n-grams and words, trained at start-up from the playbook's examples.
//!
//! Hand-written (~150 lines) on purpose: the crates that offer this
//! (linfa, smartcore) bring ndarray-scale dependency trees for a model of a
//! few thousand weights trained on a few hundred phrases in milliseconds.

use std::collections::HashMap;

/// Passes over the examples; the data is tiny and separable, so the loss
/// settles well before this.
const EPOCHS: usize = 40;
const LEARNING_RATE: f32 = 0.8;
/// L2 penalty: keeps weights small so probabilities stay calibrated-ish
/// instead of saturating at 1.0 on every known word.
const L2: f32 = 1e-3;
/// Below this probability, or with fewer known features than this share,
/// the message matches no intent (gibberish, off-topic).
const MIN_PROBABILITY: f32 = 0.4;
const MIN_COVERAGE: f32 = 0.35;

/// What the classifier read in a message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Reading<'a> {
    /// The best intent, when it is clear enough.
    pub intent: Option<&'a str>,
    /// The best intent's probability.
    pub probability: f32,
    /// Best minus second-best probability: small means ambiguous.
    pub margin: f32,
}

pub(crate) struct Classifier {
    labels: Vec<String>,
    /// Feature text -> row of `weights`.
    vocabulary: HashMap<String, usize>,
    /// `vocabulary.len() × labels.len()`, row-major.
    weights: Vec<f32>,
    bias: Vec<f32>,
}

impl Classifier {
    /// Trains on `(label, phrase)` pairs, in order: same examples, same model.
    pub(crate) fn train<'a>(examples: impl IntoIterator<Item = (&'a str, &'a str)>) -> Classifier {
        let mut labels: Vec<String> = Vec::new();
        let mut vocabulary = HashMap::new();
        let mut data: Vec<(usize, Vec<usize>)> = Vec::new();
        for (label, phrase) in examples {
            let class = match labels.iter().position(|l| l == label) {
                Some(i) => i,
                None => {
                    labels.push(label.to_owned());
                    labels.len() - 1
                }
            };
            let mut ids: Vec<usize> = features(phrase)
                .into_iter()
                .map(|f| {
                    let next = vocabulary.len();
                    *vocabulary.entry(f).or_insert(next)
                })
                .collect();
            ids.sort_unstable();
            ids.dedup();
            data.push((class, ids));
        }
        let classes = labels.len();
        let mut model = Classifier {
            labels,
            weights: vec![0.0; vocabulary.len() * classes],
            vocabulary,
            bias: vec![0.0; classes],
        };
        let mut probabilities = vec![0.0; classes];
        for _ in 0..EPOCHS {
            for (class, ids) in &data {
                let value = feature_value(ids.len());
                model.probabilities(ids, value, &mut probabilities);
                for (k, p) in probabilities.iter().enumerate() {
                    let gradient = p - if k == *class { 1.0 } else { 0.0 };
                    model.bias[k] -= LEARNING_RATE * gradient;
                    for &f in ids {
                        let w = &mut model.weights[f * classes + k];
                        *w -= LEARNING_RATE * (gradient * value + L2 * *w);
                    }
                }
            }
        }
        model
    }

    /// Softmax over the classes for a message's known feature ids.
    fn probabilities(&self, ids: &[usize], value: f32, out: &mut [f32]) {
        let classes = self.labels.len();
        out.copy_from_slice(&self.bias);
        for &f in ids {
            for (k, o) in out.iter_mut().enumerate() {
                *o += self.weights[f * classes + k] * value;
            }
        }
        let max = out.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0.0;
        for o in out.iter_mut() {
            *o = (*o - max).exp();
            sum += *o;
        }
        for o in out.iter_mut() {
            *o /= sum;
        }
    }

    pub(crate) fn classify(&self, text: &str) -> Reading<'_> {
        let none = Reading {
            intent: None,
            probability: 0.0,
            margin: 0.0,
        };
        let all = features(text);
        if all.is_empty() || self.labels.is_empty() {
            return none;
        }
        let mut ids: Vec<usize> = all
            .iter()
            .filter_map(|f| self.vocabulary.get(f).copied())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        // Unknown features count in the normalisation, so a message made
        // mostly of unseen text pulls every class towards the prior.
        let value = feature_value(all.len());
        let mut probabilities = vec![0.0; self.labels.len()];
        self.probabilities(&ids, value, &mut probabilities);
        let (mut best, mut second) = ((0, 0.0f32), 0.0f32);
        for (k, p) in probabilities.iter().copied().enumerate() {
            if p > best.1 {
                second = best.1;
                best = (k, p);
            } else if p > second {
                second = p;
            }
        }
        let coverage = ids.len() as f32 / all.len() as f32;
        let clear = best.1 >= MIN_PROBABILITY && coverage >= MIN_COVERAGE;
        Reading {
            intent: clear.then(|| self.labels[best.0].as_str()),
            probability: best.1,
            margin: best.1 - second,
        }
    }
}

/// Each feature's value: the vector has unit length whatever the message's
/// length, so long messages do not shout.
fn feature_value(count: usize) -> f32 {
    1.0 / (count.max(1) as f32).sqrt()
}

/// Lower-cases, strips accents ("¿Cuánto?" -> "cuanto") and keeps letters
/// and digits as space-separated words.
pub(crate) fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in leadline_domain::language::fold(text).chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with(' ') && !out.is_empty() {
            out.push(' ');
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// Words, word pairs and 2–4 character n-grams of each word (with its
/// boundaries), so "precios" still shares most features with "precio".
fn features(text: &str) -> Vec<String> {
    let normalised = normalise(text);
    let words: Vec<&str> = normalised.split(' ').filter(|w| !w.is_empty()).collect();
    let mut out = Vec::new();
    for (i, word) in words.iter().enumerate() {
        out.push(format!("w:{word}"));
        if let Some(next) = words.get(i + 1) {
            out.push(format!("b:{word} {next}"));
        }
        let padded: Vec<char> = format!(" {word} ").chars().collect();
        for n in 2..=4 {
            for gram in padded.windows(n) {
                out.push(format!("c:{}", gram.iter().collect::<String>()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising_folds_accents_case_and_punctuation() {
        assert_eq!(
            normalise("¿Cuánto CUESTA?  ¡Dímelo!"),
            "cuanto cuesta dimelo"
        );
        assert_eq!(normalise("  ...  "), "");
        assert_eq!(normalise("Pásame con un asesor"), "pasame con un asesor");
    }

    #[test]
    fn an_untrained_or_empty_reading_matches_nothing() {
        let empty = Classifier::train([]);
        assert_eq!(empty.classify("hola").intent, None);
        let model = Classifier::train([("a", "hola"), ("b", "adios")]);
        assert_eq!(model.classify("?!").intent, None);
        assert_eq!(model.classify("hola").intent, Some("a"));
    }
}
