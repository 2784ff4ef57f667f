//! Named days and seasons customers plan around ("Black Friday",
//! "Navidad", "el verano"): their names and the run of days each lasts
//! in a given year. Apart because each needs its own calendar rule
//! (Easter's lunar cycle, Diwali's table).

use super::calendar::{TOO_FAR, add, civil};
use super::{NOT_A_DATE, text};
use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use regex::Regex;
use std::sync::LazyLock;
/// A day or season customers plan around, as the run of days it lasts.
#[derive(Debug, Clone, Copy)]
pub(super) enum Event {
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
    /// The northern spring, 20 March to 20 June, and its selling season:
    /// "before spring" is 20 March.
    Spring,
    /// The northern autumn, 22 September to 20 December.
    Autumn,
    /// The US last Monday of May.
    MemorialDay,
    /// The US and Canada's first Monday of September.
    LaborDay,
    /// Spain's 1 May long weekend ("el puente de mayo") and Labour Day.
    MayDay,
    /// The shopping days of South-East Asia whose day repeats the month
    /// ("the 9.9 sale", "11.11").
    DoubleDay(i8),
    /// Ramadan, which follows the Islamic lunar calendar: looked up in
    /// [`RAMADAN`]; "after Ramadan" is the day after it ends (Eid al-Fitr).
    Ramadan,
    /// The first day of the lunar new year: looked up in
    /// [`LUNAR_NEW_YEAR`], a year outside it is not read.
    LunarNewYear,
    /// Eid al-Fitr, the day after Ramadan ends (see [`RAMADAN`]).
    EidAlFitr,
    /// Carnival, from the Saturday seven weeks before Easter to Ash
    /// Wednesday.
    Carnival,
    /// Valencia's Fallas, 15 to 19 March.
    Fallas,
    /// 17 March.
    StPatricks,
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

/// The lunar new year's first day, 2026 to 2030, from the published
/// Chinese calendars: no date crate here has the lunisolar calendar.
const LUNAR_NEW_YEAR: [(i16, i8, i8); 5] = [
    (2026, 2, 17),
    (2027, 2, 6),
    (2028, 1, 26),
    (2029, 2, 13),
    (2030, 2, 3),
];

/// Ramadan's first and last days, 2026 to 2030, as the published
/// calendars give them (a day may differ with the moon sighting where the
/// customer is): no date crate here has the Islamic calendar.
/// Each row: the year, the first month and day, the last month and day.
const RAMADAN: [(i16, i8, i8, i8, i8); 5] = [
    (2026, 2, 18, 3, 19),
    (2027, 2, 8, 3, 9),
    (2028, 1, 28, 2, 26),
    (2029, 1, 16, 2, 14),
    (2030, 1, 6, 2, 4),
];

/// The names of the events, typos included, as regex alternations; `None`
/// for names that contain an event's but are something else ("año nuevo
/// chino", "buen fin de semana"). Where one name starts another, the
/// longer comes first.
pub(super) const EVENTS: [(Option<Event>, &str); 36] = [
    (
        Some(Event::LunarNewYear),
        r"chinese\s+new\s+year|lunar\s+new\s+year|cny|año\s+nuevo\s+(?:chino|lunar)",
    ),
    (
        Some(Event::EidAlFitr),
        r"eid(?:\s+al[-\s]fitr|\s+ul[-\s]fitr)?|hari\s+raya(?:\s+puasa)?",
    ),
    (
        Some(Event::Carnival),
        r"carnaval(?:es)?|carnival|mardi\s+gras",
    ),
    (Some(Event::Fallas), r"(?:las\s+)?fallas"),
    (
        Some(Event::StPatricks),
        r"(?:st\.?\s+|saint\s+)?patrick['’]?s\s+day|paddy['’]?s\s+day|patty['’]?s\s+day",
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
        r"back[\s-]+to[\s-]+school|(?:regreso|vuelta|retorno)\s+(?:a\s+(?:las\s+)?clases?|al\s+cole(?:gio)?)|inicio\s+de\s+clases|(?:start\s+of\s+the\s+)?school\s+year(?:\s+starts)?|(?:inicio\s+del\s+)?(?:año|ciclo|curso)\s+escolar",
    ),
    (
        Some(Event::Summer),
        r"summer(?:\s+(?:holidays|vacation|break))?|vacaciones\s+de\s+verano|verano",
    ),
    (
        Some(Event::Spring),
        r"spring(?:\s+(?:selling\s+)?season|\s+break)?|primavera",
    ),
    (Some(Event::Autumn), r"autumn|fall|oto[ñn]o"),
    (Some(Event::Diwali), r"diwali|deepavali|divali"),
    (Some(Event::MemorialDay), r"memorial\s+day(?:\s+weekend)?"),
    (Some(Event::Ramadan), r"ramadan|ramad[aá]n|ramzan"),
    (Some(Event::LaborDay), r"labou?r\s+day(?:\s+weekend)?"),
    (
        Some(Event::MayDay),
        r"puente\s+de\s+mayo|d[ií]a\s+del\s+trabaj(?:o|ador)|may\s+day",
    ),
    (Some(Event::DoubleDay(9)), r"9\.9(?:\s+(?:mega\s+)?sales?)?"),
    (
        Some(Event::DoubleDay(10)),
        r"10\.10(?:\s+(?:mega\s+)?sales?)?",
    ),
    (
        Some(Event::DoubleDay(11)),
        r"11\.11(?:\s+(?:mega\s+)?sales?)?",
    ),
    (
        Some(Event::DoubleDay(12)),
        r"12\.12(?:\s+(?:mega\s+)?sales?)?",
    ),
];

/// Each name of [`EVENTS`] on its own, to tell which event a match named.
static EVENT_NAMES: LazyLock<Vec<(Option<Event>, Regex)>> = LazyLock::new(|| {
    EVENTS
        .iter()
        .map(|(event, names)| (*event, text::regex(&format!("(?i)^(?:{names})$"))))
        .collect()
});

/// The event a matched name means; `None` for the names that only look
/// like one.
pub(super) fn event_named(raw: Option<&str>) -> Option<Event> {
    let raw = raw?;
    EVENT_NAMES
        .iter()
        .find(|(_, names)| names.is_match(raw))
        .and_then(|(event, _)| *event)
}

impl Event {
    /// The first and last day of the event in `year`.
    pub(super) fn days(self, year: i16) -> Result<(Date, Date), &'static str> {
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
            Event::Spring => (day(3, 20)?, Some(day(6, 20)?)),
            Event::Autumn => (day(9, 22)?, Some(day(12, 20)?)),
            Event::MemorialDay => (nth(5, -1, Weekday::Monday)?, None),
            Event::LaborDay => (nth(9, 1, Weekday::Monday)?, None),
            Event::MayDay => (day(5, 1)?, None),
            Event::DoubleDay(month) => (day(month, month)?, None),
            Event::Ramadan => {
                let &(_, month, dd, end_month, end_day) =
                    RAMADAN.iter().find(|row| row.0 == year).ok_or(TOO_FAR)?;
                (day(month, dd)?, Some(day(end_month, end_day)?))
            }
            Event::LunarNewYear => {
                let &(_, month, dd) = LUNAR_NEW_YEAR
                    .iter()
                    .find(|(y, _, _)| *y == year)
                    .ok_or(TOO_FAR)?;
                (day(month, dd)?, None)
            }
            Event::EidAlFitr => {
                let &(_, _, _, end_month, end_day) =
                    RAMADAN.iter().find(|row| row.0 == year).ok_or(TOO_FAR)?;
                (add(day(end_month, end_day)?, 1.day())?, None)
            }
            Event::Carnival => {
                let easter = easter(year)?;
                (add(easter, (-50).days())?, Some(add(easter, (-46).days())?))
            }
            Event::Fallas => (day(3, 15)?, Some(day(3, 19)?)),
            Event::StPatricks => (day(3, 17)?, None),
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
pub(super) fn easter(year: i16) -> Result<Date, &'static str> {
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
