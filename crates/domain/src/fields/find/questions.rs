//! Finding fields in a customer's question: the playbook's topic words
//! ("how much for a WhatsApp bot?") say the need, and a date asked about
//! the timeline. Apart from statements, as a question says less, and says
//! it by topic rather than by a need phrase.

use super::text::Words;
use super::{authority, money, parse_need, text, timeline};
use crate::lead::{FieldName, Timeline};
use jiff::civil::Date;
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;
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
                |messages|messag\w*|msgs|mensajes|enquiries|inquiries|consultas|leads|prospectos|pedidos|orders|reservas
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

/// What a customer's question still tells, which
/// [`find_about`](super::find_about) does not read since a question states
/// no fact: an email address ("can you send the details to
/// mike@example.com?"), a wish to be seen now ("can someone see me
/// today?"), and what the question is about when it names something
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
    if let Some(span) = super::super::email::locate(question) {
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
pub(super) static ANECDOTE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)\b(?:yesterday|ayer|last\s+(?:year|week|month|time)|el\s+(?:año|mes)\s+pasado|la\s+semana\s+pasada
        |we\s+tried|probamos|used\s+to|sol[ií]amos|(?:me|nos)\s+(?:recomendaron|recomend)|recommended\s+(?:you|your)|referred\s+(?:me|us)
        |gave\s+me\s+your|(?:dice|dijo|says|said)\s+(?:que|that)\s+(?:el|the|it|les|their)|una\s+clienta|un\s+cliente|a\s+customer|la\s+señora|el\s+señor|mr|mrs
        |(?:my|mi)\s+(?:assistant|asistente|receptionist|recepcionista|husband|wife|esposo|esposa|sister|brother
          |hermana|hermano|partner|socio|socia|secretary|secretaria)\s+(?:\w+\s+)?
          (?:handles|does|manages|runs|answers|lleva|maneja|ve|contesta|atiende|es\s+la\s+que|es\s+el\s+que|is\s+the\s+one))\b",
    )
});

/// The first clause that speaks of what the product is for, when no need
/// phrase did ("we get like 100 whatsapp orders a day and cant keep up").
pub(super) fn find_need_by_topic(
    text: &str,
    taken: &[Range<usize>],
    topics: &Topics,
) -> Option<(String, Range<usize>)> {
    let mut start = 0;
    for clause in text::clauses(text) {
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
