//! Customers' questions answered from the business's knowledge folder:
//! the passages that may answer each question of a burst, an answer cut to
//! WhatsApp length, and the facts a reply states that nothing supports.
//!
//! Which passage answers is the brain's to say (the local brain takes the
//! best one that clears the threshold; a model names the ones it used);
//! whether a reply may be sent is the router's, with [`unsupported`].

use crate::language::{Language, fold};
use crate::reading;
use crate::schedule;
use leadline_knowledge::{Knowledge, Language as Written};
use regex::Regex;
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// Passages looked up for each question: what a model is shown.
pub const TOP: usize = 3;
/// Questions of one burst looked up at most: past that a customer is
/// pasting a questionnaire, which is the team's to answer.
pub const MAX_QUESTIONS: usize = 3;
/// The longest answer taken from a passage: a WhatsApp message read at a
/// glance, with the stage's next question after it.
pub const ANSWER_CHARS: usize = 360;

/// A question of the customer's and the passages that may answer it.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// As the customer wrote it.
    pub text: String,
    /// Best first, at most [`TOP`].
    pub passages: Vec<Found>,
}

/// A passage found for a question.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub id: String,
    pub title: String,
    pub body: String,
    /// Comparable across questions: see `leadline_knowledge::Hit`.
    pub relevance: f32,
    /// Whether it clears the threshold from which a passage answers.
    pub answers: bool,
    /// Whether it is written in the customer's language (or in both).
    pub in_language: bool,
}

impl Question {
    /// The passage that answers the question, if one is good enough: one
    /// in the customer's language before a better one in the other.
    pub fn answer(&self) -> Option<&Found> {
        let good = || self.passages.iter().filter(|f| f.answers);
        good().find(|f| f.in_language).or_else(|| good().next())
    }
}

/// What a customer's burst asks that the knowledge folder may answer:
/// its questions (requests and small talk left out, see
/// [`reading::questions`]), each with the passages found for it, read in
/// the light of `context` (what the customer said they need) and the
/// burst's other sentences.
pub fn look_up(
    knowledge: &Knowledge,
    words: &str,
    context: &str,
    language: Language,
) -> Vec<Question> {
    let around = format!("{context}\n{}", reading::statements(words));
    follow_ups_joined(reading::questions(words))
        .into_iter()
        .take(MAX_QUESTIONS)
        .map(|text| {
            let mut passages: Vec<Found> = Vec::new();
            for hit in knowledge.search_in_context(focus(&text), &around, TOP) {
                let mut passage = hit.passage;
                let mut in_language = passage
                    .language
                    .is_none_or(|written| speaks(written, language));
                // An answer in the other language is given in the
                // customer's when the folder tells it in both.
                if !in_language
                    && hit.is_good_enough()
                    && let Some(translation) = knowledge.translation(passage, written(language))
                {
                    passage = translation;
                    in_language = true;
                }
                if passages.iter().any(|f| f.id == passage.id) {
                    continue;
                }
                passages.push(Found {
                    id: passage.id.clone(),
                    title: passage.title.clone(),
                    body: passage.body.clone(),
                    relevance: hit.relevance,
                    answers: hit.is_good_enough(),
                    in_language,
                });
            }
            Question { text, passages }
        })
        .collect()
}

/// What a question asks, without the words that open it ("quería saber
/// si", "quick q,", "I was wondering if"): they are not what is asked,
/// and each the folder lacks would count against the passage that
/// answers it.
fn focus(question: &str) -> &str {
    static OPENS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?xi)^.*?\b(?:quer[ií]a|quisiera|quer[ií]amos|me\s+gustar[ií]a|wanted\s+to|want\s+to|wanna|was\s+wondering|am\s+wondering
            |just\s+wondering|una\s+pregunta|una\s+duda|quick\s+q(?:uestion)?|one\s+question|pregunta\s+r[aá]pida)
            (?:\s+(?:saber|preguntar(?:te|les|os|le)?|consultar(?:te|les|os|le)?|know|ask))?[\s,:]*(?:si|if|whether)?\s+",
        )
        .expect("the question-opening pattern is valid")
    });
    let rest = OPENS
        .find(question)
        .map_or(question, |m| &question[m.end()..]);
    if rest.split_whitespace().count() >= 2 {
        rest
    } else {
        question
    }
}

fn written(language: Language) -> Written {
    match language {
        Language::Es => Written::Es,
        Language::En => Written::En,
    }
}

/// The burst's questions, each follow-up joined to the question it leans
/// on: "do you make mouth guards? how much are they" asks one thing, the
/// price of mouth guards, and must not be read as "how much" alone, which
/// any priced passage would answer.
fn follow_ups_joined(questions: Vec<&str>) -> Vec<String> {
    let mut joined: Vec<String> = Vec::new();
    for question in questions {
        match joined.last_mut() {
            Some(previous) if leans_on_previous(question) => {
                previous.push(' ');
                previous.push_str(question);
            }
            _ => joined.push(question.to_owned()),
        }
    }
    joined
}

/// A question that names no subject of its own and so points back to
/// the one before ("how much are they", "and how long does it take?",
/// "¿y cuánto cuestan?"): every word is a question, price or pointing word.
fn leans_on_previous(question: &str) -> bool {
    const NAMING_NOTHING: &[&str] = &[
        "and", "so", "what", "how", "much", "many", "long", "is", "are", "was", "it", "its",
        "they", "them", "those", "these", "that", "this", "one", "ones", "do", "does", "would",
        "will", "cost", "costs", "price", "prices", "charge", "about", "for", "the", "a", "an",
        "of", "take", "takes", "y", "e", "entonces", "que", "cuanto", "cuanta", "cuantos",
        "cuantas", "cuesta", "cuestan", "sale", "salen", "vale", "valen", "precio", "precios",
        "cobran", "cobrais", "es", "son", "el", "la", "los", "las", "lo", "eso", "esos", "esa",
        "esas", "ese", "esto", "de", "del", "tarda", "tardan", "dura", "duran", "como", "cuando",
    ];
    fold(question)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .all(|w| NAMING_NOTHING.contains(&w))
}

fn speaks(written: Written, language: Language) -> bool {
    written.speaks(language.code())
}

/// A passage's text as one WhatsApp message: Markdown marks and list
/// bullets taken out, lines joined, and cut after the last whole sentence
/// that fits in [`ANSWER_CHARS`] (or at a word, with "…", when the first
/// sentence alone is longer).
pub fn excerpt(body: &str) -> String {
    let text = body
        .lines()
        .map(|line| {
            line.trim()
                .trim_start_matches(['-', '*', '+', '#', '>'])
                .trim()
                .replace("**", "")
                .replace("__", "")
        })
        .filter(|line| !line.is_empty())
        .map(|line| {
            // A list item or a line without a stop still ends a sentence.
            if line.ends_with(['.', '!', '?', ':', ';']) {
                line
            } else {
                line + "."
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    if text.chars().count() <= ANSWER_CHARS {
        return text;
    }
    let limit = text
        .char_indices()
        .nth(ANSWER_CHARS)
        .map_or(text.len(), |(i, _)| i);
    let head = &text[..limit];
    // The last sentence end within the limit: a stop followed by a space.
    let sentence_end = head
        .match_indices(['.', '!', '?'])
        .map(|(i, _)| i + 1)
        .rfind(|&end| text[end..].starts_with(' '));
    match sentence_end {
        Some(end) => text[..end].to_owned(),
        None => {
            let word_end = head.rfind(' ').unwrap_or(head.len());
            format!("{}…", head[..word_end].trim_end_matches([',', ';', ':']))
        }
    }
}

/// Numbers as they are compared: digits with thousands separators joined
/// ("1.800", "1,800" and "1800" are one number), so a reply that writes a
/// price the way its passage does not is still supported.
static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d+(?:[.,]\d{3})*").expect("the number pattern is valid"));

/// English days and months (not "may", far more often a verb): a reply
/// that names one states a date or an opening day. The Spanish ones are
/// the calendar's own ([`schedule`]).
const ENGLISH_CALENDAR: [&str; 19] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "weekend",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Whether `word` (folded, singular) names a day or a month.
fn is_calendar_word(word: &str) -> bool {
    ENGLISH_CALENDAR.contains(&word)
        || schedule::ES_DAYS_LONG
            .iter()
            .chain(&schedule::ES_MONTHS_LONG)
            .any(|w| fold(w) == word)
}

/// A reply that opens by saying yes or no to what was asked: a claim about
/// the business (a feature, an integration, a policy) a passage must back.
static YES_OR_NO: LazyLock<Regex> = LazyLock::new(|| {
    // Unicode word boundaries: "Sí," ends in an accented letter.
    Regex::new(
        r"(?xi)^[\s¡¿]*(?:(?:hola|hi|hello|hey)\b[^.!?,]*[,!.]\s*)?
        (?:s[ií]\b|yes\b|yeah\b|yep\b|no\b|nope\b|claro\s+que\s+s[ií]|por\s+supuesto|of\s+course|absolutely|definitely
          |desde\s+luego|correct|correcto|exacto|indeed|sure\s+(?:it|we|you)|we\s+(?:do|don't|can|cannot|can't)\b
          |it\s+(?:does|doesn't|can|cannot|can't)\b)",
    )
    .expect("the yes-or-no pattern is valid")
});

/// What `reply` states that `support` does not: each number, day or month
/// it names that the support text does not (folded, with thousands joined),
/// and its opening yes or no when `cited` is false (a yes or no with no
/// passage behind it). Empty when the reply may be sent.
pub fn unsupported(reply: &str, support: &str, cited: bool) -> Vec<String> {
    let numbers = |text: &str| -> BTreeSet<String> {
        NUMBER
            .find_iter(text)
            .map(|m| m.as_str().replace(['.', ','], ""))
            .collect()
    };
    let backed = numbers(support);
    let mut claims: Vec<String> = numbers(reply)
        .into_iter()
        .filter(|n| !backed.contains(n))
        .collect();
    // "Saturday" and "Saturdays", "sábado" and "sábados" are one day.
    let singular = |w: &str| match w.strip_suffix('s') {
        Some(one) if !is_calendar_word(w) => one.to_owned(),
        _ => w.to_owned(),
    };
    let support_words: BTreeSet<String> = words(support).iter().map(|w| singular(w)).collect();
    claims.extend(words(reply).into_iter().filter(|w| {
        let day = singular(w);
        is_calendar_word(&day) && !support_words.contains(&day)
    }));
    if !cited && let Some(opening) = YES_OR_NO.find(reply) {
        claims.push(opening.as_str().trim().to_owned());
    }
    claims
}

fn words(text: &str) -> BTreeSet<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLINIC: [(&str, &str); 2] = [
        (
            "es.md",
            "# Limpieza dental\nUna limpieza profesional cuesta 55 €. Recomendamos una cada seis meses.\n\n# Horario\nAbrimos de lunes a viernes de 9 a 20 h y los sábados de 9 a 14 h.\n",
        ),
        (
            "en.md",
            "# Teeth cleaning\nA professional teeth cleaning costs €55. We recommend one every six months.\n\n# Opening hours\nWe are open Monday to Friday from 9 am to 8 pm and on Saturdays from 9 am to 2 pm.\n",
        ),
    ];

    #[test]
    fn each_question_finds_the_passage_in_the_customers_language() {
        let knowledge = Knowledge::from_files(CLINIC);
        let questions = look_up(
            &knowledge,
            "soy Marta. cuanto cuesta una limpieza? y abren los sabados?",
            "",
            Language::Es,
        );
        assert_eq!(questions.len(), 2, "{questions:#?}");
        assert_eq!(questions[0].answer().unwrap().id, "es#limpieza-dental");
        assert_eq!(questions[1].answer().unwrap().id, "es#horario");
        let english = look_up(&knowledge, "how much is a cleaning?", "", Language::En);
        // Found in Spanish by what the customer said before, told in English.
        let asked_in_english = look_up(
            &knowledge,
            "how much is it?",
            "quiero una limpieza",
            Language::En,
        );
        assert_eq!(
            asked_in_english[0].answer().unwrap().id,
            "en#teeth-cleaning"
        );
        // What the customer said they want tells what "how much" is about.
        let later = look_up(
            &knowledge,
            "and how much is it?",
            "a teeth cleaning",
            Language::En,
        );
        assert_eq!(later[0].answer().unwrap().id, "en#teeth-cleaning");
        assert_eq!(english[0].answer().unwrap().id, "en#teeth-cleaning");
    }

    #[test]
    fn a_follow_up_is_asked_with_the_question_it_points_back_to() {
        let knowledge = Knowledge::from_files(CLINIC);
        // Mouth guards are not in the folder: "how much are they" must not
        // be answered with the price of a cleaning.
        let questions = look_up(
            &knowledge,
            "I grind my teeth. do you make mouth guards for grinding? how much are they",
            "",
            Language::En,
        );
        assert_eq!(questions.len(), 1, "{questions:#?}");
        assert!(questions[0].answer().is_none(), "{questions:#?}");
        let joined = look_up(
            &knowledge,
            "do you do cleanings? and how much does it cost?",
            "",
            Language::En,
        );
        assert_eq!(joined.len(), 1, "{joined:#?}");
        assert_eq!(joined[0].answer().unwrap().id, "en#teeth-cleaning");
        // A question that names its own subject stands alone.
        assert_eq!(
            look_up(
                &knowledge,
                "cuanto cuesta una limpieza? y abren los sabados?",
                "",
                Language::Es
            )
            .len(),
            2
        );
    }

    #[test]
    fn requests_and_small_talk_are_not_looked_up() {
        let knowledge = Knowledge::from_files(CLINIC);
        for said in [
            "hola, ¿cómo estás?",
            "can someone from your team call me?",
            "¿me mandas la lista de precios?",
            "are you a bot?",
            "soy Marta y quiero una limpieza",
        ] {
            assert!(
                look_up(&knowledge, said, "", Language::Es).is_empty(),
                "{said}"
            );
        }
    }

    #[test]
    fn an_excerpt_ends_at_a_sentence_within_whatsapp_length() {
        let short = "- Cleaning: **€55**\n- Whitening: €290";
        assert_eq!(excerpt(short), "Cleaning: €55. Whitening: €290.");
        let sentence = "We open every weekday and our team answers in minutes. ";
        let long = sentence.repeat(10);
        let cut = excerpt(&long);
        assert!(cut.chars().count() <= ANSWER_CHARS, "{cut}");
        assert!(cut.ends_with("minutes."), "{cut}");
        let one = "word ".repeat(200);
        let cut = excerpt(&one);
        assert!(cut.ends_with("word…") && cut.chars().count() <= ANSWER_CHARS + 1);
    }

    #[test]
    fn a_reply_may_state_only_what_its_support_says() {
        let passage = "A professional teeth cleaning costs €55. Metal braces from €1,800.";
        assert!(
            unsupported("It costs €55, and braces start at 1.800 €.", passage, true).is_empty()
        );
        assert_eq!(
            unsupported("It costs €45 and we open on Sundays.", passage, true),
            ["45", "sundays"]
        );
        assert!(unsupported("Abrimos el jueves y los sábados.", "jueves, sábado", true).is_empty());
        // A yes with no passage behind it is a claim; with one it is the
        // passage's.
        assert_eq!(
            unsupported("Yes, we work with Tiendanube!", "", false),
            ["Yes"]
        );
        assert!(unsupported("Yes, we work with Tiendanube!", "", true).is_empty());
        assert!(unsupported("Let me check that with the team.", "", false).is_empty());
        assert_eq!(unsupported("¡Sí, claro! Funciona.", "", false), ["¡Sí"]);
        assert!(
            unsupported(
                "Nice to meet you, Ana! When would you like to start?",
                "",
                false
            )
            .is_empty()
        );
    }
}
