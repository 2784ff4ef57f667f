//! How a customer message reads before any field is written: which of its
//! sentences are questions (a question states no fact: "¿se integra con
//! WooCommerce?" is not the customer's need), whether it asks for a person
//! for the customer themselves ("can someone from your team call me?")
//! rather than talks about people ("can it pass the chat to a real person
//! when a customer wants one?"), and whether it corrects what they said.
//!
//! These readers run beside any brain's reading: they are cheap, the same
//! for every brain, and they guard the decisions that cost most when wrong
//! (a field written from a question, a conversation handed off for a word).

use crate::fields::text;
use regex::Regex;
use std::sync::LazyLock;

mod requests;

use requests::CALL_REQUEST;
pub use requests::{asks_for_person, asks_to_be_sent, declines_person, speaks_of_others};

/// Words a question opens with, Spanish and English. An English auxiliary
/// asks only before its subject ("would it work", "can u send"; not "would
/// love it live by June"); Spanish "como", "que", "cuando", "donde" and
/// "quien" without their accent open statements as often ("como máximo
/// 500", "quien decide es la directora"), and with it exclamations and
/// greetings ("qué lata", "qué tal, soy Gabriela", "cómo no"), so only a
/// "?" or "¿" makes those a question.
static QUESTION_START: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)^(?:(?:and|also|but|so|oh|ok|y|pero|entonces|oye|una\s+pregunta|quick\s+q(?:uestion)?
            |hey|hi|hello|hiya|hola|buenas|good\s+(?:morning|afternoon|evening)|morning)[,:!]?\s+)*
        (?:(?:do|does|did|can|could|is|are|will|would|may|should|have|has)\s+
            (?:it|you|u|ya|i|we|they|he|she|this|that|these|those|there|the|your|ur|my|our|a|an
              |someone|somebody|anyone|anybody|one|people|customers|clients)
          |what|what's|how|when|where|which|who|why|hw|wat|wht
          |cuanto|cuanta|cuantos|cual|cuales
          |se\s+puede|puedo|pueden|podr[ií]an|tienen|ten[eé]is|hay|funciona|sirve|incluye|manejan|atienden|aceptan)\b",
    )
});

/// "What we need is...", "what I want is...": a statement that opens like
/// a question.
static STATED_WHAT: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?i)^what\s+(?:we|i)(?:['’]d)?\s+(?:need|want|like|would\s+like|are\s+looking\s+for)\s+(?:is|most)\b",
    )
});

/// "could we start next Monday?", "¿podemos arrancar en marzo?": a
/// proposal of when to start, which states a timeline.
static PROPOSES_START: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)^[\s¿]*(?:(?:so|and|ok|y|entonces|oye)[,\s]+)?
        (?:(?:could|can|shall)\s+(?:we|i)\s+(?:start|begin|launch|go\s+live|get\s+(?:started|going)|kick\s+off)
          |(?:podemos|podr[ií]amos|puedo|podr[ií]a)\s+(?:empezar|arrancar|comenzar|iniciar))\b",
    )
});

/// Asking without a question mark: "quería saber si tienen clases para
/// chicos", "I was wondering whether you do evening groups".
static INDIRECT: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)\b(?:(?:quer[ií]a|quisiera|quiero|queremos|me\s+gustar[ií]a|necesito|necesitamos)\s+(?:saber|preguntar(?:les|te|le)?|consultar(?:les|te|le)?)
          |(?:i\s+)?(?:was|am|were)\s+wondering|i\s+(?:wanted|want|would\s+like|['’]d\s+like)\s+to\s+(?:know|ask|check)
          |(?:wanna|want\s+to|wanted\s+to)\s+know\s+(?:if|whether|how|what|when|about)
          |quick\s+q(?:uestion)?|una\s+pregunta|pregunta\s+r[aá]pida
          |(?:no\s+s[ée](?:\s+es)?|me\s+pregunto)\s+si\s+(?:el|la|los|las|ustedes|vosotros|tienen|ten[eé]is|hacen|incluye|se\s+puede|puedo|aceptan|atienden)
          |(?:not\s+sure|i\s+don['’]?t\s+know)\s+(?:if|whether)\s+(?:you|u|the|it|your)
          |(?:could|can)\s+(?:you|u)\s+tell\s+me|(?:me|nos)\s+(?:podr[ií]as?|pueden|podr[ií]an|puede)\s+(?:decir|informar|contar)
          |(?:and\s+)?also\s+(?:does|do|can|will|is|are)\s+(?:it|you|u|the\s+(?:bot|assistant))
          |y\s+tambi[eé]n\s+(?:se\s+puede|puede|funciona|contesta|responde|atiende))\b",
    )
});

/// A guess said with a rising tone, not a question: "maybe 150-200/month?",
/// "unos 300 al mes?", "money wise maybe 2k?".
static HEDGE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)^(?:(?:hmm+|umm*|uh+|well|so|ok|bueno|pues|mmm*|eh+|y)[,.!\s]+)*
        (?:\p{L}+[\s-]?wise[,\s]+)?
        (?:(?:maybe|perhaps|probably|i\s+guess|i['’]?d\s+say|quiz[aá]s?|tal\s+vez|capaz|m[aá]s\s+o\s+menos
            |aprox\w*|dir[ií]a\s+que)\b
          |(?:like|around|about|roughly|unos|unas|como)\s+[$€£]?\d)",
    )
});

/// Where a reason or an aside starts inside a question: "...y cuánto
/// sale, porque la quiero anotar ya" asks up to "porque" and states the
/// rest, as "... or do I pay myself and also I'm Liam by the way" does up
/// to "and also".
static REASON: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?i)[,\s]\s*\b(?:porque|xq|ya\s+que|because|cause|cuz|as\s+i|since\s+i|and\s+also\s+i|and\s+i['’]?m\s+\p{L}+\s+by\s+the\s+way|by\s+the\s+way|btw|por\s+cierto|y\s+(?:por\s+cierto\s+)?soy)\b",
    )
});

/// Each sentence (or clause) of `text` with whether it is a question: it
/// ends with "?", opens with "¿", opens the way questions do ("does it
/// work with Shopify", "se puede conectar con WooCommerce") or asks
/// indirectly ("quería saber si..."). In "we have 5k a month to spend,
/// what can you do for us?" only the clause from the question word on is
/// the question, and in "my wife and I want spanish classes, any discount
/// if we both sign up?" the last clause; a reason after a question
/// ("porque la quiero anotar ya") is a statement.
fn sentences(text: &str) -> impl Iterator<Item = (&str, bool)> {
    split_sentences(text).flat_map(|sentence| {
        let bare = sentence.trim();
        // "What we need is..." opens like a question and states a need.
        let stated_what = STATED_WHAT.is_match(bare) && !bare.ends_with('?');
        let whole = bare.starts_with('¿') || (QUESTION_START.is_match(bare) && !stated_what);
        let asked_from = if PROPOSES_START.is_match(bare) {
            None
        } else if whole {
            Some(0)
        } else if bare.ends_with('?') {
            // The first clause that opens like a question, else the last.
            let clauses: Vec<usize> = sentence
                .match_indices([',', ';', ':', '-', '–', '—'])
                .filter(|(i, mark)| {
                    // A dash between words ("check-up") joins them.
                    !matches!(*mark, "-" | "–" | "—") || sentence[..*i].ends_with(' ')
                })
                .map(|(i, mark)| i + mark.len())
                .collect();
            let opens = clauses
                .iter()
                .copied()
                .find(|&i| QUESTION_START.is_match(sentence[i..].trim_start()));
            let last = clauses.last().copied().unwrap_or(0);
            // "maybe 150-200/month?" guesses rather than asks.
            opens.or((!HEDGE.is_match(sentence[last..].trim_start())).then_some(last))
        } else {
            INDIRECT.find(sentence).map(|m| m.start())
        };
        let Some(from) = asked_from else {
            return vec![(sentence, false)].into_iter();
        };
        let to = REASON
            .find_at(sentence, from)
            .map_or(sentence.len(), |m| m.start());
        let mut parts = Vec::with_capacity(3);
        let before =
            sentence[..from].trim_end_matches(|c: char| ",;:-–—".contains(c) || c.is_whitespace());
        if !before.is_empty() {
            parts.push((before, false));
        }
        parts.push((&sentence[from..to], true));
        if to < sentence.len() {
            parts.push((&sentence[to..], false));
        }
        parts.into_iter()
    })
}

/// The sentences of `text`: each ends at "!", "?", a line break, a "¿"
/// that opens the next, or a "." followed by a space (not the dots of an
/// email address or "S.A.").
fn split_sentences(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let trimmed = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '¡');
        if trimmed.is_empty() {
            return None;
        }
        let mut chars = trimmed.char_indices().skip(1).peekable();
        let mut end = trimmed.len();
        while let Some((i, c)) = chars.next() {
            let next_is_space = chars.peek().is_none_or(|&(_, n)| n.is_whitespace());
            match c {
                '¿' => {
                    end = i;
                    break;
                }
                '!' | '?' | '\n' => {
                    end = i + c.len_utf8();
                    break;
                }
                '.' if next_is_space && !text::after_title(&trimmed[..i]) => {
                    end = i + 1;
                    break;
                }
                _ => {}
            }
        }
        let sentence = &trimmed[..end];
        rest = &trimmed[end..];
        Some(sentence)
    })
}

/// The sentences of `text` that state something, one a line: what fields
/// may be read from. Questions are left out.
pub fn statements(text: &str) -> String {
    sentences(text)
        .filter(|(_, question)| !question)
        .map(|(sentence, _)| sentence.trim())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The sentences of `text` that ask the business something its knowledge
/// may answer: questions, less requests (a person, a document, a call) and
/// small talk ("¿cómo estás?", "are you a bot?"), which are answered by
/// other means and must not be taken for a question nobody could answer.
pub fn questions(text: &str) -> Vec<&str> {
    asked(text)
        .into_iter()
        .filter(|sentence| {
            !SMALL_TALK.is_match(sentence)
                && !CALL_REQUEST.is_match(sentence)
                && !asks_for_person(sentence)
                && !asks_to_be_sent(sentence)
        })
        .collect()
}

/// Every sentence of `text` that asks something, requests included
/// ("can you send the details to mike@example.com?").
pub fn asked(text: &str) -> Vec<&str> {
    sentences(text)
        .filter(|(_, question)| *question)
        .map(|(sentence, _)| sentence.trim())
        .collect()
}

/// Questions that make conversation rather than ask about the business.
static SMALL_TALK: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)^[\s¿¡]*(?:(?:hola|hi|hey|hello|buenas|buenos\s+d[ií]as|good\s+(?:morning|afternoon|evening))[,!.\s]*)?
        (?:how\s+are\s+(?:you|u|ya)|how\s+(?:is\s+it|it's|are\s+things)\s+going|how's\s+it\s+going|what's\s+up|sup
          |qu[eé]\s+tal|c[oó]mo\s+(?:est[aá]s|est[aá]n|va|vas|andas|le\s+va|te\s+va)|todo\s+bien
          |(?:are|r)\s+(?:you|u)\s+(?:there|a\s+bot|a\s+robot|real|human|an?\s+ai|still\s+there)
          |(?:est[aá]s|est[aá]n)\s+(?:ah[ií]|por\s+ah[ií])|eres\s+(?:un\s+bot|un\s+robot|humano|humana|real|una\s+persona)
          |(?:hello|hola|hi|ok|okay|vale|s[ií]|yes|no|and|y|entonces|so|right|really|en\s+serio|de\s+verdad)
          |(?:me\s+)?(?:escuchas|entiendes|lees)|(?:can\s+you\s+)?(?:hear|read|understand)\s+me)
        [\s?!.]*$",
    )
});

/// Words that say the customer is putting right what they said.
static CORRECTION: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)
        \b(?:sorry|oops|whoops|my\s+bad|i\s+meant|i\s+mean|actually|correction|typo|autocorrect
          |perd[oó]n|perdona|perdone|disculpa|disculpe|me\s+equivoqu[eé]|me\s+confund[ií]|quise\s+decir
          |mejor\s+dicho|en\s+realidad|corrijo|error|ups|uy|pens[aá]ndolo\s+bien|on\s+second\s+thoughts?
          |scratch\s+that|espera|esper[aá]|wait|hold\s+on|technically|t[eé]cnicamente|to\s+be\s+(?:honest|precise|fair))(?:\b|[^\p{L}\p{N}]|$)
        | ,\s*(?:no|not)\s+(?:al|a|el|la|per|por|cada|every)\s+(?:mes|año|month|year|semana|week)\b
        | ^\s*\*\p{L}
        ",
    )
});

/// "no 3 mil", "not Marga", ", no Los Andes": the value a correction
/// takes back, to the end of its clause.
static TAKEN_BACK: LazyLock<Regex> =
    LazyLock::new(|| text::regex(r"(?i)(?:,\s*|\s+)(?:not|no)\s+(?P<value>[^,.;!?\n]+)"));

/// What follows "no" when it is a phrase of its own ("no rush", "no
/// idea", "no sé", "no hay apuro"), not a value taken back.
static SAYS_SOMETHING: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?i)^\s*(?:rush|hurry|idea|deadline|problem|worries|wait|espera|s[eé]|hay|tengo|tenemos|prisa|apuro|urge)",
    )
});

/// Words a correction opens with, which are not part of the new value.
static CORRECTION_OPENER: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)^(?:\s*\*|\s*(?:sorry|oops|whoops|my\s+bad|i\s+meant|i\s+mean|actually|correction|perd[oó]n|perdona|perdone
          |disculpa|disculpe|me\s+equivoqu[eé]|me\s+confund[ií]|quise\s+decir|mejor\s+dicho|en\s+realidad
          |corrijo|ups|uy|ay|ah|typo|hmm+|umm*|mmm*|(?:no\s+)?(?:espera|esper[aá]|wait|hold\s+on)|pens[aá]ndolo\s+bien|on\s+second\s+thoughts?|scratch\s+that|technically|t[eé]cnicamente|to\s+be\s+(?:honest|precise|fair)|no[,.!:;]|es|son|it['’]?s|is|it\s+is
          |bueno|pues|oh|ok|okay|well|please|por\s+favor|el\s+autocorrector|the\s+autocorrect|autocorrect|lol|jaja)(?:\b|[\s,.:;!🙈🙄😅]|$)[\s,.:;!🙈🙄😅]*)+",
    )
});

/// A correction: what the customer now says, and the value they take
/// back, if they name it ("5 mil, no 3 mil").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// The statements without the taken-back value.
    pub says: String,
    /// The new value on its own, the correction's words trimmed off:
    /// "perdón, son 5 mil" → "5 mil".
    pub value: String,
    pub taken_back: Option<String>,
}

/// `text` read as a correction, when it says it is one. In a burst, the
/// last message that says so is the correction ("3 millones" / "perdón, 2
/// millones, no 3"): the rest states the values it corrects.
pub fn correction(text: &str) -> Option<Correction> {
    let text = text.lines().rev().find(|line| CORRECTION.is_match(line))?;
    let stated = statements(text);
    // "no rush", "no idea", "no sé" say something, take nothing back.
    let taken = TAKEN_BACK
        .captures(&stated)
        .and_then(|caps| caps.name("value"))
        .filter(|value| !SAYS_SOMETHING.is_match(value.as_str()));
    let taken_back = taken.map(|value| value.as_str().trim().to_owned());
    let says = match taken {
        Some(_) => TAKEN_BACK.replace(&stated, "").into_owned(),
        None => stated.clone(),
    };
    let opened = CORRECTION_OPENER.replace(says.trim(), "");
    // The new value is the first clause: "es Distribuidora Los Alerces,
    // escribí cualquier cosa" corrects to "Distribuidora Los Alerces".
    let value = opened
        .split([',', ';', '!', '?', '\n'])
        .find(|clause| !clause.trim().is_empty())
        .unwrap_or_default()
        .trim()
        .trim_end_matches(|c: char| !c.is_alphanumeric())
        .to_owned();
    Some(Correction {
        says,
        value,
        taken_back,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_are_left_out_of_statements() {
        let cases = [
            ("¿esto funciona con WooCommerce?", ""),
            ("does it also do Messenger?", ""),
            // A guess said with a rising tone states, and "podría" alone
            // is "I could".
            (
                "hmm money wise maybe 150-200/month?",
                "hmm money wise maybe 150-200/month?",
            ),
            ("unos 300 al mes?", "unos 300 al mes?"),
            (
                "podria pagar hasta 300 al mes",
                "podria pagar hasta 300 al mes",
            ),
            ("como funciona?", ""),
            ("could we start next Monday?", "could we start next Monday?"),
            ("hw do i book an apointment, can i just do it thru here", ""),
            ("Lo que no sé es si el precio incluye la corona", "Lo que"),
            ("no sé si en marzo o abril", "no sé si en marzo o abril"),
            ("¿podemos arrancar en marzo?", "¿podemos arrancar en marzo?"),
            ("se puede conectar con Shopify", ""),
            (
                "I'm Ana from Acme. Does it work with Shopify? We need a bot",
                "I'm Ana from Acme.\nWe need a bot",
            ),
            (
                "de Vera & Cía. Ltda., somos corredores",
                "de Vera & Cía. Ltda., somos corredores",
            ),
            (
                "gerente en Comercializadora del Bajío S.A. de C.V. somos distribuidores",
                "gerente en Comercializadora del Bajío S.A. de C.V. somos distribuidores",
            ),
            (
                "quick q how does it actually work? do I need a new phone number",
                "",
            ),
            ("soy Julia, vendemos muebles", "soy Julia, vendemos muebles"),
            (
                "we need a chatbot to take the orders and also does it work even at night",
                "we need a chatbot to take the orders",
            ),
            (
                "hola! ¿cuánto cuesta? somos una tienda",
                "hola!\nsomos una tienda",
            ),
            (
                "we have about 5k a month to spend, what can you do for us?",
                "we have about 5k a month to spend",
            ),
            (
                "you can reach me at dani@crescentlogistics.com",
                "you can reach me at dani@crescentlogistics.com",
            ),
            (
                "would love it live before EOFY, so end of June",
                "would love it live before EOFY, so end of June",
            ),
            (
                "como máximo podemos poner 1 millón, pago único",
                "como máximo podemos poner 1 millón, pago único",
            ),
            (
                "quien decide es la directora, yo nada más cotizo",
                "quien decide es la directora, yo nada más cotizo",
            ),
            ("can u send the price list", ""),
            ("is it 24/7 or only during business hours", ""),
            ("cuanto sale al mes", ""),
            ("como funciona?", ""),
            (
                "my wife and I want spanish classes, any discount if we both sign up?",
                "my wife and I want spanish classes",
            ),
            (
                "soy Vero y queria saber si tienen clases para chicos y cuanto sale porque la quiero anotar ya",
                "soy Vero y\nporque la quiero anotar ya",
            ),
            ("I was wondering if you do evening groups", ""),
            (
                "my schedule is unpredictable with work shifts - what happens if I need to move it?",
                "my schedule is unpredictable with work shifts",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(statements(text), expected, "{text}");
        }
        assert_eq!(
            statements("oh and does it work with Instagram DMs too?"),
            ""
        );
        assert_eq!(
            statements("we sell furniture and get lots of enquiries"),
            "we sell furniture and get lots of enquiries"
        );
    }

    #[test]
    fn a_correction_says_the_new_value_and_what_it_takes_back() {
        let read = |text| correction(text).map(|c| (c.value, c.taken_back));
        assert_eq!(
            read("no, pensándolo bien lo necesito ya, diciembre es muy tarde"),
            Some(("lo necesito ya".to_owned(), None))
        );
        assert_eq!(
            read("on second thought, make it 4k"),
            Some(("make it 4k".to_owned(), None))
        );
        assert_eq!(
            read("well, technically the board has to vote on it"),
            Some(("the board has to vote on it".to_owned(), None))
        );
        assert_eq!(
            read("perdón, son 5 mil, no 3 mil"),
            Some(("5 mil".to_owned(), Some("3 mil".to_owned())))
        );
        assert_eq!(
            read("sorry, I'm Marta, not Marga"),
            Some(("I'm Marta".to_owned(), Some("Marga".to_owned())))
        );
        assert_eq!(
            read("sorry, Marta not Marga 🙄 autocorrect"),
            Some(("Marta".to_owned(), Some("Marga 🙄 autocorrect".to_owned())))
        );
        assert_eq!(
            read("sorry, I meant 8k USD"),
            Some(("8k USD".to_owned(), None))
        );
        assert_eq!(read("sorry 250"), Some(("250".to_owned(), None)));
        assert_eq!(
            read("ay perdón, son 1.500.000, me equivoqué"),
            Some(("1.500.000".to_owned(), None))
        );
        assert_eq!(
            read("bueno, mejor dicho 70, que 50 se queda corto"),
            Some(("70".to_owned(), None))
        );
        assert_eq!(
            read("ay me equivoqué, se llama Textiles Andinos"),
            Some(("se llama Textiles Andinos".to_owned(), None))
        );
        assert_eq!(read("me confundí, son 300"), Some(("300".to_owned(), None)));
        assert_eq!(read("*Miguel jaja"), Some(("Miguel jaja".to_owned(), None)));
        assert_eq!(
            read("ah no espera, mi socio tmb tiene q dar el ok"),
            Some(("mi socio tmb tiene q dar el ok".to_owned(), None))
        );
        assert_eq!(
            read("al año eh, no al mes"),
            Some(("al año eh".to_owned(), Some("al mes".to_owned())))
        );
        // "no rush" says something; it takes nothing back.
        assert_eq!(
            read("hmm actually no rush, whenever really"),
            Some(("no rush".to_owned(), None))
        );
        assert_eq!(read("our budget is 5k"), None);
    }
}
