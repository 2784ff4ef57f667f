//! The languages Leadline talks in.

use crate::words::Words;
use serde::{Deserialize, Serialize};

/// A conversation's language. The built-in playbook speaks Spanish and
/// English; a playbook's templates are keyed by these codes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Es,
    En,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::Es => "es",
            Language::En => "en",
        }
    }

    /// The language's English name, as prompts name it.
    pub fn name(self) -> &'static str {
        match self {
            Language::Es => "Spanish",
            Language::En => "English",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code.trim().to_ascii_lowercase().as_str() {
            "es" | "spa" | "spanish" | "español" => Some(Language::Es),
            "en" | "eng" | "english" | "inglés" => Some(Language::En),
            _ => None,
        }
    }

    pub const ALL: [Language; 2] = [Language::Es, Language::En];
}

/// Lower case without accents: how customers' words are compared, since
/// many type without accents.
pub use leadline_knowledge::fold;

/// The language a customer message is written in, when the text says
/// enough to tell (a bare "ok", "5000" or "Acme" does not).
///
/// A scorer, run on every message so free of allocations and dependencies:
/// a common word of one language and not the other counts two for it,
/// a Spanish-only character (ñ, á, é, í, ó, ú, ü, ¿, ¡) one. The higher
/// score wins; a tie says nothing.
pub fn detect(text: &str) -> Option<Language> {
    let mut spanish = 0u32;
    let mut english = 0u32;
    for c in text.chars() {
        if matches!(
            c,
            'ñ' | 'á'
                | 'é'
                | 'í'
                | 'ó'
                | 'ú'
                | 'ü'
                | 'Ñ'
                | 'Á'
                | 'É'
                | 'Í'
                | 'Ó'
                | 'Ú'
                | 'Ü'
                | '¿'
                | '¡'
        ) {
            spanish = spanish.saturating_add(1);
        }
    }
    let mut buffer = [0u8; MAX_WORD_BYTES];
    for word in text.split(|c: char| !(c.is_alphabetic() || c == '\'' || c == '’')) {
        let Some(word) = lowercase_into(word.trim_matches(['\'', '’']), &mut buffer) else {
            continue;
        };
        if is_spanish_word(word) {
            spanish = spanish.saturating_add(2);
        } else if is_english_word(word) {
            english = english.saturating_add(2);
        }
    }
    match spanish.cmp(&english) {
        std::cmp::Ordering::Greater => Some(Language::Es),
        std::cmp::Ordering::Less => Some(Language::En),
        std::cmp::Ordering::Equal => None,
    }
}

/// Longer words are in neither list.
const MAX_WORD_BYTES: usize = 32;

/// `word` lowercased into `buffer` (curly apostrophes made straight), or
/// `None` when empty or too long to be a listed word. Hand-written so the
/// detector allocates nothing per word.
fn lowercase_into<'b>(word: &str, buffer: &'b mut [u8; MAX_WORD_BYTES]) -> Option<&'b str> {
    if word.is_empty() || word.len() > MAX_WORD_BYTES / 2 {
        return None;
    }
    let mut len = 0;
    for c in word.chars().flat_map(char::to_lowercase) {
        let c = if c == '’' { '\'' } else { c };
        let end = len + c.len_utf8();
        c.encode_utf8(buffer.get_mut(len..end)?);
        len = end;
    }
    std::str::from_utf8(&buffer[..len]).ok()
}

/// Common Spanish words that are not also common English ones.
static SPANISH_WORDS: Words = Words::new(
    "de la que el en y los se del las por con una un su para es al lo como más mas pero \
     sus le ya este sí porque esta entre cuando muy sin sobre también hasta hay donde \
     quien desde todo nos todos uno les ni otros ese eso esto mí antes qué unos unas yo \
     otro otra él esa estos mucho nada muchos cual poco ella estar estas algo nosotros mi \
     mis tú te ti tu tus hola gracias buenas buenos días dias tardes noches quiero \
     queremos necesito necesitamos tengo tenemos soy somos busco buscamos estoy estamos \
     vale bueno claro cuánto cuanto cuesta precio empresa dueño dueña mes próximo proximo \
     próxima semana año presupuesto dólares dolares mil mañana ahora favor puedo puede \
     hablar persona usted ustedes pues dónde cómo cuándo así aquí aqui bien perfecto \
     listo saludos adiós adios chau sería tiene tienen quisiera llamo nombre ventas \
     clientes asistente posible decido jefe consultar sé todavía todavia prisa solo \
     mirando equipo hacer dinero viene quiere sabe ayuda necesita entonces cuenta negocio \
     tienda vendedor hoy urgente interesa gustaría gustaria señor señora millones pesos \
     trimestre gerente compras socio porfa xfa jaja jajaja tmb tb xq bnas",
);

/// Common Spanish words that are not also common English ones.
fn is_spanish_word(word: &str) -> bool {
    SPANISH_WORDS.contains(word)
}

/// Common English words that are not also common Spanish ones.
static ENGLISH_WORDS: Words = Words::new(
    "the and is are was were to of in for on with at by from it it's its this that that's \
     we we're we'll you you're i i'm i'd i'll my our your be have has do does don't can \
     can't will would could should what what's how when where who which hi hello hey \
     thanks thank please yes need want looking budget next month week year company about \
     around just not but so if an am any some they there here good great morning \
     afternoon evening price cost much many talk human person decision make start buy \
     sales team let's help know get us also too out up now today tomorrow asap boss owner \
     manager decide name isn't interested call meet someone really sure right away rush \
     cheap thousand dollars bye see soon like work business customers assistant pricing \
     quote send more than least sorry pls plz thx ty u ur wanna gonna lol idk btw",
);

/// Common English words that are not also common Spanish ones.
fn is_english_word(word: &str) -> bool {
    ENGLISH_WORDS.contains(word)
}

/// Whether `word` (lowercased) is one of the common words of either
/// language: such a word is not a name or a company on its own.
pub fn is_common_word(word: &str) -> bool {
    is_spanish_word(word) || is_english_word(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_messages() {
        let messages = [
            "Hola, soy Carlos de Ferretería López, busco un asistente para atender clientes por WhatsApp",
            "Tenemos unos 3 mil dólares",
            "Soy el dueño, decido yo",
            "Lo antes posible",
            "hola",
            "gracias",
            "info porfa",
            "buenos días",
            "sí",
            "¿cuánto cuesta?",
            "quiero hablar con una persona",
            "me llamo María José",
            "soy Pedro",
            "el mes que viene",
            "la próxima semana",
            "en 3 meses",
            "hasta 20 mil pesos",
            "entre 5 y 10 mil",
            "lo tengo que consultar con mi socio",
            "depende de mi jefe",
            "soy gerente de compras",
            "sin prisa, solo estoy mirando",
            "todavía no sé",
            "mi empresa se llama Acme",
            "necesitamos un bot para ventas",
            "vale, perfecto",
            "¡genial!",
            "estoy buscando algo para mi tienda",
            "trabajo en Acme",
            "mañana",
            "qué precio tiene",
            "no tenemos presupuesto",
            "José",
        ];
        assert!(messages.len() >= 30);
        for message in messages {
            assert_eq!(detect(message), Some(Language::Es), "{message}");
        }
    }

    #[test]
    fn english_messages() {
        let messages = [
            "Hi, I'm Ana from Acme, we need a WhatsApp bot for our sales team",
            "Our budget is around 5k USD",
            "I'm the CEO, I make the decision",
            "We want to start next month",
            "hi",
            "thanks",
            "yes",
            "hello there",
            "Info pls",
            "can u send it thx",
            "can I talk to a human",
            "my name is John Smith",
            "I'm Ana",
            "I’m interested",
            "next week",
            "in 2 weeks",
            "up to 2,000 EUR",
            "between 5 and 10 thousand",
            "I need to ask my boss",
            "my manager decides",
            "I'm the marketing manager",
            "no rush, just looking",
            "I don't know yet",
            "our company is Acme",
            "we're looking for a chatbot",
            "great, thank you",
            "how much does it cost?",
            "I work at Acme",
            "tomorrow",
            "what's the price",
            "ASAP",
            "good morning",
            "we don't have a budget",
        ];
        assert!(messages.len() >= 30);
        for message in messages {
            assert_eq!(detect(message), Some(Language::En), "{message}");
        }
    }

    #[test]
    fn says_nothing_when_the_text_does_not_tell() {
        for message in [
            "ok",
            "5000",
            "👍",
            "Acme",
            "",
            "   ",
            "CEO",
            "WhatsApp",
            "5k USD",
            "Hi, soy Ana",
            "?!",
        ] {
            assert_eq!(detect(message), None, "{message}");
        }
    }

    #[test]
    fn long_and_odd_words_are_skipped_safely() {
        assert_eq!(detect(&"ñ".repeat(10_000)), Some(Language::Es));
        assert_eq!(
            detect(&"supercalifragilisticexpialidocious ".repeat(100)),
            None
        );
        assert_eq!(detect("İİİİİİİİ the"), Some(Language::En));
    }
}
