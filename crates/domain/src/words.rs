//! Word lists written as text: what the field parsers and the language
//! detector both look words up in. A module of its own so the two depend
//! on it and not on each other.

use std::sync::OnceLock;

/// A word list written as one space-separated string, so long lists read
/// as a paragraph rather than one word per line; sorted on first use and
/// then binary-searched, so a lookup allocates nothing.
pub(crate) struct Words {
    list: &'static str,
    sorted: OnceLock<Vec<&'static str>>,
}

impl Words {
    pub(crate) const fn new(list: &'static str) -> Self {
        Self {
            list,
            sorted: OnceLock::new(),
        }
    }

    /// Whether `word`, already lowercased, is in the list.
    pub(crate) fn contains(&self, word: &str) -> bool {
        self.sorted
            .get_or_init(|| {
                let mut words: Vec<&'static str> = self.list.split_whitespace().collect();
                words.sort_unstable();
                words.dedup();
                words
            })
            .binary_search(&word)
            .is_ok()
    }
}
