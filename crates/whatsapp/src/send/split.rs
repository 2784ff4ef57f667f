//! Splitting a long reply into messages WhatsApp accepts.

/// Characters that end a sentence.
const SENTENCE_ENDS: &[char] = &['.', '!', '?', '…'];
/// Characters that may follow a sentence end and belong to it.
const CLOSERS: &[char] = &['"', '\'', ')', ']', '»', '”', '’'];

/// Splits `text` into parts of at most `max_chars` characters (not bytes:
/// a character is never cut), cutting at the last paragraph break that
/// fits, else the last sentence end, else the last whitespace, else hard at
/// the limit.
///
/// Whitespace at the cuts and around the text is dropped; there are no
/// empty parts (a blank text gives none). Sentences are cut only after
/// their end mark and before the next one's whitespace, so Spanish `¿` and
/// `¡` stay with their sentence. A `max_chars` of 0 is taken as 1.
pub fn split_text(text: &str, max_chars: usize) -> Vec<String> {
    let max = max_chars.max(1);
    let mut parts = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        // The byte index just past `max` characters; None when all fits.
        let Some((limit, _)) = rest.char_indices().nth(max) else {
            parts.push(rest.to_owned());
            break;
        };
        let cut = paragraph_cut(rest, limit)
            .or_else(|| sentence_cut(rest, limit))
            .or_else(|| whitespace_cut(rest, limit))
            .unwrap_or(limit);
        // `rest` starts with a non-whitespace character and every cut is
        // past it, so the part is never empty.
        parts.push(rest[..cut].trim_end().to_owned());
        rest = rest[cut..].trim_start();
    }
    parts
}

/// The start of the last blank line (`\n`, optional spaces, `\n`) that
/// begins within the first `limit` bytes.
fn paragraph_cut(rest: &str, limit: usize) -> Option<usize> {
    rest[..limit]
        .rmatch_indices('\n')
        .map(|(i, _)| i)
        .find(|&i| {
            rest[..i]
                .trim_end_matches([' ', '\t', '\r'])
                .ends_with('\n')
        })
        .map(|i| rest[..i].trim_end().len())
        .filter(|&i| i > 0)
}

/// Just past the last sentence end (with its closing quotes or brackets)
/// that is followed by whitespace and ends within `limit` bytes.
fn sentence_cut(rest: &str, limit: usize) -> Option<usize> {
    let mut best = None;
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if i >= limit {
            break;
        }
        if !SENTENCE_ENDS.contains(&c) {
            continue;
        }
        while let Some(&(_, next)) = chars.peek() {
            if SENTENCE_ENDS.contains(&next) || CLOSERS.contains(&next) {
                chars.next();
            } else {
                break;
            }
        }
        match chars.peek() {
            Some(&(end, next)) if end <= limit && next.is_whitespace() => best = Some(end),
            _ => {}
        }
    }
    best
}

/// The last whitespace within the first `limit` bytes, or the one right
/// at `limit` (cutting there keeps the part at `max` characters).
fn whitespace_cut(rest: &str, limit: usize) -> Option<usize> {
    if rest[limit..].starts_with(char::is_whitespace) {
        return Some(limit);
    }
    rest[..limit].rfind(char::is_whitespace).filter(|&i| i > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn squash(s: &str) -> String {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    }

    /// The properties every split must have.
    fn check(text: &str, max: usize) -> Vec<String> {
        let parts = split_text(text, max);
        for part in &parts {
            assert!(!part.is_empty(), "empty part in {parts:?}");
            assert!(
                part.chars().count() <= max.max(1),
                "part over {max}: {part:?}"
            );
            assert_eq!(part.trim(), part, "untrimmed part {part:?}");
        }
        assert_eq!(
            squash(&parts.concat()),
            squash(text),
            "text lost or changed"
        );
        parts
    }

    #[test]
    fn a_short_text_is_one_part() {
        assert_eq!(
            check("Hola, ¿cómo estás?", 4096),
            vec!["Hola, ¿cómo estás?"]
        );
        assert_eq!(check("  hi  ", 2), vec!["hi"]);
        assert_eq!(check("exact", 5), vec!["exact"]);
    }

    #[test]
    fn a_blank_text_has_no_parts() {
        assert!(check("", 10).is_empty());
        assert!(check(" \n\n\t ", 10).is_empty());
    }

    #[test]
    fn paragraphs_are_preferred() {
        let text = "First paragraph. It has two sentences.\n\nSecond one. Also two.";
        assert_eq!(
            check(text, 50),
            vec![
                "First paragraph. It has two sentences.",
                "Second one. Also two."
            ]
        );
        let crlf = "Uno dos tres.\r\n \r\nCuatro cinco seis.";
        assert_eq!(check(crlf, 25), vec!["Uno dos tres.", "Cuatro cinco seis."]);
    }

    #[test]
    fn then_sentences_and_spanish_marks_stay_with_their_sentence() {
        let text = "Tenemos tres planes. ¿Cuál te interesa más? ¡Te ayudo a elegir!";
        let parts = check(text, 45);
        assert_eq!(
            parts,
            vec![
                "Tenemos tres planes. ¿Cuál te interesa más?",
                "¡Te ayudo a elegir!"
            ]
        );
        let quoted = "He said \"stop.\" Then he left the room quietly.";
        assert_eq!(
            check(quoted, 20),
            vec!["He said \"stop.\"", "Then he left the", "room quietly."]
        );
        let ellipsis = "Pues… déjame ver qué opciones hay";
        assert_eq!(check(ellipsis, 20)[0], "Pues…");
    }

    #[test]
    fn a_sentence_end_right_at_the_limit_is_used() {
        // "Abc def." is 8 characters; the space after it is the 9th.
        assert_eq!(check("Abc def. ghi jkl", 8), vec!["Abc def.", "ghi jkl"]);
        // Decimal points are not sentence ends.
        assert_eq!(
            check("Cuesta 3.5 millones de pesos", 12),
            vec!["Cuesta 3.5", "millones de", "pesos"]
        );
    }

    #[test]
    fn then_whitespace_then_a_hard_cut() {
        assert_eq!(
            check("one two three four", 9),
            vec!["one two", "three", "four"]
        );
        assert_eq!(check("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
    }

    #[test]
    fn multi_byte_characters_are_counted_and_never_cut() {
        let text = "ñandú ñandú ñandú 😀😀😀😀😀 日本語のテキストです。続きます。";
        for max in 1..30 {
            check(text, max);
        }
        assert_eq!(check("😀😀😀", 2), vec!["😀😀", "😀"]);
        assert_eq!(check("日本語", 1), vec!["日", "本", "語"]);
    }

    #[test]
    fn a_zero_limit_is_one_character() {
        assert_eq!(check("ab c", 0), vec!["a", "b", "c"]);
    }

    #[test]
    fn a_long_reply_splits_within_whatsapp_limits() {
        let sentence = "Nuestro plan Pro incluye soporte prioritario, ¿te interesa? ";
        let text = sentence.repeat(200) + "\n\n" + &"Gracias. ".repeat(300);
        let parts = check(&text, 4096);
        assert!(parts.len() >= 4, "{}", parts.len());
        for part in &parts[..parts.len() - 1] {
            assert!(
                part.ends_with('?') || part.ends_with('.'),
                "not cut at a sentence: …{:?}",
                part.chars().rev().take(10).collect::<String>()
            );
        }
    }
}
