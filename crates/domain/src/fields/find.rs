//! Finding field values in a customer's free text, for the offline brain:
//! cue phrases ("I'm", "we need", "mi empresa se llama") locate a value, and
//! the field's own parser must accept what was cut out.

use super::names::{is_abbreviation, is_not_name, is_place};
use super::text::Words;
use super::{
    authority, money, parse_authority, parse_budget, parse_company, parse_name, parse_need,
    parse_timeline,
};
use super::{text, timeline};
use crate::lead::{FieldName, Timeline};
use jiff::civil::Date;
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// WhatsApp caps a text message at 4096 characters; past that, cutting
/// keeps the work per message bounded.
const MAX_TEXT: usize = 4096;
/// A bare answer longer than this is not a bare answer.
const MAX_BARE_ANSWER: usize = 200;
/// Words a company name found in prose may have.
const MAX_COMPANY_WORDS: usize = 6;

static NAME_CUE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)
        \b(?:
            (?P<strong>my\s+name\s+is|my\s+name['’]s|name['’]s|call\s+me|me\s+llamo|mi\s+nombre\s+es)
            | i['’]?m | i\s+am | soy | soi | (?P<weak>this\s+is | it['’]?s)
            | (?:te|le|les)\s+(?:habla|escribe) | aqu[ií]\s+(?:te\s+)?habla | (?:^|[,.!])[\ \t]*habla
        )[\ \t]+
        (?:(?:el|la)[\ \t]+)?
        (?:(?:licenciad[oa]|lic\.?|ingenier[oa]|ing\.?|doctor[a]?|dr[a]?\.?|arquitect[oa]|arq\.?|profe(?:sor[a]?)?|mr\.?|mrs\.?|ms\.?|miss)[\ \t]+)?
        (?P<name>\p{L}[\p{L}\p{M}'’-]*(?:[\ \t]+\p{L}[\p{L}\p{M}'’.-]*){0,3})
        ",
    )
});

/// Right after a name: "Ana from Acme", "Carlos de Ferretería López",
/// "Sam over at Bluefin", "Jake here from Coastline Motors".
static AFTER_NAME: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?i)^[ \t]*,?[ \t]*(?:here[ \t]+)?(?:from|form|with|at|over[ \t]+at|of|de|del|desde)[ \t]+(?:(?:la|el|the)[ \t]+)?",
    )
});

/// "Jake here", "Tom Whitaker here, IT lead at...": a name the customer
/// signs with, at the start of a clause.
static NAME_HERE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)^[\ \t]*(?P<name>\p{L}[\p{L}\p{M}'’-]*(?:[\ \t]+\p{L}[\p{L}\p{M}'’-]*){0,2})[\ \t]+here\b",
    )
});

/// "Sophie from Wild Fern Skincare", "Andrea Vidal, gerente comercial en
/// Grupo Altamar": a message (or clause) that opens with the customer's
/// name, followed by where they work or their role.
static NAME_LEADS: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)^[\ \t]*(?P<name>\p{L}[\p{L}\p{M}'’-]*(?:[\ \t]+\p{L}[\p{L}\p{M}'’-]*){0,2})
        (?: (?P<from>[\ \t]*,?[\ \t]+(?:from|de|del|at|over[\ \t]+at|desde)[\ \t]+)
          | [\ \t]*,[\ \t]*(?:the[\ \t]+|el[\ \t]+|la[\ \t]+)?(?P<role>\p{L}+) )",
    )
});

/// Where a role is held: "gerente comercial en Grupo Altamar", "the GM at
/// IronHouse Gym", "dueña de Óptica Visión Clara".
static ROLE_AT: LazyLock<Regex> =
    LazyLock::new(|| text::regex(r"(?i)[ \t]+(?:at|of|for|with|en|de|del)[ \t]+"));

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
            | (?:de|en|para)\s+la\s+(?:empresa|compañ[ií]a)
            | trabaj(?:o|amos)\s+(?:en|para)
            | called | named | (?:que\s+)?se\s+llama | llamad[oa]
        )[\ \t]+",
    )
});

/// Phrases after which a capitalised name is the customer's business: "I
/// run Glow Lab", "owner of Fietsen Bakker", "tengo Panadería La Espiga".
static WEAK_COMPANY_CUE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)
        \b(?:
            (?:i|we)\s+(?:run|own|manage|co-own)
            | (?:owner|founder|co-?founder)\s+(?:of|at)
            | (?:soy\s+)?(?:dueñ[oa]|fundador[a]?|propietari[oa])\s+(?:de|del)
            | (?:les|le|te|os)\s+escrib(?:o|imos)\s+(?:de(?:sde)?|del)
            | (?:writing|reaching\s+out|messaging)\s+(?:from|on\s+behalf\s+of)
            | (?:sucursal(?:es)?|locales|tiendas|branches|locations|stores)\s+(?:de|del|of)
            | tengo | tenemos
        )[\ \t]+",
    )
});

/// Kinds of business a customer says they have before naming it.
const BUSINESS_KINDS: &str = r"clinic|practice|shop|store|boutique|restaurant|caf[eé]|bar|bakery|hotel|hostel|inn
    |firm|agency|studio|gym|school|academy|institute|college|salon|spa|pharmacy|dealership|garage|workshop
    |company|business|startup|brand|franchise|chain|office|consultancy|brewery|winery|distributor|factory
    |cl[ií]nica|consultorio|tienda|restaurante|cafeter[ií]a|panader[ií]a|pasteler[ií]a|hostal|despacho|agencia
    |estudio|gimnasio|escuela|academia|instituto|colegio|sal[oó]n|farmacia|concesionari[ao]|automotora|taller
    |empresa|negocio|marca|franquicia|cadena|oficina|consultora|distribuidora|f[aá]brica|inmobiliaria
    |ferreter[ií]a|[oó]ptica|veterinaria|florister[ií]a|librer[ií]a|peluquer[ií]a|barber[ií]a|constructora|bodega";

/// "a dental clinic in Bangalore", "una agencia de viajes en Cusco": the
/// business described, after which its name may follow.
static BUSINESS_KIND: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(&format!(
        r"(?xi)\b(?:a|an|one|our|my|un|una|mi|nuestra|nuestro)[\ \t]+(?:[\p{{L}}-]+[\ \t]+){{0,3}}?(?:{BUSINESS_KINDS})\b
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
        if let Some(preposition) = PLACE_PREPOSITION.find(&text[at..]) {
            let place = at + preposition.end();
            let mut words = text::words(&text[place..]).take(3).peekable();
            let (first_start, first) = words.next()?;
            if !text::starts_upper(first) {
                // A lowercase place runs to its first word; a capitalised one
                // after it is the name.
                return (!first.ends_with(',') && !first.ends_with('.'))
                    .then(|| words.next())
                    .flatten()
                    .filter(|(_, next)| text::starts_upper(next))
                    .map(|(start, _)| (place + start, false));
            }
            at = place + first_start + first.len();
            while !text[..at].ends_with(',') {
                let (start, word) = words.next()?;
                if !text::starts_upper(word) {
                    return None;
                }
                at = place + start + word.len();
            }
            at -= 1;
        }
        let comma = text[at..]
            .trim_start_matches([' ', '\t'])
            .strip_prefix(',')?;
        let start = text.len() - comma.trim_start().len();
        Some((start, false))
    })
}

/// A line that starts "from Acme" (the last message of a burst).
static LINE_FROM: LazyLock<Regex> =
    LazyLock::new(|| text::regex(r"(?im)^[ \t]*(?:from|de|desde)[ \t]+"));

static NEED_CUE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)
        \b(?:
            we\s+need | i\s+need
            | (?:we(?:['’]re|\s+are)|i(?:['’]m|\s+am))\s+looking\s+for | looking\s+for
            | we\s+want | i\s+want
            | (?:we|i)(?:['’]d|\s+would)\s+like
            | (?:(?:i(?:['’]m|\s+am)|we(?:['’]re|\s+are))\s+)?interested\s+in
            | need\s+help\s+with
            | (?:estoy|estamos|ando|andamos)\s+buscando | busco | buscamos
            | (?:i['’]?m|i\s+am|we['’]?re|we\s+are|estoy|estamos)\s+(?:considering|thinking\s+(?:about|of)|pensando\s+en)
            | what\s+(?:we|i)\s+need\s+is | lo\s+que\s+(?:necesitamos|necesito|queremos|quiero|buscamos|busco)\s+es
            | necesito | necesitamos | quiero | queremos | quisiera | quisi[ée]ramos | quer[ií]a(?:mos)?
            | looking\s+to\s+get | (?:we|i)(?:['’]d|\s+would)\s+want
            | (?:me|nos)\s+interesa(?:r[ií]a)? | (?:me|nos)\s+gustar[ií]a(?:\s+tener)?
            | requerimos | requiero
            | (?:nos|me)\s+pidieron\s+cotizar | cotizar | cotizando | (?:a\s+)?quote\s+for
        )[\ \t]+(?P<object>[^.!?\n,;]+)",
    )
});

/// Finds field values in a customer's free text and returns them as the
/// raw snippets [`super::apply`] parses, at most one per field, in
/// [`FieldName::ALL`] order. `expecting` is the field the agent just asked
/// for: a bare answer ("5000", "Ana", "el mes que viene") counts as that
/// field, and words that are ambiguous in passing ("mañana", "5000") are
/// read for it.
pub fn find(text: &str, expecting: Option<FieldName>, today: Date) -> Vec<(FieldName, String)> {
    find_about(text, expecting, today, Topics::sales())
}

/// [`find`] for a business that sells what `topics` name.
pub fn find_about(
    text: &str,
    expecting: Option<FieldName>,
    today: Date,
    topics: &Topics,
) -> Vec<(FieldName, String)> {
    let text = text::clip(text, MAX_TEXT);
    let mut found = Found::default();
    let name = find_name(text);
    if let Some((snippet, span)) = &name {
        found.push(FieldName::Name, snippet.clone(), span.clone());
    }
    if let Some((snippet, span)) = find_company(text, name.as_ref().map(|(_, span)| span.end)) {
        found.push(FieldName::Company, snippet, span);
    }
    if let Some(span) = money::locate(text, expecting == Some(FieldName::Budget)) {
        found.push(FieldName::Budget, text[span.clone()].to_owned(), span);
    }
    if let Some((snippet, span)) = authority::locate(text)
        .or_else(|| role_after_name(text))
        .or_else(|| role_clause(text))
    {
        found.push(FieldName::Authority, snippet, span);
    }
    if let Some((snippet, span)) =
        find_need(text).or_else(|| find_need_by_topic(text, &found.spans, topics))
    {
        found.push(FieldName::Need, snippet, span);
    }
    if let Some(span) = timeline::locate(text, today, expecting == Some(FieldName::Timeline)) {
        found.push(FieldName::Timeline, text[span.clone()].to_owned(), span);
    }
    if let Some(span) = super::email::locate(text) {
        found.push(FieldName::Email, text[span.clone()].to_owned(), span);
    }
    // A need is whatever the customer says when asked for it, unless the
    // message says something else ("bout 200 a month", "I can approve it
    // myself"): then the need waits for a message that states it.
    let bare_ok = expecting != Some(FieldName::Need) || found.values.is_empty();
    if let Some(field) = expecting
        && bare_ok
        && !found.has(field)
        && let Some(answer) = bare_answer(text, field, &found.spans, today)
    {
        found.push(field, answer, 0..0);
    }
    found.values.sort_by_key(|(field, _)| *field);
    found.values
}

#[derive(Default)]
struct Found {
    values: Vec<(FieldName, String)>,
    spans: Vec<Range<usize>>,
}

impl Found {
    fn push(&mut self, field: FieldName, snippet: String, span: Range<usize>) {
        self.values.push((field, snippet));
        self.spans.push(span);
    }

    fn has(&self, field: FieldName) -> bool {
        self.values.iter().any(|(f, _)| *f == field)
    }
}

/// The whole message, or its first clause, when it is nothing but a value
/// for the field asked for ("Ana", "Ana, from Acme", "5000", "CEO").
fn bare_answer(
    text: &str,
    field: FieldName,
    taken: &[Range<usize>],
    today: Date,
) -> Option<String> {
    let lead = text.trim_start();
    let body = lead.trim_end();
    let trimmed = skip_filler(body);
    if trimmed.is_empty() || trimmed.len() > MAX_BARE_ANSWER {
        return None;
    }
    // `skip_filler` returns a suffix of `body`, itself at the start of `lead`.
    let offset = (text.len() - lead.len()) + (body.len() - trimmed.len());
    let clause_len = trimmed
        .find([',', '.', ';', '!', '?', '\n'])
        .unwrap_or(trimmed.len());
    let candidates = [
        (trimmed, offset..offset + trimmed.len()),
        (&trimmed[..clause_len], offset..offset + clause_len),
    ];
    candidates.into_iter().find_map(|(candidate, span)| {
        let free = taken
            .iter()
            .all(|t| t.is_empty() || t.end <= span.start || span.end <= t.start);
        let accepted = match field {
            // "Hiya", "Info pls", "Hopefully before Christmas" answer no
            // question about a name.
            FieldName::Name => {
                parse_name(candidate).is_ok()
                    && candidate.split_whitespace().all(|word| {
                        let lower = word.to_lowercase();
                        !is_not_name(&lower) && !crate::language::is_common_word(&lower)
                    })
            }
            FieldName::Company => parse_company(candidate).is_ok(),
            FieldName::Budget => {
                parse_budget(candidate).is_ok()
                    && !money::not_this_purchase(candidate, &(0..candidate.len()))
            }
            FieldName::Authority => parse_authority(candidate).is_ok(),
            FieldName::Need => parse_need(candidate).is_ok() && !ANECDOTE.is_match(candidate),
            FieldName::Timeline => parse_timeline(candidate, today).is_ok(),
            FieldName::Email => super::parse_email(candidate).is_ok(),
        };
        if field == FieldName::Authority && free && !accepted {
            return bare_decision(candidate);
        }
        (free && accepted).then(|| candidate.trim().to_owned())
    })
}

/// A bare reply to "do you decide, or does someone else sign off?": "yo",
/// "just me" decide; "mi jefe", "my partner" need approval. Returned as
/// the phrase [`parse_authority`] reads.
fn bare_decision(reply: &str) -> Option<String> {
    static ME: Words = Words::new("yo me myself i");
    static DECIDES_WORDS: Words = Words::new(
        "solo sólo solamente mismo misma just only do decide decido and y nadie más mas else nobody",
    );
    static APPROVER: LazyLock<Regex> = LazyLock::new(|| {
        text::regex(&format!(
            r"(?i)^(?:(?P<es>(?:mi|nuestro|nuestra|el|la)\s+{})|(?:my|our|the)\s+{})$",
            authority::APPROVERS_ES,
            authority::APPROVERS_EN
        ))
    });
    let bare = reply
        .trim()
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    let words: Vec<&str> = bare.split_whitespace().collect();
    let me = words.iter().any(|w| ME.contains(w))
        && words
            .iter()
            .all(|w| ME.contains(w) || DECIDES_WORDS.contains(w));
    if me
        && !words
            .iter()
            .any(|w| matches!(*w, "nadie" | "nobody" | "else"))
    {
        let spanish = words
            .iter()
            .any(|w| matches!(*w, "yo" | "solo" | "sólo" | "mismo" | "misma"));
        return Some(if spanish { "decido yo" } else { "I decide" }.to_owned());
    }
    let caps = APPROVER.captures(&bare)?;
    let phrase = if caps.name("es").is_some() {
        format!("depende de {bare}")
    } else {
        format!("I need to check with {bare}")
    };
    let read = parse_authority(&phrase).ok()?;
    (read.power == crate::lead::DecisionPower::NeedsApproval).then_some(phrase)
}

/// Words a reply opens with before its answer ("Ok, Acme", "sí, Ana").
static REPLY_OPENERS: Words = Words::new(
    "ok okay vale sí si yes yeah yep claro sure pues bueno well so oh ah eh mmm hmm listo \
     perfecto perfect great genial cool nice",
);

/// The text after the words a reply opens with: "Ok, Acme" answers with
/// "Acme".
fn skip_filler(text: &str) -> &str {
    let mut rest = text;
    loop {
        let word_end = rest
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(rest.len());
        let word = &rest[..word_end];
        if word.is_empty() || !REPLY_OPENERS.contains(&word.to_lowercase()) {
            return rest;
        }
        let after = rest[word_end..]
            .trim_start_matches(|c: char| c.is_whitespace() || ",.;:!¡".contains(c));
        if after.is_empty() {
            return rest;
        }
        rest = after;
    }
}

/// "I'm Ana", "me llamo María José", "soy Pedro", but not "I'm
/// interested" or "soy de Monterrey". After "I'm"/"soy" a name must be
/// capitalised, unless the customer writes everything in lowercase.
fn find_name(text: &str) -> Option<(String, Range<usize>)> {
    let all_lowercase = types_lowercase(text);
    let cued = NAME_CUE.captures_iter(text).find_map(|caps| {
        let strong = caps.name("strong").is_some();
        // "this is terrible", "it's urgent": only a capitalised word
        // after these is a name, however the customer types.
        let lowercase_ok = all_lowercase && caps.name("weak").is_none();
        name_at(text, caps.name("name")?.range(), strong, lowercase_ok)
    });
    cued.or_else(|| {
        clauses(text).find_map(|at| {
            let caps = NAME_HERE.captures(&text[at..])?;
            whole_name(text, shifted(caps.name("name")?, at), all_lowercase)
        })
    })
    .or_else(|| {
        clauses(text).find_map(|at| {
            let caps = NAME_LEADS.captures(&text[at..])?;
            // What follows must be a company ("Sophie from Wild Fern") or
            // a role ("Andrea Vidal, gerente comercial"): "depende de mi
            // jefe" and "Hola, Ana" say nothing of the kind.
            let follows = match (caps.name("from"), caps.name("role")) {
                (Some(from), _) => company_at(text, at + from.end(), all_lowercase).is_some(),
                (None, Some(role)) => authority::is_role_word(&role.as_str().to_lowercase()),
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

/// The role a customer signs with: "Andrea Vidal, gerente comercial en
/// Grupo Altamar", "Danielle, operations director at Crescent Logistics".
fn role_after_name(text: &str) -> Option<(String, Range<usize>)> {
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
fn role_clause(text: &str) -> Option<(String, Range<usize>)> {
    clauses(text).skip(1).find_map(|at| {
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
    for (i, (start, word)) in text::words(&text[candidate.clone()]).enumerate() {
        let word = word.trim_end_matches(['.', ',', '!']);
        let lower = word.to_lowercase();
        let capitalised = text::starts_upper(word);
        let typed_lowercase = (strong || (all_lowercase && i == 0)) && !looks_inflected(&lower);
        if is_not_name(&lower) || is_place(&lower) || !(capitalised || typed_lowercase) {
            break;
        }
        end = candidate.start + start + word.len();
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
    let plausible = words.iter().all(|word| {
        let lower = word.to_lowercase();
        (text::starts_upper(word) || all_lowercase)
            && !is_not_name(&lower)
            && !is_place(&lower)
            && !crate::language::is_common_word(&lower)
    });
    if !plausible {
        return None;
    }
    let end = candidate.end;
    let found = name_at(text, candidate, false, true)?;
    (found.1.end == end).then_some(found)
}

/// English participles and gerunds typed in lowercase ("i'm thinking")
/// are not names.
fn looks_inflected(word: &str) -> bool {
    word.len() > 4 && (word.ends_with("ing") || word.ends_with("ed"))
}

/// The company: right after the name ("I'm Ana from Acme"), after a
/// company phrase ("I work at Acme", "mi empresa se llama X"), or at the
/// start of a line ("from Acme, we need...").
fn find_company(text: &str, name_end: Option<usize>) -> Option<(String, Range<usize>)> {
    // Someone who types all in lowercase types their company so too.
    let all_lowercase = !text.chars().any(char::is_uppercase);
    let after_name = name_end.and_then(|end| {
        let at = end + AFTER_NAME.find(&text[end..])?.end();
        let kind = KIND_WORD
            .find(&text[at..])
            .filter(|_| !text[at..].starts_with(char::is_uppercase));
        Some((at + kind.map_or(0, |m| m.end()), all_lowercase))
    });
    let cued = COMPANY_CUE.find_iter(text).map(|m| (m.end(), true));
    let weak = WEAK_COMPANY_CUE.find_iter(text).map(|m| (m.end(), false));
    let lines = LINE_FROM.find_iter(text).map(|m| (m.end(), false));
    after_name
        .into_iter()
        .chain(cued)
        .chain(after_roles(text))
        .chain(after_business_kind(text))
        .chain(weak)
        .chain(lines)
        .find_map(|(start, strong)| company_at(text, start, strong))
}

/// "la Autoescuela Ronda", "el Colegio": an article written in lowercase
/// is not part of the name.
static LOWER_ARTICLE: LazyLock<Regex> =
    LazyLock::new(|| text::regex(r"^(?:la|el|the|los|las)[ \t]+"));

/// Where a company may start after a role: "gerente comercial en Grupo
/// Altamar", "operations director at Crescent Logistics". Not strong: the
/// company must be capitalised ("manager at a law firm" names none).
fn after_roles(text: &str) -> impl Iterator<Item = (usize, bool)> + '_ {
    text::words(text).filter_map(move |(start, word)| {
        let bare = word.trim_matches(|c: char| !c.is_alphanumeric());
        if !authority::is_role_word(&bare.to_lowercase()) {
            return None;
        }
        let after = start + word.len();
        // The first "at/en/de" within a few words whose next word is
        // capitalised: "head of admissions at Oakfield Prep School".
        ROLE_AT
            .find_iter(&text[after..])
            .take_while(|m| m.start() < 40)
            .map(|m| after + m.end())
            .map(|at| at + LOWER_ARTICLE.find(&text[at..]).map_or(0, |a| a.end()))
            .find(|&at| text[at..].starts_with(char::is_uppercase))
            .map(|at| (at, false))
    })
}

/// The company name that starts at `start`: capitalised words, with the
/// abbreviations and connectors company names have ("S.A. de C.V."). A
/// phrase that names the company (`strong`) also takes a lowercase name.
/// Hand-written: where a name ends depends on each word's case and on the
/// next word, which a regex cannot weigh.
fn company_at(text: &str, start: usize, strong: bool) -> Option<(String, Range<usize>)> {
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
    let all_lowercase = !text.chars().any(char::is_uppercase);
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
            is_article(&lower) || !(is_place(&lower) || is_calendar_word(&lower))
        } else if i == 0 {
            (strong || (upper && word.starts_with(char::is_alphabetic)))
                && !is_not_name(&lower)
                && !is_place(&lower)
                && !is_calendar_word(&lower)
        } else if matches!(
            lower.as_str(),
            "de" | "del" | "y" | "&" | "and" | "of" | "la" | "los" | "las" | "e"
        ) {
            next_upper
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

/// Days, months and places in time that follow "from" without being a company.
static CALENDAR_WORDS: Words = Words::new(
    "monday tuesday wednesday thursday friday saturday sunday lunes martes miércoles \
     miercoles jueves viernes sábado sabado domingo january february march april june \
     july august september october november december enero febrero marzo abril mayo junio \
     julio agosto septiembre octubre noviembre diciembre today tomorrow hoy mañana \
     scratch home casa cero",
);

fn is_calendar_word(word: &str) -> bool {
    CALENDAR_WORDS.contains(word)
}

/// Whether `text` states a need in so many words ("we need...", "lo que
/// buscamos es..."), rather than only speaking of the topic.
pub fn states_need(text: &str) -> bool {
    find_need(text).is_some()
}

/// "we need a WhatsApp bot", "busco un asistente para...": what follows the
/// phrase, up to the end of the clause, unless it is not something to buy
/// ("quiero hablar con una persona", "we want to start next month").
fn find_need(text: &str) -> Option<(String, Range<usize>)> {
    NEED_CUE.captures_iter(text).find_map(|caps| {
        let object = caps.name("object")?;
        let trimmed = object.as_str().trim_end();
        let first = trimmed
            .strip_prefix("to ")
            .unwrap_or(trimmed)
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_lowercase();
        if not_a_purchase(&first) {
            return None;
        }
        // "retailers ask us all day for catalogues, we need automation for
        // this": what "this" is was said just before.
        let start = if ANAPHOR.is_match(trimmed) {
            previous_clause(text, caps.get(0)?.start())
        } else {
            object.start()
        };
        let end = object.start() + trimmed.len();
        parse_need(&text[start..end])
            .or_else(|_| parse_need(trimmed))
            .ok()
            .map(|need| {
                let start = if need == trimmed {
                    object.start()
                } else {
                    start
                };
                (need.into(), start..end)
            })
    })
}

/// Words that point back at what was said before.
static ANAPHOR: LazyLock<Regex> =
    LazyLock::new(|| text::regex(r"(?i)\b(?:this|that|it|them|those|esto|eso|ello|esos|esas)\b"));

/// Where the clause before the one at `at` starts: after the punctuation
/// that ends the one before it, or the start of the text.
fn previous_clause(text: &str, at: usize) -> usize {
    let before = text[..at].trim_end_matches(|c: char| c.is_whitespace() || ",;.!".contains(c));
    let start = before
        .rfind(['.', '!', '?', ';', ',', '\n'])
        .map_or(0, |i| i + 1);
    start + (before[start..].len() - before[start..].trim_start().len())
}

/// Words of what a business sells, as customers name it: a sentence with
/// one of them that no need phrase introduced ("we keep missing quote
/// requests on whatsapp", "me duele una muela") still says what the
/// customer needs. The built-in playbook's are [`Topics::sales`]; a
/// playbook names its own (`[business] needs`).
#[derive(Debug, Clone)]
pub struct Topics(Regex);

impl Topics {
    /// What TuVendedor24 sells: a WhatsApp assistant for sales.
    pub fn sales() -> &'static Topics {
        static SALES: LazyLock<Topics> = LazyLock::new(|| {
            Topics(text::regex(
                r"(?xi)\b(?:whats\s*app|whatsap|watsap|wsp|wpp|bot|chatbot|asistente|assistant|automat\w*
                |messages|msgs|mensajes|enquiries|inquiries|consultas|leads|prospectos|pedidos|orders|reservas
                |reservations|bookings|citas|appointments|appts|cotizaciones|quotes|quote\s+requests)\b",
            ))
        });
        &SALES
    }

    /// Whether `text` names one of the topics.
    pub fn names(&self, text: &str) -> bool {
        self.0.is_match(text)
    }

    /// A playbook's words, each matched whole or as the start of a longer
    /// word ("implante" finds "implantes"), in any case, with or without
    /// its accents; `None` for no words.
    pub fn of(words: &[String]) -> Option<Topics> {
        let alternatives: Vec<String> = words
            .iter()
            .map(|w| w.trim())
            .filter(|w| !w.is_empty())
            .map(|word| {
                crate::language::fold(word)
                    .chars()
                    .map(|c| match c {
                        'a' => "[aá]".to_owned(),
                        'e' => "[eé]".to_owned(),
                        'i' => "[ií]".to_owned(),
                        'o' => "[oó]".to_owned(),
                        'u' => "[uúü]".to_owned(),
                        'n' => "[nñ]".to_owned(),
                        c if c.is_whitespace() => r"\s+".to_owned(),
                        c => regex::escape(&c.to_string()),
                    })
                    .collect()
            })
            .collect();
        if alternatives.is_empty() {
            return None;
        }
        // Unicode word boundaries: a word may start with an accent.
        Regex::new(&format!(r"(?i)\b(?:{})\w*", alternatives.join("|")))
            .ok()
            .map(Topics)
    }
}

/// What a customer's question still tells, which [`find_about`] does not
/// read since a question states no fact: an email address ("can you send
/// the details to mike@example.com?"), a wish to be seen now ("can someone
/// see me today?"), and what the question is about when it names something
/// the business sells ("¿cuánto cuestan las carillas de porcelana?" is
/// about porcelain veneers): the need, as far as the customer said it,
/// from the topic word to the end of its clause, at most
/// [`ASKED_NEED_WORDS`] words.
pub fn find_in_question(question: &str, today: Date, topics: &Topics) -> Vec<(FieldName, String)> {
    let mut found = Vec::new();
    if let Some(span) = timeline::locate(question, today, false)
        && super::parse_timeline(&question[span.clone()], today) == Ok(Timeline::Asap)
    {
        found.push((FieldName::Timeline, question[span].to_owned()));
    }
    if let Some(m) = topics.0.find(question) {
        let phrase: Vec<&str> = question[m.start()..]
            .split(|c: char| ",;:?!.()".contains(c))
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .take_while(|w| !ENDS_ASKED_NEED.contains(&w.to_lowercase()))
            .take(ASKED_NEED_WORDS)
            .collect();
        if let Ok(need) = parse_need(&phrase.join(" ")) {
            found.push((FieldName::Need, need.into()));
        }
    }
    if let Some(span) = super::email::locate(question) {
        found.push((FieldName::Email, question[span].to_owned()));
    }
    found
}

/// The longest need taken from a question.
const ASKED_NEED_WORDS: usize = 4;

/// Words after which a question's topic phrase is over: "limpieza con
/// vosotros", "spanish classes if we both sign up".
static ENDS_ASKED_NEED: Words = Words::new(
    "con with for para por y and o or si if que that cuando when como how porque because \
     me you u ya already too también tambien",
);

/// A clause that tells what happened or who does what, not what the
/// customer needs: "yesterday a customer waited 2 hours on WhatsApp", "el
/// año pasado probamos un bot", "mi asistente Karen maneja el WhatsApp".
static ANECDOTE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)\b(?:yesterday|ayer|last\s+(?:year|week|month|time)|el\s+(?:año|mes)\s+pasado|la\s+semana\s+pasada
        |we\s+tried|probamos|used\s+to|sol[ií]amos|una\s+clienta|un\s+cliente|a\s+customer|la\s+señora|el\s+señor|mr|mrs
        |(?:my|mi)\s+(?:assistant|asistente|receptionist|recepcionista|husband|wife|esposo|esposa|sister|brother
          |hermana|hermano|partner|socio|socia|secretary|secretaria)\s+(?:\w+\s+)?
          (?:handles|does|manages|runs|answers|lleva|maneja|ve|contesta|atiende|es\s+la\s+que|es\s+el\s+que|is\s+the\s+one))\b",
    )
});

/// The first clause that speaks of what the product is for, when no need
/// phrase did ("we get like 100 whatsapp orders a day and cant keep up").
fn find_need_by_topic(
    text: &str,
    taken: &[Range<usize>],
    topics: &Topics,
) -> Option<(String, Range<usize>)> {
    let mut start = 0;
    for clause in text.split_inclusive(['.', '!', ';', '\n']) {
        let span = start..start + clause.len();
        start = span.end;
        let trimmed = clause.trim().trim_end_matches(['.', '!', ';']);
        // A topic word inside another field's value ("asistente de
        // dirección") says nothing of the need.
        let topical = topics.0.find_iter(clause).find_map(|m| {
            let at = span.start + m.start()..span.start + m.end();
            (!taken.iter().any(|t| t.start <= at.start && at.end <= t.end)).then_some(at.start)
        });
        let Some(topic_at) = topical.filter(|_| !trimmed.is_empty() && !ANECDOTE.is_match(clause))
        else {
            continue;
        };
        // The need starts after another field's value said before it in
        // the clause ("Soy Pilar, me duele una muela").
        let offset = span.start + (clause.len() - clause.trim_start().len());
        let from = taken
            .iter()
            .filter(|t| t.start >= offset && t.end <= topic_at)
            .map(|t| t.end)
            .max()
            .unwrap_or(offset);
        let end = offset + trimmed.len();
        let rest =
            text[from..end].trim_start_matches(|c: char| c.is_whitespace() || ",:-".contains(c));
        let from = end - rest.len();
        let trimmed = &text[from..end];
        // A clause that is only another field's value is not a need.
        if money::locate(trimmed, false).is_some() || authority::locate(trimmed).is_some() {
            continue;
        }
        if let Ok(need) = parse_need(trimmed) {
            return Some((need.into(), from..end));
        }
    }
    None
}

/// First words of an object that is not something to buy.
static NOT_PURCHASES: Words = Words::new(
    "pay invest invertir decide decidir see ver it this that them one lo eso esto ya asap \
     para next by in en more más you te le les me to fixed done sorted solved resuelto \
     solucionado arreglado go live ready running listo lista listos funcionando",
);

/// First words that make "I want ..." about something other than buying.
fn not_a_purchase(first: &str) -> bool {
    // Booking or signing up is how to buy, not what: "I'd like to book
    // one", "la quiero anotar ya".
    const VERB_STEMS: [&str; 34] = [
        "talk", "speak", "habl", "platic", "convers", "comunic", "contact", "start", "begin",
        "empez", "comenz", "inici", "arranc", "know", "sab", "ask", "pregunt", "check", "consult",
        "think", "pens", "wait", "esper", "pag", "spend", "gast", "book", "reserv", "agend",
        "schedul", "anot", "inscrib", "sign", "enrol",
    ];
    VERB_STEMS.iter().any(|stem| first.starts_with(stem))
        || first.starts_with(|c: char| c.is_ascii_digit())
        || NOT_PURCHASES.contains(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use FieldName::{Authority, Budget, Company, Name, Need, Timeline};
    use jiff::civil::date;

    const TODAY: Date = date(2026, 1, 15);

    fn found(text: &str, expecting: Option<FieldName>) -> Vec<(FieldName, String)> {
        find(text, expecting, TODAY)
    }

    type Expected<'a> = &'a [(FieldName, &'a str)];

    fn values(pairs: &[(FieldName, &str)]) -> Vec<(FieldName, String)> {
        pairs.iter().map(|(f, v)| (*f, (*v).to_owned())).collect()
    }

    /// Checks every case and reports all the mismatches at once.
    fn check(cases: &[(&str, &[(FieldName, &str)])]) {
        let wrong: Vec<String> = cases
            .iter()
            .filter_map(|(text, expected)| {
                let got = found(text, None);
                (got != values(expected))
                    .then(|| format!("{text:?}: got {got:?}, expected {expected:?}"))
            })
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn a_question_tells_the_topic_it_asks_about_and_an_email() {
        let clinic = Topics::of(&[
            "carillas".to_owned(),
            "limpieza".to_owned(),
            "root canal".to_owned(),
        ])
        .unwrap();
        let need = |q: &str| {
            find_in_question(q, TODAY, &clinic)
                .into_iter()
                .find(|(f, _)| *f == FieldName::Need)
                .map(|(_, v)| v)
        };
        assert_eq!(
            need("cuanto cuestan las carillas de porcelana?").as_deref(),
            Some("carillas de porcelana")
        );
        assert_eq!(
            need("me cubriria una limpieza con vosotros?").as_deref(),
            Some("limpieza")
        );
        assert_eq!(
            need("how much do you charge for a root canal?").as_deref(),
            Some("root canal")
        );
        assert_eq!(need("do you open on saturdays?"), None);
        assert_eq!(
            find_in_question("it really hurts, can someone see me today?", TODAY, &clinic),
            [(Timeline, "see me today".to_owned())]
        );
        assert_eq!(
            find_in_question(
                "can you send the details to mike.reyes@outlook.com?",
                TODAY,
                &clinic
            ),
            [(FieldName::Email, "mike.reyes@outlook.com".to_owned())]
        );
    }

    #[test]
    fn the_end_to_end_sentences() {
        let cases: &[(&str, &[(FieldName, &str)])] = &[
            (
                "Hi, I'm Ana from Acme, we need a WhatsApp bot for our sales team",
                &[
                    (Name, "Ana"),
                    (Company, "Acme"),
                    (Need, "a WhatsApp bot for our sales team"),
                ],
            ),
            ("Our budget is around 5k USD", &[(Budget, "around 5k USD")]),
            (
                "I'm the CEO, I make the decision",
                &[(Authority, "I'm the CEO, I make the decision")],
            ),
            ("We want to start next month", &[(Timeline, "next month")]),
            (
                "Hola, soy Carlos de Ferretería López, busco un asistente para atender clientes por WhatsApp",
                &[
                    (Name, "Carlos"),
                    (Company, "Ferretería López"),
                    (Need, "un asistente para atender clientes por WhatsApp"),
                ],
            ),
            (
                "Tenemos unos 3 mil dólares",
                &[(Budget, "unos 3 mil dólares")],
            ),
            (
                "Soy el dueño, decido yo",
                &[(Authority, "Soy el dueño, decido yo")],
            ),
            ("Lo antes posible", &[(Timeline, "Lo antes posible")]),
            ("hi", &[]),
            ("I'm Ana", &[(Name, "Ana")]),
            (
                "from Acme, we need a sales chatbot",
                &[(Company, "Acme"), (Need, "a sales chatbot")],
            ),
            (
                "hi\nI'm Ana\nfrom Acme, we need a sales chatbot",
                &[(Name, "Ana"), (Company, "Acme"), (Need, "a sales chatbot")],
            ),
        ];
        check(cases);
    }

    #[test]
    fn noise_finds_nothing() {
        for text in [
            "asdkjh qwpoe zzxq",
            "jjjjjjjj kkkk",
            "qwe rty uiop asdf",
            "hola",
            "hi",
            "ok",
            "gracias",
            "quiero hablar con una persona",
            "can I talk to a human",
            "I'm interested",
            "soy de Monterrey",
            "I'm looking for",
            "estoy buscando",
            "👍",
            "",
        ] {
            assert_eq!(found(text, None), vec![], "{text}");
        }
    }

    #[test]
    fn names_and_companies_from_their_phrases() {
        let cases: &[(&str, &[(FieldName, &str)])] = &[
            ("my name is John Smith", &[(Name, "John Smith")]),
            ("me llamo María José", &[(Name, "María José")]),
            ("soy Pedro", &[(Name, "Pedro")]),
            ("hola soy pedro", &[(Name, "pedro")]),
            ("I'm the CEO", &[(Authority, "I'm the CEO")]),
            ("soy el dueño", &[(Authority, "soy el dueño")]),
            ("I work at Acme", &[(Company, "Acme")]),
            ("trabajo en Acme", &[(Company, "Acme")]),
            ("trabajo en compras", &[(Authority, "trabajo en compras")]),
            (
                "soy Laura de la empresa Textiles Norte",
                &[(Name, "Laura"), (Company, "Textiles Norte")],
            ),
            ("our company is Globex.", &[(Company, "Globex")]),
            (
                "mi empresa se llama panadería rosita",
                &[(Company, "panadería rosita")],
            ),
            (
                "I'm Tom from ACME S.A. de C.V., we need a CRM",
                &[
                    (Name, "Tom"),
                    (Company, "ACME S.A. de C.V."),
                    (Need, "a CRM"),
                ],
            ),
            ("I'm Ana from Spain", &[(Name, "Ana")]),
            (
                "hi im mike from joes pizza we want a bot to take orders",
                &[
                    (Name, "mike"),
                    (Company, "joes pizza"),
                    (Need, "a bot to take orders"),
                ],
            ),
            (
                "I'm Ana and I'm the owner",
                &[(Name, "Ana"), (Authority, "I'm the owner")],
            ),
            (
                "soy Ana, la dueña",
                &[(Name, "Ana"), (Authority, ", la dueña")],
            ),
            (
                "Hey, it's Sam over at Bluefin Charters",
                &[(Name, "Sam"), (Company, "Bluefin Charters")],
            ),
            (
                "Hello, this is Mike from Northwind",
                &[(Name, "Mike"), (Company, "Northwind")],
            ),
            (
                "G'day, Jake here from Coastline Motors",
                &[(Name, "Jake"), (Company, "Coastline Motors")],
            ),
            (
                "Hi there, Sophie from Wild Fern Skincare",
                &[(Name, "Sophie"), (Company, "Wild Fern Skincare")],
            ),
            (
                "Hola! Andrea Vidal, gerente comercial en Grupo Altamar",
                &[
                    (Name, "Andrea Vidal"),
                    (Company, "Grupo Altamar"),
                    (Authority, "gerente comercial en Grupo Altamar"),
                ],
            ),
            (
                "Buenas tardes, soy la licenciada Mariana Téllez",
                &[(Name, "Mariana Téllez")],
            ),
            (
                "Hola, habla Constanza Rivas de Viña Sur Propiedades",
                &[(Name, "Constanza Rivas"), (Company, "Viña Sur Propiedades")],
            ),
            (
                "un estudio de pilates que se llama Core Studio",
                &[(Company, "Core Studio")],
            ),
            (
                "I run a property agency in Manchester called Northgate Homes",
                &[(Company, "Northgate Homes")],
            ),
            (
                "mi nombre es jhon fredy, tengo una distribuidora",
                &[(Name, "jhon fredy")],
            ),
            ("depende de mi jefe", &[(Authority, "depende de mi jefe")]),
        ];
        check(cases);
    }

    #[test]
    fn a_company_where_a_role_is_held_or_after_an_article() {
        let company = |text: &str| {
            found(text, None)
                .into_iter()
                .find(|(field, _)| *field == Company)
                .map(|(_, value)| value)
        };
        let mut wrong = Vec::new();
        for (text, expected) in [
            (
                "Hello, I'm Eleanor, head of admissions at Oakfield Prep School. Parents message us",
                Some("Oakfield Prep School"),
            ),
            (
                "Hola! Soy Marga, de la Academia Nexo en Valencia",
                Some("Academia Nexo"),
            ),
            (
                "mick from Outback Adventure Tours, we run 4wd tours",
                Some("Outback Adventure Tours"),
            ),
            ("we run 4wd tours out of cairns", None),
            (
                "buenas tardes, les escribo de Grupo Tandil, soy Carolina Ferreyra de RRHH. estamos buscando capacitacion",
                Some("Grupo Tandil"),
            ),
            (
                "Hi, writing from Bluewave Travel about your bot",
                Some("Bluewave Travel"),
            ),
            ("I'm the office manager at a law firm", None),
            // The business described, then named.
            (
                "Hello, we have a dental clinic in Bangalore, Smile Square Dental. We want patients to book",
                Some("Smile Square Dental"),
            ),
            (
                "I am owner of a bicycle shop in Utrecht, Fietsen Bakker. We want that customers can ask",
                Some("Fietsen Bakker"),
            ),
            (
                "hello, I'm the office manager at a law firm, Hart & Cole Solicitors. we need the bot",
                Some("Hart & Cole Solicitors"),
            ),
            (
                "general manager of a boutique hotel in Edinburgh, The Heather Inn. Guests message at 2am",
                Some("The Heather Inn"),
            ),
            (
                "soy Rocío Quispe, tengo una agencia de viajes en Cusco, Andes Trip, y quiero que el bot cotice",
                Some("Andes Trip"),
            ),
            (
                "i have a small pharmacy in leeds Medway Pharmacy and people keep asking",
                Some("Medway Pharmacy"),
            ),
            ("we have a small shop in Leeds, nothing fancy", None),
            ("tenemos una clínica en Puebla, somos 4 dentistas", None),
            // Named by "called", whatever its first word.
            (
                "I run a yoga and pilates studio called Still Point. I need the bot",
                Some("Still Point"),
            ),
            (
                "I co-own a Mexican restaurant in San Diego called La Palapa. we want a bot",
                Some("La Palapa"),
            ),
            // Where a role is held, after an article, before a place.
            (
                "hey! this is Marcus, I'm the GM at IronHouse Gym in Austin",
                Some("IronHouse Gym"),
            ),
            (
                "Hola, soy Inés Medina, directora de la Autoescuela Ronda, en Málaga. Queremos",
                Some("Autoescuela Ronda"),
            ),
            (
                "soy Brenda, asistente de dirección en el Colegio Montessori Arboleda. Nos pidieron",
                Some("Colegio Montessori Arboleda"),
            ),
            (
                "Hi, I'm Dev, I'm a real estate agent with Human Touch Realty in Toronto.",
                Some("Human Touch Realty"),
            ),
            // After a kind of business or a branch.
            (
                "soy Jordi Puig, del despacho Puig & Serra Advocats, en Barcelona.",
                Some("Puig & Serra Advocats"),
            ),
            (
                "soy Gabriela Soto, tengo tres sucursales de Panadería La Espiga y quiero",
                Some("Panadería La Espiga"),
            ),
            (
                "Hola, qué más, soy Santiago Vélez de Café Alto Tostadores, vendemos café",
                Some("Café Alto Tostadores"),
            ),
        ] {
            if company(text).as_deref() != expected {
                wrong.push(format!(
                    "{text:?}: got {:?}, expected {expected:?}",
                    company(text)
                ));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn mixed_messages_find_exactly_what_they_say() {
        let cases: &[(&str, &[(FieldName, &str)])] = &[
            (
                "we need a chatbot, our budget is $3,000 and I decide",
                &[
                    (Budget, "$3,000"),
                    (Authority, "I decide"),
                    (Need, "a chatbot"),
                ],
            ),
            (
                "necesitamos un bot para ventas, tenemos 5 mil dólares, para el mes que viene",
                &[
                    (Budget, "5 mil dólares"),
                    (Need, "un bot para ventas"),
                    (Timeline, "el mes que viene"),
                ],
            ),
            (
                "I'm Ana, marketing manager at Globex. We're looking for a lead qualification bot",
                &[
                    (Name, "Ana"),
                    (Company, "Globex"),
                    (Authority, "marketing manager"),
                    (Need, "a lead qualification bot"),
                ],
            ),
            (
                "we have 10 employees and want to automate support",
                &[(Need, "we have 10 employees and want to automate support")],
            ),
            (
                "we have 10 employees and we want automated support",
                &[(Need, "automated support")],
            ),
            (
                "I need to ask my boss first",
                &[(Authority, "need to ask my boss")],
            ),
            (
                "depende de mi jefe, pero lo queremos en 2 semanas",
                &[
                    (Authority, "depende de mi jefe"),
                    (Timeline, "en 2 semanas"),
                ],
            ),
            (
                "budget up to 2,000 EUR, Q3",
                &[(Budget, "up to 2,000 EUR"), (Timeline, "Q3")],
            ),
            ("no rush, just exploring options", &[(Timeline, "no rush")]),
            (
                "I'm just looking for a simple bot",
                &[(Need, "a simple bot")],
            ),
            ("ya tenemos un CRM", &[]),
            ("hace días que busco un bot", &[(Need, "un bot")]),
            (
                "Sí, lo decide el comité",
                &[(Authority, "lo decide el comité")],
            ),
            ("can we talk tomorrow?", &[]),
            ("we offer 24/7 support to 300 clients", &[]),
            ("quiero saber el precio", &[]),
            (
                "me interesa el plan premium para mi tienda",
                &[(Need, "el plan premium para mi tienda")],
            ),
            (
                "We want to start next month with around 10k",
                &[(Timeline, "next month")],
            ),
            (
                "our budget is around 10k and we want to start next month",
                &[(Budget, "around 10k"), (Timeline, "next month")],
            ),
            (
                "Soy María, gerente de compras de Textiles SA",
                &[
                    (Name, "María"),
                    (Company, "Textiles SA"),
                    (Authority, "gerente de compras"),
                ],
            ),
            (
                "soy gerente de compras y lo tengo que consultar",
                &[(Authority, "soy gerente de compras, lo tengo que consultar")],
            ),
            (
                "entre 5 y 10 mil dólares, lo antes posible",
                &[
                    (Budget, "entre 5 y 10 mil dólares"),
                    (Timeline, "lo antes posible"),
                ],
            ),
            (
                "I'm the founder of Initech and we need it ASAP",
                &[
                    (Company, "Initech"),
                    (Authority, "I'm the founder"),
                    (Timeline, "ASAP"),
                ],
            ),
            (
                "Hello! This is urgent, we want a WhatsApp assistant",
                &[(Need, "a WhatsApp assistant"), (Timeline, "urgent")],
            ),
            (
                "mi presupuesto es de 20 mil pesos mexicanos al mes",
                &[(Budget, "de 20 mil pesos mexicanos al mes")],
            ),
            (
                "Monthly we can spend 40k INR",
                &[(Budget, "Monthly we can spend 40k INR")],
            ),
        ];
        assert!(cases.len() >= 20);
        check(cases);
    }

    #[test]
    fn a_need_that_points_back_takes_in_what_it_points_at() {
        let need = |text: &str, expecting| {
            found(text, expecting)
                .into_iter()
                .find(|(field, _)| *field == Need)
                .map(|(_, value)| value)
        };
        assert_eq!(
            need(
                "We are saree suppliers, retailers message us all day for catalogues, we need automation for this",
                None
            )
            .as_deref(),
            Some("retailers message us all day for catalogues, we need automation for this")
        );
        assert_eq!(
            need("soy Brenda, asistente de dirección. Nos pidieron cotizar un bot para inscripciones", None)
                .as_deref(),
            Some("un bot para inscripciones")
        );
        assert_eq!(
            need("we need a bot for bookings", None).as_deref(),
            Some("a bot for bookings")
        );
        for reply in [
            "info",
            "info pls",
            "más información",
            "gracias, luego hablamos",
            "precios",
        ] {
            assert_eq!(need(reply, Some(Need)), None, "{reply}");
        }
    }

    #[test]
    fn a_bare_reply_about_the_decision_says_who_decides() {
        use crate::lead::DecisionPower::{DecisionMaker, NeedsApproval};
        for (reply, power) in [
            ("yo", Some(DecisionMaker)),
            ("Yo mismo", Some(DecisionMaker)),
            ("solo yo", Some(DecisionMaker)),
            ("me", Some(DecisionMaker)),
            ("just me!", Some(DecisionMaker)),
            ("mi jefe", Some(NeedsApproval)),
            ("my business partner", Some(NeedsApproval)),
            ("my dog", None),
            ("no sé", None),
        ] {
            let got = found(reply, Some(Authority))
                .into_iter()
                .find(|(field, _)| *field == Authority)
                .and_then(|(_, value)| super::super::parse_authority(&value).ok())
                .map(|a| a.power);
            assert_eq!(got, power, "{reply}");
        }
        // Not asked about the decision, "yo" says nothing.
        assert!(found("yo", None).is_empty());
    }

    #[test]
    fn a_bare_answer_counts_for_the_field_asked() {
        let cases: &[(&str, FieldName, Expected)] = &[
            ("5000", Budget, &[(Budget, "5000")]),
            ("Ana", Name, &[(Name, "Ana")]),
            ("Ana, from Acme", Name, &[(Name, "Ana"), (Company, "Acme")]),
            ("Ok, Acme", Company, &[(Company, "Acme")]),
            ("La Favorita", Company, &[(Company, "La Favorita")]),
            ("sí, claro: Ana", Name, &[(Name, "Ana")]),
            ("Acme", Company, &[(Company, "Acme")]),
            ("CEO", Authority, &[(Authority, "CEO")]),
            ("un bot para ventas", Need, &[(Need, "un bot para ventas")]),
            (
                "el mes que viene",
                Timeline,
                &[(Timeline, "el mes que viene")],
            ),
            ("mañana", Timeline, &[(Timeline, "mañana")]),
            ("todavía no sé", Timeline, &[(Timeline, "todavía no sé")]),
            ("hola", Name, &[]),
            ("ok", Company, &[]),
            ("no idea", Budget, &[]),
            ("next month", Need, &[(Timeline, "next month")]),
        ];
        for (text, expecting, expected) in cases {
            assert_eq!(
                found(text, Some(*expecting)),
                values(expected),
                "{text} expecting {expecting}"
            );
        }
        assert_eq!(found("5000", None), vec![]);
        assert_eq!(
            found("next month", None),
            values(&[(Timeline, "next month")])
        );
    }

    #[test]
    fn every_snippet_found_is_accepted_by_apply() {
        let texts = [
            "Hi, I'm Ana from Acme, we need a WhatsApp bot for our sales team",
            "Hola, soy Carlos de Ferretería López, busco un asistente para atender clientes por WhatsApp",
            "Our budget is around 5k USD, I'm the CEO, I make the decision, we want to start next month",
            "Tenemos unos 3 mil dólares. Soy el dueño, decido yo. Lo antes posible",
            "I'm Tom from ACME S.A. de C.V., we need a CRM",
        ];
        for text in texts {
            let mut lead = crate::lead::Lead::default();
            for (field, raw) in find(text, None, TODAY) {
                assert_eq!(
                    super::super::apply(&mut lead, field, &raw, TODAY),
                    Ok(()),
                    "{field}: {raw}"
                );
            }
            assert!(lead.name.is_some() || lead.budget.is_some(), "{text}");
        }
    }
    #[test]
    fn roles_and_decisions_in_the_shapes_customers_use() {
        use crate::lead::DecisionPower::{DecisionMaker, NeedsApproval, Unknown};
        let mut wrong = Vec::new();
        for (text, role, power) in [
            (
                "Morning, I'm Harriet, operations lead at Thornbury Veterinary Group. We've got 4 clinics",
                Some("operations lead"),
                Unknown,
            ),
            (
                "Hello, Tom Whitaker here, IT lead at St Aidan's College. We'd like a WhatsApp assistant",
                Some("IT lead"),
                Unknown,
            ),
            (
                "I'm head of ecommerce, I can sign off on this",
                Some("head of ecommerce"),
                DecisionMaker,
            ),
            (
                "soy la licenciada Mariana Téllez, directora de ventas en Inmobiliaria Cumbres del Valle.",
                Some("directora de ventas"),
                Unknown,
            ),
            (
                "le escribe Paola Cárdenas, coordinadora de mercadeo del Hotel Bahía Dorada en Cartagena.",
                Some("coordinadora de mercadeo"),
                Unknown,
            ),
            (
                "Buenas, soy asesor inmobiliario, mi oficina",
                Some("asesor inmobiliario"),
                Unknown,
            ),
            ("la dueña soy yo, decido yo", Some("dueña"), DecisionMaker),
            ("ya its my salon so me", None, DecisionMaker),
            (
                "the owners set the budget, I think around £500 a month",
                None,
                NeedsApproval,
            ),
            (
                "tenemos unos 900 dólares mensuales y lo tiene que aprobar mi jefe",
                None,
                NeedsApproval,
            ),
            ("la dueña es mi mamá, ella aprueba", None, NeedsApproval),
            ("my wife runs the numbers, she decides", None, NeedsApproval),
        ] {
            let got = found(text, None)
                .into_iter()
                .find(|(field, _)| *field == Authority)
                .and_then(|(_, value)| super::super::parse_authority(&value).ok())
                .map(|a| (a.role, a.power));
            let expected = Some((role.map(str::to_owned), power));
            if got != expected {
                wrong.push(format!("{text:?}: got {got:?}, expected {expected:?}"));
            }
        }
        // A role that only names where the customer works is no authority.
        for text in ["we are a sales team of five", "the team at Acme is great"] {
            if found(text, None)
                .iter()
                .any(|(field, _)| *field == Authority)
            {
                wrong.push(format!("{text:?}: an authority was found"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}
