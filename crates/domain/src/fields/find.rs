//! Finding field values in a customer's free text, for the offline brain:
//! cue phrases ("I'm", "we need", "mi empresa se llama") locate a value, and
//! the field's own parser must accept what was cut out.

use super::names::{is_not_name, names_a_business};
use super::text::Words;
use super::{
    authority, money, parse_authority, parse_budget, parse_company, parse_name, parse_need,
    parse_timeline,
};
use super::{text, timeline};
use crate::lead::FieldName;
use jiff::civil::Date;
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

mod company;
mod need;
mod person;
mod questions;

use company::{company_next_clause, find_company};
use need::{find_need, find_problem};
use person::{find_name, role_after, role_after_name, role_clause, signed_role};
use questions::{ANECDOTE, find_need_by_topic};
pub use questions::{Topics, find_in_question};

/// WhatsApp caps a text message at 4096 characters; past that, cutting
/// keeps the work per message bounded.
const MAX_TEXT: usize = 4096;
/// A bare answer longer than this is not a bare answer.
const MAX_BARE_ANSWER: usize = 200;

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
    let (name, company) = who_writes(text);
    if let Some((snippet, span)) = &name {
        found.push(FieldName::Name, snippet.clone(), span.clone());
    }
    if let Some((snippet, span)) = company {
        found.push(FieldName::Company, snippet, span);
    }
    if let Some(span) = money::locate(text, expecting == Some(FieldName::Budget)) {
        found.push(FieldName::Budget, text[span.clone()].to_owned(), span);
    }
    if let Some((snippet, span)) = authority::locate(text)
        .or_else(|| role_after_name(text))
        .or_else(|| role_clause(text))
        .or_else(|| {
            name.as_ref()
                .and_then(|(_, span)| role_after(text, span.end))
        })
        .or_else(|| signed_role(text))
    {
        found.push(FieldName::Authority, snippet, span);
    }
    if let Some((snippet, span)) =
        stated(text, topics).or_else(|| find_need_by_topic(text, &found.spans, topics))
    {
        found.push(FieldName::Need, snippet, span);
    }
    // "Pastelería 5 de Mayo": a date inside a name is no timeline.
    if let Some(span) = timeline::locate(text, today, expecting == Some(FieldName::Timeline))
        && !asking_for_someone(&text[span.clone()], &found)
        && !found.within_name(&span)
    {
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
        // "Raj, Sunrise Travels": the company may follow a bare name.
        let company = (field == FieldName::Name && !found.has(FieldName::Company))
            .then(|| text.find(answer.as_str()))
            .flatten()
            .and_then(|at| company_next_clause(text, at + answer.len()));
        found.push(field, answer, 0..0);
        if let Some((snippet, span)) = company {
            found.push(FieldName::Company, snippet, span);
        }
    }
    found.end_need_at_other_values(text);
    // "Inversiones Pacífico Ltda.", "Hartley & Sons Roofing" in answer to
    // "who am I talking to?": the business, not a name.
    if expecting == Some(FieldName::Name)
        && !found.has(FieldName::Name)
        && !found.has(FieldName::Company)
        && let Some(company) = bare_answer(text, FieldName::Company, &found.spans, today)
            .filter(|company| names_a_business(company))
    {
        found.push(FieldName::Company, company, 0..0);
    }
    found.values.sort_by_key(|(field, _)| *field);
    found.values
}

/// A value as written, and where.
type Said = (String, Range<usize>);

/// The customer's name and company. "Sarah from Bright Smiles gave me
/// your number", "me recomendó Laura de Altavista": whoever sent the
/// customer is not the customer, so the search goes on after them.
fn who_writes(text: &str) -> (Option<Said>, Option<Said>) {
    static REFERRED: LazyLock<Regex> = LazyLock::new(|| {
        text::regex(
            r"(?i)^[ \t]*(?:gave\s+me\s+your|passed\s+(?:me\s+)?(?:on\s+)?your|recommended\s+(?:you|your)|referred\s+me|told\s+me\s+about|sent\s+me\s+(?:to\s+you|your)|(?:me|nos)\s+(?:recomend[oó]|pas[oó]|dio|compart[ií]o)(?:[^\p{L}]|$))",
        )
    });
    let name = find_name(text);
    let company = find_company(text, name.as_ref().map(|(_, span)| span.end));
    let said_end = company.iter().chain(&name).map(|(_, span)| span.end).max();
    match said_end {
        Some(end) if REFERRED.is_match(&text[end..]) => {
            let rest = &text[end..];
            let shift = |(snippet, span): Said| (snippet, span.start + end..span.end + end);
            let name = find_name(rest).map(shift);
            let company =
                find_company(rest, name.as_ref().map(|(_, span)| span.end - end)).map(shift);
            (name, company)
        }
        _ => (name, company),
    }
}

/// "el presupuesto lo aprueba él, yo solo estoy averiguando": "just
/// looking" from someone who asks for whoever decides (the authority
/// already `found`) says who they are, not that there is no hurry.
fn asking_for_someone(timeline: &str, found: &Found) -> bool {
    static ASKING: LazyLock<Regex> = LazyLock::new(|| {
        text::regex(
            r"(?i)averiguando|gathering|looking|checking|researching|mirando|viendo|inform[aá]ndome|cotizando",
        )
    });
    ASKING.is_match(timeline)
        && found
            .values
            .iter()
            .find(|(field, _)| *field == FieldName::Authority)
            .and_then(|(_, phrase)| parse_authority(phrase).ok())
            .is_some_and(|a| a.power() == crate::lead::DecisionPower::NeedsApproval)
}

/// The words that end a sign-in: " here", " por aquí" (see
/// [`person::SIGNS_IN`]), or a bare " aquí".
static SIGNED_IN: LazyLock<Regex> =
    LazyLock::new(|| text::regex(&format!(r"(?i)[ \t]+(?:{}|aqu[ií])$", person::SIGNS_IN)));

/// Where a business is, after its name: " in Calgary", " en Zaragoza".
static PLACE_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"[ \t]+(?:in|en|de|from|desde)[ \t]+\p{Lu}[\p{L}\p{M}'’.-]*(?:[ \t]+\p{Lu}[\p{L}\p{M}'’.-]*)*$",
    )
});

/// The need `text` states: what the customer wants ("I need automatic
/// replies"), the problem they bring ("customers ask price and
/// availability of cars on WhatsApp"), or both, as a rep would note it.
/// A problem only about what the business sells (its `topics`): a dental
/// patient's "we get lots of messages" is no need of theirs.
fn stated(text: &str, topics: &Topics) -> Option<(String, Range<usize>)> {
    let problem = find_problem(text).filter(|(problem, _)| topics.names(problem));
    match (find_need(text), problem) {
        (Some((want, at)), Some((problem, about)))
            if at.end <= about.start || about.end <= at.start =>
        {
            let both = format!("{want}: {problem}");
            let span = at.start.min(about.start)..at.end.max(about.end);
            match parse_need(&both) {
                Ok(_) => Some((both, span)),
                Err(_) => Some((want, at)),
            }
        }
        (Some(want), _) => Some(want),
        (None, problem) => problem,
    }
}

/// The need `text` states in so many words (see [`stated`]), if any: not
/// one guessed from the topic or a bare answer.
pub fn stated_need(text: &str, topics: &Topics) -> Option<String> {
    stated(text, topics).map(|(need, _)| need)
}

/// A need longer than this (in bytes) runs on into other values.
const RUN_ON: usize = 120;

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

    /// Whether `span` lies inside the name or company found.
    fn within_name(&self, span: &Range<usize>) -> bool {
        self.values.iter().zip(&self.spans).any(|((field, _), at)| {
            matches!(field, FieldName::Name | FieldName::Company)
                && at.start <= span.start
                && span.end <= at.end
        })
    }

    fn has(&self, field: FieldName) -> bool {
        self.values.iter().any(|(f, _)| *f == field)
    }

    /// A need said in a run-on ends where another value starts ("...y les
    /// mande los precios y pues tenemos como unos dos mil dólares al mes"),
    /// without the words that led into it.
    fn end_need_at_other_values(&mut self, text: &str) {
        static LEAD_IN: LazyLock<Regex> = LazyLock::new(|| {
            text::regex(
                r"(?i)(?:[\s,;]+(?:y|and|pues|so|also|tambi[eé]n|we|i|our|my|mi|el|la|budget\s+is|tenemos|we\s+have|para\s+eso))+[\s,;]*$",
            )
        });
        let Some(i) = self.values.iter().position(|(f, _)| *f == FieldName::Need) else {
            return;
        };
        let span = self.spans[i].clone();
        if text.get(span.clone()) != Some(self.values[i].1.as_str()) {
            return;
        }
        // A budget, a decision or an email inside it always; when, only in
        // a run-on, as a sentence of need may say when ("I'm in BA from dec
        // 20 and want spanish classes").
        let run_on = span.len() >= RUN_ON;
        let Some(cut) = self
            .values
            .iter()
            .zip(&self.spans)
            .filter(|((field, _), s)| {
                s.start > span.start
                    && s.end <= span.end
                    && (run_on
                        || matches!(
                            field,
                            FieldName::Budget | FieldName::Authority | FieldName::Email
                        ))
            })
            .map(|(_, s)| s.start)
            .min()
        else {
            return;
        };
        let kept = &text[span.start..cut];
        let kept = LEAD_IN.replace(kept, "");
        let kept = kept.trim_end_matches([' ', ',', ';']);
        if parse_need(kept).is_ok() {
            self.values[i].1 = kept.to_owned();
            self.spans[i] = span.start..span.start + kept.len();
        }
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
    let clause = &trimmed[..clause_len];
    // "Oasis Dates & Sweets here": who signs in, without the "here",
    // before anything else.
    let signed_in = SIGNED_IN.find(clause).map(|m| &clause[..m.start()]);
    // "Maple Smile Dental in Calgary": the business, without where it is
    // (a name keeps its "de": "Ana de la Fuente").
    let unsigned = signed_in.unwrap_or(clause);
    let placed = PLACE_AFTER
        .find(unsigned)
        .filter(|_| field == FieldName::Company)
        .map(|m| &unsigned[..m.start()]);
    let mut candidates = [placed, signed_in]
        .into_iter()
        .flatten()
        .map(|said| (said, offset..offset + said.len()))
        .chain([
            (trimmed, offset..offset + trimmed.len()),
            (clause, offset..offset + clause_len),
        ]);
    candidates.find_map(|(candidate, span)| {
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
    (read.power() == crate::lead::DecisionPower::NeedsApproval).then_some(phrase)
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

#[cfg(test)]
mod tests;
