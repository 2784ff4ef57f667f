//! The terms a passage is indexed by and a query is matched by: words
//! stemmed in Spanish and English, stopwords and noise dropped, synonyms
//! and amounts of money added. Apart from language detection and folding,
//! which do not stem.

use super::stopwords::{english_stopword, spanish_stopword};
use super::synonyms::{SYNONYM_WEIGHT, SYNONYMS, idioms_as_words, kind_of};
use super::{Language, fold, words};
use rust_stemmers::{Algorithm, Stemmer};

/// The Spanish and English stemmers, made once per index.
pub struct Stemmers {
    es: Stemmer,
    en: Stemmer,
}

impl Default for Stemmers {
    fn default() -> Self {
        Stemmers {
            es: Stemmer::create(Algorithm::Spanish),
            en: Stemmer::create(Algorithm::English),
        }
    }
}

impl Stemmers {
    /// A folded word's Spanish stem. Snowball's Spanish rules see
    /// "-ación" only with its accent, so an unaccented "integracion" would
    /// keep a stem of its own; the accent is put back first.
    fn spanish(&self, word: &str) -> String {
        if let Some(stem) = word.strip_suffix("ion")
            && (stem.ends_with('c') || stem.ends_with('s'))
        {
            return fold(&self.es.stem(&format!("{stem}ión")));
        }
        fold(&self.es.stem(word))
    }

    /// The words of a passage as (folded word, stem) pairs, in its
    /// language's stemmer (both when the language is both or unknown, so a
    /// word may give two pairs), its stopwords dropped; and the number of
    /// words, as the passage's length.
    pub fn passage_terms(
        &self,
        text: &str,
        language: Option<Language>,
    ) -> (Vec<(String, String)>, usize) {
        let folded = fold(text);
        let (es, en) = match language {
            Some(Language::Es) => (true, false),
            Some(Language::En) => (false, true),
            _ => (true, true),
        };
        let mut terms = Vec::new();
        let mut length = 0;
        // An amount answers "how much" as "precio" would: "desde $45.000
        // por hora" is the price of company classes though it never says
        // "price". Added as the words, not counted in the length.
        if states_amount(&folded) {
            for (word, es_word) in [("price", false), ("precio", true)] {
                let stem = if es_word {
                    self.spanish(word)
                } else {
                    self.en.stem(word).into_owned()
                };
                terms.push((word.to_owned(), stem));
            }
        }
        for word in words(&folded) {
            let stop = (es && spanish_stopword(word)) || (en && english_stopword(word));
            if stop || is_noise(word) {
                continue;
            }
            length += 1;
            let es_stem = es.then(|| self.spanish(word));
            let en_stem = en.then(|| self.en.stem(word).into_owned());
            let stems = match (es_stem, en_stem) {
                (Some(a), Some(b)) if a == b => vec![a],
                (a, b) => a.into_iter().chain(b).collect(),
            };
            terms.extend(stems.into_iter().map(|stem| (word.to_owned(), stem)));
        }
        (terms, length)
    }

    /// A query's folded words, each with its stem in either language: a
    /// short question says too little to tell its language for sure, and
    /// names ("Tiendanube") are shared, so both are tried and the better
    /// match counts. A word of a [`SYNONYMS`] group brings the group's
    /// other words at [`SYNONYM_WEIGHT`], and a word naming one of a kind
    /// the kind's ("inglés" brings "idioma"). Stopwords of both languages are
    /// dropped; repeats once.
    /// An idiom ([`IDIOMS`](super::synonyms::IDIOMS)) counts as the word it stands for.
    pub fn query_terms(&self, query: &str) -> Vec<QueryWord> {
        let folded = idioms_as_words(&fold(query));
        let mut terms: Vec<QueryWord> = Vec::new();
        let mut groups: Vec<usize> = Vec::new();
        for word in words(&folded) {
            if spanish_stopword(word) || english_stopword(word) || is_noise(word) {
                continue;
            }
            if terms.iter().any(|t| t.word == word) {
                continue;
            }
            // "how much does it cost" asks the price once, not twice.
            let group = SYNONYMS.iter().position(|g| g.contains(&word));
            if let Some(group) = group {
                if groups.contains(&group) {
                    continue;
                }
                groups.push(group);
            }
            let mut stems = Vec::new();
            let mut add = |stem: String, weight: f32| {
                if !stems.iter().any(|(s, _)| *s == stem) {
                    stems.push((stem, weight));
                }
            };
            add(self.spanish(word), 1.0);
            add(self.en.stem(word).into_owned(), 1.0);
            let synonyms = group.map(|g| SYNONYMS[g]).into_iter().chain(kind_of(word));
            for other in synonyms.flatten().filter(|o| **o != word) {
                add(self.spanish(other), SYNONYM_WEIGHT);
                add(self.en.stem(other).into_owned(), SYNONYM_WEIGHT);
            }
            terms.push(QueryWord {
                word: word.to_owned(),
                stems,
            });
        }
        terms
    }
}

/// One word of a query: as typed (folded), for typo matching, and the
/// stems that match it with their weights (its own Spanish and English
/// stems at 1, its synonyms' less).
pub struct QueryWord {
    pub word: String,
    pub stems: Vec<(String, f32)>,
}

/// Whether folded `text` states an amount of money: a currency sign or
/// code next to a number ("$85.000", "55 €", "ARS 28,000", "49 dólares").
pub(super) fn states_amount(text: &str) -> bool {
    const CODES: &[&str] = &[
        "usd", "ars", "eur", "mxn", "cop", "clp", "pen", "brl", "gbp", "euros", "euro", "dolares",
        "dollars", "pesos", "reais", "soles",
    ];
    let tokens: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|t| !t.is_empty())
        .collect();
    let number = |t: &str| {
        t.trim_end_matches([',', '.', ';'])
            .chars()
            .any(|c| c.is_ascii_digit())
    };
    let beside_number = |i: usize| {
        tokens.get(i + 1).is_some_and(|t| number(t))
            || i.checked_sub(1)
                .and_then(|j| tokens.get(j))
                .is_some_and(|t| number(t))
    };
    tokens.iter().enumerate().any(|(i, token)| {
        let signed = token.contains(['$', '€', '£']) && (number(token) || beside_number(i));
        let coded = CODES.contains(&token.trim_end_matches([',', '.', ';'])) && beside_number(i);
        signed || coded
    })
}

/// A lone letter says nothing ("a", "x"); a lone digit may ("plan 2").
fn is_noise(word: &str) -> bool {
    let mut chars = word.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if !c.is_ascii_digit())
}
