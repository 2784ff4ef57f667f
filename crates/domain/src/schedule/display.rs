//! How a slot reads in a WhatsApp list, in Spanish and English.

use super::Slot;
use crate::language::Language;
use jiff::civil::Weekday;

const ES_DAYS: [&str; 7] = ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"];
pub(crate) const ES_DAYS_LONG: [&str; 7] = [
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
];
const ES_MONTHS: [&str; 12] = [
    "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic",
];
pub(crate) const ES_MONTHS_LONG: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];

impl Slot {
    /// The id of the slot's list row: its start in RFC 3339 with the local
    /// offset, stable across offers and readable in logs.
    pub fn id(&self) -> String {
        self.start
            .timestamp()
            .display_with_offset(self.start.offset())
            .to_string()
    }

    /// A list row title (≤ 24 characters): "mar 2 dic, 10:00" /
    /// "Tue Dec 2, 10:00".
    pub fn title(&self, language: Language) -> String {
        let s = &self.start;
        match language {
            Language::Es => format!(
                "{} {} {}, {}",
                ES_DAYS[weekday_index(s.weekday())],
                s.day(),
                ES_MONTHS[month_index(s.month())],
                s.strftime("%H:%M")
            ),
            Language::En => s.strftime("%a %b %-d, %H:%M").to_string(),
        }
    }

    /// A list row description (≤ 72 characters): the whole date, the time
    /// range and the zone's abbreviation.
    pub fn description(&self, language: Language) -> String {
        let (s, e) = (&self.start, &self.end);
        match language {
            Language::Es => format!(
                "{} {} de {}, {}–{} {}",
                ES_DAYS_LONG[weekday_index(s.weekday())],
                s.day(),
                ES_MONTHS_LONG[month_index(s.month())],
                s.strftime("%H:%M"),
                e.strftime("%H:%M"),
                s.strftime("%Z")
            ),
            Language::En => format!(
                "{}–{} {}",
                s.strftime("%A, %B %-d, %H:%M"),
                e.strftime("%H:%M"),
                s.strftime("%Z")
            ),
        }
    }
}

fn weekday_index(weekday: Weekday) -> usize {
    usize::try_from(weekday.to_monday_zero_offset()).unwrap_or(0)
}

fn month_index(month: i8) -> usize {
    usize::try_from(month - 1).unwrap_or(0)
}
