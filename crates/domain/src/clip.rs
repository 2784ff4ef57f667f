//! Cutting text to a number of characters with an ellipsis, for what has
//! a size limit: a rep's WhatsApp notice, a summary in the prompt. One
//! rule, so a clipped quote reads the same wherever it is shown.

/// `text` as it is when it has at most `max` characters, else its first
/// `max - 1` and "…".
pub fn to_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut clipped: String = text.chars().take(max.saturating_sub(1)).collect();
    clipped.push('…');
    clipped
}

#[cfg(test)]
mod tests {
    #[test]
    fn clips_by_characters_with_an_ellipsis() {
        assert_eq!(super::to_chars("hola", 4), "hola");
        assert_eq!(super::to_chars("¿qué tal?", 5), "¿qué…");
        assert_eq!(super::to_chars("abc", 0), "…");
    }
}
