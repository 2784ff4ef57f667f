//! When the customer wants to buy, Spanish and English: "ASAP", "el mes
//! que viene", "in 2 weeks", "Q3", "15 de marzo", "no rush".
//!
//! A period becomes its first day, never earlier than today:
//! - "next week" is next Monday; "next month" the 1st of next month;
//! - "in March" is 1 March, next year once March is over; a quarter or half
//!   likewise ("Q1 next year" is next year's), and the one in progress
//!   means today;
//! - "end of the month" is the start of its last week (the 22nd to 25th),
//!   "end of the year" 1 December, "end of the quarter" (or of Q2, of the
//!   semestre) the 1st of its last month; "mid March" the 15th, "second
//!   half of March" ("segunda quincena") the 16th;
//! - "early/mid/late next year" (or 2027) is its 1 January, 1 July or 1
//!   December, "a mediados de año" this year's July (next year's once it is
//!   over), "end of next month" the start of its last week; "after the end
//!   of the year" ("después de fin de año") is the next one's first day;
//! - "in 2 weeks" is today plus two weeks, and "within the next month" a
//!   month from today;
//! - "this week/month/year" is today;
//! - a named day or season is its next occurrence (today while it lasts, or
//!   the one that year when the customer gives it): "before Black Friday",
//!   "para Navidad", "en verano" all mean by its first day, and "after X",
//!   "después de X" the day after it ends ("después del verano" is 1
//!   September); [`Event`] says which days each is. Read with a word of
//!   timing ("before", "para"), or alone only when the timeline was asked;
//!   an explicit month wins ("antes de fiestas patrias, o sea en julio");
//! - numeric dates are day-first ("15/03/2026"), month-first only when
//!   day-first is impossible ("03/15/2026");
//! - explicit dates already past, and dates over ten years away, are refused.
//!
//! A word that could mean something else in a message ("mañana" is also
//! "morning", "ya" also "already", a bare month, "tomorrow" about a call) is
//! only read when the agent asked for the timeline, or when it is the value
//! proposed.

use super::{FieldError, invalid, text};
use crate::language::fold;
use crate::lead::{FieldName, Timeline};
use crate::words::{month_named, weekday_named};
use jiff::civil::{Date, Weekday};
use jiff::{Span, ToSpan};
use regex::{Captures, Regex};
use std::ops::Range;
use std::sync::LazyLock;

/// A proposed timeline longer than this is prose, not a value.
const MAX_INPUT: usize = 600;
/// Buying timelines further out than this are not real.
const HORIZON_YEARS: i16 = 10;

const MONTHS: &str = "january|february|march|april|may|june|july|august|september|october|november|december|\
     enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre";
/// Months without "may", which is far more often the verb.
const MONTHS_NOT_MAY: &str = "january|february|march|april|june|july|august|september|october|november|december|\
     enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre";
/// Abbreviations, only read next to a day number ("Mar 15", "15 ene").
const MONTH_ABBREVIATIONS: &str =
    "jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec|ene|abr|ago|dic";
const WEEKDAYS: &str = "monday|tuesday|wednesday|thursday|friday|saturday|sunday|lunes|martes|mi[ée]rcoles|jueves|viernes|s[áa]bado|domingo";
const COUNT_WORDS: &str = r"a\s+couple\s+of|a\s+couple|couple\s+of|a\s+few|few|un\s+par\s+de|par\s+de|unos\s+pocos|unas\s+pocas|unos|unas";
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
const AFTER_EVENT: &str = r"after|once|post|despu[ée]s\s+del?|luego\s+del?|pasad[oa]s?|tras";
/// Words before an event that make it a timeline: by it, for it, in it.
/// Not "on", "at" or "during", which tell when the business is busy ("we
/// are open on Easter Sunday") far more often than when to start.
const BY_EVENT: &str = concat!(
    r"before|ahead\s+of|prior\s+to|by|for|until|till|in\s+time\s+for|around|in|from|starting|this|",
    r"antes\s+del?|para|hasta|en|por|desde|a\s+partir\s+del?|est[ea]",
);

/// A day or season customers plan around, as the run of days it lasts.
#[derive(Debug, Clone, Copy)]
enum Event {
    /// 25 December.
    Christmas,
    /// 1 January.
    NewYear,
    /// "The holidays", "las fiestas": 25 to 31 December, so "after the
    /// holidays" is 1 January, as "next year" is.
    Holidays,
    /// The fourth Thursday of November.
    Thanksgiving,
    /// The day after Thanksgiving: not always the fourth Friday (29
    /// November 2024 was the fifth).
    BlackFriday,
    /// The Monday after Black Friday.
    CyberMonday,
    /// Mexico's: the Friday to Monday ending on the third Monday of
    /// November.
    BuenFin,
    /// Semana Santa: Palm Sunday to Easter Sunday, so "antes de Semana
    /// Santa" is Palm Sunday, when the week's trade and travel begin.
    HolyWeek,
    /// Easter Sunday itself; "after Easter" is Easter Monday.
    Easter,
    /// "Día de las madres": Mexico's 10 May. The words are the same for
    /// Spain's (the first Sunday of May) and Argentina's (in October), which
    /// are misread as this one.
    MothersDayMx,
    /// The second Sunday of May (the US and most of Latin America); the
    /// UK's Mothering Sunday, in Lent, is not known.
    MothersDayUs,
    /// Chile's 18 and 19 September. Peru's are 28 July: a customer there who
    /// says "en julio" is read by the month.
    FiestasPatrias,
    /// The US 4 July.
    IndependenceDay,
    /// 31 October.
    Halloween,
    /// 14 February.
    Valentines,
    /// Mexico's online sale: the nine days from the last Monday of May.
    HotSale,
    /// 5 May.
    CincoDeMayo,
    /// August, when the back-to-school season starts in the northern
    /// hemisphere.
    BackToSchool,
    /// The northern summer, 21 June to 31 August: "this summer" is 21 June,
    /// "after the summer" 1 September.
    Summer,
    /// Diwali's main day (Lakshmi Puja), which follows the lunar calendar:
    /// looked up in [`DIWALI`], a year outside it is not read.
    Diwali,
}

/// Diwali's main day, 2025 to 2035, from the published Hindu calendars:
/// computing it needs a lunisolar calendar no date crate here offers.
const DIWALI: [(i16, i8, i8); 11] = [
    (2025, 10, 20),
    (2026, 11, 8),
    (2027, 10, 29),
    (2028, 10, 17),
    (2029, 11, 5),
    (2030, 10, 26),
    (2031, 11, 14),
    (2032, 11, 2),
    (2033, 10, 22),
    (2034, 11, 10),
    (2035, 10, 30),
];

/// The names of the events, typos included, as regex alternations; `None`
/// for names that contain an event's but are something else ("año nuevo
/// chino", "buen fin de semana"). Where one name starts another, the
/// longer comes first.
const EVENTS: [(Option<Event>, &str); 22] = [
    // Lunar new years follow another calendar.
    (
        None,
        r"chinese\s+new\s+year|lunar\s+new\s+year|año\s+nuevo\s+(?:chino|lunar)",
    ),
    // "Have a good weekend", "a good end of the year".
    (None, r"buen\s+fin\s+de\s+(?:semana|año|mes)"),
    (Some(Event::FiestasPatrias), r"fiestas?\s+patrias"),
    (
        Some(Event::Holidays),
        r"(?:christmas|xmas)\s+(?:holidays|break|season)|the\s+holidays|holiday\s+season|las\s+fiestas(?:\s+(?:navideñas|decembrinas))?|fiestas\s+(?:navideñas|decembrinas)|vacaciones\s+de\s+navidad",
    ),
    (
        Some(Event::Christmas),
        r"christmas|chrismas|cristmas|christmass|x-?mas|navidad(?:es)?|nabidad(?:es)?",
    ),
    (
        Some(Event::NewYear),
        r"new\s+year(?:['’]?s)?(?:\s+day)?|año\s+nuevo|ano\s+nuevo|nuevo\s+año",
    ),
    (
        Some(Event::Thanksgiving),
        r"thanks\s*giving|acci[oó]n\s+de\s+gracias",
    ),
    (
        Some(Event::BlackFriday),
        r"black[\s-]*friday|blak\s+friday|viernes\s+negro",
    ),
    (Some(Event::CyberMonday), r"c[iy]ber[\s-]*(?:monday|lunes)"),
    (Some(Event::BuenFin), r"buen[\s-]*fin"),
    (Some(Event::HolyWeek), r"semana\s*santa|holy\s+week"),
    (
        Some(Event::Easter),
        r"easter(?:\s+sunday)?|domingo\s+de\s+(?:pascua|resurrecci[oó]n)|pascua\s+de\s+resurrecci[oó]n",
    ),
    (
        Some(Event::MothersDayMx),
        r"d[ií]a\s+de\s+(?:las?\s+)?madres?",
    ),
    (
        Some(Event::MothersDayUs),
        r"(?:mother|mom|mum)['’]?s?['’]?\s+day",
    ),
    (
        Some(Event::IndependenceDay),
        r"independence\s+day|(?:4th|fourth)\s+of\s+july|july\s+(?:4th|fourth)",
    ),
    (Some(Event::Halloween), r"hall?owe?en|hallowe['’]en"),
    (
        Some(Event::Valentines),
        r"(?:st\.?\s+|saint\s+)?valentine['’]?s?(?:\s+day)?|san\s*valent[ií]n|d[ií]a\s+de\s+(?:los\s+)?enamorados",
    ),
    (Some(Event::HotSale), r"hot[\s-]*sale"),
    (Some(Event::CincoDeMayo), r"cinco\s+de\s+mayo"),
    (
        Some(Event::BackToSchool),
        r"back[\s-]+to[\s-]+school|(?:regreso|vuelta|retorno)\s+(?:a\s+(?:las\s+)?clases?|al\s+cole(?:gio)?)|inicio\s+de\s+clases",
    ),
    (
        Some(Event::Summer),
        r"summer(?:\s+(?:holidays|vacation|break))?|vacaciones\s+de\s+verano|verano",
    ),
    (Some(Event::Diwali), r"diwali|deepavali|divali"),
];

/// Each name of [`EVENTS`] on its own, to tell which event a match named.
static EVENT_NAMES: LazyLock<Vec<(Option<Event>, Regex)>> = LazyLock::new(|| {
    EVENTS
        .iter()
        .map(|(event, names)| (*event, text::regex(&format!("(?i)^(?:{names})$"))))
        .collect()
});

#[derive(Debug, Clone, Copy)]
enum Rule {
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

struct Pattern {
    regex: Regex,
    rule: Rule,
    /// Read in any message, not only when the timeline was asked for.
    strong: bool,
}

/// Every pattern, most specific first: dates, then periods, then
/// undecided, then "as soon as possible".
static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
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
            format!(r"\b({PARTS})[\s-]+(?:of\s+|del?\s+)?(?:(?:el\s+|the\s+)?(?:next|pr[oó]xim[oa]|siguiente)\s+(month|year|mes|año)|(?:el\s+)?(mes|año)\s+(?:(?:que|q)\s+viene|pr[oó]xim[oa]|entrante|siguiente)|(?:el\s+)?(20\d\d))\b"),
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
            format!(r"\b(?:in|within|after)\s+(?:the\s+(?:next|coming)\s+)?(?:(?:{ABOUT})\s+)?({count})\s+(days?|weeks?|wks?|months?|mos?|years?|yrs?)\b"),
            Rule::InPeriod,
            true,
        ),
        (r"\b(?:in|within|during)\s+the\s+(?:next|coming)\s+(week|month|year)\b".into(), Rule::Within, true),
        (format!(r"\b({count})\s+(days?|weeks?|months?|years?)\s+from\s+now\b"), Rule::InPeriod, true),
        (
            format!(r"\b(?:en|dentro\s+de|de\s+aqu[ií]\s+a)\s+(?:(?:los|las)\s+(?:pr[oó]xim[oa]s|siguientes)\s+)?(?:(?:{ABOUT})\s+)?({count})\s+(d[ií]as?|semanas?|mes(?:es)?|años?)\b"),
            Rule::InPeriod,
            true,
        ),
        (r"\b(week|month|year)\s+after\s+next\b".into(), Rule::AfterNext, true),
        (r"\bnext\s+(week|month|year|quarter)\b".into(), Rule::Next, true),
        (r"\b(?:pr[oó]xim[oa]|siguiente)\s+(semana|mes|año|trimestre|semestre)\b".into(), Rule::Next, true),
        (
            r"\b(?:la|el)\s+(semana|mes|año|trimestre|semestre)\s+(?:(?:que|q)\s+viene|pr[oó]xim[oa]|entrante|siguiente)\b".into(),
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
        (
            format!(r"\b(early|mid|late|beginning\s+of|start\s+of|middle\s+of|end\s+of|(?:first|second)\s+half\s+of|principios\s+de|inicios\s+de|comienzos\s+de|mediados\s+de|finales\s+de|fines\s+de|fin\s+de|(?:primera|segunda)\s+(?:quincena|mitad)\s+de)[\s-]+({MONTHS})\b"),
            Rule::PartOfMonth,
            true,
        ),
        (
            format!(r"\b(?:in|by|for|until|before|from|starting|around|en|para|hasta|antes\s+de|a\s+partir\s+de|desde|por)\s+(?:(?:el\s+)?mes\s+de\s+|the\s+)?({MONTHS})\b"),
            Rule::Month,
            true,
        ),
        (format!(r"\b{timing}{event}"), Rule::Event, true),
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
        (r"\btomorrow\b|\bmañana\b".into(), Rule::Tomorrow, false),
        (
            r"(?x)
            \bno\s+(?:big\s+|real\s+|huge\s+)?(?:rush|hurry)\b
            | \bnot\s+in\s+a\s+(?:rush|hurry)\b
            | \bjust\s+(?:looking|browsing|checking|exploring|researching|curious)\b(\s+(?:for|at|into)\b)?
            | \bnot\s+(?:urgent|(?:any\s*time)\s+soon)\b
            | \bno\s+(?:timeline|deadline|set\s+date)\b
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
            \basap\b | \ba\.s\.a\.p\b
            | \bas\s+soon\s+as\s+(?:possible|posible|we\s+can|you\s+can)\b
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

/// A proposed timeline, with `today` in the business's zone anchoring
/// "next month" and friends.
pub fn parse_timeline(raw: &str, today: Date) -> Result<Timeline, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FieldError::Empty {
            field: FieldName::Timeline,
        });
    }
    if raw.len() > MAX_INPUT {
        return Err(invalid(
            FieldName::Timeline,
            "the text is too long to be a timeline",
        ));
    }
    match search(raw, today, true) {
        Ok((when, _)) => Ok(when.into_timeline(raw)),
        Err(reason) => Err(invalid(
            FieldName::Timeline,
            reason.unwrap_or("no date or period was found (like \"next month\" or \"en marzo\")"),
        )),
    }
}

/// Where a timeline is in a customer's message. `asked` also reads the
/// words that need the agent's question to mean a timeline.
pub(super) fn locate(text: &str, today: Date, asked: bool) -> Option<Range<usize>> {
    search(text, today, asked).ok().map(|(_, range)| range)
}

/// The first pattern, in priority order, that reads as a timeline. A match
/// refused (a date already past, the 31st of February) also rules out the
/// weaker matches inside it ("2026" in "31/02/2026"); the first refusal is
/// the error when nothing else reads.
fn search(
    text: &str,
    today: Date,
    all: bool,
) -> Result<(When, Range<usize>), Option<&'static str>> {
    let mut refused: Vec<Range<usize>> = Vec::new();
    let mut first_reason = None;
    for pattern in PATTERNS.iter().filter(|p| p.strong || all) {
        for caps in pattern.regex.captures_iter(text) {
            let Some(range) = caps.get(0).map(|m| m.range()) else {
                continue;
            };
            if refused
                .iter()
                .any(|r| r.start < range.end && range.start < r.end)
            {
                continue;
            }
            // Unasked, a date in a story or a busy season ("since our sale
            // in March", "en mayo por el día de la madre se llena") is not
            // when the customer wants to start.
            if tells_a_story(text, &range, !all) || says_how(text, &range, pattern.rule) {
                continue;
            }
            match resolve(pattern.rule, &caps, today) {
                Ok(Some(when)) => return Ok((when, range)),
                Ok(None) => {}
                Err(reason) => {
                    first_reason.get_or_insert(reason);
                    refused.push(range);
                }
            }
        }
    }
    Err(first_reason)
}

/// Words that make a clause a story or an anniversary: never when to
/// start, asked or not.
static STORY: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)\b(?:since|desde|ago|hace\s+\d|last\s+(?:year|month|week|time)|el\s+(?:año|mes)\s+pasado|la\s+semana\s+pasada
        |tried|probamos|used\s+to|founded|fundad[oa]s?|abrimos\s+en|opened\s+in|turn\s+\d+|cumplimos|anniversary|aniversario
        |(?:haven'?t|hasn'?t|have\s+not|has\s+not)\s+(?:been|gone|had|seen|visited)|no\s+(?:he|ha|hemos|han)\s+(?:ido|venido|tenido|estado))\b",
    )
});

/// A verb of answering right before "straight away": how the customer
/// wants their own customers answered ("questions answered straight
/// away"), not when they want to start.
static ANSWERED: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)\b(?:answered|replied|responded|answer|reply|respond|answering|replying|responding
        |contestad[oa]s?|respondid[oa]s?|contest[ae]n?|respond[ae]n?|atendid[oa]s?)\s*$",
    )
});

/// Whether a hurry at `range` says how something is done, not when.
fn says_how(text: &str, range: &Range<usize>, rule: Rule) -> bool {
    matches!(rule, Rule::Asap) && ANSWERED.is_match(&text[..range.start])
}

/// Words that make a clause a busy season: not when to start unless asked
/// ("after the busy season" answers "when?").
static SEASON: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)\b(?:se\s+llena|fills?\s+up|busy|busiest|ocupad[oa]s?|temporada|season|peak|sobre\s+todo|especially|traffic|tr[aá]fico
        |nos\s+escriben|people\s+message|we\s+close|cerramos|closed|cerrad[oa]s?|sale|rebajas|ofertas)\b",
    )
});

/// Words that say when to start, which a story's date may still carry
/// ("since the sale in March we need it live by April").
static START: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)\b(?:start|begin|launch|go\s+live|live|running|set\s+up|have\s+it|get\s+it|ready|need\s+it|want\s+it
        |empezar|comenzar|iniciar|arrancar|lanzar|implementar|tenerlo|tenerla|listo|lista|funcionando|partir|lo\s+necesitamos|la\s+necesitamos
        |anotar\w*|inscribir\w*|apuntar\w*|enrol\w*|sign\s+(?:up|\w+\s+up))\b",
    )
});

/// Whether the clause around `range` tells a story (see [`STORY`]), or
/// unasked a busy season ([`SEASON`]), and says nothing of starting.
fn tells_a_story(text: &str, range: &Range<usize>, unasked: bool) -> bool {
    // A story spans its sentence ("el año pasado probamos un bot, le decía
    // a la gente que abríamos en Semana Santa"); a season, its clause.
    let sentence = text::around(text, range, &text::SENTENCE_STOPS);
    let clause = text::around(text, range, &text::CLAUSE_STOPS);
    (STORY.is_match(sentence) && !START.is_match(sentence))
        || (unasked && SEASON.is_match(clause) && !START.is_match(clause))
}

enum When {
    Asap,
    Undecided,
    By(Date),
}

impl When {
    fn into_timeline(self, said: &str) -> Timeline {
        match self {
            When::Asap => Timeline::Asap,
            When::Undecided => Timeline::Undecided,
            When::By(date) => Timeline::By {
                date,
                said: text::collapse_spaces(said),
            },
        }
    }
}

const NOT_A_DATE: &str = "that is not a real date";
const PASSED: &str = "that date has already passed";

/// What a match means: `None` when it is not about timing after all.
fn resolve(rule: Rule, caps: &Captures<'_>, today: Date) -> Result<Option<When>, &'static str> {
    let group = |i: usize| caps.get(i).map(|m| m.as_str());
    let number = |i: usize| group(i).and_then(|s| s.parse::<i8>().ok());
    let year = |i: usize| group(i).map(full_year).transpose();
    let date = match rule {
        Rule::Asap => return Ok(Some(When::Asap)),
        Rule::Undecided if group(1).is_some() => return Ok(None),
        Rule::Undecided => return Ok(Some(When::Undecided)),
        Rule::IsoDate => {
            let y = year(1)?.ok_or(NOT_A_DATE)?;
            explicit(civil(y, number(2), number(3))?, today)?
        }
        Rule::NumericDate => {
            let (a, b) = (number(1), number(2));
            match year(3)? {
                Some(y) => explicit(civil(y, b, a).or_else(|_| civil(y, a, b))?, today)?,
                None => upcoming(today, b, a).or_else(|_| upcoming(today, a, b))?,
            }
        }
        Rule::DayMonth => day_of(today, month_number(group(2)), number(1), year(3)?)?,
        Rule::MonthDay => day_of(today, month_number(group(1)), number(2), year(3)?)?,
        Rule::MonthYear => {
            let first = civil(year(2)?.ok_or(NOT_A_DATE)?, month_number(group(1)), Some(1))?;
            if first.last_of_month() < today {
                return Err(PASSED);
            }
            first.max(today)
        }
        Rule::Quarter => {
            let n = ordinal(group(2)).ok_or(NOT_A_DATE)?;
            let year = year(3)?.or(group(4).map(|_| today.year().saturating_add(1)));
            period(today, 3 * (n - 1) + 1, 3, year, group(1).is_some())?
        }
        Rule::Half if group(6).is_some() => return Ok(None),
        Rule::Half => {
            let n = ordinal(group(2).or(group(3))).ok_or(NOT_A_DATE)?;
            let year = year(4)?.or(group(5).map(|_| today.year().saturating_add(1)));
            period(today, 6 * (n - 1) + 1, 6, year, group(1).is_some())?
        }
        Rule::InPeriod => {
            let count = period_count(group(1).unwrap_or_default())
                .ok_or("the number of days or weeks is unclear")?;
            later(today, count, unit(group(2)))?
        }
        Rule::Within => later(today, 1, unit(group(1)))?,
        Rule::PartOfPeriod => {
            let part = part(group(1));
            match (group(2).or(group(3)).map(|u| unit(Some(u))), year(4)?) {
                (Some(Unit::Month), _) => part.of_month(next(today, Unit::Month)?)?,
                (_, Some(y)) if y < today.year() => return Err(PASSED),
                (_, Some(y)) => civil(y, Some(part.month_of_year()), Some(1))?.max(today),
                _ => civil(
                    today.year().saturating_add(1),
                    Some(part.month_of_year()),
                    Some(1),
                )?,
            }
        }
        Rule::PartOfYear => {
            let month = Some(part(group(1)).month_of_year());
            civil(upcoming_year(today, month), month, Some(1))?.max(today)
        }
        Rule::Next => next(today, unit(group(1)))?,
        Rule::AfterNext => {
            let unit = unit(group(1));
            next(next(today, unit)?, unit)?
        }
        Rule::This => today,
        Rule::EndOf if group(1).is_some() => next(today, unit(group(2).or(group(3))))?,
        Rule::EndOf => match unit(group(2).or(group(3))) {
            Unit::Month => add(today.last_of_month(), (-6).days())?,
            Unit::Year => civil(today.year(), Some(12), Some(1))?,
            Unit::Quarter => add(period_start(today, 3)?, 2.months())?,
            Unit::Half => add(period_start(today, 6)?, 5.months())?,
            Unit::Week | Unit::Day => today,
        }
        .max(today),
        Rule::PartOfMonth => {
            let month = month_number(group(2));
            let first = civil(upcoming_year(today, month), month, Some(1))?;
            part(group(1)).of_month(first)?.max(today)
        }
        Rule::Month => {
            let month = month_number(group(1));
            civil(upcoming_year(today, month), month, Some(1))?.max(today)
        }
        Rule::Event => {
            let Some(event) = event_named(group(2)) else {
                return Ok(None);
            };
            let (start, end) = match year(3)? {
                Some(y) => {
                    let days = event.days(y)?;
                    if days.1 < today {
                        return Err(PASSED);
                    }
                    days
                }
                None => match event.days(today.year())? {
                    days if days.1 >= today => days,
                    _ => event.days(today.year().saturating_add(1))?,
                },
            };
            if group(1).is_some() {
                add(end, 1.day())?
            } else {
                start.max(today)
            }
        }
        Rule::Year => {
            let y = year(1)?.ok_or(NOT_A_DATE)?;
            if y < today.year() {
                return Err(PASSED);
            }
            civil(y, Some(1), Some(1))?.max(today)
        }
        Rule::Weekday => {
            let weekday = weekday(group(1)).ok_or(NOT_A_DATE)?;
            today.nth_weekday(1, weekday).map_err(|_| TOO_FAR)?
        }
        Rule::Tomorrow => add(today, 1.day())?,
        Rule::DayAfterTomorrow => add(today, 2.days())?,
    };
    let horizon = today.saturating_add(Span::new().years(HORIZON_YEARS));
    if date > horizon {
        return Err(TOO_FAR);
    }
    Ok(Some(When::By(date)))
}

const TOO_FAR: &str = "that is more than ten years away";

/// `count` units from today.
fn later(today: Date, count: i64, unit: Unit) -> Result<Date, &'static str> {
    let span = match unit {
        Unit::Day => Span::new().try_days(count),
        Unit::Week => Span::new().try_weeks(count),
        Unit::Month => Span::new().try_months(count),
        Unit::Quarter => Span::new().try_months(count.saturating_mul(3)),
        Unit::Half => Span::new().try_months(count.saturating_mul(6)),
        Unit::Year => Span::new().try_years(count),
    };
    span.and_then(|span| today.checked_add(span))
        .map_err(|_| TOO_FAR)
}

/// The first day of the next week (Monday), month, quarter, half or year.
fn next(today: Date, unit: Unit) -> Result<Date, &'static str> {
    match unit {
        Unit::Week => today.nth_weekday(1, Weekday::Monday).map_err(|_| TOO_FAR),
        Unit::Month => add(today.first_of_month(), 1.month()),
        Unit::Year => civil(today.year().saturating_add(1), Some(1), Some(1)),
        Unit::Quarter => add(period_start(today, 3)?, 3.months()),
        Unit::Half => add(period_start(today, 6)?, 6.months()),
        Unit::Day => add(today, 1.day()),
    }
}

/// Where in a month or year a customer points.
#[derive(Clone, Copy)]
enum Part {
    /// "early", "principios de", "first half of".
    Start,
    /// "mid", "mediados de".
    Middle,
    /// "second half of", "segunda quincena de".
    SecondHalf,
    /// "late", "end of", "finales de".
    End,
}

fn part(raw: Option<&str>) -> Part {
    let lower = raw.unwrap_or_default().to_lowercase();
    let starts = |words: &[&str]| words.iter().any(|w| lower.starts_with(w));
    if starts(&[
        "early",
        "beginning",
        "start",
        "first",
        "principios",
        "inicios",
        "comienzos",
        "primera",
    ]) {
        Part::Start
    } else if starts(&["mid", "middle", "mediados", "mitad"]) {
        Part::Middle
    } else if starts(&["second", "segunda"]) {
        Part::SecondHalf
    } else {
        Part::End
    }
}

impl Part {
    /// The day it means in the month that starts on `first`: the 1st, the
    /// 15th, the 16th, or the start of the last week.
    fn of_month(self, first: Date) -> Result<Date, &'static str> {
        match self {
            Part::Start => Ok(first),
            Part::Middle => add(first, 14.days()),
            Part::SecondHalf => add(first, 15.days()),
            Part::End => add(first.last_of_month(), (-6).days()),
        }
    }

    /// The month whose first day it means in a year: "mid-year" is July,
    /// the start of the second half, and "late in the year" December, as
    /// "end of the year" is.
    fn month_of_year(self) -> i8 {
        match self {
            Part::Start => 1,
            Part::Middle | Part::SecondHalf => 7,
            Part::End => 12,
        }
    }
}

fn add(date: Date, span: Span) -> Result<Date, &'static str> {
    date.checked_add(span).map_err(|_| TOO_FAR)
}

fn civil(year: i16, month: Option<i8>, day: Option<i8>) -> Result<Date, &'static str> {
    let (Some(month), Some(day)) = (month, day) else {
        return Err(NOT_A_DATE);
    };
    Date::new(year, month, day).map_err(|_| NOT_A_DATE)
}

/// A date the customer wrote with its year: it must not have passed.
fn explicit(date: Date, today: Date) -> Result<Date, &'static str> {
    if date < today { Err(PASSED) } else { Ok(date) }
}

/// This year's `month`/`day`, or next year's once it has passed.
fn upcoming(today: Date, month: Option<i8>, day: Option<i8>) -> Result<Date, &'static str> {
    let this_year = civil(today.year(), month, day)?;
    if this_year >= today {
        return Ok(this_year);
    }
    civil(today.year().saturating_add(1), month, day)
}

fn day_of(
    today: Date,
    month: Option<i8>,
    day: Option<i8>,
    year: Option<i16>,
) -> Result<Date, &'static str> {
    match year {
        Some(year) => explicit(civil(year, month, day)?, today),
        None => upcoming(today, month, day),
    }
}

/// The year whose `month` is not over yet.
fn upcoming_year(today: Date, month: Option<i8>) -> i16 {
    match month {
        Some(month) if month < today.month() => today.year().saturating_add(1),
        _ => today.year(),
    }
}

/// The first day of a quarter or half starting in `first_month` and
/// `months` long, or of its last month when `late` ("end of Q2"); today
/// when that is under way; next year's once the period is over (or refused,
/// when the customer gave the year).
fn period(
    today: Date,
    first_month: i8,
    months: i8,
    year: Option<i16>,
    late: bool,
) -> Result<Date, &'static str> {
    let in_year = |y: i16| -> Result<(Date, Date), &'static str> {
        let start = civil(y, Some(first_month), Some(1))?;
        let end = add(start, Span::new().months(months))?;
        let from = if late { add(end, (-1).month())? } else { start };
        Ok((from, end))
    };
    let (from, end) = in_year(year.unwrap_or(today.year()))?;
    if end > today {
        return Ok(from.max(today));
    }
    if year.is_some() {
        return Err(PASSED);
    }
    Ok(in_year(today.year().saturating_add(1))?.0)
}

/// The first day of the quarter (`months` 3) or half (6) under way.
fn period_start(today: Date, months: i8) -> Result<Date, &'static str> {
    let first_month = (today.month() - 1) / months * months + 1;
    civil(today.year(), Some(first_month), Some(1))
}

/// The event a matched name means; `None` for the names that only look
/// like one.
fn event_named(raw: Option<&str>) -> Option<Event> {
    let raw = raw?;
    EVENT_NAMES
        .iter()
        .find(|(_, names)| names.is_match(raw))
        .and_then(|(event, _)| *event)
}

impl Event {
    /// The first and last day of the event in `year`.
    fn days(self, year: i16) -> Result<(Date, Date), &'static str> {
        let day = |month: i8, day: i8| civil(year, Some(month), Some(day));
        let nth = |month: i8, nth: i8, weekday: Weekday| {
            day(month, 1)?
                .nth_weekday_of_month(nth, weekday)
                .map_err(|_| NOT_A_DATE)
        };
        let thanksgiving = || nth(11, 4, Weekday::Thursday);
        let (start, end) = match self {
            Event::Christmas => (day(12, 25)?, None),
            Event::NewYear => (day(1, 1)?, None),
            Event::Holidays => (day(12, 25)?, Some(day(12, 31)?)),
            Event::Thanksgiving => (thanksgiving()?, None),
            Event::BlackFriday => (add(thanksgiving()?, 1.day())?, None),
            Event::CyberMonday => (add(thanksgiving()?, 4.days())?, None),
            Event::BuenFin => {
                let monday = nth(11, 3, Weekday::Monday)?;
                (add(monday, (-3).days())?, Some(monday))
            }
            Event::HolyWeek => {
                let easter = easter(year)?;
                (add(easter, (-7).days())?, Some(easter))
            }
            Event::Easter => (easter(year)?, None),
            Event::MothersDayMx => (day(5, 10)?, None),
            Event::MothersDayUs => (nth(5, 2, Weekday::Sunday)?, None),
            Event::FiestasPatrias => (day(9, 18)?, Some(day(9, 19)?)),
            Event::IndependenceDay => (day(7, 4)?, None),
            Event::Halloween => (day(10, 31)?, None),
            Event::Valentines => (day(2, 14)?, None),
            Event::HotSale => {
                let monday = nth(5, -1, Weekday::Monday)?;
                (monday, Some(add(monday, 8.days())?))
            }
            Event::CincoDeMayo => (day(5, 5)?, None),
            Event::BackToSchool => (day(8, 1)?, Some(day(8, 31)?)),
            Event::Summer => (day(6, 21)?, Some(day(8, 31)?)),
            Event::Diwali => {
                let &(_, month, dd) = DIWALI.iter().find(|(y, _, _)| *y == year).ok_or(TOO_FAR)?;
                (day(month, dd)?, None)
            }
        };
        Ok((start, end.unwrap_or(start)))
    }
}

/// Easter Sunday, by the anonymous Gregorian algorithm (Meeus, Jones,
/// Butcher): arithmetic on the lunar cycle that no calendar API offers.
fn easter(year: i16) -> Result<Date, &'static str> {
    let y = i32::from(year);
    let (a, b, c) = (y % 19, y / 100, y % 100);
    let (d, e) = (b / 4, b % 4);
    let g = (b - (b + 8) / 25 + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let n = h + l - 7 * m + 114;
    civil(
        year,
        i8::try_from(n / 31).ok(),
        i8::try_from(n % 31 + 1).ok(),
    )
}

/// "2027" or "27" (this century).
fn full_year(raw: &str) -> Result<i16, &'static str> {
    let year: i16 = raw.parse().map_err(|_| NOT_A_DATE)?;
    Ok(if raw.len() == 2 { 2000 + year } else { year })
}

#[derive(Clone, Copy)]
enum Unit {
    Day,
    Week,
    Month,
    Quarter,
    Half,
    Year,
}

fn unit(raw: Option<&str>) -> Unit {
    let lower = raw.unwrap_or_default().to_lowercase();
    if lower.starts_with("semes") {
        return Unit::Half;
    }
    match lower.chars().next() {
        Some('d') => Unit::Day,
        Some('h') => Unit::Half,
        Some('w' | 's') => Unit::Week,
        Some('m') => Unit::Month,
        Some('q' | 't') => Unit::Quarter,
        _ => Unit::Year,
    }
}

fn ordinal(raw: Option<&str>) -> Option<i8> {
    let lower = raw?.to_lowercase();
    if let Some(digit) = lower.chars().next().and_then(|c| c.to_digit(10)) {
        return i8::try_from(digit).ok().filter(|d| (1..=4).contains(d));
    }
    match lower.as_str() {
        "first" | "primer" | "primero" | "primera" => Some(1),
        "second" | "segundo" | "segunda" => Some(2),
        "third" | "tercer" | "tercero" => Some(3),
        "fourth" | "cuarto" => Some(4),
        _ => None,
    }
}

/// "3", "three", "a couple of", "unos pocos".
fn period_count(raw: &str) -> Option<i64> {
    let lower = text::collapse_spaces(&raw.to_lowercase());
    let count = match lower.as_str() {
        "a couple of" | "a couple" | "couple of" | "un par de" | "par de" => 2,
        "a few" | "few" | "unos pocos" | "unas pocas" | "unos" | "unas" => 3,
        digits if digits.bytes().all(|b| b.is_ascii_digit()) => digits.parse().ok()?,
        word => text::word_value(word)?,
    };
    (count > 0).then_some(i64::from(count))
}

fn month_number(raw: Option<&str>) -> Option<i8> {
    match fold(raw?).trim_end_matches('.') {
        // Read only next to a day number ("Mar 15"), where it is March.
        "mar" => Some(3),
        word => month_named(word),
    }
}

fn weekday(raw: Option<&str>) -> Option<Weekday> {
    weekday_named(&fold(raw?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// A Thursday.
    const TODAY: Date = date(2026, 1, 15);

    fn by(raw: &str, y: i16, m: i8, d: i8) -> (&str, Timeline) {
        (
            raw,
            Timeline::By {
                date: date(y, m, d),
                said: raw.to_owned(),
            },
        )
    }

    #[test]
    fn reads_dates_periods_and_moods() {
        let cases = vec![
            ("ASAP", Timeline::Asap),
            ("right away", Timeline::Asap),
            ("ya", Timeline::Asap),
            ("lo antes posible", Timeline::Asap),
            ("Lo antes posible", Timeline::Asap),
            ("urgente", Timeline::Asap),
            ("cuanto antes", Timeline::Asap),
            ("as soon as possible", Timeline::Asap),
            ("lo necesito ya", Timeline::Asap),
            ("immediately", Timeline::Asap),
            ("no rush", Timeline::Undecided),
            ("just looking", Timeline::Undecided),
            ("sin prisa", Timeline::Undecided),
            ("solo estoy mirando", Timeline::Undecided),
            ("todavía no sé", Timeline::Undecided),
            ("no sé", Timeline::Undecided),
            ("aún no lo sé.", Timeline::Undecided),
            ("not urgent", Timeline::Undecided),
            ("no es urgente", Timeline::Undecided),
            ("I don't know yet", Timeline::Undecided),
            by("next month", 2026, 2, 1),
            by("el mes que viene", 2026, 2, 1),
            by("el próximo mes", 2026, 2, 1),
            by("We want to start next month", 2026, 2, 1),
            by("next week", 2026, 1, 19),
            by("la próxima semana", 2026, 1, 19),
            by("la semana que viene", 2026, 1, 19),
            by("la semana q viene si puede ser", 2026, 1, 19),
            by("the week after next", 2026, 1, 26),
            by("anyway probably the week after next", 2026, 1, 26),
            by("the month after next", 2026, 3, 1),
            by("pa la otra semana si se puede", 2026, 1, 19),
            by("We'd want it before the September intake", 2026, 9, 1),
            by("in 2 weeks", 2026, 1, 29),
            by("en 2 semanas", 2026, 1, 29),
            by("en dos semanas", 2026, 1, 29),
            by("within 10 days", 2026, 1, 25),
            by("en 3 meses", 2026, 4, 15),
            by("in a couple of months", 2026, 3, 15),
            by("dentro de un año", 2027, 1, 15),
            by("en quince días", 2026, 1, 30),
            by("three weeks from now", 2026, 2, 5),
            by("Q3", 2026, 7, 1),
            by("third quarter", 2026, 7, 1),
            by("tercer trimestre", 2026, 7, 1),
            by("Q1", 2026, 1, 15),
            by("Q2 2027", 2027, 4, 1),
            by("second half", 2026, 7, 1),
            by("in March", 2026, 3, 1),
            by("en marzo", 2026, 3, 1),
            by("para marzo", 2026, 3, 1),
            by("by the end of the year", 2026, 12, 1),
            by("a fin de año", 2026, 12, 1),
            by("a fin de mes", 2026, 1, 25),
            by("2026-03-15", 2026, 3, 15),
            by("15/03/2026", 2026, 3, 15),
            by("03/15/2026", 2026, 3, 15),
            by("15/3/26", 2026, 3, 15),
            by("March 15", 2026, 3, 15),
            by("March 15th, 2027", 2027, 3, 15),
            by("15 de marzo", 2026, 3, 15),
            by("el 15 de marzo de 2027", 2027, 3, 15),
            by("mediados de abril", 2026, 4, 15),
            by("early May", 2026, 5, 1),
            by("this year", 2026, 1, 15),
            by("este año", 2026, 1, 15),
            by("next year", 2027, 1, 1),
            by("el año que viene", 2027, 1, 1),
            by("in 2027", 2027, 1, 1),
            by("tomorrow", 2026, 1, 16),
            by("mañana", 2026, 1, 16),
            by("pasado mañana", 2026, 1, 17),
            by("next Monday", 2026, 1, 19),
            by("el próximo viernes", 2026, 1, 16),
            by("marzo", 2026, 3, 1),
            by("15/02", 2026, 2, 15),
            by("no rush, maybe in March", 2026, 3, 1),
        ];
        assert!(cases.len() >= 40);
        for (raw, expected) in cases {
            assert_eq!(parse_timeline(raw, TODAY), Ok(expected), "{raw}");
        }
    }

    /// Every case at once, so one run shows all the misreadings.
    fn check_all(cases: &[(&str, Timeline)], today: Date) {
        let wrong: Vec<String> = cases
            .iter()
            .filter_map(|(raw, expected)| {
                let got = parse_timeline(raw, today);
                (got.as_ref() != Ok(expected)).then(|| format!("{raw:?}: got {got:?}"))
            })
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn reads_quarters_and_halves() {
        let cases = [
            by("Q1", 2026, 1, 15),
            by("q4", 2026, 10, 1),
            by("primer trimestre", 2026, 1, 15),
            by("el cuarto trimestre", 2026, 10, 1),
            by("4to trimestre", 2026, 10, 1),
            by("fourth quarter", 2026, 10, 1),
            by("Idealmente partir en el segundo trimestre.", 2026, 4, 1),
            by("1er trimestre 2027", 2027, 1, 1),
            by("Q1 next year", 2027, 1, 1),
            by("first quarter of next year", 2027, 1, 1),
            by("primer trimestre del año que viene", 2027, 1, 1),
            by("Q1 del próximo año", 2027, 1, 1),
            by("Q1 del proximo año", 2027, 1, 1),
            by("next quarter", 2026, 4, 1),
            by("el próximo trimestre", 2026, 4, 1),
            by("el trimestre que viene", 2026, 4, 1),
            by("proximo trimestre", 2026, 4, 1),
            by("by the end of Q2", 2026, 6, 1),
            by("a finales del tercer trimestre", 2026, 9, 1),
            by("end of Q1", 2026, 3, 1),
            by("H2", 2026, 7, 1),
            by("h1", 2026, 1, 15),
            by("H2 2027", 2027, 7, 1),
            by("segundo semestre", 2026, 7, 1),
            by("para el segundo semestre", 2026, 7, 1),
            by("2do semestre", 2026, 7, 1),
            by("primer semestre del año que viene", 2027, 1, 1),
            by("la segunda mitad del año", 2026, 7, 1),
            by("la segunda mitad del año que viene", 2027, 7, 1),
            by("second half of next year", 2027, 7, 1),
            by("second half of the year", 2026, 7, 1),
            by("el próximo semestre", 2026, 7, 1),
            by("este semestre", 2026, 1, 15),
            by("fin de semestre", 2026, 6, 1),
            by("end of H1", 2026, 6, 1),
            // Half of a month, not of the year.
            by("second half of March", 2026, 3, 16),
            by("first half of March", 2026, 3, 1),
            by("la segunda quincena de marzo", 2026, 3, 16),
            by("primera quincena de febrero", 2026, 2, 1),
        ];
        check_all(&cases, TODAY);
        let later = date(2026, 11, 20);
        check_all(
            &[
                by("next quarter", 2027, 1, 1),
                by("el próximo semestre", 2027, 1, 1),
                by("Q3", 2027, 7, 1),
                by("end of Q4", 2026, 12, 1),
            ],
            later,
        );
    }

    #[test]
    fn reads_relative_dates() {
        let cases = [
            by("dentro de un mes", 2026, 2, 15),
            by("en un par de meses", 2026, 3, 15),
            by("within 30 days", 2026, 2, 14),
            by("en 15 días", 2026, 1, 30),
            by("en 15 dias", 2026, 1, 30),
            by("in the next 2 weeks", 2026, 1, 29),
            by("want to go live in like 3 weeks", 2026, 2, 5),
            by("in 3 mos", 2026, 4, 15),
            by("we want start in 1 month aprox", 2026, 2, 15),
            by("en las próximas 2 semanas", 2026, 1, 29),
            by("en los proximos 15 días", 2026, 1, 30),
            by("en como 2 semanas", 2026, 1, 29),
            by("within the next month", 2026, 2, 15),
            by("in the coming week", 2026, 1, 22),
            by("el mes entrante", 2026, 2, 1),
            by("la semana entrante", 2026, 1, 19),
            by("la proxima semana", 2026, 1, 19),
            by("early next year", 2027, 1, 1),
            by("a inicios del próximo año", 2027, 1, 1),
            by("a principios del año que viene", 2027, 1, 1),
            by("beginning of next year", 2027, 1, 1),
            by("mid next year", 2027, 7, 1),
            by("a mediados del año que viene", 2027, 7, 1),
            by("late next year", 2027, 12, 1),
            by("a finales del proximo año", 2027, 12, 1),
            by("early 2027", 2027, 1, 1),
            by("mid-2027", 2027, 7, 1),
            by("a principios de 2027", 2027, 1, 1),
            by("finales del 2026", 2026, 12, 1),
            by("early 2026", 2026, 1, 15),
            by("a mediados de año", 2026, 7, 1),
            by("mid-year", 2026, 7, 1),
            by("midyear", 2026, 7, 1),
            by("by the middle of the year", 2026, 7, 1),
            by("by mid-year", 2026, 7, 1),
            by("mid this year", 2026, 7, 1),
            by("mitad de año", 2026, 7, 1),
            by("a principios de año", 2026, 1, 15),
            by("late in the year", 2026, 12, 1),
            by("we're aiming for end of next month", 2026, 2, 22),
            by("a principios del mes que viene", 2026, 2, 1),
            by("mediados del próximo mes", 2026, 2, 15),
            by("a fines del mes que viene", 2026, 2, 22),
            by("after the end of the month", 2026, 2, 1),
            by("después de fin de año", 2027, 1, 1),
            by("después de las fiestas de fin de año", 2027, 1, 1),
            by("by year-end", 2026, 12, 1),
            by("antes del cierre del año", 2026, 12, 1),
        ];
        check_all(&cases, TODAY);
        check_all(
            &[
                by("a principios de enero", 2027, 1, 1),
                by("a mediados de año", 2026, 7, 1),
                by("a principios de año", 2027, 1, 1),
            ],
            date(2026, 6, 10),
        );
        check_all(&[by("mid-year", 2027, 7, 1)], date(2026, 8, 3));
    }

    #[test]
    fn reads_named_days_and_seasons() {
        let cases = [
            by("before black friday", 2026, 11, 27),
            by("antes del Black Friday", 2026, 11, 27),
            by("para el blackfriday", 2026, 11, 27),
            by("black friday", 2026, 11, 27),
            by("para el viernes negro", 2026, 11, 27),
            by("before cyber monday", 2026, 11, 30),
            by("para el cibermonday", 2026, 11, 30),
            by("before thanksgiving", 2026, 11, 26),
            by("para el buen fin", 2026, 11, 13),
            by("después del Buen Fin", 2026, 11, 17),
            by("para navidad", 2026, 12, 25),
            by("antes de Navidad", 2026, 12, 25),
            by("para nabidad", 2026, 12, 25),
            by("before xmas", 2026, 12, 25),
            by(
                "hopefully before Christmas, that's when it gets mental",
                2026,
                12,
                25,
            ),
            by("para el día de navidad", 2026, 12, 25),
            by("navidad 2027", 2027, 12, 25),
            by("ideally before the new year", 2027, 1, 1),
            by("para año nuevo", 2027, 1, 1),
            by("ano nuevo", 2027, 1, 1),
            by("después de año nuevo", 2027, 1, 2),
            by("after the holidays", 2027, 1, 1),
            by("despues de las fiestas", 2027, 1, 1),
            by("pasadas las fiestas navideñas", 2027, 1, 1),
            by("antes de semana santa", 2026, 3, 29),
            by("para Semana Santa", 2026, 3, 29),
            by("después de semana santa", 2026, 4, 6),
            by("before Easter", 2026, 4, 5),
            by("id like it going by easter", 2026, 4, 5),
            by("after easter", 2026, 4, 6),
            by("para el día de las madres", 2026, 5, 10),
            by("para el dia de la madre", 2026, 5, 10),
            by("before mother's day 2027", 2027, 5, 9),
            by("antes de fiestas patrias", 2026, 9, 18),
            by("después de las fiestas patrias", 2026, 9, 20),
            by("by independence day", 2026, 7, 4),
            by("for the fourth of july", 2026, 7, 4),
            by("4th of July", 2026, 7, 4),
            by("before halloween", 2026, 10, 31),
            by("para haloween", 2026, 10, 31),
            by("for valentine's", 2026, 2, 14),
            by("antes de San Valentín", 2026, 2, 14),
            by("para san valentin", 2026, 2, 14),
            by("para el día de los enamorados", 2026, 2, 14),
            by("para el hot sale", 2026, 5, 25),
            by("después del hotsale", 2026, 6, 3),
            by("by cinco de mayo 🌮", 2026, 5, 5),
            by("para el regreso a clases", 2026, 8, 1),
            by("before back to school", 2026, 8, 1),
            by("after back-to-school", 2026, 9, 1),
            by("this summer", 2026, 6, 21),
            by("en verano", 2026, 6, 21),
            by("we want it before summer", 2026, 6, 21),
            by("after the summer", 2026, 9, 1),
            by("después del verano", 2026, 9, 1),
            by("despues del verano", 2026, 9, 1),
            by("We want to start after the summer holidays", 2026, 9, 1),
            by("después de las vacaciones de verano", 2026, 9, 1),
            by("Before Diwali we want it live", 2026, 11, 8),
            by("after deepavali", 2026, 11, 9),
            by("for Diwali 2030", 2030, 10, 26),
        ];
        check_all(&cases, TODAY);
    }

    #[test]
    fn a_named_day_is_its_next_occurrence() {
        let on = |today: Date, cases: &[(&str, Date)]| {
            let cases: Vec<_> = cases
                .iter()
                .map(|(raw, d)| by(raw, d.year(), d.month(), d.day()))
                .collect();
            check_all(&cases, today);
        };
        // Over this year: next year's; under way: today, and after it ends.
        on(
            date(2026, 12, 28),
            &[
                ("para navidad", date(2027, 12, 25)),
                ("antes de año nuevo", date(2027, 1, 1)),
                ("after the holidays", date(2027, 1, 1)),
            ],
        );
        on(
            date(2026, 7, 10),
            &[
                ("this summer", date(2026, 7, 10)),
                ("after the summer", date(2026, 9, 1)),
                ("para el día de las madres", date(2027, 5, 10)),
            ],
        );
        on(
            date(2026, 11, 14),
            &[
                ("para el buen fin", date(2026, 11, 14)),
                ("después del buen fin", date(2026, 11, 17)),
            ],
        );
        // 1 November 2024 was a Friday: Black Friday was the fifth.
        on(
            date(2024, 6, 1),
            &[
                ("black friday", date(2024, 11, 29)),
                ("cyber monday", date(2024, 12, 2)),
                ("buen fin", date(2024, 11, 15)),
                // 27 May to 4 June that year.
                ("hot sale", date(2024, 6, 1)),
                ("after the hot sale", date(2024, 6, 5)),
                ("mother's day", date(2025, 5, 11)),
            ],
        );
        on(
            date(2026, 4, 20),
            &[
                ("before Easter", date(2027, 3, 28)),
                ("antes de semana santa", date(2027, 3, 21)),
            ],
        );
    }

    #[test]
    fn easter_follows_the_lunar_cycle() {
        for (year, month, day) in [
            (2008, 3, 23),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
        ] {
            assert_eq!(easter(year), Ok(date(year, month, day)), "{year}");
        }
    }

    #[test]
    fn names_that_only_look_like_an_event_are_not_one() {
        for raw in [
            "año nuevo chino",
            "before chinese new year",
            "que tengas buen fin de semana",
            "Navidad 2025",
        ] {
            assert!(parse_timeline(raw, TODAY).is_err(), "{raw}");
        }
    }

    #[test]
    fn reads_hurry_and_no_hurry() {
        let asap = [
            "ya mismo",
            "urgente",
            "URGENTE!!",
            "urjente",
            "para ayer",
            "lo necesitaba para ayer",
            "lo antes que se pueda",
            "lo más pronto que puedan",
            "cuánto antes",
            "cuando antes",
            "straight away",
            "yesterday lol",
            "we needed it yesterday",
            "as soon as posible",
            "asap pls 🙏",
            "A.S.A.P",
            "the sooner the better",
            "entre más rápido mejor",
            "mientras mas pronto mejor",
            "lo ocupo pa ya",
            "tan pronto como sea posible",
            "en cuanto se pueda",
            "apenas se pueda",
            "ahorita",
            "al toque",
            "de inmediato",
        ];
        let undecided = [
            "no big rush",
            "we're in no rush honestly",
            "sin apuro eh, estamos viendo opciones",
            "sin apuros",
            "no hay apuro",
            "tranqui, no hay afán",
            "sólo estamos viendo",
            "todavia no se",
            "not sure yet",
            "whenever",
            "whenever works",
            "cuando se pueda",
            "cuando puedan",
            "no tenemos fecha",
            "todavía no tenemos fecha",
            "no urge",
            "no nos corre prisa",
            "haven't decided yet",
            "still deciding",
            "tbd",
            "idk",
            "no sabemos aún",
            "actually scratch that, no rush really, we're just exploring options for now",
        ];
        let cases: Vec<_> = asap
            .iter()
            .map(|raw| (*raw, Timeline::Asap))
            .chain(undecided.iter().map(|raw| (*raw, Timeline::Undecided)))
            .chain([
                by("this week if possible", 2026, 1, 15),
                by("esta misma semana", 2026, 1, 15),
            ])
            .collect();
        check_all(&cases, TODAY);
    }

    #[test]
    fn locates_hurry_only_where_it_is_about_timing() {
        let cases = [
            ("asap please, the owner approves", false, Some("asap")),
            (
                "sin apuro eh, estamos viendo opciones",
                false,
                Some("sin apuro"),
            ),
            (
                "lo queremos en cuanto se pueda",
                false,
                Some("en cuanto se pueda"),
            ),
            ("we need it yesterday lol", false, Some("need it yesterday")),
            ("whenever, it depends on the budget", true, Some("whenever")),
            ("whenever you're free we can talk", false, None),
            (
                "cuando se pueda, no hay drama",
                true,
                Some("cuando se pueda"),
            ),
            ("cuando se pueda me manda la info", false, None),
            ("yesterday lol", true, Some("yesterday")),
            ("I saw your ad yesterday", false, None),
            (
                "we need product questions on WhatsApp answered straight away",
                false,
                None,
            ),
            (
                "it's loose and really hurts. can someone see me today?",
                false,
                Some("see me today"),
            ),
            (
                "se me ha partido un diente, me podeis ver hoy??",
                false,
                Some("me podeis ver hoy"),
            ),
            (
                "queria saber cuanto sale porque la quiero anotar ya",
                false,
                Some("quiero anotar ya"),
            ),
            // How long since the last visit is not when to come.
            ("I haven't been in 2 years, need a check-up", true, None),
            ("no he ido en 3 años", true, None),
        ];
        for (text, asked, expected) in cases {
            let got = locate(text, TODAY, asked).map(|span| &text[span]);
            assert_eq!(got, expected, "{text}");
        }
    }

    #[test]
    fn a_period_already_over_means_next_year() {
        let june = date(2026, 6, 10);
        let by = |raw: &str| match parse_timeline(raw, june) {
            Ok(Timeline::By { date, .. }) => date,
            other => panic!("{raw}: {other:?}"),
        };
        assert_eq!(by("en marzo"), date(2027, 3, 1));
        assert_eq!(by("Q1"), date(2027, 1, 1));
        assert_eq!(by("Q2"), june);
        assert_eq!(by("in June"), june);
        assert_eq!(by("15 de marzo"), date(2027, 3, 15));
        assert_eq!(by("first half"), june);
        assert_eq!(by("second half"), date(2026, 7, 1));
        assert_eq!(by("end of the month"), date(2026, 6, 24));
    }

    #[test]
    fn refuses_what_is_not_a_timeline() {
        let cases = [
            ("¿cuánto cuesta?", "no date"),
            ("2020-01-01", "passed"),
            ("15/03/2020", "passed"),
            ("Q1 2025", "passed"),
            ("end of Q4 2025", "passed"),
            ("early 2025", "passed"),
            ("in 2019", "passed"),
            ("31/02/2026", "not a real date"),
            ("in 9999 years", "ten years"),
            ("in 50 years", "ten years"),
            ("in 0 days", "unclear"),
            ("hola", "no date"),
        ];
        for (raw, reason) in cases {
            match parse_timeline(raw, TODAY) {
                Err(FieldError::Invalid {
                    field: FieldName::Timeline,
                    reason: got,
                }) => {
                    assert!(got.contains(reason), "{raw}: {got}");
                }
                other => panic!("{raw} should be refused, got {other:?}"),
            }
        }
    }

    #[test]
    fn locates_only_unambiguous_words_unless_asked() {
        let at = |text: &str, asked| locate(text, TODAY, asked).map(|span| text[span].to_owned());
        assert_eq!(
            at("We want to start next month", false).as_deref(),
            Some("next month")
        );
        assert_eq!(
            at("Lo antes posible", false).as_deref(),
            Some("Lo antes posible")
        );
        assert_eq!(at("ya tenemos un bot", false), None);
        assert_eq!(at("can we talk tomorrow?", false), None);
        assert_eq!(at("tomorrow", true).as_deref(), Some("tomorrow"));
        assert_eq!(at("I'm just looking for a chatbot", false), None);
        assert_eq!(at("we offer 24/7 support", false), None);
        assert_eq!(at("we may start soon", false), None);
    }

    #[test]
    fn locates_timelines_in_longer_messages() {
        let cases = [
            (
                "we're aiming for end of next month, the CEO signs off",
                false,
                Some("end of next month"),
            ),
            (
                "Hi, we'd like to go live early next year, budget is 5k",
                false,
                Some("early next year"),
            ),
            (
                "queremos arrancar a mediados de año, tenemos 2 mil dólares",
                false,
                Some("mediados de año"),
            ),
            (
                "I sign off on my own tools, within the next month ideally",
                false,
                Some("within the next month"),
            ),
            (
                "Idealmente partir en el segundo trimestre.",
                false,
                Some("segundo trimestre"),
            ),
            (
                "we'd like it in place for Q1 next year",
                false,
                Some("Q1 next year"),
            ),
            ("ideally live by midyear", false, Some("by midyear")),
            ("our mid-year sale is huge", false, None),
            (
                "we'd love to have it running before black friday, budget is 2k",
                false,
                Some("before black friday"),
            ),
            (
                "lo necesitamos antes del black friday sí o sí 🙏",
                false,
                Some("antes del black friday"),
            ),
            (
                "y lo queremos listo para el buen fin",
                false,
                Some("para el buen fin"),
            ),
            (
                "Nos gustaría tenerlo funcionando después del verano",
                false,
                Some("después del verano"),
            ),
            (
                "ideally before the new year, January is our busiest month",
                true,
                Some("before the new year"),
            ),
            (
                "¿Eso se conecta con el software que usamos? Lo queremos tener después de año nuevo.",
                false,
                Some("después de año nuevo"),
            ),
            // The month said outright wins over a holiday whose date
            // depends on the country.
            (
                "lo ideal es tenerlo antes de fiestas patrias, o sea en julio",
                false,
                Some("en julio"),
            ),
            ("we sell christmas trees and wreaths", false, None),
            ("we are open on easter sunday", false, None),
            ("during the holidays we get lots of orders", false, None),
            ("christmas, when it gets busy", true, Some("christmas")),
            ("gracias, que tengas buen fin de semana", true, None),
        ];
        for (text, asked, expected) in cases {
            let got = locate(text, TODAY, asked).map(|span| &text[span]);
            assert_eq!(got, expected, "{text}");
        }
    }
}
