//! Finding who the customer is in prose: their name ("I'm Ana", "me llamo
//! María José") and the role said next to it ("Ana, operations director
//! at Acme"). Apart from companies and needs, as a name is judged by its
//! cue, its capitals and the words that cannot be names.

use super::super::names::{is_also_a_name, is_not_name, is_particle, is_place};
use super::company::{
    PIPE_SIGNATURE, ROLE_AT, SIGN_OFF, company_after, company_at, signature_parts,
};
use super::{authority, parse_authority, parse_name, text};
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;
static NAME_CUE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)
        \b(?:
            (?P<strong>my\s+(?:good\s+)?name\s+is|my\s+name['’]s|name['’]s|call\s+me|me\s+llamo|mi\s+nombre\s+es|mi\s+nombre\s*:|my\s+name\s*:
              |hablas\s+con|est[aá]s\s+hablando\s+con|you['’]re\s+(?:talking|speaking|chatting)\s+(?:to|with))
            | i['’]?m | i\s+am | soy | soi | (?P<weak>this\s+is | it['’]?s)
            | (?:te|le|les|los|las|lo|la)\s+(?:habla|escribe|saluda) | aqu[ií]\s+(?:te\s+)?habla | (?:^|[,.!\n])[\ \t]*habla
        )[\ \t]+
        (?:(?:el|la)[\ \t]+)?
        (?P<title>(?:licenciad[oa]|lic\.?|ingenier[oa]|ing\.?|doctor[a]?|dr[a]?\.?|arquitect[oa]|arq\.?|profe(?:sor[a]?)?|mr\.?|mrs\.?|ms\.?|miss)[\ \t]+)?
        (?P<name>\p{L}[\p{L}\p{M}'’-]*(?:[\ \t]+\p{L}[\p{L}\p{M}'’.-]*){0,5})
        ",
    )
});

/// What follows who signs in: "Jake here", "Ana por aquí".
pub(super) const SIGNS_IN: &str =
    r"here|speaking|this[\ \t]+side|por[\ \t]+aqu[ií]|por[\ \t]+ac[aá]";

/// "Jake here", "Tom Whitaker here, IT lead at...", "Rajesh Kumar this
/// side" (Indian English): a name the customer signs with, at the start of
/// a clause.
static NAME_HERE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(&format!(
        r"(?xi)^[\ \t]*(?:(?:hey|hi|hello|hiya|hola|buenas|yo)[\ \t,!]+)?(?P<name>\p{{L}}[\p{{L}}\p{{M}}'’-]*(?:[\ \t]+\p{{L}}[\p{{L}}\p{{M}}'’-]*){{0,4}})[\ \t]+(?:{SIGNS_IN})(?:[^\p{{L}}\p{{N}}]|$)"
    ))
});

/// "Sophie from Wild Fern Skincare", "Andrea Vidal, gerente comercial en
/// Grupo Altamar": a message (or clause) that opens with the customer's
/// name, followed by where they work or their role.
static NAME_LEADS: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)^[\ \t]*(?:(?:ing|lic|dr|dra|arq|prof|mr|mrs|ms)\.?[\ \t]+)?(?P<name>\p{L}[\p{L}\p{M}'’-]*(?:[\ \t]+\p{L}[\p{L}\p{M}'’-]*){0,4}?)
        (?: (?P<from>[\ \t]*,?[\ \t]+(?:from|de|del|at|over[\ \t]+at|desde)[\ \t]+
              | [\ \t]*,[\ \t]*(?:trabajo|trabajamos|laburo|i\s+work|we\s+work)[\ \t]+(?:en|para|at|for)[\ \t]+)
          | [\ \t]*,[\ \t]*(?P<role>\p{L}[^,.;!?\n]*) )",
    )
});

/// "Thabo Nkosi, I head up sales at...": after a name, what the customer
/// does there, which says the name is theirs as a role would.
static DOES_A_ROLE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?i)^i[ \t]+(?:head[ \t]+up|head|run|manage|lead|oversee|look[ \t]+after|handle|own|co-own)[ \t]",
    )
});

/// "Hi, Greg Ng.", "Hola, Marta Giménez:": a greeting and a full name (two
/// or three capitalised words), ending the sentence. One word alone may be
/// the name the customer greets the agent by.
static GREETING_NAME: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?x)^[\ \t]*(?i:hi|hello|hey|hola|buenas|buenos\ d[ií]as|buenas\ tardes|good\ (?:morning|afternoon|evening))[\ \t]*[,!.]?[\ \t]+
        (?P<name>\p{Lu}[\p{L}\p{M}'’-]+(?:[\ \t]+(?:(?i:de|del|van|von|der|da|di|dos|la|los)[\ \t]+)*\p{Lu}[\p{L}\p{M}'’-]*){1,2})[\ \t]*(?:[.!:\n]|$)",
    )
});

/// "I'm his practice manager, Jenna Clarke", "soy la asistente de
/// gerencia, Yuliana Ortiz": a role, then the name set off by a comma.
static ROLE_THEN_NAME: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)\b(?:i['’]?m|i\s+am|soy)[\ \t]+(?:(?P<role>[^,.;!?\n]{2,50}),|(?:el|la|the)[\ \t]+(?P<one>\p{L}+))[\ \t]*(?P<name>\p{Lu}[\p{L}\p{M}'’-]*(?:[\ \t]+\p{Lu}[\p{L}\p{M}'’-]*){0,3})[\ \t]*(?:[.,;!?\n]|$)",
    )
});

/// "Gracias! - Lucía", "Thanks, Harriet", "Saludos,\nMarta Ruiz": a
/// name signed at the end of the message, after a thank-you or a
/// sign-off, or on a line of its own after a dash; a line or two of role
/// and company may follow it ("Regards,\nRaj Malhotra\nDirector, ...").
static SIGNATURE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(&format!(
        r"(?xi)
        (?: \b(?:{SIGN_OFF}|muchas\s+gracias|thx)[!.]*[\ \t]*[,\n-–]?
          | (?:^|\n)[\ \t]*[-–] )
        [\ \t\n]*(?P<name>\p{{Lu}}[\p{{L}}\p{{M}}'’-]*(?:[\ \t]+\p{{Lu}}[\p{{L}}\p{{M}}'’-]*){{0,2}})[\ \t]*[.!]*[\ \t]*
        (?:\n[\ \t]*\p{{Lu}}[^\n!?]{{1,60}}){{0,3}}$"
    ))
});

/// "its jake, we run Blue Door Coffee": the business in the next clause
/// makes the word before it a name, however it is typed.
static BUSINESS_NEXT: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(r"(?i)^[ \t]*,[ \t]*(?:we|i)[ \t]+(?:run|own|have|manage)[ \t]+\S")
});

/// "I'm Ana", "me llamo María José", "soy Pedro", but not "I'm
/// interested" or "soy de Monterrey". After "I'm"/"soy" a name must be
/// capitalised, unless the customer writes everything in lowercase.
pub(super) fn find_name(text: &str) -> Option<(String, Range<usize>)> {
    let all_lowercase = types_lowercase(text);
    // Every cue, overlapping: the words a failed one took as its name may
    // hold the next cue ("i am calling from X my name is Vikram").
    let cues = std::iter::successors(NAME_CUE.captures(text), |caps| {
        let at = caps.get(0)?.start();
        let next = at + text[at..].chars().next()?.len_utf8();
        NAME_CUE.captures_at(text, next)
    });
    let cued = cues.into_iter().find_map(|caps| {
        let strong = caps.name("strong").is_some();
        // "this is terrible", "it's urgent": only a capitalised word
        // after these is a name, however the customer types, or one
        // followed by where they work ("its jess from Sweet Crumbs").
        let name = caps.name("name")?;
        let first_end = name.start()
            + name
                .as_str()
                .find(char::is_whitespace)
                .unwrap_or(name.len());
        let lowercase_ok = (all_lowercase && caps.name("weak").is_none())
            || company_after(text, first_end).is_some()
            || BUSINESS_NEXT.is_match(&text[first_end..]);
        // "soy el lic. ramiro ochoa": after a title comes the full name,
        // however it is typed.
        let titled = lowercase_ok && caps.name("title").is_some();
        name_at(
            text,
            caps.name("name")?.range(),
            strong || titled,
            lowercase_ok,
        )
    });
    cued.or_else(|| {
        clauses(text).find_map(|at| {
            let caps = NAME_HERE.captures(&text[at..])?;
            whole_name(text, shifted(caps.name("name")?, at), all_lowercase)
        })
    })
    .or_else(|| named_by(&SIGNATURE, text))
    .or_else(|| {
        ROLE_THEN_NAME.captures_iter(text).find_map(|caps| {
            // The whole phrase is the role: "the office manager at a law
            // firm, Hart & Cole" names a company, not a person.
            // "soy la contadora Paula Gómez": one role word, no comma.
            let said = caps.name("role").or(caps.name("one"))?.as_str().trim_end();
            (authority::role_in(said)?.end == said.len()).then_some(())?;
            whole_name(text, caps.name("name")?.range(), false)
        })
    })
    .or_else(|| named_by(&GREETING_NAME, text))
    .or_else(|| named_by(&PIPE_SIGNATURE, text))
    .or_else(|| {
        clauses(text).find_map(|at| {
            let caps = NAME_LEADS.captures(&text[at..])?;
            // What follows must be a company ("Sophie from Wild Fern") or
            // a role ("Andrea Vidal, gerente comercial"): "depende de mi
            // jefe" and "Hola, Ana" say nothing of the kind.
            let follows = match (caps.name("from"), caps.name("role")) {
                (Some(from), _) => company_at(text, at + from.end(), all_lowercase).is_some(),
                (None, Some(role)) => {
                    authority::role_in(role.as_str()).is_some()
                        || DOES_A_ROLE.is_match(role.as_str())
                }
                (None, None) => false,
            };
            if !follows {
                return None;
            }
            // "mick from Outback Adventure Tours": before a capitalised
            // company, a name typed in lowercase is still the name.
            let lowercase_ok = all_lowercase || caps.name("from").is_some();
            whole_name(text, shifted(caps.name("name")?, at), lowercase_ok)
        })
    })
}

/// Whether the customer types in lowercase: no sentence of theirs starts
/// with a capital, and "I" is "i". Such a customer may still capitalise
/// their company ("im sunil i have a pharmacy, Medway Pharmacy"), but not
/// their own name.
fn types_lowercase(text: &str) -> bool {
    let mut sentence_start = true;
    for c in text.chars() {
        if c.is_alphabetic() {
            if sentence_start && c.is_uppercase() {
                return false;
            }
            sentence_start = false;
        } else if matches!(c, '.' | '!' | '?' | '\n') {
            sentence_start = true;
        }
    }
    !text::words(text).any(|(_, w)| {
        let bare = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’');
        matches!(bare, "I" | "I'm" | "I’m" | "Im" | "I'd" | "I'll")
    })
}

/// The name `pattern` captures in `text`, when all of it reads as a name.
fn named_by(pattern: &Regex, text: &str) -> Option<(String, Range<usize>)> {
    let caps = pattern.captures(text)?;
    whole_name(text, caps.name("name")?.range(), false)
}

/// "Fatima Al Mansoori", "Khalid Bin Saeed": Arabic particles, written
/// with a capital inside a name (unlike Spanish "al").
fn is_capital_particle(word: &str) -> bool {
    matches!(word, "Al" | "El" | "Bin" | "Bint" | "Ibn" | "Abu" | "Abd")
}

/// Particles of Dutch, German, Portuguese and Italian surnames, which are
/// never a company's connector: "van der Berg", "von Trapp", "dos Santos".
fn is_foreign_particle(word: &str) -> bool {
    matches!(
        word,
        "van" | "von" | "der" | "den" | "ter" | "ten" | "dos" | "das" | "di" | "da"
    )
}

/// The names that follow "de" in a Spanish given name: "Juan de Dios",
/// "María de los Ángeles", "María del Carmen".
fn is_name_after_de(word: &str) -> bool {
    let folded = crate::language::fold(word.trim_end_matches(['.', ',', '!']));
    matches!(
        folded.as_str(),
        "dios"
            | "jesus"
            | "angeles"
            | "cruz"
            | "carmen"
            | "rosario"
            | "pilar"
            | "lourdes"
            | "fatima"
            | "guadalupe"
            | "luz"
            | "mar"
            | "santos"
            | "pena"
            | "asuncion"
            | "mercedes"
            | "dolores"
            | "socorro"
            | "consuelo"
            | "nieves"
            | "rocio"
    )
}

/// The role a customer signs with: "Andrea Vidal, gerente comercial en
/// Grupo Altamar", "Danielle, operations director at Crescent Logistics".
pub(super) fn role_after_name(text: &str) -> Option<(String, Range<usize>)> {
    let all_lowercase = !text.chars().any(char::is_uppercase);
    clauses(text).find_map(|at| {
        let caps = NAME_LEADS.captures(&text[at..])?;
        let role = caps.name("role")?;
        whole_name(text, shifted(caps.name("name")?, at), all_lowercase)?;
        let start = at + role.start();
        let rest = &text[start..];
        let end = start
            + rest
                .find([',', '.', ';', '!', '?', '\n'])
                .unwrap_or(rest.len());
        let snippet = text[start..end].trim_end();
        parse_authority(snippet)
            .ok()
            .map(|_| (snippet.to_owned(), start..start + snippet.len()))
    })
}

/// A clause that opens with a role and says where it is held: "I'm
/// Harriet, operations lead at Thornbury Veterinary Group", "coordinadora
/// de mercadeo del Hotel Bahía Dorada". The role alone is the value.
pub(super) fn role_clause(text: &str) -> Option<(String, Range<usize>)> {
    clauses(text).find_map(|at| {
        let rest = &text[at..];
        let start = at + (rest.len() - rest.trim_start().len());
        let rest = &text[start..];
        let clause = &rest[..rest
            .find([',', '.', ';', '!', '?', '\n'])
            .unwrap_or(rest.len())];
        let role = authority::role_in(clause)?;
        let opens = clause[..role.start]
            .split_whitespace()
            .all(|w| matches!(w.to_lowercase().as_str(), "the" | "a" | "an" | "el" | "la"));
        let at_company = ROLE_AT
            .find(&clause[role.end..])
            .is_some_and(|m| m.start() == 0);
        let snippet = &clause[role.clone()];
        (opens && at_company && parse_authority(snippet).is_ok())
            .then(|| (snippet.to_owned(), start + role.start..start + role.end))
    })
}

/// The role said right after the name, set off by a comma: "mi nombre es
/// Ernesto Villanueva, director general", "I'm Dev, head of growth".
pub(super) fn role_after(text: &str, name_end: usize) -> Option<(String, Range<usize>)> {
    let rest = &text[name_end..];
    let after_comma = rest.trim_start_matches([' ', '\t']).strip_prefix(',')?;
    let start = text.len() - after_comma.trim_start().len();
    let clause = &text[start..];
    let clause = &clause[..clause
        .find([',', '.', ';', '!', '?', '\n'])
        .unwrap_or(clause.len())];
    let role = authority::role_in(clause)?;
    let opens = clause[..role.start].split_whitespace().all(|w| {
        matches!(
            w.to_lowercase().as_str(),
            "the" | "a" | "an" | "el" | "la" | "my" | "mi"
        )
    });
    let snippet = &clause[role.clone()];
    (opens && parse_authority(snippet).is_ok())
        .then(|| (snippet.to_owned(), start + role.start..start + role.end))
}

/// The role of a signature set apart by bars ("Anthony Russo | Sales
/// Manager | RUSSO MOTORS GROUP"): a part that is a role and nothing else.
pub(super) fn signed_role(text: &str) -> Option<(String, Range<usize>)> {
    signature_parts(text).find_map(|(start, said)| {
        let role = authority::role_in(said)?;
        (role.start == 0 && role.end == said.len() && parse_authority(said).is_ok())
            .then(|| (said.to_owned(), start..start + said.len()))
    })
}

/// Where each clause of `text` starts: its start, and after each comma,
/// full stop, colon, exclamation mark or line break.
fn clauses(text: &str) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0).chain(
        text.match_indices([',', '.', '!', ':', ';', '\n'])
            .map(|(i, mark)| i + mark.len()),
    )
}

/// `found` in `text[at..]`, as a range of `text`.
fn shifted(found: regex::Match<'_>, at: usize) -> Range<usize> {
    at + found.start()..at + found.end()
}

/// The name that starts `candidate`: its words up to the first that no
/// name has. After "I'm"/"soy" a name must be capitalised, unless the
/// customer writes everything in lowercase or said "my name is".
fn name_at(
    text: &str,
    candidate: Range<usize>,
    strong: bool,
    all_lowercase: bool,
) -> Option<(String, Range<usize>)> {
    let mut end = candidate.start;
    let words: Vec<(usize, &str)> = text::words(&text[candidate.clone()]).collect();
    for (i, &(start, word)) in words.iter().enumerate() {
        let word = word.trim_end_matches(['.', ',', '!']);
        let lower = word.to_lowercase();
        // "Tomás van der Berg"; in Spanish only the names "de" is part of
        // ("Juan de Dios", "María de los Ángeles"): "Marta de Muebles Sol"
        // says where Marta works.
        let particle_before_name = i > 0
            && (is_foreign_particle(&lower)
                || (is_capital_particle(word)
                    && words.get(i + 1).is_some_and(|(_, w)| text::starts_upper(w)))
                || (is_particle(&lower)
                    && words[i + 1..]
                        .iter()
                        .find(|(_, w)| !is_particle(&w.to_lowercase()))
                        .is_some_and(|(_, w)| is_name_after_de(w))));
        if particle_before_name {
            continue;
        }
        // "this is Mike's phone": a possessive is someone else's.
        if word.ends_with("'s") || word.ends_with("’s") {
            break;
        }
        let capitalised = text::starts_upper(word);
        let typed_lowercase = (strong || (all_lowercase && i == 0)) && !looks_inflected(&lower);
        // "soy Vale de Mate & Co", "Marcus Tan": a name that is also a
        // word, when capitalised.
        let name_word = capitalised && is_also_a_name(&lower);
        if (is_not_name(&lower) && !name_word)
            || is_place(&lower)
            || !(capitalised || typed_lowercase)
        {
            break;
        }
        end = candidate.start + start + word.len();
        // "Marta Giménez. Queremos...": the name ends with its sentence.
        if words[i].1.ends_with('.') && word.chars().count() > 3 {
            break;
        }
    }
    let snippet = &text[candidate.start..end];
    parse_name(snippet)
        .ok()
        .map(|_| (snippet.to_owned(), candidate.start..end))
}

/// `candidate` when every word of it can be a name: a name with no cue
/// before it must be all of what was matched, not the start of a sentence.
fn whole_name(
    text: &str,
    candidate: Range<usize>,
    all_lowercase: bool,
) -> Option<(String, Range<usize>)> {
    let words: Vec<&str> = text[candidate.clone()].split_whitespace().collect();
    let plausible = words.iter().enumerate().all(|(i, word)| {
        let lower = word.to_lowercase();
        let capitalised = text::starts_upper(word);
        // "Marcus Tan": a capitalised surname may also be a word.
        let common = crate::language::is_common_word(&lower) && !(i > 0 && capitalised);
        let name_word = capitalised && is_also_a_name(&lower);
        (i > 0 && i + 1 < words.len() && (is_particle(&lower) || is_capital_particle(word)))
            || ((capitalised || all_lowercase)
                && (!is_not_name(&lower) || name_word)
                && !is_place(&lower)
                && !common)
    });
    if !plausible {
        return None;
    }
    let end = candidate.end;
    let found = name_at(text, candidate, all_lowercase, true)?;
    (found.1.end == end).then_some(found)
}

/// English participles and gerunds typed in lowercase ("i'm thinking")
/// are not names.
fn looks_inflected(word: &str) -> bool {
    word.len() > 4 && (word.ends_with("ing") || word.ends_with("ed"))
}
