//! The phrasings of a timeline, most specific first: dates, periods,
//! named events, undecided and "as soon as possible", each with the
//! [`Rule`] that turns its captures into a date. Apart so that the
//! vocabulary can be read and extended without the date arithmetic.

use super::events::EVENTS;
use super::text;
use regex::Regex;
use std::sync::LazyLock;
const MONTHS: &str = "january|february|march|april|may|june|july|august|september|october|november|december|\
     enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre";
/// Months without "may", which is far more often the verb.
const MONTHS_NOT_MAY: &str = "january|february|march|april|june|july|august|september|october|november|december|\
     enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre";
/// Abbreviations, only read next to a day number ("Mar 15", "15 ene").
const MONTH_ABBREVIATIONS: &str =
    "jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec|ene|abr|ago|dic";
const WEEKDAYS: &str = "monday|tuesday|wednesday|thursday|friday|saturday|sunday|lunes|martes|mi[ée]rcoles|jueves|viernes|s[áa]bado|domingo";
const COUNT_WORDS: &str = r"a\s+couple\s+of|a\s+couple|couple\s+of|couple|a\s+few|few|un\s+par\s+de|par\s+de|unos\s+pocos|unas\s+pocas|unos|unas";
/// "Next year" after a quarter or half: "Q1 next year", "primer trimestre
/// del año que viene".
const NEXT_YEAR: &str = r"next\s+year|(?:el\s+)?(?:pr[oó]ximo|siguiente)\s+año|(?:el\s+)?año\s+(?:(?:que|q)\s+viene|pr[oó]ximo|entrante|siguiente)";
/// Before a quarter or half, its last month: "end of Q2", "a finales del
/// tercer trimestre".
const END_OF_PERIOD: &str =
    r"(end\s+of\s+(?:the\s+)?|late\s+|(?:finales|fines|fin)\s+del?\s+(?:el\s+)?)?";
/// Where in a month or year: "early", "mediados", "end of".
const PARTS: &str = r"early(?:\s+in)?|mid|late(?:\s+in)?|beginning\s+of|start\s+of|middle\s+of|end\s+of|principios|inicios|comienzos|mediados|mitad|finales|fines|fin";
/// Words that soften a count: "in like 3 weeks", "en unos 15 días".
const ABOUT: &str = r"about|around|like|roughly|approximately|approx\.?|maybe|unos|unas|aproximadamente|aprox\.?|m[aá]s\s+o\s+menos|como|tipo";
/// Words before an event that mean "once it is over".
const AFTER_EVENT: &str =
    r"after|once|post|despu[ée]s\s+del?|luego\s+del?|pasad[oa]s?|tras|cuando\s+pasen?";
/// Words before an event that make it a timeline: by it, for it, in it.
/// Not "on", "at" or "during", which tell when the business is busy ("we
/// are open on Easter Sunday") far more often than when to start.
const BY_EVENT: &str = concat!(
    r"before|b4|ahead\s+of|prior\s+to|by|for|until|till|in\s+time\s+for|around|in|from|starting|this|",
    r"antes\s+del?|para|pa|pal|hasta|en|por|desde|a\s+partir\s+del?|est[ea]",
);

#[derive(Debug, Clone, Copy)]
pub(super) enum Rule {
    /// 1 year, 2 month, 3 day.
    IsoDate,
    /// 1 and 2 day and month (day first), 3 optional year.
    NumericDate,
    /// 1 day, 2 month name, 3 optional year.
    DayMonth,
    /// 1 month name, 2 day, 3 optional year.
    MonthDay,
    /// 1 month name, 2 year.
    MonthYear,
    /// 1 "end of", when present; 2 ordinal; 3 optional year, 4 or "next
    /// year".
    Quarter,
    /// 1 "end of", when present; 2 or 3 ordinal; 4 optional year, 5 or
    /// "next year"; 6, when present, a month it is half of (read as a part
    /// of the month instead).
    Half,
    /// 1 count, 2 unit.
    InPeriod,
    /// 1 unit: "within the next month", one of it from today.
    Within,
    /// 1 part ("early", "mediados de"); 2 or 3 the unit of next month or
    /// year, 4 or a year.
    PartOfPeriod,
    /// 1 part of the year under way, or next year's once it is past.
    PartOfYear,
    /// 1 unit.
    Next,
    /// 1 unit: the start of the period after the next ("the week after
    /// next").
    AfterNext,
    /// 1 unit.
    This,
    /// 1 "after", when present (the next period's start); 2 unit.
    EndOf,
    /// 1 part of the month ("early", "mediados de"), 2 month name.
    PartOfMonth,
    /// 1 month name.
    Month,
    /// 1 month name: the first day after it ("después de junio").
    AfterMonth,
    /// 1 "after" or the like, when present; 2 the event's name; 3 optional
    /// year.
    Event,
    /// 1 year.
    Year,
    /// 1 weekday.
    Weekday,
    Tomorrow,
    DayAfterTomorrow,
    /// 1, when present, says it is not about timing ("just looking for").
    Undecided,
    Asap,
}

pub(super) struct Pattern {
    pub(super) regex: Regex,
    pub(super) rule: Rule,
    /// Read in any message, not only when the timeline was asked for.
    pub(super) strong: bool,
}

/// Every pattern, most specific first: dates, then periods, then
/// undecided, then "as soon as possible".
pub(super) static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    let count = format!(r"\d{{1,4}}|{COUNT_WORDS}|{}", text::NUMBER_WORDS);
    let any_month = format!("{MONTHS}|{MONTH_ABBREVIATIONS}");
    let period_year = format!(
        r"(?:\s*(?:of\s+|de\s+|del\s+)?(?:(\d{{4}})\b|({NEXT_YEAR}|(?:que|q)\s+viene|pr[oó]ximo|entrante|siguiente)\b))?"
    );
    let events = EVENTS.map(|(_, names)| names).join("|");
    let event =
        format!(r"(?:d[ií]a\s+del?\s+)?({events})(?:\s+(?:de\s+|del\s+|of\s+)?(20\d\d))?\b");
    let timing = format!(r"(?:({AFTER_EVENT})|{BY_EVENT})\s+(?:(?:the|el|la|las|los)\s+)?");
    let table: Vec<(String, Rule, bool)> = vec![
        (r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b".into(), Rule::IsoDate, true),
        (r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b".into(), Rule::NumericDate, true),
        (
            format!(r"\b(\d{{1,2}})(?:st|nd|rd|th|º|°|ro)?\s+(?:de\s+|of\s+)?({any_month})\b\.?(?:,?\s+(?:de\s+|del\s+)?(\d{{4}})\b)?"),
            Rule::DayMonth,
            true,
        ),
        (format!(r"\b({any_month})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}})\b)?"), Rule::MonthDay, true),
        (format!(r"\b({MONTHS})\s+(?:de\s+|del\s+|of\s+)?(\d{{4}})\b"), Rule::MonthYear, true),
        (format!(r"\b{END_OF_PERIOD}q([1-4])\b{period_year}"), Rule::Quarter, true),
        (
            format!(r"\b{END_OF_PERIOD}(first|second|third|fourth|1st|2nd|3rd|4th|primer|primero|segundo|tercer|tercero|cuarto|1er|2do|3er|4to|[1-4][º°o])\s+(?:quarter|trimestre)\b{period_year}"),
            Rule::Quarter,
            true,
        ),
        (
            format!(r"\b{END_OF_PERIOD}(?:h([12])|(first|second|1st|2nd|primer|primero|primera|segundo|segunda|1er|2do|[12][º°o])\s+(?:half|semestre|mitad\s+del\s+año))\b{period_year}(?:\s+(?:of|de)\s+({MONTHS})\b)?"),
            Rule::Half,
            true,
        ),
        (
            format!(r"\b({PARTS})[\s-]+(?:of\s+|del?\s+)?(?:(?:el\s+|the\s+)?(?:next|pr[oó]xim[oa]|siguiente|otro)\s+(month|year|mes|año)|(?:el\s+)?(mes|año)\s+(?:(?:que|q)\s+viene|pr[oó]xim[oa]|entrante|siguiente)|(?:el\s+)?(20\d\d))\b"),
            Rule::PartOfPeriod,
            true,
        ),
        (
            r"\b((?:early|late)\s+in\s+|(?:early|mid|late)[\s-]+this\s+|(?:beginning|start|middle)\s+of\s+|(?:principios|inicios|comienzos|mediados|mitad)\s+del?\s+)(?:the\s+|este\s+)?(?:year|año)\b".into(),
            Rule::PartOfYear,
            true,
        ),
        // A bare "mid-year" is as often a sale or a review as a date.
        (
            r"\b(?:by|in|around|before|for|until|from)\s+(?:the\s+)?(mid)[\s-]?year\b".into(),
            Rule::PartOfYear,
            true,
        ),
        (
            format!(r"\b(?:in|within|after)\s+(?:the\s+(?:next|coming)\s+)?(?:(?:{ABOUT})\s+)?({count})(?:\s*[-–]\s*(?:{count})|\s+(?:or|to)\s+(?:{count}))?\s+(days?|weeks?|wks?|fortnights?|months?|mos?|years?|yrs?)\b"),
            Rule::InPeriod,
            true,
        ),
        // "next couple weeks", "las próximas dos semanas": as many from today.
        (
            format!(r"\b(?:(?:in|within|over|during)\s+)?(?:the\s+)?(?:next|coming)\s+(?:(?:{ABOUT})\s+)?({count})(?:\s*[-–]\s*(?:{count})|\s+(?:or|to)\s+(?:{count}))?\s+(days?|weeks?|wks?|months?)\b"),
            Rule::InPeriod,
            true,
        ),
        (
            format!(r"\b(?:las|los)\s+(?:pr[oó]xim[oa]s|siguientes)\s+({count})\s+(d[ií]as|semanas|meses)\b"),
            Rule::InPeriod,
            true,
        ),
        (r"\b(?:in|within|during)\s+the\s+(?:next|coming)\s+(week|month|year)\b".into(), Rule::Within, true),
        (r"\bwithin\s+the\s+(week|month|year)\b".into(), Rule::Within, true),
        (format!(r"\b({count})\s+(days?|weeks?|months?|years?)\s+from\s+now\b"), Rule::InPeriod, true),
        (
            format!(r"\b(?:en|dentro\s+de|de\s+aqu[ií]\s+a)\s+(?:(?:los|las)\s+(?:pr[oó]xim[oa]s|siguientes)\s+)?(?:(?:{ABOUT})\s+)?({count})\s+(d[ií]as?|semanas?|quincenas?|mes(?:es)?|años?)\b"),
            Rule::InPeriod,
            true,
        ),
        (r"\b(week|month|year)\s+after\s+next\b".into(), Rule::AfterNext, true),
        (r"\b(?:next|nxt|nex)\s+(week|wk|month|mth|year|yr|quarter)\b".into(), Rule::Next, true),
        (r"\b(?:pr[oó]xim[oa]|siguiente)\s+(semana|mes|año|trimestre|semestre)\b".into(), Rule::Next, true),
        (
            r"\b(?:la|el|pal|pa\s+la|pa\s+el)\s+(semana|mes|año|trimestre|semestre)\s+(?:(?:que|q|k)\s+(?:viene|entra)|pr[oó]xim[oa]|entrante|siguiente)\b".into(),
            Rule::Next,
            true,
        ),
        (
            r"\b(?:this|est[ea])\s+(?:mism[ao]\s+)?(week|month|year|quarter|half|semana|mes|año|trimestre|semestre)\b".into(),
            Rule::This,
            true,
        ),
        (
            r"\b(after\s+(?:the\s+)?)?(?:end\s+of\s+(?:the\s+|this\s+)?(month|year|quarter)|(year)[-\s]?end)\b".into(),
            Rule::EndOf,
            true,
        ),
        (
            r"\b((?:despu[eé]s\s+del?|pasad[oa]s?)\s+(?:las\s+fiestas\s+de\s+)?)?(?:finales|fines|fin|cierre)\s+del?\s+(?:este\s+)?(mes|año|trimestre|semestre)\b".into(),
            Rule::EndOf,
            true,
        ),
        // "antes de que acabe el trimestre", "before the quarter ends".
        (
            r"\b((?:despu[eé]s|luego)\s+de\s+que\s+)?(?:antes\s+de\s+que\s+)?(?:se\s+)?(?:acabe|termine|cierre|finalice)\s+(?:el|este)\s+(mes|año|trimestre|semestre)\b".into(),
            Rule::EndOf,
            true,
        ),
        (
            r"\b(after\s+)?(?:before\s+)?(?:the|this)\s+(month|year|quarter)\s+(?:ends|is\s+over|closes|wraps\s+up)\b".into(),
            Rule::EndOf,
            true,
        ),
        (
            format!(r"\b(early|mid|late|beginning\s+of|start\s+of|middle\s+of|end\s+of|(?:first|second)\s+half\s+of|principios\s+de|inicios\s+de|comienzos\s+de|mediados\s+de|finales\s+de|fines\s+de|fin\s+de|(?:primera|segunda)\s+(?:quincena|mitad)\s+de)[\s-]+({MONTHS})\b"),
            Rule::PartOfMonth,
            true,
        ),
        (
            format!(r"\b(early|mid|late|end\s+of|beginning\s+of|start\s+of)[\s-]+({MONTH_ABBREVIATIONS})\b\.?"),
            Rule::PartOfMonth,
            true,
        ),
        (
            format!(r"\b(?:in|by|for|until|before|b4|from|starting|around|en|para|pa|hasta|antes\s+de|a\s+partir\s+de|desde|por)\s+(?:(?:el\s+)?mes\s+de\s+|the\s+)?({MONTHS})\b"),
            Rule::Month,
            true,
        ),
        (format!(r"\b{timing}{event}"), Rule::Event, true),
        (
            format!(r"\b(?:despu[eé]s\s+de|luego\s+de|pasado|after)\s+(?:(?:el\s+)?mes\s+de\s+)?({MONTHS_NOT_MAY})\b"),
            Rule::AfterMonth,
            true,
        ),
        // "para la feria de abril", "for the big sale in March": something
        // that happens in a month, wanted by then.
        (
            format!(r"\b(?:para|antes\s+de|before|for|by|in\s+time\s+for)\s+(?:la|el|los|las|the|our)\s+\p{{L}}+(?:\s+\p{{L}}+)?\s+(?:de|del|of|in)\s+({MONTHS_NOT_MAY})\b"),
            Rule::Month,
            true,
        ),
        (r"\b(?:in|by|for|during|en|para|durante|hasta)\s+(?:el\s+)?(?:año\s+)?(20\d\d)\b".into(), Rule::Year, true),
        (format!(r"\b(?:next|(?:el\s+)?pr[oó]ximo|(?:el\s+)?siguiente)\s+({WEEKDAYS})\b"), Rule::Weekday, true),
        (format!(r"\b(?:{timing})?{event}"), Rule::Event, false),
        (r"\b(early|mid|late)[\s-]?year\b".into(), Rule::PartOfYear, false),
        (r"\b(\d{1,2})/(\d{1,2})\b".into(), Rule::NumericDate, false),
        (format!(r"\b({MONTHS_NOT_MAY})\b"), Rule::Month, false),
        (r"\b(20\d\d)\b".into(), Rule::Year, false),
        (format!(r"\b({WEEKDAYS})\b"), Rule::Weekday, false),
        // "pa la otra semana": next week, where "la otra" may also be a
        // week gone by.
        (r"\b(?:la\s+otra)\s+(semana)\b".into(), Rule::Next, false),
        (r"\b(?:the\s+)?day\s+after\s+tomorrow\b|\bpasado\s+mañana\b".into(), Rule::DayAfterTomorrow, false),
        (r"\btomorrow\b|\b2moro\b|\btmrw\b|\btmr\b|\bmañana\b".into(), Rule::Tomorrow, false),
        (
            r"(?x)
            \bno\s+(?:big\s+|real\s+|huge\s+)?(?:rush|hurry)\b
            | \bnot\s+in\s+a\s+(?:rush|hurry)\b
            | \bjust\s+(?:looking|browsing|checking|exploring|researching|curious)\b(\s+(?:for|at|into)\b)?
            | \bnot\s+(?:urgent|(?:any\s*time)\s+soon)\b
            | \bno\s+(?:timeline|deadline|set\s+date)\b
            | \b(?:don['’]?t|do\s+not|doesn['’]?t)\s+have\s+(?:a\s+|any\s+)?(?:real\s+|fixed\s+|set\s+)?(?:timeline|deadline|date)\b
            | \bsin\s+(?:prisas?|apuros?|fecha|urgencia|af[aá]n)\b
            | \bno\s+(?:hay|tengo|tenemos)\s+(?:prisas?|apuros?|urgencia|fecha|af[aá]n)\b
            | \bno\s+(?:es\s+urgente|urge|(?:me\s+|nos\s+)?corre\s+prisa|(?:me|nos)\s+apura)\b
            | \bs[oó]lo\s+(?:estoy\s+|estamos\s+)?(?:mirando|viendo|curioseando|averiguando|cotizando|inform[aá]ndome)\b
            | \bpor\s+curiosidad\b"
                .into(),
            Rule::Undecided,
            true,
        ),
        (
            r"(?x)
            \basap\b | \ba\.s\.a\.p\b | \bpa(?:ra)?\s+ayer\b
            | \bas\s+soon\s+as\s+(?:possible|posible|we\s+can|you\s+can)\b | \bsooner\s+the\s+better\b
            | \b(?:right|straight)\s+away\b | \bright\s+now\b | \bimmediately\b | \bthe\s+sooner\s+the\s+better\b
            | \burgent(?:ly)?\b | \bur[gj]ente(?:mente)?\b | \bneed(?:ed)?\s+(?:it|this|one)\s+yesterday\b
            | \blo\s+(?:antes|m[aá]s\s+pronto|m[aá]s\s+r[aá]pido)\s+(?:posible|que\s+(?:se\s+)?pued(?:a|an|as))\b
            | \btan\s+pronto\s+como\s+(?:sea\s+posible|se\s+pueda)\b
            | \b(?:en\s+cuanto|apenas)\s+(?:se\s+pueda|puedan|sea\s+posible)\b
            | \b(?:mientras|entre|cuanto)\s+m[aá]s\s+(?:pronto|r[aá]pido)\s+mejor\b
            # 'cuando antes' is the usual slip for 'cuanto antes'.
            | \bcu[aá]n[td]o\s+antes\b | \bde\s+inmediato\b | \binmediatamente\b | \bahora\s+mismo\b | \bya\s+mismo\b
            | \bpara\s+ayer\b | \bhoy\s+mismo\b | \bcon\s+urgencia\b
            | \b(?:quiero|queremos|necesito|necesitamos|ocupo|ocupamos)(?:lo)?\s+(?:para\s+|pa['’]?\s+)?ya\b
            # 'quiero anotarla ya', 'la quiero anotar ya', 'necesito empezar ya'.
            | \b(?:quiero|queremos|necesito|necesitamos)\s+[a-záéíóú]+r(?:l[aoe]s?)?\s+ya\b
            # Asking to be seen today: an appointment wanted now.
            | \b(?:see|fit|take|squeeze)\s+(?:me|us|him|her|them)(?:\s+in)?\s+(?:today|tonight|right\s+now)\b
            | \b(?:me|nos|le|la|lo)\s+(?:pueden|pod[eé]is|puede|podr[ií]an|podr[ií]as?)\s+(?:ver|atender|recibir|dar\s+cita)\s+(?:hoy|ahora|esta\s+(?:misma\s+)?tarde)\b"
                .into(),
            Rule::Asap,
            true,
        ),
        (
            r"(?x)
            \b(?:todav[ií]a|a[úu]n)\s+no\s+(?:lo\s+)?(?:sabemos|decid\w+|tenemos\s+fecha|hay\s+fecha)\b
            | \b(?:todav[ií]a|a[úu]n)\s+no\s+(?:lo\s+)?s[ée](?:[^\p{L}]|$)
            | \bno\s+(?:lo\s+)?s[ée](?:[^\p{L}]|$) | \bni\s+idea\b | \bno\s+idea\b
            | \b(?:not|isn['’]t)\s+(?:sure|decided)\b
            | \b(?:don['’]?t|do\s+not)\s+know\b
            | \bundecided\b | \bsomeday\b | \beventually\b | \bsometime\b | \balg[úu]n\s+d[ií]a\b
            | \bm[aá]s\s+adelante\b | \blater\b | \bdepends\b | \bdepende\b
            | \b(?:haven['’]?t|have\s+not|not\s+yet)\s+decided\b | \bstill\s+(?:deciding|thinking|figuring)\b
            | \btbd\b | \bto\s+be\s+decided\b | \bidk\b | \bdunno\b | \bno\s+(?:lo\s+)?sabemos\b
            # No date and no hurry: 'cuando se pueda' is 'whenever', where
            # 'en cuanto se pueda' is 'as soon as possible'.
            | \bwhenever\b | \bcuando\s+(?:se\s+pueda|puedan|sea|quieran?)\b"
                .into(),
            Rule::Undecided,
            false,
        ),
        (
            r"\bya\b\s*[.!]*\s*$|\bsoon\b|\bpronto\b|\ben\s+breve\b|\bshortly\b|\btoday\b|\bhoy\b|\bnow\b|\bahora\b|\bahorita\b|\bal\s+toque\b|\byesterday\b"
                .into(),
            Rule::Asap,
            false,
        ),
    ];
    table
        .into_iter()
        .map(|(pattern, rule, strong)| Pattern {
            regex: text::regex(&format!("(?i){pattern}")),
            rule,
            strong,
        })
        .collect()
});
