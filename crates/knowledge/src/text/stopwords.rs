//! The words that say nothing of a question's topic, in Spanish and
//! English: hand-picked lists, NLTK's and the ISO common words. Apart
//! from the text module because the lists are long and only looked up.

use super::fold;
use std::collections::HashSet;
use std::sync::LazyLock;

/// Common Spanish words that carry no topic. Kept short and hand-picked:
/// question words like "cuánto" or "dónde" stay out, since they are what
/// tells a price question from an address question. Folded (no accents).
const SPANISH: &[&str] = &[
    "a",
    "al",
    "algo",
    "algun",
    "alguna",
    "alguno",
    "ante",
    "asi",
    "aun",
    "bien",
    "cada",
    "como",
    "con",
    "de",
    "del",
    "desde",
    "e",
    "el",
    "ella",
    "ellos",
    "en",
    "entre",
    "era",
    "es",
    "esa",
    "ese",
    "eso",
    "esta",
    "estan",
    "estas",
    "este",
    "esto",
    "estoy",
    "fue",
    "ha",
    "hay",
    "he",
    "hola",
    "la",
    "las",
    "le",
    "les",
    "lo",
    "los",
    "mas",
    "me",
    "mi",
    "mis",
    "mucho",
    "muy",
    "ni",
    "no",
    "nos",
    "nosotros",
    "o",
    "para",
    "pero",
    "por",
    "porque",
    "puedo",
    "que",
    "quiero",
    "se",
    "ser",
    "si",
    "sin",
    "sobre",
    "son",
    "su",
    "sus",
    "tambien",
    "te",
    "tengo",
    "ti",
    "tu",
    "tus",
    "u",
    "un",
    "una",
    "uno",
    "unos",
    "unas",
    "usted",
    "ustedes",
    "vez",
    "y",
    "ya",
    "yo",
    "favor",
    // "¿hay alguna forma de...?" asks a way to do something, not about
    // "formas de pago".
    "forma",
    "formas",
    "manera",
    "maneras",
    "gracias",
    "buenas",
    "buenos",
    "dias",
    "tardes",
    "oye",
    // Fillers of WhatsApp Spanish: "che, ¿cuántos son por grupo?".
    "che",
    "mira",
    "oiga",
    "wey",
    "guey",
    "pana",
    "parce",
    "jaja",
    "jajaja",
    "porfa",
    "quisiera",
    "saber",
    "tiene",
    "tienen",
    "tienes",
    "hacen",
    "hace",
    "haces",
    "puede",
    "pueden",
    "puedes",
    "podria",
    "hoy",
    "ahi",
    "alli",
    "aqui",
    "otro",
    "otra",
    "cual",
    "cuales",
    // How people write on WhatsApp in Spain and Latin America: the
    // "vosotros" forms, filler and shorthand, which say nothing of the topic.
    "teneis",
    "haceis",
    "podeis",
    "sois",
    "vosotros",
    "vosotras",
    "vuestro",
    "vuestra",
    "vuestros",
    "vuestras",
    "os",
    "q",
    "k",
    "xq",
    "pq",
    "porfa",
    "porfis",
    "pues",
    "bueno",
    "mira",
    "exactamente",
    "aproximadamente",
    "aprox",
    "mas",
    "menos",
    "seria",
    "queria",
    "quisiera",
    "gustaria",
];

/// Common English words that carry no topic; question words stay (see
/// [`SPANISH`]).
const ENGLISH: &[&str] = &[
    "a",
    "about",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "way",
    "ways",
    "been",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "for",
    "from",
    "get",
    "got",
    "had",
    "has",
    "have",
    "hello",
    "hi",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "just",
    "me",
    "my",
    "of",
    "on",
    "or",
    "our",
    "please",
    "so",
    "some",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "to",
    "too",
    "us",
    "was",
    "we",
    "were",
    "will",
    "with",
    "would",
    "you",
    "your",
    "thanks",
    "thank",
    "hey",
    "like",
    "know",
    "want",
    "need",
    "tell",
    "let",
    "there's",
    "i'm",
    "it's",
    "yours",
    "s",
    "t",
    "d",
    "ll",
    "m",
    "re",
    "ve",
    "what",
    "which",
    "how",
    "is",
    "there",
    "any",
    "nearby",
    "today",
    "here",
    // Filler and shorthand.
    "guys",
    "exactly",
    "roughly",
    "approximately",
    "approx",
    "pls",
    "plz",
    "u",
    "ur",
    "ya",
    "yeah",
    "ok",
    "okay",
    "wondering",
    "quick",
    "question",
    "whats",
    "hows",
];

/// Words that ask what a question is about ("dónde" asks for an address,
/// "cuánto" for a price): never dropped as stopwords, though NLTK's lists
/// have them.
const QUESTION_WORDS: &[&str] = &[
    "what", "how", "when", "where", "which", "who", "whom", "why", "que", "como", "cuando",
    "donde", "cuanto", "cuanta", "cuantos", "cuantas", "quien", "quienes", "cual", "cuales",
];

/// NLTK's Spanish and English stopwords, folded, question words left out:
/// the words of a question that say nothing of its topic ("should",
/// "estaría"), which would otherwise count against a passage's relevance
/// as words the folder lacks. With the hand-picked lists above, which also
/// tell the languages apart.
static NLTK: LazyLock<(HashSet<String>, HashSet<String>)> = LazyLock::new(|| {
    let folded = |code: &str| -> HashSet<String> {
        stop_words::lookup(code)
            .unwrap_or_default()
            .iter()
            .map(|w| fold(w))
            .filter(|w| !QUESTION_WORDS.contains(&w.as_str()))
            .collect()
    };
    (folded("es"), folded("en"))
});

/// The ISO lists of common Spanish and English words, folded: much longer
/// than NLTK's ("actually", "happens", "last", "luego", "partir"). Too long
/// to drop from a query, since some say what a question is about ("open",
/// "free", "first"); but a common word the folder lacks says nothing
/// against a passage, where a rare one ("parking", "cataratas") says the
/// folder does not have the answer.
static COMMON: LazyLock<HashSet<String>> = LazyLock::new(|| {
    ["es", "en"]
        .into_iter()
        .flat_map(stop_words_iso::get)
        .map(|w| fold(w))
        .collect()
});

/// Whether `word` (folded) is a common word of Spanish or English.
pub(crate) fn is_common(word: &str) -> bool {
    COMMON.contains(word)
}

pub(super) fn spanish_stopword(word: &str) -> bool {
    SPANISH.contains(&word) || NLTK.0.contains(word)
}

pub(super) fn english_stopword(word: &str) -> bool {
    ENGLISH.contains(&word) || NLTK.1.contains(word)
}

/// A stopword of either language.
pub(crate) fn is_stopword(word: &str) -> bool {
    spanish_stopword(word) || english_stopword(word)
}

/// Words of one language only, which say the text is in it.
pub(super) fn is_spanish_only(word: &str) -> bool {
    SPANISH.contains(&word) && !ENGLISH.contains(&word)
}

pub(super) fn is_english_only(word: &str) -> bool {
    ENGLISH.contains(&word) && !SPANISH.contains(&word)
}
