//! The languages Leadline talks in.

use serde::{Deserialize, Serialize};

/// A conversation's language. The built-in playbook speaks Spanish and
/// English; a playbook's templates are keyed by these codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Es,
    En,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::Es => "es",
            Language::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code.trim().to_ascii_lowercase().as_str() {
            "es" | "spa" | "spanish" | "español" => Some(Language::Es),
            "en" | "eng" | "english" | "inglés" => Some(Language::En),
            _ => None,
        }
    }

    pub const ALL: [Language; 2] = [Language::Es, Language::En];
}
