//! Words as retrieval compares them: folded, split, stopwords dropped,
//! stemmed; and the language a passage is written in.

mod stem;
mod stopwords;
mod synonyms;
#[cfg(test)]
mod tests;

pub use stem::{QueryWord, Stemmers};
pub(crate) use stopwords::{is_common, is_stopword};

use stopwords::{is_english_only, is_spanish_only};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The language of a passage, when its words tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    Es,
    En,
    /// Both languages in one passage (a bilingual FAQ entry).
    Both,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::Es => "es",
            Language::En => "en",
            Language::Both => "es+en",
        }
    }

    /// Whether a passage in this language can be shown to a customer
    /// writing in `code` ("es" or "en").
    pub fn speaks(self, code: &str) -> bool {
        self == Language::Both || self.code() == code
    }
}
/// Lower case without accents ("Integración" → "integracion",
/// "¿Cuánto?" → "¿cuanto?"): customers often type without accents. The
/// one folding of the project: the domain and the brains use it too.
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The folded words of `text`: runs of letters and digits.
pub fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// The language of `text` by its common words: each language's own
/// stopwords counted, Spanish-only marks (ñ, ¿, ¡, accents) adding to
/// Spanish. Both when the weaker language still has a third of the hits
/// and at least three; none when neither has any.
pub fn detect(text: &str) -> Option<Language> {
    let mut es = text
        .chars()
        .filter(|c| {
            matches!(
                c,
                'ñ' | 'Ñ'
                    | '¿'
                    | '¡'
                    | 'á'
                    | 'é'
                    | 'í'
                    | 'ó'
                    | 'ú'
                    | 'Á'
                    | 'É'
                    | 'Í'
                    | 'Ó'
                    | 'Ú'
            )
        })
        .count();
    let mut en = 0;
    let folded = fold(text);
    for word in words(&folded) {
        if is_spanish_only(word) {
            es += 2;
        } else if is_english_only(word) {
            en += 2;
        }
    }
    let (low, high) = (es.min(en), es.max(en));
    if high == 0 {
        None
    } else if low >= 3 && low * 3 >= high {
        Some(Language::Both)
    } else if es > en {
        Some(Language::Es)
    } else {
        Some(Language::En)
    }
}
