//! Small text helpers the field parsers share: word lists (from
//! [`crate::words`]), spelled-out numbers and a gibberish check.

use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

pub(crate) use crate::words::Words;

/// The regex alternation of the spelled-out numbers [`word_value`] knows.
/// Listed longest-first where one is a prefix of another.
pub(super) const NUMBER_WORDS: &str = "an|a|one|uno|una|un|two|dos|three|tres|four|cuatro|five|cinco|six|seis|\
     seven|siete|eight|ocho|nine|nueve|ten|diez|eleven|once|twelve|doce|fifteen|quince|twenty|veinte|\
     thirty|treinta|forty|cuarenta|fifty|cincuenta|cien|mil|\
     doscient[oa]s|trescient[oa]s|cuatrocient[oa]s|quinient[oa]s|seiscient[oa]s|setecient[oa]s|\
     ochocient[oa]s|novecient[oa]s";
/// The Spanish hundreds, which follow a thousand in one number: "mil
/// quinientos" is 1,500, "dos mil trescientos" 2,300.
pub(super) const HUNDREDS: &str = "cien|doscient[oa]s|trescient[oa]s|cuatrocient[oa]s|quinient[oa]s|\
     seiscient[oa]s|setecient[oa]s|ochocient[oa]s|novecient[oa]s";

/// The value of a spelled-out number ("three", "doce", "a"), English or
/// Spanish.
pub(super) fn word_value(word: &str) -> Option<u32> {
    let value = match word.to_lowercase().as_str() {
        "a" | "an" | "one" | "un" | "uno" | "una" => 1,
        "two" | "dos" => 2,
        "three" | "tres" => 3,
        "four" | "cuatro" => 4,
        "five" | "cinco" => 5,
        "six" | "seis" => 6,
        "seven" | "siete" => 7,
        "eight" | "ocho" => 8,
        "nine" | "nueve" => 9,
        "ten" | "diez" => 10,
        "eleven" | "once" => 11,
        "twelve" | "doce" => 12,
        "fifteen" | "quince" => 15,
        "twenty" | "veinte" => 20,
        "thirty" | "treinta" => 30,
        "forty" | "cuarenta" => 40,
        "fifty" | "cincuenta" => 50,
        "cien" => 100,
        "doscientos" | "doscientas" => 200,
        "trescientos" | "trescientas" => 300,
        "cuatrocientos" | "cuatrocientas" => 400,
        "quinientos" | "quinientas" => 500,
        "seiscientos" | "seiscientas" => 600,
        "setecientos" | "setecientas" => 700,
        "ochocientos" | "ochocientas" => 800,
        "novecientos" | "novecientas" => 900,
        "mil" => 1000,
        _ => return None,
    };
    Some(value)
}

/// Compiles a field pattern with ASCII word boundaries: a Unicode `\b`
/// makes the regex engine's fast DFA give up on any text with an accent,
/// which made Spanish messages eight times slower to read. Patterns keep
/// `\b` away from accented letters (`m[ií]` ends without one) so both mean
/// the same on them.
pub(crate) fn regex(pattern: &str) -> Regex {
    // The patterns are large alternations: with the default cache the lazy
    // DFA gives up on them and the slower engines read the whole message
    // (a turn took twice as long). 8 MiB per pattern, above the crate's
    // default, is an upper bound the cache grows to only as states are used.
    regex::RegexBuilder::new(&pattern.replace(r"\b", r"(?-u:\b)"))
        .dfa_size_limit(8 << 20)
        .build()
        .expect("the field patterns are valid; every one is compiled by the unit tests")
}

/// The words of `text` (runs of non-space) with where each starts.
pub(super) fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    static WORD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\S+").expect("the word pattern is valid"));
    WORD.find_iter(text).map(|m| (m.start(), m.as_str()))
}

/// At most `max` bytes of `text`, cut on a character boundary, so a
/// parser's work stays bounded whatever it is handed.
pub(super) fn clip(text: &str, max: usize) -> &str {
    &text[..text.floor_char_boundary(max)]
}

/// `text` with runs of whitespace collapsed to one space.
/// Where a sentence ends: what a clause around a value never crosses.
pub(super) const SENTENCE_STOPS: [char; 5] = ['.', '!', '?', ';', '\n'];

/// Whether `before` ends in a title or abbreviation whose dot ends no
/// sentence ("Dr. Alan Brooks", "la Sra. Gómez", "Vera & Cía. Ltda.",
/// "Bajío S.A. de C.V.": dots inside the word make it an abbreviation).
pub(crate) fn after_title(before: &str) -> bool {
    if before
        .rsplit(char::is_whitespace)
        .next()
        .is_some_and(|word| word.len() > 1 && word.contains('.') && !word.ends_with('.'))
    {
        return true;
    }
    const TITLES: [&str; 16] = [
        "dr", "dra", "sr", "sra", "srta", "mr", "mrs", "ms", "lic", "ing", "prof", "st", "av",
        "arq", "cía", "cia",
    ];
    let word = before
        .rsplit(|c: char| !c.is_alphabetic())
        .next()
        .unwrap_or_default()
        .to_lowercase();
    TITLES.contains(&word.as_str())
}

/// `text` cut after each ".", "!", ";" or line break, each piece keeping
/// its stop, but not after a title's dot ("my boss Dr. Patel wants...").
pub(super) fn clauses(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut from = 0;
        let end = loop {
            let Some(i) = rest[from..].find(['.', '!', ';', '\n']) else {
                break rest.len();
            };
            let at = from + i;
            from = at + 1;
            if !(rest[at..].starts_with('.') && after_title(&rest[..at])) {
                break from;
            }
        };
        let (clause, tail) = rest.split_at(end);
        rest = tail;
        Some(clause)
    })
}
/// Where a clause ends: a sentence's stops and a comma.
pub(super) const CLAUSE_STOPS: [char; 6] = ['.', '!', '?', ';', ',', '\n'];

/// The part of `text` around `range` up to the nearest of `stops` on
/// either side (without them): the sentence or clause a value stands in.
pub(super) fn around<'a>(text: &'a str, range: &Range<usize>, stops: &[char]) -> &'a str {
    &text[around_span(text, range, stops)]
}

/// Where [`around`]'s stretch is in `text`.
pub(super) fn around_span(text: &str, range: &Range<usize>, stops: &[char]) -> Range<usize> {
    let start = text[..range.start].rfind(stops).map_or(0, |i| i + 1);
    let end = text[range.end..]
        .find(stops)
        .map_or(text.len(), |i| range.end + i);
    start..end
}

pub(super) fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether the word starts with an uppercase letter (or a digit, for
/// company names like "3M").
pub(super) fn starts_upper(word: &str) -> bool {
    word.chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

fn is_vowel(c: char) -> bool {
    matches!(
        c,
        'a' | 'e'
            | 'i'
            | 'o'
            | 'u'
            | 'y'
            | 'á'
            | 'é'
            | 'í'
            | 'ó'
            | 'ú'
            | 'ü'
            | 'à'
            | 'è'
            | 'ì'
            | 'ò'
            | 'ù'
    )
}

/// Whether a word looks typed at random: a keyboard run ("asdf", "mnb"), a letter
/// held down ("jjjj"), no vowels ("zzxq"), five consonants in a row
/// ("asdkjh") or a "q" not followed by "u" ("qwpoe"). Hand-written: these
/// are letter statistics, which a regex cannot state readably. Words under
/// three letters and short all-caps acronyms ("IBM", "KPMG") pass.
pub(super) fn is_junk_word(word: &str) -> bool {
    // Each keyboard row, typed both ways.
    const ROWS: [&str; 6] = [
        "qwertyuiop",
        "asdfghjkl",
        "zxcvbnm",
        "poiuytrewq",
        "lkjhgfdsa",
        "mnbvcxz",
    ];
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    if letters < 3 {
        return false;
    }
    let acronym = letters <= 5 && word.chars().all(|c| !c.is_alphabetic() || c.is_uppercase());
    let lower = word.to_lowercase();
    if acronym {
        return false;
    }
    if ROWS.iter().any(|row| row.contains(lower.as_str())) {
        return true;
    }
    let mut previous = None;
    let mut same_run = 0;
    let mut consonant_run = 0;
    let mut vowels = 0;
    let mut chars = lower.chars().peekable();
    while let Some(c) = chars.next() {
        same_run = if previous == Some(c) { same_run + 1 } else { 1 };
        previous = Some(c);
        if same_run >= 3 {
            return true;
        }
        if is_vowel(c) {
            vowels += 1;
            consonant_run = 0;
        } else if c.is_alphabetic() {
            consonant_run += 1;
            if consonant_run >= 5 {
                return true;
            }
        } else {
            consonant_run = 0;
        }
        if c == 'q'
            && chars
                .peek()
                .is_some_and(|next| next.is_alphabetic() && *next != 'u')
        {
            return true;
        }
    }
    vowels == 0 && letters >= 4
}

/// Whether the text has nothing readable: no word of two letters or more,
/// or mostly junk (see [`mostly_junk`]).
pub(super) fn looks_like_gibberish(text: &str) -> bool {
    let readable = text
        .split(|c: char| !c.is_alphabetic())
        .any(|word| word.chars().nth(1).is_some());
    !readable || mostly_junk(text)
}

/// Whether at least half of the words of three letters or more are junk
/// (see [`is_junk_word`]).
pub(super) fn mostly_junk(text: &str) -> bool {
    let mut considered = 0usize;
    let mut junk = 0usize;
    for word in text.split(|c: char| !c.is_alphabetic()) {
        if word.chars().nth(2).is_some() {
            considered += 1;
            junk += usize::from(is_junk_word(word));
        }
    }
    considered > 0 && junk * 2 >= considered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junk_words_are_told_from_real_ones() {
        for junk in [
            "asdkjh", "qwpoe", "zzxq", "jjjjjjjj", "kkkk", "qwe", "rty", "uiop", "asdf",
        ] {
            assert!(is_junk_word(junk), "{junk} should be junk");
        }
        for real in [
            "were",
            "power",
            "Lynn",
            "instrucciones",
            "IBM",
            "KPMG",
            "asistente",
            "WhatsApp",
            "chatbot",
            "Ferretería",
            "queremos",
        ] {
            assert!(!is_junk_word(real), "{real} should pass");
        }
    }

    #[test]
    fn gibberish_needs_most_words_to_be_junk() {
        assert!(looks_like_gibberish("asdkjh qwpoe zzxq"));
        assert!(looks_like_gibberish("jjjjjjjj kkkk"));
        assert!(looks_like_gibberish("qwe rty uiop asdf"));
        assert!(looks_like_gibberish("123 456"));
        assert!(looks_like_gibberish("👍"));
        assert!(!looks_like_gibberish("un bot para ventas"));
        assert!(!looks_like_gibberish("a WhatsApp bot for our sales team"));
    }

    #[test]
    fn word_lists_find_their_words_only() {
        static LIST: Words = Words::new(
            "zeta alfa \
             beta alfa",
        );
        assert!(LIST.contains("alfa") && LIST.contains("beta") && LIST.contains("zeta"));
        assert!(!LIST.contains("gamma") && !LIST.contains("") && !LIST.contains("alf"));
    }

    #[test]
    fn spelled_numbers_in_both_languages() {
        assert_eq!(word_value("Three"), Some(3));
        assert_eq!(word_value("doce"), Some(12));
        assert_eq!(word_value("una"), Some(1));
        assert_eq!(word_value("quince"), Some(15));
        assert_eq!(word_value("quinientas"), Some(500));
        assert_eq!(word_value("mil"), Some(1000));
        assert_eq!(word_value("many"), None);
    }

    #[test]
    fn clip_respects_char_boundaries() {
        assert_eq!(clip("ñandú", 1), "");
        assert_eq!(clip("ñandú", 2), "ñ");
        assert_eq!(clip("abc", 10), "abc");
    }

    #[test]
    fn clauses_end_at_stops_but_not_at_a_title() {
        let cut: Vec<&str> = clauses("I'm an intern. My boss Dr. Patel decides!\nok").collect();
        assert_eq!(
            cut,
            ["I'm an intern.", " My boss Dr. Patel decides!", "\n", "ok"]
        );
        assert_eq!(clauses("").count(), 0);
    }
}
