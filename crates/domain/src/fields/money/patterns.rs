//! The regular expressions of a budget: the qualifiers ("up to", "como
//! mínimo"), multipliers, currencies and periods, and the one expression
//! that matches an amount or a range with all of them. Apart so that the
//! vocabulary can be read and extended without the logic that weighs it.

use super::text;
use regex::Regex;
use std::sync::LazyLock;
const AT_MOST: &str = r"no\s+(?:quiero|queremos|quisiera|puedo|podemos|pienso|pensamos)\s+(?:gastar|pagar|invertir|poner)\s+m[aá]s\s+de|(?:don['’]?t|do\s+not|can['’]?t|cannot|won['’]?t|wouldn['’]?t)\s+(?:want\s+to\s+|like\s+to\s+)?(?:spend|pay|go)\s+(?:more\s+than|over|above)|up\s+to|no\s+more\s+than|not\s+more\s+than|not\s+(?:over|above|exceeding|to\s+exceed)|at\s+(?:the\s+)?most|maximum(?:\s+of)?|max(?:\s+of)?|capped\s+at|less\s+than|under|below|hasta|asta|como\s+m[aá]ximo|m[aá]ximo(?:\s+de)?|a\s+lo\s+sumo|a\s+lo\s+mucho|como\s+mucho|cuando\s+mucho|no\s+m[aá]s\s+de|menos\s+de|(?:no|sin)\s+(?:pasar(?:nos|se)?|exceder|superar)(?:\s+(?:de|los|las))?|que\s+no\s+(?:pase|exceda|supere)(?:\s+(?:de|los|las))?|(?:con\s+(?:un\s+)?)?tope(?:\s+de)?";
const AT_LEAST: &str = r"no\s+less\s+than|not\s+less\s+than|at\s+least|minimum(?:\s+of)?|min(?:\s+of)?|more\s+than|over|above|starting\s+(?:at|from)|from|como\s+m[ií]nimo|m[ií]nimo(?:\s+de)?|al\s+menos|por\s+lo\s+menos|no\s+menos\s+de|m[aá]s\s+de|desde|a\s+partir\s+de";
const ABOUT: &str = r"around|arround|about|bout|roughly|approximately|approx|circa|more\s+or\s+less|give\s+or\s+take|like|aproximadamente|aprox|alrededor\s+de|cerca\s+de|m[aá]s\s+o\s+menos|rondando(?:\s+(?:los|las|el))?|ronda(?:\s+(?:los|las|el))?|unos|unas|como";
const CODES: &str = "usd|php|nzd|hkd|eur|mxn|cop|ars|clp|pen|brl|gbp|cad|aud|chf|uyu|pyg|bob|gtq|crc|dop|hnl|nio|pab|ves|inr|ngn|zar|kes|aed|sgd|myr";
pub(super) const MULT: &str = r"k\b|mil\s+millones\b|mill(?:ón|on|ones)\b|millions?\b|mil\b|thousand\b|grand\b|mm?\b|bn\b|billions?\b|lucas\b|palos?\b|hundred\b|lakhs?\b|lacs?\b|crores?\b";
/// The currency words an amount may carry after it ("5 mil dólares").
pub(super) const CURRENCY_WORDS: &str = r"d[oó]lar(?:es|s)?|dollars?|dlls?|dls|dlrs|bucks|euros?|pesos?(?:\s+(?:mexicanos|colombianos|argentinos|chilenos|uruguayos|dominicanos|cubanos))?|pesitos|soles|reales|reais|libras(?:\s+esterlinas)?|pounds?|quid|rupees?|rs|quetzales|bol[ií]vares|colones|lempiras|guaran[ií]es|naira|rands?|dirhams?|ringgit|riyals?|verdes|pavos|shillings?|quetzales";
/// A currency named away from the amount ("5000, en dólares"): only the
/// names that mean nothing else, so not "pen", "ves", "reales" ("clientes
/// reales"), "soles" or "libras".
pub(super) static CURRENCY_SAID: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?i)\bus\$|\bu\$s|\bmx\$|\br\$|\$|€|£|₹|₦|₱|\b(?:usd|eur|mxn|ars|clp|gbp|cad|aud|chf|uyu|pyg|gtq|crc|dop|hnl|brl|inr|ngn|naira|d[oó]lar(?:es|s)?|dollars?|dlls?|dls|bucks|euros?|quid|rupees?|pesos(?:\s+(?:mexicanos|colombianos|argentinos|chilenos|uruguayos|dominicanos|cubanos))?)\b",
    )
});

// Periods, by what they mean. The `_SAID` ones say so wherever they are in
// the sentence; the `_NEXT` ones only right after the amount ("800 a
// month", "5k upfront"), as elsewhere they are as often "in a month", "to
// be upfront" or "de una vez" (right away).
const MONTH_SAID: &str = r"(?:per|each|every|al|por|x|cada)\s+(?:month|mes)\b|monthly\b|montly\b|monthy\b|mensual(?:es|mente)?\b";
const MONTH_NEXT: &str = r"an?\s+month\b|per\s+mo\b|/\s*(?:month|mo|mth|mes|m)\b|pcm\b|p/m\b";
const YEAR_SAID: &str = r"(?:per|each|every|al|por|x|cada)\s+(?:year|a[ñn]o)\b|(?:para|en|por)\s+todo\s+el\s+a[ñn]o\b|(?:for|over)\s+the\s+(?:whole|entire|full)\s+year\b|for\s+the\s+year\b|yearly\b|annual(?:ly)?\b|anual(?:es|mente)?\b|per\s+annum\b|p\.\s?a\.";
const YEAR_NEXT: &str = r"an?\s+(?:year|yr)\b|/\s*(?:year|yr|a[ñn]o)\b";
const ONCE_SAID: &str = r"pago\s+[úu]nico\b|(?:en\s+)?un\s+solo\s+pago\b|una\s+sola\s+vez\b|en\s+una\s+(?:sola\s+)?exhibici[oó]n|one[-\s]?off\b|once[-\s]off\b|one-time\b|one\s+time\s+(?:payment|fee|cost)\b|single\s+payment\b|al\s+contado\b|de\s+contado\b";
const ONCE_NEXT: &str = r"one\s+time\b|de\s+una\s+(?:sola\s+)?vez\b|up[-\s]?front\b|ahorrad[oa]s\b|saved(?:\s+up)?\b|in\s+savings\b|de\s+ahorros\b";
/// Read so that "500 a la semana" is one amount, but not kept.
const WEEK: &str = r"(?:an?|per|each|every|a\s+la|por\s+la|por|x|cada)\s+(?:week|semana)\b|weekly\b|semanal(?:es)?\b|/\s*(?:week|wk|semana)\b";
/// A period right after an amount, maybe after a comma or "as"/"como":
/// "€4.000 as one time payment", "1 millón, pago único".
const PERIOD_NEXT: &str = r"\s*,?\s*(?:(?:as|como)\s+(?:an?\s+|un\s+)?)?";

// Words after an amount that make it a floor ("5 mil o más", "500 para
// arriba") or a cap ("2k tops", "2 mil como mucho").
const TAIL_AT_LEAST: &str = r"or\s+more|o\s+m[aá]s|at\s+(?:the\s+)?least|como\s+m[ií]nimo|m[ií]nimo|minimum|min|para\s+arriba|pa['’]?\s+arriba|hacia\s+arriba|en\s+adelante|and\s+up|(?:or|and)\s+(?:above|higher)";
const TAIL_AT_MOST: &str = r"or\s+less|o\s+menos|tops|at\s+most|como\s+m[aá]ximo|m[aá]ximo|maximum|max|como\s+mucho|a\s+lo\s+mucho|cuando\s+mucho|(?:de|como)\s+tope|tope|no\s+more";

/// The capture-group names of one amount in [`EXPR`] (an expression holds
/// up to two, and each alternative of the pattern its own pair).
pub(super) struct Slot {
    pub(super) pre: &'static str,
    pub(super) num: &'static str,
    pub(super) word: &'static str,
    pub(super) mult: &'static str,
    pub(super) post: &'static str,
    pub(super) period: &'static str,
    /// The hundreds after a thousand: "mil quinientos".
    pub(super) rest: &'static str,
}

const fn slot(
    pre: &'static str,
    num: &'static str,
    word: &'static str,
    mult: &'static str,
    post: &'static str,
    period: &'static str,
    rest: &'static str,
) -> Slot {
    Slot {
        pre,
        num,
        word,
        mult,
        post,
        period,
        rest,
    }
}

pub(super) const A: Slot = slot(
    "a_pre", "a_num", "a_word", "a_mult", "a_post", "a_period", "a_rest",
);
pub(super) const B: Slot = slot(
    "b_pre", "b_num", "b_word", "b_mult", "b_post", "b_period", "b_rest",
);
pub(super) const C: Slot = slot(
    "c_pre", "c_num", "c_word", "c_mult", "c_post", "c_period", "c_rest",
);
pub(super) const D: Slot = slot(
    "d_pre", "d_num", "d_word", "d_mult", "d_post", "d_period", "d_rest",
);

/// Every period, those said in full first so that "one time payment" is
/// read whole rather than as "one time".
fn period_pattern() -> String {
    format!("{MONTH_SAID}|{YEAR_SAID}|{ONCE_SAID}|{MONTH_NEXT}|{YEAR_NEXT}|{ONCE_NEXT}|{WEEK}")
}

fn amount_pattern(s: &Slot) -> String {
    // "R8,000" (South African rand), "N500,000" (naira), "Q2,500"
    // (quetzales): a capital letter right before the digits; "S/ 1.200"
    // (soles); "A$250", "NZ$500", "S$200", "KSh 8,000".
    let pre = format!(
        r"\bus\$|\bu\$s|\bmx\$|\br\$|\bau?\$|\bnz\$|\bsg?\$|\bca?\$|\bhk\$|\bksh\.?|\$|€|£|₹|₦|₱|\brs\.?|\bs/\.?|\b(?:{CODES})|\b(?-i:[RNQ])"
    );
    let post = format!(r"€|\$|\b(?:{CURRENCY_WORDS}|{CODES})\b");
    // The boundary before the digits only without a currency sign: "R8,000".
    // The words are spelled-out numbers, and "medio" ("medio palo").
    let num = r"(?:\d{1,3}(?:[\x{20}\x{A0}\x{202F}]\d{3})+(?:,\d{1,2})?|\d+(?:[.,]\d+)*)";
    format!(
        r"(?:(?P<{}>{pre})\s*|\b)(?:(?P<{}>{num})|\b(?P<{}>{}|medio|media)\b)(?:\s*(?P<{}>{MULT}))?(?:\s+(?:y\s+)?(?P<{}>{hundreds}|medio|media)\b)?(?:\s*(?:de\s+)?(?P<{}>{post}))?(?:{PERIOD_NEXT}(?P<{}>{}))?",
        s.pre,
        s.num,
        s.word,
        text::NUMBER_WORDS,
        s.mult,
        s.rest,
        s.post,
        s.period,
        period_pattern(),
        hundreds = text::HUNDREDS,
    )
}

/// Between a qualifier and its amount: "como máximo podemos poner 1
/// millón", "up to, we can do 500".
const CAN_SPEND: &str = r"(?:,?\s*(?:(?:we|i)\s+(?:can|could)\s+(?:do|spend|pay|invest|go)|(?:podemos|puedo|podr[ií]amos|podr[ií]a)\s+(?:poner|gastar|invertir|pagar|destinar))\s+)?";

/// One budget expression: qualifiers, one amount or a range, a tail
/// ("5k+", "5 mil o más", "5k-ish"), and the period when it comes after
/// the tail ("5 mil o más al mes").
pub(super) static EXPR: LazyLock<Regex> = LazyLock::new(|| {
    let qual = format!(r"(?:\b(?:{AT_MOST}|{AT_LEAST}|{ABOUT})\b\.?|~)");
    let tail = format!(r"\s*\+|,?\s+(?:{TAIL_AT_MOST}|{TAIL_AT_LEAST})\b|\s*-?\s*ish\b");
    let pattern = format!(
        r"(?i)(?:(?P<q1>{qual})\s*(?:(?P<q2>{qual})\s*)?{can})?(?:\b(?:between|entre)\s+{a}\s+(?:and|y|e)\s+{b}|(?:\bde\s+)?{c}(?:(?:\s*[-–—]\s*|\s+(?:to|a|al|hasta|until|till)\s+|,?\s+(?:(?:but\s+)?(?:could|can|might)\s+)?(?:stretch|go\s+up|push)\s+to\s+){d})?)(?P<tail>{tail})?(?:{PERIOD_NEXT}(?P<tail_period>{period}))?",
        a = amount_pattern(&A),
        b = amount_pattern(&B),
        c = amount_pattern(&C),
        d = amount_pattern(&D),
        period = period_pattern(),
        can = CAN_SPEND,
    );
    text::regex(&pattern)
});

pub(super) static AT_MOST_ONLY: LazyLock<Regex> = LazyLock::new(|| anchored(AT_MOST));
pub(super) static AT_LEAST_ONLY: LazyLock<Regex> = LazyLock::new(|| anchored(AT_LEAST));
pub(super) static TAIL_AT_LEAST_ONLY: LazyLock<Regex> = LazyLock::new(|| anchored(TAIL_AT_LEAST));
pub(super) static MONTH_ONLY: LazyLock<Regex> =
    LazyLock::new(|| anchored(&format!("{MONTH_SAID}|{MONTH_NEXT}")));
pub(super) static YEAR_ONLY: LazyLock<Regex> =
    LazyLock::new(|| anchored(&format!("{YEAR_SAID}|{YEAR_NEXT}")));
pub(super) static ONCE_ONLY: LazyLock<Regex> =
    LazyLock::new(|| anchored(&format!("{ONCE_SAID}|{ONCE_NEXT}")));

/// A period said anywhere in the sentence ("Monthly we can spend 40k").
pub(super) static PERIOD_SAID: LazyLock<Regex> =
    LazyLock::new(|| text::regex(&format!(r"(?i)\b(?:{MONTH_SAID}|{YEAR_SAID}|{ONCE_SAID})")));

/// Before a period, words that deny it: "one time payment, not monthly".
pub(super) static DENIED: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(r"(?i)\b(?:not|no|nor|ni|nada\s+de)\s+(?:(?:es|is|a|an|un|una|as|como|de|en)\s+)?$")
});

/// After "al mes", words that make it a date: "al mes que viene".
pub(super) static A_DATE_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(r"(?i)^\s*(?:que\s+viene|entrante|siguiente|pr[oó]ximo|from\s+now|ago|later)\b")
});

pub(super) fn anchored(alternatives: &str) -> Regex {
    text::regex(&format!(r"(?i)^(?:{alternatives})\.?$"))
}

/// Words that make a bare number in a message a budget.
pub(super) static CUE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?i)\b(?:budget|presupuesto|spend|gastar|invest|invertir|inversi[oó]n|afford|pagar|pay|price\s+range|put\s+in|destinar|destinamos|(?:could|can)\s+manage|ahorrad[oa]s|saved)",
    )
});

/// Phrases that say there is no budget, for a clearer refusal.
pub(super) static NO_BUDGET: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?i)\b(?:no|sin|zero|cero)\s+(?:budget|presupuesto)\b|\bno\s+(?:tenemos|tengo|hay)\s+presupuesto\b|\b(?:don'?t|do\s+not)\s+have\s+(?:a\s+)?budget\b|\b(?:nothing|nada|free|gratis)\b",
    )
});
