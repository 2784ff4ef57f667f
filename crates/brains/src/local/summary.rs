//! The offline rolling summary: a few labelled lines rebuilt on every fold
//! from the lead, the previous summary's topics and count, and the messages
//! leaving the window. Every line has a bounded length, so the summary stays
//! under [`MAX_CHARS`] however long the conversation gets.

use leadline_domain::brain::SummaryRequest;
use leadline_domain::conversation::Speaker;
use leadline_domain::language::Language;
use leadline_domain::lead::FieldName;
use leadline_domain::playbook::LeadView;
use std::collections::BTreeSet;

pub(crate) const MAX_CHARS: usize = 600;
/// Longest lead value or open question quoted, in characters.
const MAX_VALUE: usize = 60;
const MAX_QUESTION: usize = 120;

/// The labels of each line, per language. Both languages' labels are read
/// back, so a conversation that switches language keeps its summary.
struct Labels {
    count: &'static str,
    topics: &'static str,
    question: &'static str,
    customer: &'static str,
}

fn labels(language: Language) -> Labels {
    match language {
        Language::Es => Labels {
            count: "Mensajes resumidos:",
            topics: "Temas:",
            question: "Pregunta abierta:",
            customer: "Cliente:",
        },
        Language::En => Labels {
            count: "Messages summarised:",
            topics: "Topics:",
            question: "Open question:",
            customer: "Customer:",
        },
    }
}

fn field_label(field: FieldName, language: Language) -> &'static str {
    match (field, language) {
        (FieldName::Name, Language::Es) => "nombre",
        (FieldName::Company, Language::Es) => "empresa",
        (FieldName::Budget, Language::Es) => "presupuesto",
        (FieldName::Authority, Language::Es) => "decisión",
        (FieldName::Need, Language::Es) => "necesidad",
        (FieldName::Timeline, Language::Es) => "plazo",
        (FieldName::Email, Language::Es) => "correo",
        (field, Language::En) => field.as_str(),
    }
}

/// What the previous summary says after `label` (in either language).
fn previous_line(previous: &str, pick: fn(&Labels) -> &'static str) -> Option<&str> {
    previous.lines().find_map(|line| {
        Language::ALL
            .into_iter()
            .find_map(|l| line.strip_prefix(pick(&labels(l))).map(str::trim))
    })
}

/// Folds white space (line breaks too) to single blanks, then cuts like
/// [`leadline_domain::clip::to_chars`].
fn clip(text: &str, max: usize) -> String {
    leadline_domain::clip::to_chars(&text.split_whitespace().collect::<Vec<_>>().join(" "), max)
}

/// Folds the leaving messages into the previous summary. `intents` are the
/// playbook's intent ids (topics keep their order); `raised` the ones the
/// leaving customer messages showed.
pub(crate) fn fold(
    req: &SummaryRequest<'_>,
    intents: &[String],
    raised: &BTreeSet<&str>,
) -> String {
    let language = req.language;
    let labels = labels(language);

    let before: u64 = previous_line(req.previous, |l| l.count)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let count = before.saturating_add(req.leaving.len() as u64);

    let earlier: BTreeSet<&str> = previous_line(req.previous, |l| l.topics)
        .map(|t| t.split(", ").collect())
        .unwrap_or_default();
    let topics: Vec<&str> = intents
        .iter()
        .map(String::as_str)
        .filter(|i| earlier.contains(i) || raised.contains(i))
        .collect();

    // The newest customer question leaving the window, else the one before.
    let question = req
        .leaving
        .iter()
        .rev()
        .find(|m| m.speaker == Speaker::Customer && m.text.contains('?'))
        .map(|m| clip(&m.text, MAX_QUESTION))
        .or_else(|| previous_line(req.previous, |l| l.question).map(|q| clip(q, MAX_QUESTION)));

    let view = LeadView::new(req.lead, language);
    let facts: Vec<String> = FieldName::ALL
        .into_iter()
        .filter_map(|f| {
            view.get(f)
                .map(|v| format!("{} {}", field_label(f, language), clip(v, MAX_VALUE)))
        })
        .collect();

    let mut lines = vec![format!("{} {count}", labels.count)];
    if !topics.is_empty() {
        lines.push(format!("{} {}", labels.topics, topics.join(", ")));
    }
    if let Some(q) = question {
        lines.push(format!("{} {q}", labels.question));
    }
    if !facts.is_empty() {
        lines.push(format!("{} {}.", labels.customer, facts.join("; ")));
    }
    // Facts come last: they are rebuilt from the lead on every fold, so a
    // cut there loses nothing the next fold needs.
    leadline_domain::clip::to_chars(&lines.join("\n"), MAX_CHARS)
}
