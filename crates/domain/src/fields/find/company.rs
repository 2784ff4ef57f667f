//! Finding the customer's company in prose: after the name ("I'm Ana
//! from Acme"), a company phrase ("mi empresa se llama X"), a role
//! ("the GM at IronHouse Gym") or a kind of business ("my clinic, Sonrisas").
//! Apart from names, as where a company name ends is its own judgement.

use super::super::names::{is_abbreviation, is_not_name, is_place, names_a_business};
use super::text::Words;
use super::{authority, parse_company, text};
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// Where a role is held: "gerente comercial en Grupo Altamar", "the GM at
/// IronHouse Gym", "dueña de Óptica Visión Clara".
pub(super) static ROLE_AT: LazyLock<Regex> =
    LazyLock::new(|| text::regex(r"(?i)[ \t]+(?:at|of|for|with|en|de|del)[ \t]+"));

/// "IT manager in Shree Balaji Hospitals" (Indian English): "in" right
/// after the role; further on it is where ("manager of a hotel in
/// Edinburgh").
static ROLE_IN: LazyLock<Regex> = LazyLock::new(|| text::regex(r"(?i)^[ \t]+in[ \t]+"));

/// "Juan Pérez | Ferretería El Martillo", "Anthony Russo | Sales Manager |
/// RUSSO MOTORS GROUP": a signature line, the name first and then the
/// role or the company, set apart by bars.
pub(super) static PIPE_SIGNATURE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?m)^[\ \t]*(?P<name>\p{Lu}[\p{L}\p{M}'’-]*(?:[\ \t]+\p{L}[\p{L}\p{M}'’.-]*){0,3})[\ \t]*\|[\ \t]*(?P<first>[^|\n]+?)[\ \t]*(?:\|[\ \t]*(?P<second>[^|\n]+?)[\ \t]*)?(?:\|[^|\n]*)?$",
    )
});

/// The words a customer signs off with, before the name of a signature.
pub(super) const SIGN_OFF: &str =
    r"gracias|thanks|thank\s+you|saludos|un\s+saludo|regards|best|cheers|atte\.?|atentamente";

/// A signature under a sign-off, a line each: "Saludos,\nJaviera
/// Muñoz\nFundadora\nSemilla Cosmética Natural".
static LINE_SIGNATURE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(&format!(
        r"(?i)\b(?:{SIGN_OFF})[!.,]*[\ \t]*\n[\ \t]*\p{{Lu}}[^\n]{{1,40}}\n[\ \t]*(?P<first>[^\n]{{2,60}}?)[\ \t]*(?:\n[\ \t]*(?P<second>[^\n]{{2,60}}?)[\ \t]*)?(?:\n[^\n]{{2,60}})?$",
    ))
});

/// The parts of a signature after the name, set apart by bars ("Sales
/// Manager", "RUSSO MOTORS GROUP") or on lines of their own, each line
/// cut at its commas ("Director, Malhotra Textiles"), in order.
pub(super) fn signature_parts(text: &str) -> impl Iterator<Item = (usize, &str)> {
    PIPE_SIGNATURE
        .captures(text)
        .or_else(|| LINE_SIGNATURE.captures(text))
        .into_iter()
        .flat_map(|caps| [caps.name("first"), caps.name("second")])
        .flatten()
        .flat_map(|part| {
            part.as_str()
                .split(',')
                .scan(part.start(), |at, piece| {
                    let start = *at;
                    *at += piece.len() + 1;
                    Some((start, piece))
                })
                .map(|(start, piece)| {
                    let lead = piece.len() - piece.trim_start().len();
                    (start + lead, piece.trim())
                })
                .filter(|(_, piece)| !piece.is_empty())
                .collect::<Vec<_>>()
        })
}

/// Whether `text` has no capital at all: someone who types all in
/// lowercase types their company so too.
fn typed_lowercase(text: &str) -> bool {
    !text.chars().any(char::is_uppercase)
}

/// Words a company name found in prose may have.
const MAX_COMPANY_WORDS: usize = 6;
/// Right after a name: "Ana from Acme", "Carlos de Ferretería López",
/// "Sam over at Bluefin", "Jake here from Coastline Motors".
static AFTER_NAME: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?i)^[ \t]*,?[ \t]*(?:(?:here|por[ \t]+aqu[ií]|por[ \t]+ac[aá])[ \t]*,?[ \t]*)?(?:from|form|with|at|over[ \t]+at|of|de|del|desde)[ \t]+(?:(?:la|el|the)[ \t]+)?",
    )
});

/// A clause or line of its own right after the name: "Raj, Sunrise
/// Travels", "its Dan" / "Dan's Auto Repair" in a burst.
static NEXT_CLAUSE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(r"^[ \t]*(?:(?:here|por[ \t]+aqu[ií])[ \t]*)?(?:,|\n|[-–][ \t])[ \t\n]*")
});

/// Phrases that introduce a company whatever its case.
static COMPANY_CUE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)
        \b(?:
            our\s+company\s+(?:is\s+called|name\s+is|is)
            | (?:the\s+)?company(?:['’]s)?\s+name\s+is
            | (?:the\s+)?company\s+is\s+called
            | (?:i|we)\s+work\s+(?:at|for)
            | (?:mi|nuestra|la)\s+(?:empresa|compañ[ií]a|negocio|tienda|marca)\s+(?:se\s+llama|es)
            | (?:de|en|para)\s+la\s+(?:emp(?:resa|rsa|esa)|emresa|compañ[ií]a)
            | (?:^|[.!?\n]\s*)company\s+(?:is|name)\b | (?:company|empresa|compañ[ií]a|negocio)\s*:
            | represento\s+a | on\s+behalf\s+of
            | trabaj(?:o|amos)\s+(?:en|para) | (?:laburo|laburamos|curro|chambeo|chambo)\s+(?:en|para)
            | called | named | (?:que\s+)?se\s+llama | llamad[oa]
        )[\ \t]+",
    )
});

/// Phrases after which a capitalised name is the customer's business: "I
/// run Glow Lab", "owner of Fietsen Bakker", "tengo Panadería La Espiga".
static WEAK_COMPANY_CUE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(&format!(
        r"(?xi)
        \b(?:
            (?:my|our|mi|nuestr[oa])\s+(?:{BUSINESS_KINDS})\s+(?:is(?:\s+called)?|es|se\s+llama)
            | (?:i|we)\s+(?:run|own|manage|co-own|have|got)
            | (?:my|our|mi|nuestr[oa])\s+(?:{BUSINESS_KINDS})[,:]?
            | (?:i|we)\s+work\s+with
            | (?:the|my|our)\s+(?:company|business|shop|store)\s+is
            | (?:i|we)\s+represent | here\s+at | aqu[ií]\s+en
            | (?:enquiring|inquiring|asking|writing)\s+for
            | estoy\s+con | (?:i['’]?m|i\s+am)\s+with
            | (?:somos|we['’]re|we\s+are)(?:\s+(?:actually|now|ahora|en\s+realidad))?
            | (?:owners?|founders?|co-?founders?)\s+(?:of|at)
            | (?:soy\s+|somos\s+(?:los\s+|las\s+)?)?(?:dueñ[oa]s?|fundador(?:a|es|as)?|propietari[oa]s?)\s+(?:de|del)
            | (?:les|le|te|os)\s+escrib(?:o|imos)\s+de\s+parte\s+de(?:\s+la|\s+el)?
            | (?:les|le|te|os)\s+escrib(?:o|imos)\s+(?:de(?:sde)?|del)
            | (?:writing|reaching\s+out|messaging|calling|texting)\s+(?:from|on\s+behalf\s+of)
            | de\s+parte\s+de(?:\s+la|\s+el)?
            | (?:sucursal(?:es)?|locales|tiendas|branches|locations|stores)\s+(?:de|del|of)
            | tengo | tenemos
        )[\ \t]+"
    ))
});

/// Kinds of business a customer says they have before naming it.
const BUSINESS_KINDS: &str = r"clinic|practice|shop|store|boutique|restaurant|caf[eé]|bar|bakery|hotel|hostel|inn
    |firm|agency|studio|gym|school|academy|institute|college|salon|spa|pharmacy|dealership|garage|workshop
    |company|business|startup|brand|franchise|chain|office|consultancy|brewery|winery|distributor|factory
    |cl[ií]nica|consultorio|tienda|restaurante|cafeter[ií]a|panader[ií]a|pasteler[ií]a|hostal|despacho|agencia
    |estudio|gimnasio|escuela|academia|instituto|colegio|sal[oó]n|farmacia|concesionari[ao]|automotora|taller
    |empresa|negocio|marca|franquicia|cadena|oficina|consultora|distribuidora|f[aá]brica|inmobiliaria
    |ferreter[ií]a|[oó]ptica|veterinaria|florister[ií]a|librer[ií]a|peluquer[ií]a|barber[ií]a|constructora|bodega
    |guarder[ií]a|nursery|daycare|kindergarten|helader[ií]a|ice\ cream\ shop|est[eé]tica|dulcer[ií]a|landscaping
    |taquer[ií]a|pupuser[ií]a|joyer[ií]a|zapater[ií]a|carnicer[ií]a|fruter[ií]a|papeler[ií]a|lavander[ií]a
    |cervecer[ií]a|droguer[ií]a|jugueter[ií]a|muebler[ií]a|pizzer[ií]a|marisquer[ií]a|tortiller[ií]a|licorer[ií]a
    |colmado|barraca|autolavado|lavadero|posada|food\ truck|foodtruck|tienda\ online|minimarket
    |florist|barbershop|butcher|bistro|pub|deli|lodge|guesthouse|guest\ house|motel|resort|bookshop|bookstore
    |centro|center|centre";

/// "a dental clinic in Bangalore", "una agencia de viajes en Cusco": the
/// business described, after which its name may follow.
static BUSINESS_KIND: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(&format!(
        r"(?xi)\b(?:a|an|one|our|my|un|una|mi|nuestra|nuestro|mis|nuestr[oa]s|\d+)[\ \t]+(?:[\p{{L}}-]+[\ \t]+){{0,3}}?(?:{BUSINESS_KINDS})(?:e?s)?\b
        (?:[\ \t]+(?:{BUSINESS_KINDS})\b)?(?:[\ \t]+de[\ \t]+\p{{L}}+)?"
    ))
});

/// "in Bangalore", "en Cusco": where the business is.
static PLACE_PREPOSITION: LazyLock<Regex> =
    LazyLock::new(|| text::regex(r"(?i)^[ \t]+(?:in|en|from|de|out[ \t]+of)[ \t]+"));

/// A lowercase kind of business between "de" and the name: "del despacho
/// Puig & Serra".
static KIND_WORD: LazyLock<Regex> =
    LazyLock::new(|| text::regex(&format!(r"(?x)^(?:{BUSINESS_KINDS})[\ \t]+")));

/// Where the name may start after a business described: after a comma
/// ("a law firm, Hart & Cole"; "a hotel in Edinburgh, The Heather Inn"), or
/// right after a place written in lowercase ("a pharmacy in leeds Medway
/// Pharmacy"). Not strong: the name must be capitalised.
fn after_business_kind(text: &str) -> impl Iterator<Item = (usize, bool)> + '_ {
    BUSINESS_KIND.find_iter(text).filter_map(move |m| {
        let mut at = m.end();
        // "un taller mecánico en Rosario", "una tienda online de cosmética
        // natural, Jabones de la Abuela": lowercase words may describe the
        // kind before the place or the comma, but a conjunction starts
        // another thought.
        for _ in 0..4 {
            if PLACE_PREPOSITION.is_match(&text[at..]) {
                break;
            }
            match text::words(&text[at..]).next() {
                Some((start, word))
                    if word.starts_with(char::is_lowercase) && !is_conjunction(word) =>
                {
                    at += start + word.trim_end_matches([',', '.']).len();
                    if word.ends_with([',', '.']) {
                        break;
                    }
                }
                _ => break,
            }
        }
        if let Some(preposition) = PLACE_PREPOSITION.find(&text[at..]) {
            let place = at + preposition.end();
            let mut words = text::words(&text[place..]).take(3).peekable();
            let (first_start, first) = words.next()?;
            if !text::starts_upper(first) {
                // A lowercase place or description ("in leeds", "de
                // cosmética natural,") runs to a comma or to a capitalised
                // word: the name.
                let mut previous = first;
                for (start, word) in std::iter::once((first_start, first)).chain(words) {
                    if text::starts_upper(word) {
                        return (!previous.ends_with('.')).then_some((place + start, false));
                    }
                    if word.ends_with('.') {
                        return None;
                    }
                    if word.ends_with(',') {
                        let after = place + start + word.len();
                        let next = text[after..].trim_start_matches([' ', '\t']);
                        return next
                            .starts_with(char::is_uppercase)
                            .then(|| (text.len() - next.len(), false));
                    }
                    previous = word;
                }
                return None;
            }
            at = place + first_start + first.len();
            while !text[..at].ends_with(',') {
                let (start, word) = words.next()?;
                if matches!(word, "-" | "–") {
                    // "in Leeds - FixIt Fast": a dash sets the name off too.
                    at = place + start;
                    break;
                }
                if !text::starts_upper(word) {
                    return None;
                }
                at = place + start + word.len();
            }
            at -= usize::from(text[..at].ends_with(','));
        }
        let rest = text[at..].trim_start_matches([' ', '\t']);
        // "a perfume shop Al Farsi Oud", "my restaurant Bait Al Mandi":
        // the name right after the kind, capitalised.
        if at == m.end() && rest.starts_with(char::is_uppercase) {
            return Some((text.len() - rest.len(), false));
        }
        let after = rest
            .strip_prefix(',')
            .or_else(|| rest.strip_prefix("- "))
            .or_else(|| rest.strip_prefix("– "))?;
        let start = text.len() - after.trim_start().len();
        Some((start, false))
    })
}

/// A line that starts "from Acme" (the last message of a burst).
static LINE_FROM: LazyLock<Regex> =
    LazyLock::new(|| text::regex(r"(?im)^[ \t]*(?:from|de|desde)[ \t]+"));

/// The company: right after the name ("I'm Ana from Acme"), after a
/// company phrase ("I work at Acme", "mi empresa se llama X"), or at the
/// start of a line ("from Acme, we need...").
pub(super) fn find_company(text: &str, name_end: Option<usize>) -> Option<(String, Range<usize>)> {
    // Someone who types all in lowercase types their company so too.
    let all_lowercase = typed_lowercase(text);
    let after_name = name_end.and_then(|end| {
        let at = company_start(text, end)?;
        // "del despacho Puig & Serra": the kind before a capitalised name is
        // not part of it; "de estetica glamur" typed in lowercase is whole.
        let kind = KIND_WORD.find(&text[at..]).filter(|k| {
            !text[at..].starts_with(char::is_uppercase)
                && text[at + k.end()..].starts_with(char::is_uppercase)
        });
        Some((at + kind.map_or(0, |m| m.end()), all_lowercase))
    });
    let cued = COMPANY_CUE.find_iter(text).map(|m| (m.end(), true));
    // "tengo la Dulcería La Piñata": a lowercase article before the name.
    let weak = WEAK_COMPANY_CUE.find_iter(text).map(|m| {
        let at = m.end();
        (
            at + LOWER_ARTICLE.find(&text[at..]).map_or(0, |a| a.end()),
            false,
        )
    });
    let lines = LINE_FROM.find_iter(text).map(|m| (m.end(), false));
    if let Some(found) = name_end
        .and_then(|end| company_next_clause(text, end))
        .or_else(|| signed_company(text))
    {
        return Some(found);
    }
    let found = after_name
        .into_iter()
        .chain(cued)
        .chain(after_roles(text))
        .chain(after_business_kind(text))
        .chain(weak)
        .chain(lines)
        .find_map(|(start, strong)| company_at(text, start, strong))
        .or_else(|| named_as_own(text))
        .or_else(|| described(text));
    // A name with its company form is whole: "Vera & Cía. Ltda." rather
    // than a part a cue cut short, and found where no cue is.
    match (found, with_company_form(text)) {
        (Some(found), Some(formal))
            if formal.1.start <= found.1.start && found.1.start < formal.1.end =>
        {
            Some(formal)
        }
        (None, formal) => formal,
        (found, _) => found,
    }
}

/// "Glow Lab, a beauty salon in Leeds", "Café Tostado, una cafetería de
/// barrio": a capitalised name the next words describe as a business.
static DESCRIBED: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(&format!(
        r"(?x)(?:^|[.!?\n][\ \t]*|,[\ \t]+)(?P<name>\p{{Lu}}[\p{{L}}\p{{M}}\p{{N}}'’&.-]*(?:[\ \t]+(?:&|y|and|de|del|la|el|\p{{Lu}}[\p{{L}}\p{{M}}\p{{N}}'’&.-]*)){{0,4}}),[\ \t]+
        (?:(?:we['’]re|we\ are|somos)[\ \t]+)?(?i:a|an|un|una)[\ \t]+(?:[\p{{L}}-]+[\ \t]+){{0,3}}?(?i:{BUSINESS_KINDS})\b"
    ))
});

/// The business a name is described as (see [`DESCRIBED`]).
fn described(text: &str) -> Option<(String, Range<usize>)> {
    DESCRIBED.captures_iter(text).find_map(|caps| {
        let name = caps.name("name")?;
        let (snippet, span) = company_at(text, name.start(), false)?;
        (span.end == name.end()).then_some((snippet, span))
    })
}

/// "Distribuidora El Trébol S.A.S.", "Malhotra Textiles Pvt Ltd":
/// capitalised words ending in a company form name a business wherever
/// they stand.
static WITH_COMPANY_FORM: LazyLock<Regex> = LazyLock::new(|| {
    const WORD: &str = r"[\p{Lu}\d][\p{L}\p{M}\p{N}'’.-]*";
    text::regex(&format!(
        r"(?x)(?:^|[^\p{{L}}\p{{N}}&.])
        (?P<name>(?:{WORD}[\ \t]+(?:(?:&|y|and|de|del|la|el|e)[\ \t]+)?){{0,6}}{WORD},?[\ \t]+
        (?:S\.[\ ]?A\.(?:[\ ]?S\.|[\ ]?C\.|[\ ]de[\ ]C\.[\ ]?V\.)?|S\.[\ ]?L\.|S\.[\ ]?R\.[\ ]?L\.|SAS|SAC|SRL|SpA|C\.A\.
          |Ltda\.?|Ltd\.?|LLC|Inc\.?|Pvt\.?[\ ]Ltd\.?|Pty\.?[\ ]Ltd|Pte\.?[\ ]Ltd|GmbH|Corp\.?|PLC|LLP|EIRL))
        (?:[^\p{{L}}\p{{N}}]|$)",
    ))
});

/// The first business named with its company form (see
/// [`WITH_COMPANY_FORM`]), without the words before it that are not part
/// of it ("Hola Acme S.A." is "Acme S.A.").
fn with_company_form(text: &str) -> Option<(String, Range<usize>)> {
    WITH_COMPANY_FORM.captures_iter(text).find_map(|caps| {
        let mut name = caps.name("name")?.range();
        // "Outback Outfitters Pty Ltd. We sell...": the full stop ends the
        // sentence, as an English form is written without one.
        let english_form = ["Ltd.", "Inc.", "Corp."]
            .iter()
            .any(|f| text[name.clone()].ends_with(f));
        if english_form
            && text[name.end..].starts_with(char::is_whitespace)
            && text::starts_upper(text[name.end..].trim_start())
        {
            name.end -= 1;
        }
        text::words(&text[name.clone()]).find_map(|(at, _)| {
            let start = name.start + at;
            let said = &text[start..name.end];
            let lower_first = said.split_whitespace().next()?.to_lowercase();
            (!is_not_name(&lower_first) && parse_company(said).is_ok())
                .then(|| (said.to_owned(), start..name.end))
        })
    })
}

/// Where the company may start after a name that ends at `name_end`
/// ("Ana from Acme"). Typed all in lowercase, "the" is part of the
/// company's name ("its aoife from the daily grind"), as "la" in "de la
/// ferretería" is not.
fn company_start(text: &str, name_end: usize) -> Option<usize> {
    let at = name_end + AFTER_NAME.find(&text[name_end..])?.end();
    Some(match text[..at].strip_suffix("the ") {
        Some(before) if typed_lowercase(text) => before.len(),
        _ => at,
    })
}

/// A capitalised company right after a name that ends at `name_end`
/// ("jess from Sweet Crumbs Bakery").
pub(super) fn company_after(text: &str, name_end: usize) -> Option<(String, Range<usize>)> {
    company_at(text, company_start(text, name_end)?, typed_lowercase(text))
}

/// The company of a signature set apart by bars: the part after the name
/// that is not a role ("Juan Pérez | Ferretería El Martillo", "Anthony
/// Russo | Sales Manager | RUSSO MOTORS GROUP").
fn signed_company(text: &str) -> Option<(String, Range<usize>)> {
    signature_parts(text)
        .find(|(_, part)| {
            authority::role_in(part).is_none_or(|role| role.end - role.start < part.len())
        })
        .and_then(|(start, _)| company_at(text, start, true))
}

/// "tengo la floristeria las camelias", "the shop is nkechi's closet": a
/// business the customer names as theirs, which someone who types all in
/// lowercase types so too; "Ng Family Bakery is my company" names it first.
static NAMED_AS_OWN: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(&format!(
        r"(?xi)
        \b(?:tengo|tenemos|llevo|llevamos|manejo|dirijo|administro|i\s+(?:have|own|run)|we\s+(?:have|own|run))\s+(?:la|el|the)\s+(?P<kind>(?:{BUSINESS_KINDS})\s)
        | \b(?:the|my|our)\s+(?:company|business|shop|store)\s+is\s+(?P<named>)
        | \b(?:we['’]re|we\s+are|somos)\s+(?P<business>[^,.;!?\n]+)
        | (?:^|[.!?\n]\s*)(?P<first>\p{{Lu}}[^.!?\n,;]{{0,60}}?)\s+(?:is\s+(?:my|our)\s+(?:company|business|shop|store)|es\s+(?:mi|nuestra|nuestro)\s+(?:empresa|negocio|tienda))\b"
    ))
});

/// Words a business's name opens with after its kind: "las camelias",
/// "san agustín", "don pepe".
const NAME_OPENERS: [&str; 12] = [
    "la", "las", "el", "los", "de", "del", "don", "doña", "san", "santa", "the", "st",
];

/// The company a customer names as their own (see [`NAMED_AS_OWN`]).
fn named_as_own(text: &str) -> Option<(String, Range<usize>)> {
    let all_lowercase = typed_lowercase(text);
    NAMED_AS_OWN.captures_iter(text).find_map(|caps| {
        if let Some(first) = caps.name("first") {
            let (snippet, span) = company_at(text, first.start(), false)?;
            return (span.end == first.end()).then_some((snippet, span));
        }
        // "we're kicks & co": a name only a business has (an ampersand, a
        // company form), however typed.
        if let Some(business) = caps.name("business") {
            let said = business.as_str();
            let formal = said.contains('&') || said.split_whitespace().any(is_abbreviation);
            return (formal && names_a_business(said))
                .then(|| company_at(text, business.start(), true))
                .flatten();
        }
        if let Some(kind) = caps.name("kind") {
            // Typed in lowercase, a name after the kind opens like one ("la
            // floristeria las camelias"), unlike "la tienda cerrada".
            let opens_name = text[kind.end()..]
                .split_whitespace()
                .next()
                .is_some_and(|w| NAME_OPENERS.contains(&w.to_lowercase().as_str()));
            let strong = all_lowercase && opens_name;
            // "tengo el consultorio Sonrisa Perfecta": a lowercase kind
            // before a capitalised name is not part of it.
            let at = if !strong && kind.as_str().starts_with(char::is_lowercase) {
                kind.end()
            } else {
                kind.start()
            };
            return company_at(text, at, strong)
                .filter(|(_, span)| strong || span.end > kind.end());
        }
        // "the company is growing fast" names none.
        let at = caps.name("named")?.start();
        let common = text[at..].split_whitespace().next().is_some_and(|w| {
            crate::language::is_common_word(&w.to_lowercase()) || w.ends_with("ing")
        });
        company_at(text, at, all_lowercase && !common)
    })
}

/// The company said as a clause or line of its own right after the name
/// ends at `name_end` ("Raj, Sunrise Travels"): capitalised words that
/// fill the clause, none of them a role ("Ana, Sales Manager" names a
/// role, not a company).
pub(super) fn company_next_clause(text: &str, name_end: usize) -> Option<(String, Range<usize>)> {
    let at = name_end + NEXT_CLAUSE.find(&text[name_end..])?.end();
    // "mike, acme roofing": typed in lowercase, a business's name still
    // says what it is.
    let clause = &text[at..];
    let clause = &clause[..clause
        .find([',', '.', '\n', '!', '?'])
        .unwrap_or(clause.len())];
    let lowercase_business = typed_lowercase(text) && names_a_business(clause);
    if !text[at..].starts_with(char::is_uppercase) && !lowercase_business {
        return None;
    }
    let (snippet, span) = company_at(text, at, lowercase_business)?;
    let after = text[span.end..].trim_start_matches([' ', '\t']);
    // "Steve's Motors in Dudley": where the business is may follow it.
    let fills_clause = after
        .chars()
        .next()
        .is_none_or(|c| matches!(c, ',' | '\n' | '.' | '!' | ';'))
        || PLACE_PREPOSITION
            .find(&text[span.end..])
            .is_some_and(|m| text::starts_upper(&text[span.end + m.end()..]));
    let role = snippet
        .split_whitespace()
        .any(|w| authority::is_role_word(&w.to_lowercase()));
    (fills_clause && !role).then_some((snippet, span))
}

/// "la Autoescuela Ronda", "el Colegio": an article written in lowercase
/// is not part of the name.
static LOWER_ARTICLE: LazyLock<Regex> =
    LazyLock::new(|| text::regex(r"^(?:la|el|the|los|las)[ \t]+"));

/// Where a company may start after a role: "gerente comercial en Grupo
/// Altamar", "operations director at Crescent Logistics". Not strong: the
/// company must be capitalised ("manager at a law firm" names none).
fn after_roles(text: &str) -> impl Iterator<Item = (usize, bool)> + '_ {
    let all_lowercase = typed_lowercase(text);
    text::words(text).filter_map(move |(start, word)| {
        let bare = word.trim_matches(|c: char| !c.is_alphanumeric());
        if !authority::is_role_word(&bare.to_lowercase()) {
            return None;
        }
        let after = start + word.len();
        // The first "at/en/de" within a few words whose next word is
        // capitalised: "head of admissions at Oakfield Prep School".
        let right_after = ROLE_IN.find(&text[after..]);
        right_after
            .into_iter()
            .chain(ROLE_AT.find_iter(&text[after..]))
            .take_while(|m| m.start() < 40)
            .map(|m| after + m.end())
            .map(|at| at + LOWER_ARTICLE.find(&text[at..]).map_or(0, |a| a.end()))
            .find_map(|at| {
                // "secretaria del despacho Abogados Navarro"; typed in
                // lowercase, "coordinadora del colegio san agustin" whole.
                let kind = KIND_WORD.find(&text[at..]).map(|k| at + k.end());
                let named = kind.is_some_and(|end| {
                    text[end..]
                        .split_whitespace()
                        .next()
                        .is_some_and(|w| NAME_OPENERS.contains(&w.to_lowercase().as_str()))
                });
                if all_lowercase && named {
                    return Some((at, true));
                }
                let at = kind.unwrap_or(at);
                text[at..]
                    .starts_with(char::is_uppercase)
                    .then_some((at, false))
            })
    })
}

/// The company name that starts at `start`: capitalised words, with the
/// abbreviations and connectors company names have ("S.A. de C.V."). A
/// phrase that names the company (`strong`) also takes a lowercase name.
/// Hand-written: where a name ends depends on each word's case and on the
/// next word, which a regex cannot weigh.
pub(super) fn company_at(text: &str, start: usize, strong: bool) -> Option<(String, Range<usize>)> {
    let rest = &text[start..];
    let clause = &rest[..rest
        .find([',', ';', ':', '!', '?', '\n', '(', ')'])
        .unwrap_or(rest.len())];
    // "soy Carolina de RRHH. estamos buscando...": the department ends
    // with its sentence.
    let sentence = clause.split(". ").next().unwrap_or(clause);
    if authority::is_department_phrase(sentence.trim_end_matches('.')) {
        return None;
    }
    let all_lowercase = typed_lowercase(text);
    let words: Vec<(usize, &str)> = text::words(clause).collect();
    let mut end = None;
    for (i, &(word_start, word)) in words.iter().enumerate() {
        let bare = word.trim_end_matches('.');
        let lower = bare.to_lowercase();
        let upper = text::starts_upper(word);
        let next_upper = words
            .get(i + 1)
            .is_some_and(|(_, next)| text::starts_upper(next));
        let accepted = if i == 0 && upper && next_upper {
            // "called Still Point", "The Heather Inn", "with Human Touch
            // Realty": capitalised words that would not be a name one by one.
            is_article(&lower)
                || !(is_place(&lower) || is_calendar_word(&lower) || is_platform(&lower))
        } else if i == 0 && strong && all_lowercase && is_article(&lower) {
            // "its called the green spoon": the article opens the name.
            words.len() > 1
        } else if i == 0 {
            (strong || (upper && word.starts_with(char::is_alphabetic)))
                && !is_not_name(&lower)
                && !is_place(&lower)
                && !is_calendar_word(&lower)
                && !from_nowhere(&lower)
                && !is_platform(&lower)
        } else if matches!(
            lower.as_str(),
            "de" | "del" | "y" | "&" | "and" | "of" | "by" | "la" | "los" | "las" | "e"
        ) {
            // "Jabones de la Abuela": a connector and an article before a
            // capitalised word; typed in lowercase, any word after it.
            next_upper
                || (strong && all_lowercase && i + 1 < words.len())
                || (matches!(lower.as_str(), "de" | "del" | "y")
                    && words.get(i + 1).is_some_and(|(_, w)| is_article(w))
                    && words.get(i + 2).is_some_and(|(_, w)| text::starts_upper(w)))
        } else {
            upper || is_abbreviation(word) || (strong && all_lowercase && !is_not_name(&lower))
        };
        if !accepted || i == MAX_COMPANY_WORDS {
            break;
        }
        let sentence_ends = word.ends_with('.') && !is_abbreviation(word);
        end = Some(
            start
                + word_start
                + if sentence_ends {
                    bare.len()
                } else {
                    word.len()
                },
        );
        if sentence_ends {
            break;
        }
    }
    let snippet = text[start..end?].trim_end_matches(|c: char| !c.is_alphanumeric() && c != '.');
    let span = start..start + snippet.len();
    parse_company(snippet)
        .ok()
        .map(|_| (snippet.to_owned(), span))
}

/// "The Heather Inn", "La Palapa": a capitalised article opens a name.
fn is_article(word: &str) -> bool {
    matches!(word, "the" | "la" | "el" | "los" | "las")
}

/// Days and months, which follow "from" without being a company.
static CALENDAR_WORDS: Words = Words::new(
    "monday tuesday wednesday thursday friday saturday sunday lunes martes miércoles \
     miercoles jueves viernes sábado sabado domingo january february march april june \
     july august september october november december enero febrero marzo abril mayo junio \
     julio agosto septiembre octubre noviembre diciembre today tomorrow hoy mañana verano \
     invierno otoño primavera summer winter spring autumn fall navidad christmas",
);

fn is_calendar_word(word: &str) -> bool {
    CALENDAR_WORDS.contains(word)
}

/// "from scratch", "desde casa": after "from" alone, not a company; a name
/// may still start with one ("Casa Rural El Roble").
fn from_nowhere(word: &str) -> bool {
    matches!(word, "scratch" | "home" | "casa" | "cero")
}

/// The platforms customers talk about, which are never their company
/// ("el asistente de WhatsApp", "a store on Shopify").
static PLATFORMS: Words = Words::new(
    "whatsapp instagram facebook messenger telegram tiktok shopify tiendanube woocommerce \
     wordpress google gmail hubspot salesforce zoho mercadolibre amazon",
);

fn is_platform(word: &str) -> bool {
    PLATFORMS.contains(word)
}

/// Words that join two thoughts, not two words of a description.
fn is_conjunction(word: &str) -> bool {
    matches!(
        word.trim_end_matches([',', '.']),
        "y" | "e" | "and" | "que" | "that" | "where" | "donde" | "pero" | "but" | "con" | "with"
    )
}
