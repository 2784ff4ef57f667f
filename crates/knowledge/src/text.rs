//! Words as retrieval compares them: folded, split, stopwords dropped,
//! stemmed; and the language a passage is written in.

use rust_stemmers::{Algorithm, Stemmer};
use std::collections::HashSet;
use std::sync::LazyLock;
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

fn spanish_stopword(word: &str) -> bool {
    SPANISH.contains(&word) || NLTK.0.contains(word)
}

fn english_stopword(word: &str) -> bool {
    ENGLISH.contains(&word) || NLTK.1.contains(word)
}

/// A stopword of either language.
pub(crate) fn is_stopword(word: &str) -> bool {
    spanish_stopword(word) || english_stopword(word)
}

/// Words of one language only, which say the text is in it.
fn is_spanish_only(word: &str) -> bool {
    SPANISH.contains(&word) && !ENGLISH.contains(&word)
}

fn is_english_only(word: &str) -> bool {
    ENGLISH.contains(&word) && !SPANISH.contains(&word)
}

/// Lower case without accents ("Integración" → "integracion"): customers
/// often type without accents.
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
    /// other words at [`SYNONYM_WEIGHT`]. Stopwords of both languages are
    /// dropped; repeats once.
    /// An idiom ([`IDIOMS`]) counts as the word it stands for.
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
            if let Some(group) = group {
                for other in SYNONYMS[group].iter().filter(|o| **o != word) {
                    add(self.spanish(other), SYNONYM_WEIGHT);
                    add(self.en.stem(other).into_owned(), SYNONYM_WEIGHT);
                }
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

/// Phrases that ask what a word of [`SYNONYMS`] asks though none of their
/// own words does ("what's the damage?" asks the price), as folded words
/// joined by one space.
const IDIOMS: &[(&str, &str)] = &[
    ("what s the damage", "price"),
    ("whats the damage", "price"),
    ("set me back", "cost"),
    ("ballpark", "price"),
];

/// `folded`'s words, one space apart, each idiom replaced by its word.
fn idioms_as_words(folded: &str) -> String {
    let mut spaced = format!(" {} ", words(folded).collect::<Vec<_>>().join(" "));
    for (idiom, word) in IDIOMS {
        spaced = spaced.replace(&format!(" {idiom} "), &format!(" {word} "));
    }
    spaced
}

/// How much a synonym's match counts against the word's own.
const SYNONYM_WEIGHT: f32 = 0.8;

/// Words customers use for what a business's facts say otherwise, the
/// same for any business: "¿cuánto sale?" asks what "cuesta" answers,
/// "where are you located" what an address answers. Folded, both
/// languages in one group; a word of a group finds the others.
const SYNONYMS: &[&[&str]] = &[
    &[
        "precio",
        "precios",
        "cuesta",
        "cuestan",
        "costo",
        "coste",
        "cuanto",
        "cuanta",
        "sale",
        "cotizan",
        "cotizacion",
        "cotizar",
        "quote",
        "vale",
        "tarifa",
        "cobran",
        "cobrais",
        "cobrar",
        "cobra",
        "price",
        "prices",
        "pricing",
        "cost",
        "costs",
        "much",
        "fee",
        "rate",
        "charge",
        "charges",
    ],
    &[
        "horario", "horarios", "hora", "horas", "abren", "abre", "abris", "abrir", "abrimos",
        "abierto", "abiertos", "cierran", "cierra", "cerrado", "atienden", "atendeis", "open",
        "opening", "close", "closing", "closed", "hours",
    ],
    &[
        "donde",
        "situados",
        "ubicados",
        "ubicacion",
        "whereabouts",
        "ubicada",
        "ubicado",
        "direccion",
        "quedan",
        "llegar",
        "where",
        "located",
        "location",
        "address",
        "directions",
    ],
    &[
        "pagar", "pago", "pagos", "abonar", "pay", "paying", "payment", "payments",
    ],
    &[
        "aceptan",
        "aceptais",
        "acepta",
        "aceptamos",
        "admiten",
        "admitis",
        "accept",
        "accepts",
    ],
    &[
        "plazos",
        "cuotas",
        "mensualidades",
        "financiar",
        "financiacion",
        "financiamiento",
        "fraccionar",
        "fraccionado",
        "instalments",
        "installments",
        "spread",
        "finance",
        "financing",
    ],
    &[
        "seguro",
        "seguros",
        "aseguradora",
        "mutua",
        "cubre",
        "cubren",
        "cubriria",
        "cobertura",
        "insurance",
        "insurer",
        "cover",
        "covers",
        "covered",
    ],
    &["edad", "anos", "age", "old", "years"],
    &[
        "reservar", "reserva", "reservo", "agendar", "agendo", "pedir", "pido", "book", "booking",
        "reserve",
    ],
    &[
        "cita",
        "citas",
        "turno",
        "turnos",
        "appointment",
        "appointments",
    ],
    &[
        "cancelar",
        "cancelo",
        "anular",
        "cambiar",
        "mover",
        "cancel",
        "reschedule",
        "move",
    ],
    &[
        "ninos",
        "nino",
        "hijos",
        "hijo",
        "hija",
        "infantil",
        "kids",
        "kid",
        "children",
        "child",
        "childrens",
    ],
    &[
        "incluye", "incluyen", "incluido", "incluida", "include", "includes", "included",
    ],
    &["gratis", "gratuito", "gratuita", "free"],
    &["grupo", "grupos", "grupal", "grupales", "group", "groups"],
    &[
        "inscripcion",
        "inscribir",
        "inscribirme",
        "inscribo",
        "anotarme",
        "anotar",
        "anoto",
        "matricula",
        "matricularme",
        "enrol",
        "enroll",
        "enrolment",
        "enrollment",
        "registration",
        "register",
        "signup",
    ],
    &[
        "devolucion",
        "devuelven",
        "devolveis",
        "devolver",
        "reembolso",
        "reembolsan",
        "reintegro",
        "refund",
        "refunds",
        "refunded",
    ],
    &[
        "preparacion",
        "preparan",
        "preparar",
        "preparais",
        "prep",
        "preparation",
        "prepare",
        "preparing",
    ],
    &[
        "roto", "rota", "rotos", "rompe", "rompio", "rompi", "partido", "partida", "partio",
        "broke", "broken", "cracked", "chipped",
    ],
    &[
        "consulta",
        "visita",
        "revision",
        "visit",
        "consultation",
        "checkup",
    ],
    &[
        "urgencia",
        "urgencias",
        "urgente",
        "emergencia",
        "dolor",
        "emergency",
        "urgent",
        "pain",
    ],
];

/// Whether folded `text` states an amount of money: a currency sign or
/// code next to a number ("$85.000", "55 €", "ARS 28,000", "49 dólares").
fn states_amount(text: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_amounts_of_money() {
        for priced in [
            "desde $45.000 por hora",
            "cuesta 55 €",
            "ars 28,000 a lesson",
            "49 dolares al mes",
            "€1,800",
        ] {
            assert!(states_amount(priced), "{priced}");
        }
        for unpriced in [
            "abrimos de 9 a 20",
            "grupos de 8 alumnos",
            "line d of the subte",
            "100% of the fee",
        ] {
            assert!(!states_amount(unpriced), "{unpriced}");
        }
    }

    #[test]
    fn an_idiom_asks_what_its_word_asks() {
        assert_eq!(
            idioms_as_words(&fold("OK, what's the damage per month?")),
            " ok price per month "
        );
        assert_eq!(
            idioms_as_words(&fold("how much would it set me back")),
            " how much would it cost "
        );
        assert_eq!(
            idioms_as_words(&fold("does whitening damage the enamel")),
            " does whitening damage the enamel "
        );
    }

    #[test]
    fn folds_accents_and_case() {
        assert_eq!(fold("¿Integración CON Ñandú?"), "¿integracion con nandu?");
    }

    #[test]
    fn tells_languages_apart() {
        assert_eq!(
            detect("¿Cuánto cuesta una limpieza dental con el seguro?"),
            Some(Language::Es)
        );
        assert_eq!(
            detect("How much is a cleaning if I have insurance?"),
            Some(Language::En)
        );
        assert_eq!(
            detect(
                "Abrimos de lunes a viernes y los sábados. We are open from Monday to Friday and on Saturdays."
            ),
            Some(Language::Both)
        );
        assert_eq!(detect("Tiendanube, Shopify, WooCommerce"), None);
        assert!(Language::Both.speaks("en") && Language::Es.speaks("es"));
        assert!(!Language::En.speaks("es"));
    }

    #[test]
    fn stems_in_the_passage_language() {
        let stemmers = Stemmers::default();
        let (es, _) = stemmers.passage_terms("integraciones", Some(Language::Es));
        for question in ["¿se integran?", "integración", "INTEGRACION"] {
            let query = stemmers.query_terms(question);
            assert_eq!(query.len(), 1);
            assert_eq!(es[0].1, query[0].stems[0].0, "{question}");
        }
    }
}
