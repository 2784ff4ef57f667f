//! Names, companies and needs: free text, checked for shape rather than
//! parsed. Each refuses greetings, sentences and keyboard mashing, so a
//! brain cannot store "hola" as a name or "asdf" as a need.

use super::text::Words;
use super::{FieldError, authority, invalid, text};
use crate::lead::{CompanyName, FieldName, Need, PersonName};
use regex::Regex;
use std::sync::LazyLock;

/// Given names and surnames, not counting particles ("de", "van").
const MAX_NAME_WORDS: usize = 4;
const MAX_COMPANY_WORDS: usize = 8;
const MIN_NEED_CHARS: usize = 3;

/// Asking for a person is a handoff, not something to buy.
static HUMAN_REQUEST: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)
        ^(?:to\s+)?(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+|an\s+|the\s+)?(?:real\s+|live\s+)?
            (?:human|person|agent|someone|somebody|representative|operator|advisor|salesperson|people)\b
        | ^(?:hablar|comunicarme|platicar|conversar|contactar)\s+(?:con\s+)?(?:una?\s+|el\s+|la\s+|alg[uú]n\s+)?
            (?:persona|humano|agente|asesor|asesora|alguien|representante|operador|operadora|ejecutivo|vendedor)\b
        | ^(?:a\s+|an\s+|una?\s+)?(?:real\s+)?(?:human|person|persona|humano|agente|asesor)$
        ",
    )
});

/// A goodbye or a promise to come back later ("gracias, luego hablamos",
/// "ok thanks, talk later", "lo pienso y te aviso"): the customer is
/// leaving, not saying what they need.
static LEAVING: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)^(?:(?:ok|okay|oki|vale|bueno|listo|dale|perfecto|genial|gracias|muchas\s+gracias|mil\s+gracias
            |thanks|thank\s+you|thx|ty|cool|great|sure|alright|all\s+right)[,.!\s]+)*
        (?:(?:luego|despu[eé]s|m[aá]s\s+tarde|otro\s+d[ií]a|ma[ñn]ana)\s+(?:hablamos|te\s+escribo|te\s+aviso|seguimos|te\s+contacto|te\s+llamo)
          |(?:hablamos|te\s+escribo|te\s+aviso|seguimos|nos\s+vemos)(?:\s+(?:luego|despu[eé]s|m[aá]s\s+tarde|ma[ñn]ana|pronto))?
          |(?:lo|la)\s+pienso(?:\s+y\s+te\s+(?:aviso|escribo|digo))?
          |talk\s+(?:to\s+you\s+)?(?:later|soon|tomorrow)|ttyl|speak\s+soon|catch\s+you\s+later
          |i['’]?ll\s+(?:get\s+back\s+to\s+you|think\s+about\s+it|let\s+you\s+know|be\s+in\s+touch)(?:\s+(?:later|soon|tomorrow))?
          |(?:bye|chau|chao|adi[oó]s|hasta\s+luego|hasta\s+pronto|see\s+you(?:\s+later|\s+soon)?))
        [\s.!]*$",
    )
});

/// Whether `text` is only a goodbye or a promise to come back later.
pub fn is_goodbye(text: &str) -> bool {
    LEAVING.is_match(&text::collapse_spaces(text))
}

/// A person's name: one to four words of letters (accents, apostrophes and
/// hyphens included), capitalised ("ana maría" → "Ana María").
pub fn parse_name(raw: &str) -> Result<PersonName, FieldError> {
    let field = FieldName::Name;
    let raw = raw.trim().trim_end_matches(['.', '!', ',', ';']).trim_end();
    if raw.is_empty() {
        return Err(FieldError::Empty { field });
    }
    if raw.chars().count() > PersonName::MAX_CHARS {
        return Err(invalid(field, "it is too long to be a name"));
    }
    if names_a_business(raw) {
        return Err(invalid(field, "it is a business's name, not a person's"));
    }
    let words: Vec<&str> = raw.split_whitespace().collect();
    let particles = words
        .iter()
        .skip(1)
        .filter(|w| is_particle(&w.to_lowercase()))
        .count();
    if words.len() - particles > MAX_NAME_WORDS {
        return Err(invalid(field, "it reads like a sentence, not a name"));
    }
    for (i, word) in words.iter().enumerate() {
        if word.chars().any(char::is_numeric) {
            return Err(invalid(field, "a name has no digits"));
        }
        if !is_name_word(word, i == 0) {
            return Err(invalid(
                field,
                "a name has only letters, apostrophes and hyphens",
            ));
        }
        let lower = word.to_lowercase();
        let capitalised_name = word.starts_with(char::is_uppercase) && is_also_a_name(&lower);
        let may_be_name = capitalised_name || (i > 0 && is_particle(&lower));
        if !may_be_name && is_not_name(&lower) {
            return Err(invalid(field, "it is a common word, not a name"));
        }
        if text::is_junk_word(word) {
            return Err(invalid(field, "it does not look like a name"));
        }
    }
    Ok(PersonName::parsed(
        words
            .iter()
            .enumerate()
            .map(|(i, word)| capitalise(word, i == 0))
            .collect::<Vec<_>>()
            .join(" "),
    ))
}

/// Words of a WhatsApp profile name that make it a business's or a
/// nickname, not a person's name ("Luna Bakes", "Ventas Altamar", "Mamá de
/// Lucas").
static NOT_PERSON: Words = Words::new(
    "mamá mama papá papa mom mum dad mommy abuela abuelo tía tío front desk reception \
     recepción recepcion admin administración bookings reservas citas appointments info \
     contacto contact support soporte atención atencion",
);

/// Words of a business's name: "Luna Bakes", "Hartley & Sons Roofing",
/// "Inversiones Pacífico Ltda".
static BUSINESS_WORDS: Words = Words::new(
    "bakes bakery bakeshop paws pets vet clinic clínica clinica dental studio estudio salon \
     salón shop store tienda boutique ventas sales dept department depto oficina office \
     travel tours viajes inc ltd ltda llc srl sa sas cia company empresa group grupo agency \
     agencia consultorio restaurante restaurant café cafe cafeteria bar grill pizza \
     motors autos realty inmobiliaria propiedades academy academia escuela school colegio \
     gym gimnasio spa beauty belleza nails uñas hair barber barbería official oficial \
     inversiones investments holdings sons hermanos roofing plumbing construcciones \
     constructora distribuciones distribuidora logistics logística servicios services \
     solutions soluciones",
);

/// Whether `text` reads as a business's name rather than a person's: a
/// word businesses have, a company form ("Ltda.") or an ampersand.
pub(super) fn names_a_business(text: &str) -> bool {
    text.contains('&')
        || text.split_whitespace().any(|word| {
            let bare = word
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase();
            BUSINESS_WORDS.contains(&bare) || (word.len() > 2 && is_abbreviation(word))
        })
}

/// The customer's name as their WhatsApp profile gives it, when it reads
/// as a person's name: letters only (no emoji, digits or initials like
/// "JP"), no word a business or a nickname has.
pub fn parse_profile_name(profile: &str) -> Option<PersonName> {
    let profile = profile.trim();
    let letters = profile
        .chars()
        .all(|c| c.is_alphabetic() || is_combining(c) || " '’-".contains(c));
    let words: Vec<&str> = profile.split_whitespace().collect();
    let plausible = letters
        && (1..=3).contains(&words.len())
        && words.iter().all(|word| {
            let lower = word.to_lowercase();
            let initials = word.chars().count() <= 3 && !word.chars().any(char::is_lowercase);
            !initials
                && !is_not_name(&lower)
                && !NOT_PERSON.contains(&lower)
                && !BUSINESS_WORDS.contains(&lower)
                && !crate::language::is_common_word(&lower)
        });
    plausible.then(|| parse_name(profile).ok()).flatten()
}

/// A company name, kept as the customer wrote it ("ACME S.A. de C.V.",
/// "Ferretería López"): a few words of letters, digits and the punctuation
/// company names use, that do not read like a sentence.
pub fn parse_company(raw: &str) -> Result<CompanyName, FieldError> {
    let field = FieldName::Company;
    let collapsed = text::collapse_spaces(raw);
    let mut name = collapsed.trim_end_matches(['!', '?', ',', ';', ':']).trim();
    if let Some(stripped) = name.strip_suffix('.')
        && !name.rsplit(' ').next().is_some_and(is_abbreviation)
    {
        name = stripped.trim_end();
    }
    if name.is_empty() {
        return Err(FieldError::Empty { field });
    }
    if name.chars().count() > CompanyName::MAX_CHARS {
        return Err(invalid(field, "it is too long to be a company name"));
    }
    let words: Vec<&str> = name.split(' ').collect();
    // "Al Noor Auto Spare Parts Trading LLC": a company form allows more.
    let formal = words
        .last()
        .is_some_and(|w| w.len() > 1 && is_abbreviation(w));
    if words.len() > MAX_COMPANY_WORDS + if formal { 2 } else { 0 } {
        return Err(invalid(
            field,
            "it reads like a sentence, not a company name",
        ));
    }
    if !name.chars().any(char::is_alphabetic) {
        return Err(invalid(field, "a company name needs letters"));
    }
    let allowed = |c: char| c.is_alphanumeric() || is_combining(c) || " &.,'’-+@()/!".contains(c);
    if !name.chars().all(allowed) {
        return Err(invalid(
            field,
            "it has characters a company name does not use",
        ));
    }
    let bare = |w: &&str| {
        w.trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
    };
    if words.iter().map(bare).any(|w| is_sentence_word(&w)) {
        return Err(invalid(
            field,
            "it reads like a sentence, not a company name",
        ));
    }
    if words.iter().map(bare).all(|w| is_filler(&w)) {
        return Err(invalid(field, "it is a reply, not a company name"));
    }
    if is_placeholder(&name.to_lowercase()) {
        return Err(invalid(field, "it says there is no company, not its name"));
    }
    if text::mostly_junk(name) {
        return Err(invalid(field, "it does not look like a company name"));
    }
    Ok(CompanyName::parsed(name.to_owned()))
}

/// What the customer wants, in their words: 3 to 300 characters that are
/// not a greeting, gibberish or a request to talk to a person.
pub fn parse_need(raw: &str) -> Result<Need, FieldError> {
    let field = FieldName::Need;
    let collapsed = text::collapse_spaces(raw);
    let need = collapsed.trim_end_matches(['.', '!', ',', ';', ':']).trim();
    if need.is_empty() {
        return Err(FieldError::Empty { field });
    }
    let chars = need.chars().count();
    if chars < MIN_NEED_CHARS {
        return Err(invalid(field, "it is too short to say what is needed"));
    }
    if chars > Need::MAX_CHARS {
        return Err(invalid(field, "it is longer than 300 characters"));
    }
    if need.chars().any(char::is_control) {
        return Err(invalid(field, "it has control characters"));
    }
    if text::looks_like_gibberish(need) {
        return Err(invalid(field, "it does not read as a need"));
    }
    let lower = need.to_lowercase();
    if lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .all(is_filler)
    {
        return Err(invalid(field, "a greeting or a reply is not a need"));
    }
    if LEAVING.is_match(need) {
        return Err(invalid(field, "a goodbye is not a need"));
    }
    if HUMAN_REQUEST.is_match(need) {
        return Err(invalid(field, "asking for a person is not a need"));
    }
    Ok(Need::parsed(need.to_owned()))
}

/// Combining accents, for names typed in decomposed form ("Jose\u{301}").
fn is_combining(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// Letters with inner apostrophes and hyphens; an initial ("J.") after the
/// first word.
fn is_name_word(word: &str, first: bool) -> bool {
    let body = match word.strip_suffix('.') {
        Some(initial) if !first && initial.chars().count() == 1 => initial,
        _ => word,
    };
    body.chars().next().is_some_and(char::is_alphabetic)
        && body
            .chars()
            .all(|c| c.is_alphabetic() || is_combining(c) || matches!(c, '\'' | '’' | '-'))
        && !body.ends_with(['\'', '’', '-'])
        && (!first || body.chars().filter(|c| c.is_alphabetic()).count() >= 2)
}

/// Lowercase words inside names ("María de los Ángeles").
static PARTICLES: Words = Words::new("de del la las los y van von der da di dos do");

/// Given names and surnames that are also everyday words ("vale" is "OK",
/// "tan" is "so"), read as a name only when capitalised.
pub(super) fn is_also_a_name(word: &str) -> bool {
    matches!(
        word,
        "vale"
            | "rosa"
            | "luz"
            | "mar"
            | "sol"
            | "flor"
            | "paz"
            | "grace"
            | "hope"
            | "faith"
            | "will"
            | "may"
            | "june"
            | "bill"
            | "mark"
            | "tan"
            | "lee"
            | "young"
    )
}

pub(super) fn is_particle(word: &str) -> bool {
    PARTICLES.contains(word)
}

/// "ana" → "Ana", "JOSÉ" → "José", "o'brien" → "O'Brien", "jean-luc" →
/// "Jean-Luc"; particles stay lowercase after the first word and mixed case
/// the customer chose ("McDonald") is kept.
fn capitalise(word: &str, first: bool) -> String {
    let lower = word.to_lowercase();
    if !first && is_particle(&lower) {
        return lower;
    }
    let has_upper = word.chars().any(char::is_uppercase);
    let has_lower = word.chars().any(char::is_lowercase);
    let upper_initial_only = word.chars().next().is_some_and(char::is_uppercase)
        && word
            .chars()
            .skip(1)
            .all(|c| !c.is_uppercase() || matches!(c, '\'' | '’' | '-'));
    if has_upper && has_lower && !upper_initial_only {
        return word.to_owned();
    }
    let mut out = String::with_capacity(word.len());
    let mut segment_letters = 0;
    let mut upper_next = true;
    for c in lower.chars() {
        if upper_next && c.is_alphabetic() {
            out.extend(c.to_uppercase());
            upper_next = false;
        } else {
            out.push(c);
        }
        match c {
            '-' => {
                upper_next = true;
                segment_letters = 0;
            }
            // "O'Brien", "D'Angelo": a one-letter prefix before the apostrophe.
            '\'' | '’' => {
                upper_next = segment_letters == 1;
                segment_letters = 0;
            }
            _ => segment_letters += 1,
        }
    }
    out
}

/// Words that are not names (see [`is_not_name`]).
static NOT_NAMES: Words = Words::new(
    "hola holaa holaaa holis holi hii hiii heyy wenas buenass hola hi hello hey buenas buenos buen dia día dias días tardes noches good morning \
     afternoon evening gracias thanks thank you ok okay vale yes no si sí bye adiós adios \
     chau saludos please por favor i i'm im me my mi yo we us our the a an el la los las \
     un una unos unas is am are soy es somos nombre name llamo interested interesado \
     interesada interesados looking buscando here aquí aqui new nuevo nueva ready listo \
     lista sorry fine great glad happy sure just not so very muy also still back from de \
     del en in at with con para for on calling writing contacting reaching trying going \
     cliente client customer bot human person persona humano test testing prueba want \
     need quiero necesito busco tengo have tenemos what qué que who quien quién how cómo \
     como when cuando where donde and y or o but pero this that esto eso it escribiendo \
     contactando llamando encantado encantada pleased nice curious curioso curiosa \
     currently actually really already ya tan también solo sólo bien mal feliz contento \
     contenta usuario user member miembro parte part one uno alguien someone everyone \
     todos nosotros ellos asking preguntando wondering thinking pensando planning using \
     usando working trabajando about sobre hoping excited emocionado emocionada afraid \
     hiya howdy g'day gday g’day yo sup wepa epa quiubo dimelo pa pal dr dra mr mrs ms sr sra lic ing cheers info pls plz porfa mire mira oye perdon perdón disculpa disculpe bueno \
     quick question pregunta consulta duda cotizar cotización precio precios hopefully \
     español espanol ingles inglés english spanish yo hey free libre available disponible \
     busy ocupado ocupada off tired cansado cansada sick enfermo enferma pésimo pesimo \
     terrible horrible awful ridiculous servicio service atención atencion queja complaint \
     malo mala igual da dale sigamos sigue skip next pass paso whatever nevermind prefiero \
     rather",
);

/// Words that follow "I'm"/"soy" without being a name, and words no name
/// is: greetings, articles, pronouns, common adjectives and participles,
/// roles. Used by [`parse_name`] and to reject "I'm interested" as a name.
pub(super) fn is_not_name(word: &str) -> bool {
    authority::is_role_word(word) || NOT_NAMES.contains(word) || is_verb_form(word)
}

/// Spanish verbs in the "we" form or a gerund ("arrancamos", "queremos",
/// "haciendo"): never a name, though a short surname may end so ("Ramos");
/// gerunds in "-ando" are left alone, as are Fernando and Orlando.
fn is_verb_form(word: &str) -> bool {
    word.chars().count() >= 7
        && ["amos", "emos", "imos", "iendo"]
            .iter()
            .any(|ending| word.ends_with(ending))
}

/// Places people say they are from (see [`is_place`]).
static PLACES: Words = Words::new(
    "mexico méxico monterrey guadalajara cdmx puebla tijuana cancún cancun spain españa \
     madrid barcelona valencia sevilla colombia bogotá bogota medellín medellin cali \
     argentina buenos córdoba cordoba rosario chile peru perú lima ecuador quito \
     guayaquil venezuela caracas uruguay montevideo paraguay bolivia guatemala honduras \
     panamá panama costa cuba dominicana usa us uk america américa london miami texas \
     california florida canada canadá brazil brasil europe europa latam",
);

/// Places people say they are from ("soy de Monterrey", "Ana from Spain"),
/// which a "from"/"de" cue would otherwise take for a company.
pub(super) fn is_place(word: &str) -> bool {
    PLACES.contains(word)
}

/// Words that make a company name a sentence.
static SENTENCE_WORDS: Words = Words::new(
    "i i'm im we we're you is are am was need want have has do does don't dont my our \
     your it this that what why how please yo soy es somos tenemos tengo necesito \
     necesitamos quiero queremos busco buscamos mi nuestra nuestro qué cómo hola hi hello \
     gracias thanks no not nombre name llama mía mia mío mio mine ours asi así",
);

/// Words that make a "company name" a sentence.
fn is_sentence_word(word: &str) -> bool {
    SENTENCE_WORDS.contains(word)
}

/// Answers that mean "no company".
static PLACEHOLDERS: Words = Words::new(
    "company empresa n/a na none ninguna ninguno nada nothing independent independiente \
     freelance freelancer particular self-employed autónomo autonomo unknown -",
);

/// Answers that mean "no company".
fn is_placeholder(name: &str) -> bool {
    PLACEHOLDERS.contains(name)
}

/// Company-form abbreviations written without inner dots.
static ABBREVIATIONS: Words =
    Words::new("inc ltd corp co llc sa sl cv srl sas ltda cía cia bros plc gmbh ag spa sapi rl");

/// "Inc.", "S.A.", "C.V.": an abbreviation keeps its full stop.
pub(super) fn is_abbreviation(word: &str) -> bool {
    let bare = word.strip_suffix('.').unwrap_or(word);
    bare.contains('.') || ABBREVIATIONS.contains(bare.to_lowercase().as_str())
}

/// Replies that carry no value on their own.
static FILLERS: Words = Words::new(
    "hola holaa holaaa holis holi hii hiii heyy wenas buenass hola hi hello hey buenas buenos buen dia día dias días tardes noches good morning \
     afternoon evening gracias muchas thanks thank you ok okay vale yes no si sí bien \
     great perfect perfecto bye adiós adios chau saludos please por favor claro sure \
     listo genial cool nice what qué que the el la a info información informacion \
     information details detalles price prices precio precios pls plz porfa more más mas \
     luego hablamos después despues later talk soon pronto nos vemos see ttyl",
);

fn is_filler(word: &str) -> bool {
    FILLERS.contains(word)
}

/// Parsing from text is parsing by the field's rules: `"Ana".parse()`.
impl std::str::FromStr for PersonName {
    type Err = FieldError;
    fn from_str(raw: &str) -> Result<Self, FieldError> {
        parse_name(raw)
    }
}

impl std::str::FromStr for CompanyName {
    type Err = FieldError;
    fn from_str(raw: &str) -> Result<Self, FieldError> {
        parse_company(raw)
    }
}

impl std::str::FromStr for Need {
    type Err = FieldError;
    fn from_str(raw: &str) -> Result<Self, FieldError> {
        parse_need(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_capitalised_sensibly() {
        let cases = [
            ("Ana", "Ana"),
            ("ana", "Ana"),
            ("Ana María", "Ana María"),
            ("ana maría", "Ana María"),
            ("JOSÉ", "José"),
            ("José", "José"),
            ("María José", "María José"),
            ("john smith", "John Smith"),
            ("o'brien", "O'Brien"),
            ("jean-luc picard", "Jean-Luc Picard"),
            ("María de los Ángeles", "María de los Ángeles"),
            ("McDonald", "McDonald"),
            ("John F. Kennedy", "John F. Kennedy"),
            ("  Pedro.  ", "Pedro"),
            ("Jose\u{301}", "Jose\u{301}"),
            ("Zoë", "Zoë"),
        ];
        for (raw, expected) in cases {
            assert_eq!(parse_name(raw).as_deref(), Ok(expected), "{raw}");
        }
    }

    #[test]
    fn names_refuse_greetings_digits_and_sentences() {
        for raw in [
            "hola",
            "Hi",
            "ok",
            "gracias",
            "Ana123",
            "R2D2",
            "I want a bot for my shop",
            "one two three four five",
            "a",
            "asdkjh",
            "the CEO",
            "👍",
            "Ana!!!!?",
            "interested",
        ] {
            assert!(
                matches!(
                    parse_name(raw),
                    Err(FieldError::Invalid {
                        field: FieldName::Name,
                        ..
                    })
                ),
                "{raw}"
            );
        }
        assert_eq!(
            parse_name("   "),
            Err(FieldError::Empty {
                field: FieldName::Name
            })
        );
    }

    #[test]
    fn companies_are_kept_as_written() {
        for (raw, expected) in [
            ("Acme", "Acme"),
            ("Ferretería López", "Ferretería López"),
            ("Acme Inc.", "Acme Inc."),
            ("ACME S.A. de C.V.", "ACME S.A. de C.V."),
            ("Acme.", "Acme"),
            ("3M", "3M"),
            ("AT&T", "AT&T"),
            ("KPMG", "KPMG"),
            ("  Tienda   Don Pepe ", "Tienda Don Pepe"),
            ("Yahoo!", "Yahoo"),
        ] {
            assert_eq!(parse_company(raw).as_deref(), Ok(expected), "{raw}");
        }
    }

    #[test]
    fn companies_refuse_sentences_and_placeholders() {
        for raw in [
            "we need a WhatsApp bot for our sales team",
            "no tengo empresa",
            "ok",
            "Gracias!",
            "n/a",
            "freelance",
            "1234",
            "asdkjh qwpoe",
            "Acme 🚀",
            "a b c d e f g h i",
            &"x".repeat(81),
        ] {
            assert!(
                matches!(
                    parse_company(raw),
                    Err(FieldError::Invalid {
                        field: FieldName::Company,
                        ..
                    })
                ),
                "{raw}"
            );
        }
        assert_eq!(
            parse_company(""),
            Err(FieldError::Empty {
                field: FieldName::Company
            })
        );
    }

    #[test]
    fn needs_are_free_text_but_not_noise() {
        for (raw, expected) in [
            (
                "a WhatsApp bot for our sales team",
                "a WhatsApp bot for our sales team",
            ),
            (
                "un asistente para atender clientes por WhatsApp.",
                "un asistente para atender clientes por WhatsApp",
            ),
            ("CRM", "CRM"),
            ("  automate   follow-ups ", "automate follow-ups"),
            // Not a goodbye: a need that mentions talking later.
            (
                "a bot that says we'll talk later when we're closed",
                "a bot that says we'll talk later when we're closed",
            ),
        ] {
            assert_eq!(parse_need(raw).as_deref(), Ok(expected), "{raw}");
        }
        for raw in [
            "hola",
            "ok gracias",
            "hi!",
            "asdkjh qwpoe zzxq",
            "jjjjjjjj kkkk",
            "qwe rty uiop asdf",
            "talk to a human",
            "hablar con una persona",
            "a human",
            "no",
            "12345",
            "gracias, luego hablamos",
            "ok thanks, talk later",
            "lo pienso y te aviso",
            "I'll get back to you tomorrow",
            "bueno, hasta luego!",
            &"bot ".repeat(80),
        ] {
            assert!(
                matches!(
                    parse_need(raw),
                    Err(FieldError::Invalid {
                        field: FieldName::Need,
                        ..
                    })
                ),
                "{raw}"
            );
        }
    }
}
