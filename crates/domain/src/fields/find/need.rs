//! Finding what the customer needs in prose: what follows "we need",
//! "busco" and the like, up to the end of the clause, unless it is not
//! something to buy. Apart because questions (see `questions`) find needs
//! by the same rule.

use super::text::Words;
use super::{parse_need, text};
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;
static NEED_CUE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)
        (?:^|[.!?\n][\ \t]*|,[\ \t]*(?:but|so|and|pero|y)?[\ \t]*)(?:just\s+|really\s+|mainly\s+)?(?:want|need|looking\s+for)[\ \t]+(?P<dropped>[^.!?\n,;]+)
        | (?:^|[.!?\n][\ \t]*)(?:it['’]?s\s+|es\s+|ser[ií]a\s+)?(?:mainly|mostly|basically|primarily|principalmente|sobre\s+todo|b[aá]sicamente|m[aá]s\s+que\s+nada)\s+(?:for|para)[\ \t]+(?P<purpose>[^.!?\n,;]+)
        | \b(?:
            we\s+need | i\s+need
            | (?:we(?:['’]re|\s+are)|i(?:['’]m|\s+am))\s+looking\s+for | looking\s+for
            | we\s+want | i\s+want
            | (?:we|i)\s+(?:are|am)\s+(?:needing|wanting|requiring)
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

/// The problem a customer brings, which is what they need solved:
/// "customers ask price and availability of cars on WhatsApp", "our sales
/// reps are overloaded with custom sofa inquiries", "nos escriben
/// muchísimo por WhatsApp preguntando por ingredientes", to the end of its
/// clause.
static PROBLEM: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)
        \b(?P<problem>
            (?:(?:our|my|the|a\s+lot\s+of|lots\s+of|many)\s+)?(?:customers|clients|guests|patients|people|parents|students|buyers|shoppers|tenants|members)
                \s+(?:keep\s+|always\s+|constantly\s+|often\s+)?(?:ask|asking|message|messaging|write|writing|text|texting|send|sending|ping|pinging|call|calling|want|wanting)\b
            | we\s+(?:get|receive|have)\s+(?:tons|lots|loads|hundreds|dozens|thousands|so\s+many|too\s+many|a\s+lot|a\s+ton|way\s+too\s+many)\s+(?:of\s+)?(?:whatsapp\s+)?(?:messages|msgs|enquiries|inquiries|questions|chats|requests|dms)
            | (?:overloaded|swamped|drowning|flooded|buried|overwhelmed|snowed\s+under)\s+(?:with|in|by)
            | (?:nos|me)\s+(?:escriben|preguntan|piden|mandan|contactan)\b
            | [\p{L}-]+s\s+(?:message|text|whatsapp|dm|ping|contact|ask|write\s+to|call)\s+(?:us|me)\b
            | nos\s+(?:escribe|pregunta|pide|manda|contacta)\s+(?:mucha|mogoll[oó]n|un\s+mont[oó]n|tanta|toda)
            | (?:[\p{L}-]+\s+){0,2}(?:orders|requests|enquiries|inquiries|messages|msgs|bookings|reservations|questions|leads|dms)
                (?:\s+[\p{L}-]+){0,6}?\s+(?:come|comes|coming|arrive|arrives|pour|pile)\s+in\b
            | (?:los|las|nuestros|nuestras|mis)\s+(?:clientes|clientas|pacientes|huéspedes|huespedes|alumnos|padres|compradores)
                \s+(?:nos\s+|me\s+)?(?:escriben|preguntan|piden|mandan|quieren|consultan|llaman)\b
            | (?:recibimos|tenemos|llegan)\s+(?:un\s+mont[oó]n|much[ií]simos|muchos|cientos|decenas|demasiados)\s+(?:de\s+)?(?:mensajes|consultas|preguntas|pedidos|chats)
            | no\s+(?:damos|doy)\s+abasto\s+con
        )[^.!?\n;]+",
    )
});

/// The problem the customer brings (see [`PROBLEM`]), as a need.
pub(super) fn find_problem(text: &str) -> Option<(String, Range<usize>)> {
    PROBLEM.captures_iter(text).find_map(|caps| {
        let whole = caps.get(0)?;
        let mut start = caps.name("problem")?.start();
        // "we sell vacation packages and we get tons of questions": what
        // the clause said before "and" is the subject of the problem.
        let before = &text[..start];
        if before.ends_with(" and ") || before.ends_with(" y ") {
            let clause = before
                .rfind([',', '.', '!', '?', ';', '\n'])
                .map_or(0, |i| i + 1);
            let said = before[clause..].trim();
            if said.split_whitespace().count() > 1 {
                start = before.len() - before[clause..].trim_start().len();
            }
        }
        // The clause, not what a comma or "and" starts after it ("..., the
        // bot should answer those first"), but with the rest of a list
        // ("about batch timings, fees and trainer slots on WhatsApp").
        let clause = &text[start..whole.end()];
        let end = list_end(text, start + clause.find([',']).unwrap_or(clause.len()));
        let snippet = text[start..end].trim_end();
        parse_need(snippet)
            .ok()
            .map(|_| (snippet.to_owned(), start..start + snippet.len()))
    })
}

/// "we need a WhatsApp bot", "busco un asistente para...": what follows the
/// phrase, up to the end of the clause, unless it is not something to buy
/// ("quiero hablar con una persona", "we want to start next month").
pub(super) fn find_need(text: &str) -> Option<(String, Range<usize>)> {
    NEED_CUE.captures_iter(text).find_map(|caps| {
        // "want something that chats naturally": the subject dropped, as
        // customers type.
        let object = caps
            .name("object")
            .or_else(|| caps.name("dropped"))
            .or_else(|| caps.name("purpose"))?;
        // "I need it to answer repair price questions": what it is to do.
        let at = object.start() + IT_TO.find(object.as_str()).map_or(0, |it| it.end());
        let trimmed = text[at..object.end()].trim_end();
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
        // An anaphor opens the object ("automation for this"); one far
        // into a run-on ("... we want it before diwali") is another clause's.
        let opening: String = trimmed
            .split_whitespace()
            .take(6)
            .collect::<Vec<_>>()
            .join(" ");
        let start = if ANAPHOR.is_match(&opening) {
            previous_clause(text, caps.get(0)?.start())
        } else {
            at
        };
        let end = purpose_end(text, list_end(text, at + trimmed.len()));
        let trimmed = &text[at..end];
        parse_need(&text[start..end])
            .or_else(|_| parse_need(trimmed))
            .ok()
            .map(|need| {
                let start = if need == trimmed { at } else { start };
                (need.into(), start..end)
            })
    })
}

/// "it to", "them to", "que" opening what the bot is to do.
static IT_TO: LazyLock<Regex> =
    LazyLock::new(|| text::regex(r"(?i)^(?:it|them|the\s+bot|the\s+assistant)\s+to\s+"));

/// What the bot is for, said after a comma: "un asesor virtual para mi
/// tienda, que responda a las clientas cuando pregunten tallas", "a bot
/// for the shop, so it can answer prices".
static PURPOSE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(r"(?i)^,[ \t]*(?:que|which|that|para\s+que|so\s+(?:that|it|they)|to)\b[^.!?\n;]*")
});

/// Where the object ending at `end` really ends: past a purpose clause.
fn purpose_end(text: &str, end: usize) -> usize {
    PURPOSE
        .find(&text[end..])
        .map_or(end, |purpose| end + purpose.as_str().trim_end().len())
}

/// Words that point back at what was said before ("automation for this",
/// "a bot that qualifies them"); "that" only after a verb or preposition,
/// since after a noun it is a relative pronoun ("something that answers
/// guest questions").
static ANAPHOR: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?i)\b(?:this|it|them|those|esto|eso|ello|esos|esas)\b|\b(?:for|with|about|on|do|handle|answer|automate)\s+that\b",
    )
});

/// The last items of a list the object's clause started ("guest questions
/// like check-in times, parking and breakfast"): a comma, a few words and
/// "and/y/or" before the last one; none a pronoun or a verb of a new
/// clause ("…, I'm the owner and decide").
static LIST_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?i)^,[ \t]*[\p{L}'’ \t-]{1,40}?[ \t](?:and|or|y|o|e)[ \t]+[\p{L}'’-]+(?:[ \t]+[\p{L}'’-]+){0,7}[ \t]*(?:[.!?;\n,]|$)",
    )
});
static NEW_CLAUSE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?i)\b(?:i|i['’]m|we|we['’]re|you|my|our|it|is|are|am|was|soy|somos|es|son|tengo|tenemos|quiero|queremos|necesito|necesitamos|yo|mi|nuestro|nuestra)\b",
    )
});

/// Where the object ending at `end` really ends: past a list's tail.
fn list_end(text: &str, end: usize) -> usize {
    match LIST_TAIL.find(&text[end..]) {
        Some(tail) if !NEW_CLAUSE.is_match(tail.as_str()) => {
            end + tail
                .as_str()
                .trim_end_matches(['.', '!', '?', ';', ',', '\n', ' ', '\t'])
                .len()
        }
        _ => end,
    }
}

/// Where the clause before the one at `at` starts: after the punctuation
/// that ends the one before it, or the start of the text.
fn previous_clause(text: &str, at: usize) -> usize {
    let before = text[..at].trim_end_matches(|c: char| c.is_whitespace() || ",;.!".contains(c));
    let start = before
        .rfind(['.', '!', '?', ';', ',', '\n'])
        .map_or(0, |i| i + 1);
    start + (before[start..].len() - before[start..].trim_start().len())
}

/// First words of an object that is not something to buy.
static NOT_PURCHASES: Words = Words::new(
    "pay invest invertir decide decidir see ver it this that them one lo eso esto ya asap \
     para next by in en more más you te le les me to fixed done sorted solved resuelto \
     solucionado arreglado go live ready running listo lista listos funcionando tenerlo \
     tenerla tenerlos tenerlas now ahora today hoy",
);

/// First words that make "I want ..." about something other than buying.
fn not_a_purchase(first: &str) -> bool {
    // Booking or signing up is how to buy, not what: "I'd like to book
    // one", "la quiero anotar ya".
    const VERB_STEMS: [&str; 36] = [
        "talk", "speak", "habl", "platic", "convers", "comunic", "contact", "start", "begin",
        "empez", "comenz", "inici", "arranc", "know", "sab", "ask", "pregunt", "check", "consult",
        "think", "pens", "wait", "esper", "pag", "spend", "gast", "book", "reserv", "agend",
        "schedul", "anot", "inscrib", "sign", "enrol", "discuss", "discut",
    ];
    VERB_STEMS.iter().any(|stem| first.starts_with(stem))
        || first.starts_with(|c: char| c.is_ascii_digit())
        || NOT_PURCHASES.contains(first)
}
