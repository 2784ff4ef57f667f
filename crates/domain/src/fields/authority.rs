//! Who decides: the customer's role ("CEO", "gerente de compras"), kept as
//! they wrote it, and whether they can decide the purchase.
//!
//! A phrase about the decision wins over the role: "I'm the CEO but I need
//! to check with my partner" needs approval. Without one, owners, founders,
//! CEOs and presidents decide; any other role says nothing either way.

use super::text::Words;
use super::{FieldError, invalid, text};
use crate::lead::{Authority, DecisionPower, FieldName};
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// A proposed authority longer than this is prose, not a value.
const MAX_INPUT: usize = 600;

/// "I don't need to ask anyone": decides, despite the approval words.
static DECIDES_ALONE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)
        \b(?:don['’]?t|do\s+not)\s+need\s+(?:to\s+(?:ask|check|consult)|approval|permission)
        | \bno\s+(?:necesito|tengo\s+que|hace\s+falta)\s+(?:consultar|preguntar|pedir|aprobaci)
        ",
    )
});

static NEEDS_APPROVAL: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)
        \b(?:need|have|got)\s+to\s+(?:ask|check\s+with|consult|run\s+it\s+(?:by|past)|talk\s+(?:to|with)
            |get\s+(?:it\s+)?approv\w*|get\s+(?:the\s+)?(?:ok|okay|green\s+light))
            (?:\s+(?:my|our|the|with\s+my|with\s+our|from\s+my|from\s+our)\s+\w+)?
        | \bask(?:ing)?\s+(?:my|our|the)\s+\w+
        | \bcheck\s+with\s+(?:my|our|the)\b
        | \b(?:my|our|the)\s+(?:boss|manager|supervisor|director|partners?|ceo|owner|board|committee|team|founders?|cfo|head)
            \s+(?:decides?|will\s+decide|approves?|has\s+to\s+(?:approve|sign|decide)|signs?
            |makes\s+the\s+(?:final\s+)?decisions?|has\s+the\s+(?:final|last)\s+(?:say|word)|needs\s+to\s+approve)
        | \bdepends\s+on\s+(?:my|our|the)\b
        | \b(?:on|in)\s+the\s+(?:committee|board)\b
        | \bwe\s+(?:decide|make\s+(?:the\s+)?decisions?)\s+(?:as\s+a\s+team|together|jointly)
        | \bteam\s+decision\b
        | \b(?:not|isn['’]?t)\s+(?:my\s+(?:call|decision)|up\s+to\s+me)
        | \b(?:don['’]?t|do\s+not|can['’]?t|cannot)\s+(?:make|take)\s+(?:the\s+)?(?:final\s+)?decisions?
        | \bi\s+(?:don['’]?t|do\s+not|can['’]?t|cannot)\s+decide
        | \bnot\s+the\s+(?:decision[-\s]maker|one\s+who\s+decides)
        | \bneeds?\s+(?:to\s+be\s+)?approv\w*
        | \bapproval\b
        | \b(?:consultar(?:lo|la|le)?|preguntar(?:le|lo)?|hablar(?:lo)?|verlo|comentarlo|platicarlo)
            \s+(?:con|a)\s+(?:mi|mis|nuestro|nuestra|nuestros|el|la|los)\b
        | \b(?:lo|la)\s+(?:tengo|tenemos)\s+que\s+(?:consultar|hablar|ver|preguntar|comentar|aprobar)
        | \btengo\s+que\s+(?:consultar|preguntar|hablar|comentar)
        | \bdepende\s+de\s+(?:mi|mis|nuestro|nuestra|el|la|los)\s+\p{L}+
        | \b(?:mi|nuestro|nuestra|el|la)\s+(?:jefe|jefa|socio|socia|socios|gerente|director|directora|dueño|dueña|junta
            |directorio|comit[ée]|equipo|patr[oó]n|superior)
            \s+(?:decide|decidir[aá]|es\s+quien\s+decide|aprueba|tiene\s+que\s+aprobar|firma|da\s+el\s+visto\s+bueno
            |tiene\s+la\s+[úu]ltima\s+palabra)
        | \bcomit[ée]
        | \bjunta\s+directiva\b
        | \bdecidimos\s+(?:en\s+equipo|entre\s+todos|juntos|en\s+conjunto|entre\s+los\s+socios)
        | \bno\s+(?:soy\s+(?:yo\s+)?(?:el|la)\s+que\s+decide|soy\s+quien\s+decide|decido|depende\s+de\s+m[ií]
            |tomo\s+(?:yo\s+)?(?:la|las)\s+decisi)
        | \bnecesit(?:o|amos)\s+(?:la\s+)?aprobaci[oó]n
        | \baprobaci[oó]n\s+de\b
        | \bvisto\s+bueno\b
        ",
    )
});

static DECIDES: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)
        \bi\s+(?:make|take)\s+(?:the\s+|all\s+the\s+)?(?:final\s+)?decisions?
        | \bi\s+(?:decide|approve)\b
        | \bi\s+sign\s+(?:off|the\s+contracts?|contracts|everything)\b
        | \bi['’]?m\s+the\s+(?:one\s+who\s+(?:decides|signs|approves)|(?:final\s+)?decision[-\s]maker)
        | \bdecision[-\s]maker\b
        | \b(?:it['’]?s|it\s+is)\s+my\s+(?:call|decision)
        | \bi\s+(?:have|get)\s+the\s+(?:final|last)\s+(?:say|word)
        | \bi\s+(?:own|run)\s+(?:the|this|my|our)\s+(?:company|business|shop|store|firm|agency)
        | \bup\s+to\s+me\b
        | \bdecido\s+yo\b | \byo\s+decido\b
        | \bla\s+decisi[oó]n\s+es\s+m[ií]a\b
        | \btomo\s+(?:yo\s+)?(?:la|las)\s+decisi[oó]n(?:es)?
        | \b(?:la|las)\s+decisi[oó]n(?:es)?\s+(?:la|las)\s+tomo(?:\s+yo)?\b
        | \byo\s+firmo\b | \bfirmo\s+yo\b
        | \bsoy\s+(?:yo\s+)?(?:quien|el\s+que|la\s+que)\s+(?:decide|firma|aprueba)
        | \btengo\s+la\s+[úu]ltima\s+palabra
        | \bdepende\s+de\s+m[ií]
        | \bes\s+mi\s+(?:empresa|negocio)\b
        ",
    )
});

/// Where a role is said: "I'm the CEO", "soy gerente de compras", "as a
/// manager", "mi cargo es", "Ana, the owner". The role is cut out of the
/// rest of the clause by [`role_in`]; the cue alone is matched so that a
/// second one in the same clause ("I'm Ana and I'm the owner") is seen.
static ROLE_CUE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?i)(?:\b(?:i['’]?m|i\s+am|as|soy|como|my\s+(?:role|position|title|job\s+title|job)\s+is|mi\s+(?:cargo|puesto|rol)\s+es)|,[ \t]*(?:the|el|la))\s+",
    )
});

const DEPARTMENTS: &str = r"it|ti|sales|marketing|finance|procurement|purchasing|operations|hr|human\s+resources|accounting|logistics|customer\s+service|support|engineering|management|ventas|compras|mercadeo|finanzas|rrhh|recursos\s+humanos|administraci[oó]n|operaciones|log[ií]stica|contabilidad|atenci[oó]n\s+al\s+cliente|soporte|ingenier[ií]a|sistemas|tecnolog[ií]a|direcci[oó]n|gerencia";

/// "I work in IT", "trabajo en compras": the department is the role.
static DEPARTMENT_CUE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(&format!(
        r"(?i)\b(?:i\s+work\s+in|i['’]?m\s+in|trabajo\s+en|estoy\s+en)\s+(?:the\s+|el\s+|la\s+)?(?:(?:área|area|departamento|department)\s+(?:de\s+|of\s+)?)?(?P<dept>{DEPARTMENTS})\b"
    ))
});

/// Whether `text` names a department (so "trabajo en compras" is a role,
/// not a company).
pub(super) fn is_department_phrase(text: &str) -> bool {
    static WHOLE: LazyLock<Regex> =
        LazyLock::new(|| text::regex(&format!(r"(?i)^(?:{DEPARTMENTS})$")));
    WHOLE.is_match(text.trim())
}

/// What a text says about authority, with where it says it.
struct Reading {
    /// The role as written, and the whole phrase that gave it.
    role: Option<(Range<usize>, Range<usize>)>,
    power: Option<(DecisionPower, Range<usize>)>,
}

fn read(text: &str) -> Reading {
    let phrases = [
        (&*DECIDES_ALONE, DecisionPower::DecisionMaker),
        (&*NEEDS_APPROVAL, DecisionPower::NeedsApproval),
        (&*DECIDES, DecisionPower::DecisionMaker),
    ];
    let power = phrases
        .iter()
        .find_map(|(re, power)| re.find(text).map(|m| (*power, m.range())));
    let role = ROLE_CUE
        .find_iter(text)
        .find_map(|cue| {
            let rest = &text[cue.end()..];
            let phrase = &rest[..rest
                .find([',', ';', ':', '!', '?', '(', ')', '\n'])
                .unwrap_or(rest.len())];
            let inner = role_in(phrase)?;
            let role = cue.end() + inner.start..cue.end() + inner.end;
            Some((role.clone(), cue.start()..role.end))
        })
        .or_else(|| {
            let caps = DEPARTMENT_CUE.captures(text)?;
            let dept = caps.name("dept")?;
            Some((dept.range(), caps.get(0)?.start()..dept.end()))
        });
    Reading { role, power }
}

/// A proposed authority: a role, a phrase about the decision, or both.
pub fn parse_authority(raw: &str) -> Result<Authority, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FieldError::Empty {
            field: FieldName::Authority,
        });
    }
    if raw.len() > MAX_INPUT {
        return Err(invalid(
            FieldName::Authority,
            "the text is too long to be a role",
        ));
    }
    let reading = read(raw);
    let role = match reading.role {
        Some((role, _)) => Some(&raw[role]),
        // A bare role, as a model proposes it: "CEO", "gerente de compras".
        None if raw.split_whitespace().count() <= 6 => role_in(raw).map(|r| &raw[r]),
        None => None,
    };
    let power = match (reading.power, role) {
        (Some((power, _)), _) => power,
        (None, Some(role)) if decides_by_role(role) => DecisionPower::DecisionMaker,
        (None, Some(_)) => DecisionPower::Unknown,
        (None, None) => {
            return Err(invalid(
                FieldName::Authority,
                "neither a role nor who makes the decision was found",
            ));
        }
    };
    Ok(Authority {
        role: role.map(text::collapse_spaces),
        power,
    })
}

/// The authority phrases of a customer's message, joined ("I'm the CEO,
/// I make the decision") for [`parse_authority`] to read again, and the
/// stretch of the message they come from.
pub(super) fn locate(text: &str) -> Option<(String, Range<usize>)> {
    let reading = read(text);
    let mut spans: Vec<Range<usize>> = reading.role.map(|(_, phrase)| phrase).into_iter().collect();
    if let Some((_, span)) = reading.power {
        spans.push(span);
    }
    spans.sort_by_key(|span| span.start);
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(2);
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    let whole = merged.first()?.start..merged.last()?.end;
    let pieces: Vec<&str> = merged.into_iter().map(|span| &text[span]).collect();
    Some((pieces.join(", "), whole))
}

/// The role inside a phrase ("the marketing manager at Acme" → "marketing
/// manager", "dueño de la empresa" → "dueño", "gerente de compras" kept
/// whole). Hand-written: where a role ends depends on which words are
/// roles and departments, a judgement made word by word.
fn role_in(phrase: &str) -> Option<Range<usize>> {
    let mut words = text::words(phrase).peekable();
    while words
        .next_if(|(_, w)| is_article(&w.to_lowercase()))
        .is_some()
    {}
    let mut start = None;
    let mut end = 0;
    let mut after_connector = false;
    for (kept, (offset, word)) in words.enumerate() {
        let clean = word.trim_end_matches(['.', '!', '?', '\'', '’']);
        let lower = clean.to_lowercase();
        let connector = matches!(lower.as_str(), "de" | "of" | "del");
        if kept >= 5 || (kept > 0 && is_article(&lower)) || is_stop(&lower) {
            break;
        }
        if connector && end == 0 {
            break;
        }
        start.get_or_insert(offset);
        if is_role_word(&lower) || (after_connector && is_department_word(&lower)) {
            end = offset + clean.len();
        } else if after_connector {
            break;
        }
        after_connector = connector;
        if clean.len() < word.len() {
            break;
        }
    }
    let start = start?;
    (end > start).then_some(start..end)
}

fn is_article(word: &str) -> bool {
    matches!(
        word,
        "the" | "a" | "an" | "el" | "la" | "un" | "una" | "your" | "su"
    )
}

/// Words that end a role phrase.
static STOP_WORDS: Words = Words::new(
    "and y e but pero so at en for para in with con from here aquí aqui who que quien i \
     yo we or o my mi mis our nuestro nuestra to looking interested buscando interesado \
     interesada too also también currently actualmente since desde",
);

fn is_stop(word: &str) -> bool {
    STOP_WORDS.contains(word)
}

/// Words of department names, which may follow "de"/"of" in a role.
static DEPARTMENT_WORDS: Words = Words::new(
    "it ti sales marketing finance procurement purchasing operations hr human resources \
     accounting logistics customer service support engineering technology ventas compras \
     mercadeo finanzas rrhh recursos humanos administración administracion operaciones \
     logística logistica contabilidad atención atencion cliente clientes soporte \
     ingeniería ingenieria sistemas tecnología tecnologia producto product growth \
     innovación innovacion proyectos projects",
);

fn is_department_word(word: &str) -> bool {
    DEPARTMENT_WORDS.contains(word)
}

/// Words that make a phrase a role.
static ROLE_WORDS: Words = Words::new(
    "ceo cto cfo coo cmo cio cpo cro owner co-owner coowner founder co-founder cofounder \
     president vp director manager head lead leader chief partner officer executive \
     supervisor coordinator administrator admin assistant analyst engineer developer \
     consultant rep representative buyer purchaser accountant secretary intern specialist \
     proprietor principal general dueño dueña propietario propietaria fundador fundadora \
     cofundador cofundadora co-fundador co-fundadora presidente presidenta directora \
     gerente jefe jefa encargado encargada responsable socio socia coordinador \
     coordinadora administrador administradora asistente analista ingeniero ingeniera \
     desarrollador desarrolladora consultor consultora vendedor vendedora comprador \
     compradora contador contadora secretario secretaria supervisora ejecutivo ejecutiva \
     líder lider becario becaria practicante empleado empleada",
);

/// Words that make a phrase a role. Also used to refuse them as names.
pub(super) fn is_role_word(word: &str) -> bool {
    ROLE_WORDS.contains(word)
}

/// Roles that decide unless they say otherwise.
static TOP_ROLES: Words = Words::new(
    "owner co-owner coowner founder co-founder cofounder ceo president proprietor dueño \
     dueña propietario propietaria fundador fundadora cofundador cofundadora co-fundador \
     co-fundadora presidente presidenta",
);

/// Owners, founders, CEOs and presidents decide unless they say otherwise.
fn decides_by_role(role: &str) -> bool {
    let lower = role.to_lowercase();
    let deputy = [
        "vice",
        "vp",
        "sub",
        "assistant",
        "asistente",
        "adjunt",
        "deputy",
    ]
    .iter()
    .any(|w| lower.contains(w));
    let top = lower.split_whitespace().any(|w| TOP_ROLES.contains(w))
        || [
            "managing director",
            "general manager",
            "director general",
            "directora general",
            "gerente general",
        ]
        .iter()
        .any(|phrase| lower.contains(phrase));
    top && !deputy
}

#[cfg(test)]
mod tests {
    use super::*;
    use DecisionPower::{DecisionMaker as Dm, NeedsApproval as Na, Unknown};

    #[test]
    fn reads_roles_and_decision_power() {
        let cases: &[(&str, Option<&str>, DecisionPower)] = &[
            ("I'm the CEO", Some("CEO"), Dm),
            ("CEO", Some("CEO"), Dm),
            ("I'm the CEO, I make the decision", Some("CEO"), Dm),
            ("I make the decision", None, Dm),
            ("I make all the final decisions", None, Dm),
            ("decido yo", None, Dm),
            ("la decisión la tomo yo", None, Dm),
            ("Soy el dueño, decido yo", Some("dueño"), Dm),
            ("soy el dueño", Some("dueño"), Dm),
            ("soy la dueña", Some("dueña"), Dm),
            ("soy el dueño de la empresa", Some("dueño"), Dm),
            ("I own the company", None, Dm),
            ("founder", Some("founder"), Dm),
            ("I'm a co-founder", Some("co-founder"), Dm),
            ("I'm the one who signs", None, Dm),
            ("yo firmo", None, Dm),
            ("la decisión es mía", None, Dm),
            ("it's my call", None, Dm),
            ("I have the final say", None, Dm),
            ("soy quien decide", None, Dm),
            ("depende de mí", None, Dm),
            ("I don't need to ask anyone", None, Dm),
            ("no necesito consultar a nadie", None, Dm),
            ("Gerente General", Some("Gerente General"), Dm),
            ("I'm the managing director", Some("managing director"), Dm),
            ("I need to ask my boss", None, Na),
            ("lo tengo que consultar con mi socio", None, Na),
            ("my manager decides", None, Na),
            ("depende de mi jefe", None, Na),
            ("I'm on the committee", None, Na),
            ("we decide as a team", None, Na),
            ("lo decidimos en equipo", None, Na),
            (
                "I'm the CEO but I need to check with my partner",
                Some("CEO"),
                Na,
            ),
            ("I don't make the decision", None, Na),
            ("lo decide el comité", None, Na),
            ("no decido yo", None, Na),
            ("it's not up to me", None, Na),
            ("tengo que preguntarle a mi jefe", None, Na),
            ("mi jefe tiene que aprobar", None, Na),
            ("needs approval from finance", None, Na),
            (
                "soy gerente de compras, lo tengo que consultar",
                Some("gerente de compras"),
                Na,
            ),
            (
                "I'm the marketing manager",
                Some("marketing manager"),
                Unknown,
            ),
            (
                "soy gerente de compras",
                Some("gerente de compras"),
                Unknown,
            ),
            ("I work in IT", Some("IT"), Unknown),
            ("trabajo en compras", Some("compras"), Unknown),
            (
                "I'm the head of sales at Acme",
                Some("head of sales"),
                Unknown,
            ),
            ("marketing manager", Some("marketing manager"), Unknown),
            ("I'm the vice president", Some("vice president"), Unknown),
            (
                "soy la encargada de ventas",
                Some("encargada de ventas"),
                Unknown,
            ),
            ("as a consultant", Some("consultant"), Unknown),
            (
                "mi cargo es jefe de sistemas",
                Some("jefe de sistemas"),
                Unknown,
            ),
        ];
        assert!(cases.len() >= 40);
        for (raw, role, power) in cases {
            let expected = Authority {
                role: role.map(str::to_owned),
                power: *power,
            };
            assert_eq!(parse_authority(raw), Ok(expected), "{raw}");
        }
    }

    #[test]
    fn refuses_text_without_authority() {
        for raw in [
            "yes",
            "I'm interested",
            "soy de Monterrey",
            "as soon as possible",
            "my boss",
            "hola",
        ] {
            assert!(
                matches!(
                    parse_authority(raw),
                    Err(FieldError::Invalid {
                        field: FieldName::Authority,
                        ..
                    })
                ),
                "{raw}"
            );
        }
        assert_eq!(
            parse_authority(" "),
            Err(FieldError::Empty {
                field: FieldName::Authority
            })
        );
    }

    #[test]
    fn locates_the_phrases_that_matter() {
        let snippet = |text: &str| locate(text).map(|(snippet, _)| snippet);
        assert_eq!(
            snippet("Hi, I'm the CEO of Acme. Honestly I make the decision here").as_deref(),
            Some("I'm the CEO, I make the decision")
        );
        assert_eq!(
            snippet("Soy el dueño, decido yo").as_deref(),
            Some("Soy el dueño, decido yo")
        );
        assert_eq!(locate("I'm Ana from Acme"), None);
        assert_eq!(locate("as soon as possible"), None);
    }
}
