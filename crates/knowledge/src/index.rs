//! BM25 over passages' titles and bodies.
//!
//! Our own inverted index over `rust-stemmers` rather than tantivy: a
//! business has tens to a few thousand passages, which fit in a hash map
//! and search in microseconds, and tantivy would bring a whole search
//! engine (segments, merges, its own dependency tree) for it.

use crate::Passage;
use crate::text::{QueryWord, Stemmers, is_common};
use std::collections::HashMap;

/// BM25's term-frequency saturation and length normalisation, the usual
/// values.
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// A title's words count this many times: a passage titled "Horarios" is
/// about hours more than one that mentions them once.
const TITLE_WEIGHT: usize = 2;

/// A misspelt word matched to a word of the folder one edit away counts
/// this much of a real match.
const TYPO_WEIGHT: f32 = 0.7;

/// A word matched only by the folder's longer form of its stem counts
/// this much: often a derived word ("blanquear", "blanqueamiento"), but
/// as often another word of the same root ("estudiantes", "estudio").
const PREFIX_WEIGHT: f32 = 0.5;

pub(crate) struct Index {
    stemmers: Stemmers,
    terms: HashMap<String, usize>,
    /// The folder's words as written (folded), each with the terms it
    /// stems to: a misspelt query word is matched against these, since a
    /// typo can change a stem beyond recognition ("integrasiones").
    words: Vec<(String, Vec<usize>)>,
    /// Per term: (passage, term frequency) for each passage that has it.
    postings: Vec<Vec<(u32, f32)>>,
    idf: Vec<f32>,
    /// Per passage: its length over the average length, BM25's `|d|/avgdl`.
    relative_length: Vec<f32>,
    /// The idf of a word no passage has: what a query word that matches
    /// nothing weighs in the best score it could have had.
    unseen_idf: f32,
}

/// One passage's BM25 score for a query.
pub(crate) struct Scored {
    pub passage: usize,
    pub score: f32,
}

impl Index {
    pub(crate) fn new(passages: &[Passage]) -> Index {
        let stemmers = Stemmers::default();
        let mut terms: HashMap<String, usize> = HashMap::new();
        let mut postings: Vec<Vec<(u32, f32)>> = Vec::new();
        let mut surface: HashMap<String, usize> = HashMap::new();
        let mut words: Vec<Vec<usize>> = Vec::new();
        let mut lengths = Vec::with_capacity(passages.len());
        for (n, passage) in passages.iter().enumerate() {
            let (title, title_length) = stemmers.passage_terms(&passage.title, passage.language);
            let (body, body_length) = stemmers.passage_terms(&passage.body, passage.language);
            lengths.push((title_length * TITLE_WEIGHT + body_length) as f32);
            let mut counts: HashMap<&str, f32> = HashMap::new();
            for (_, term) in &title {
                *counts.entry(term).or_default() += TITLE_WEIGHT as f32;
            }
            for (_, term) in &body {
                *counts.entry(term).or_default() += 1.0;
            }
            for (term, tf) in counts {
                let next = terms.len();
                let id = *terms.entry(term.to_owned()).or_insert(next);
                if id == postings.len() {
                    postings.push(Vec::new());
                }
                postings[id].push((n as u32, tf));
            }
            for (word, term) in title.into_iter().chain(body) {
                let term = terms[&term];
                let next = surface.len();
                let at = *surface.entry(word).or_insert(next);
                if at == words.len() {
                    words.push(Vec::new());
                }
                if !words[at].contains(&term) {
                    words[at].push(term);
                }
            }
        }
        let count = passages.len() as f32;
        let idf_of = |df: f32| (1.0 + (count - df + 0.5) / (df + 0.5)).ln();
        let idf = postings.iter().map(|p| idf_of(p.len() as f32)).collect();
        let average = lengths.iter().sum::<f32>() / count.max(1.0);
        let relative_length = lengths
            .iter()
            .map(|l| if average > 0.0 { l / average } else { 1.0 })
            .collect();
        let mut words: Vec<(String, Vec<usize>)> = {
            let mut named = vec![String::new(); words.len()];
            for (word, at) in surface {
                named[at] = word;
            }
            named.into_iter().zip(words).collect()
        };
        words.sort_unstable();
        Index {
            stemmers,
            terms,
            words,
            postings,
            idf,
            relative_length,
            unseen_idf: idf_of(0.0),
        }
    }

    /// Every passage that shares a word with `query`, with its score, and
    /// the best score the query could have had. A query word is matched by
    /// its Spanish or English stem or a synonym's, whichever matches a
    /// passage best, else by a word of the folder one edit away (a typo),
    /// at a discount.
    pub(crate) fn score(&self, query: &str) -> (Vec<Scored>, f32) {
        let mut scores: HashMap<u32, f32> = HashMap::new();
        let mut best = 0.0;
        for query_word in self.stemmers.query_terms(query) {
            let mut matches: Vec<(usize, f32)> = query_word
                .stems
                .iter()
                .filter_map(|(s, w)| Some((*self.terms.get(s.as_str())?, *w)))
                .collect();
            if matches.is_empty() {
                match self.near(&query_word) {
                    Some(found) => matches.push(found),
                    None => {
                        if !is_common(&query_word.word) {
                            best += self.unseen_idf;
                        }
                        continue;
                    }
                }
            }
            best += matches
                .iter()
                .map(|&(term, weight)| weight * self.idf[term])
                .fold(0.0, f32::max);
            // A passage counts the word once, by its best-matching form.
            let mut word_scores: HashMap<u32, f32> = HashMap::new();
            for (term, weight) in matches {
                let idf = self.idf[term];
                for &(passage, tf) in &self.postings[term] {
                    let norm = 1.0 - B + B * self.relative_length[passage as usize];
                    let part = weight * idf * tf * (K1 + 1.0) / (tf + K1 * norm);
                    let entry = word_scores.entry(passage).or_default();
                    *entry = entry.max(part);
                }
            }
            for (passage, part) in word_scores {
                *scores.entry(passage).or_default() += part;
            }
        }
        let scored = scores
            .into_iter()
            .map(|(passage, score)| Scored {
                passage: passage as usize,
                score,
            })
            .collect();
        (scored, best)
    }

    /// How rare `word` is in the folder (the highest idf of its own stems
    /// in either language, not a synonym's nor a typo's); `None` when no
    /// passage has it.
    pub(crate) fn rarity(&self, word: &str) -> Option<f32> {
        self.stemmers
            .query_terms(word)
            .iter()
            .flat_map(|q| &q.stems)
            .filter(|(_, weight)| *weight == 1.0)
            .filter_map(|(stem, _)| self.terms.get(stem.as_str()).map(|&t| self.idf[t]))
            .reduce(f32::max)
    }

    /// The term of a folder's word one edit (a letter added, dropped,
    /// changed or two swapped) from the query's word, or that starts with
    /// the query word's stem (Snowball leaves "blanqueamiento" longer than
    /// "blanquear"); for words of 5 letters or more, since shorter ones are
    /// too often a different real word. Of several, the most common term;
    /// with its weight.
    fn near(&self, query: &QueryWord) -> Option<(usize, f32)> {
        // Spanish texting writes "ch" as "x": "noxe", "muxo".
        if query.word.contains('x') {
            let spelled = query.word.replace('x', "ch");
            if let Ok(at) = self
                .words
                .binary_search_by(|(word, _)| word.as_str().cmp(&spelled))
            {
                let terms = &self.words[at].1;
                let common = terms
                    .iter()
                    .max_by_key(|&&term| self.postings[term].len())?;
                return Some((*common, TYPO_WEIGHT));
            }
        }
        let length = query.word.chars().count();
        if length < 5 {
            return None;
        }
        let stems: Vec<&str> = query
            .stems
            .iter()
            .filter(|(stem, weight)| *weight == 1.0 && stem.chars().count() >= 5)
            .map(|(stem, _)| stem.as_str())
            .collect();
        let mut found: Option<(usize, f32)> = None;
        for (candidate, terms) in &self.words {
            let weight = if candidate.chars().count().abs_diff(length) <= 1
                && within_one_edit(candidate, &query.word)
            {
                TYPO_WEIGHT
            } else if stems.iter().any(|stem| candidate.starts_with(stem)) {
                PREFIX_WEIGHT
            } else {
                continue;
            };
            for &term in terms {
                let better = found.is_none_or(|(f, w)| {
                    (weight, self.postings[term].len()) > (w, self.postings[f].len())
                });
                if better {
                    found = Some((term, weight));
                }
            }
        }
        found
    }
}

/// Whether `a` becomes `b` by one insertion, deletion, substitution or
/// swap of two neighbouring letters (or none).
fn within_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    match (a.len(), b.len()) {
        (0, 0) | (0, 1) | (1, 0) | (1, 1) => true,
        (2, 2) => a[0] == b[1] && a[1] == b[0],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::within_one_edit;

    #[test]
    fn one_edit() {
        assert!(within_one_edit("preci", "presi"));
        assert!(within_one_edit("horari", "horri"));
        assert!(within_one_edit("segur", "seguro"));
        assert!(within_one_edit("cita", "ctia"));
        assert!(!within_one_edit("cita", "pago"));
        assert!(!within_one_edit("horari", "hora"));
    }
}
