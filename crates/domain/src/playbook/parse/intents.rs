//! The playbook's `[[intents]]`: what the local brain recognises, from
//! enough example phrases in each language. Kept apart because intents are
//! checked before the stages whose templates name them.

use super::{RawIntent, Source, is_identifier, language};
use crate::language::Language;
use crate::playbook::{Intent, PlaybookError};
use std::collections::BTreeMap;
use toml::Spanned;

/// Fewest example phrases per intent and language the classifier learns from.
const MIN_EXAMPLES: usize = 5;

pub(super) fn intents(
    source: &Source<'_>,
    raw: Vec<Spanned<RawIntent>>,
) -> Result<Vec<Intent>, PlaybookError> {
    let mut intents: Vec<Intent> = Vec::with_capacity(raw.len());
    for (i, raw) in raw.into_iter().enumerate() {
        let raw = raw.into_inner();
        let id = raw.id.get_ref();
        if !is_identifier(id) {
            return Err(source.error(
                raw.id.span(),
                format!("intents[{i}].id"),
                "must be lower_snake_case",
            ));
        }
        if intents.iter().any(|x| &x.id == id) {
            return Err(source.error(
                raw.id.span(),
                format!("intents[{i}].id"),
                format!("duplicate intent {id:?}"),
            ));
        }
        let mut examples = BTreeMap::new();
        for (code, phrases) in raw.examples.get_ref() {
            let field = format!("intents[{i}].examples.{code}");
            let lang = language(source, code, phrases.span(), &field)?;
            let list: Vec<String> = phrases
                .get_ref()
                .iter()
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect();
            examples.insert(lang, list);
        }
        for lang in Language::ALL {
            let count = examples.get(&lang).map_or(0, Vec::len);
            if count < MIN_EXAMPLES {
                let at = raw
                    .examples
                    .get_ref()
                    .get(lang.code())
                    .map_or(raw.examples.span(), Spanned::span);
                return Err(source.error(
                    at,
                    format!("intents[{i}].examples.{}", lang.code()),
                    format!("needs at least {MIN_EXAMPLES} example phrases, has {count}"),
                ));
            }
        }
        intents.push(Intent {
            id: id.clone(),
            examples,
            hands_off: raw.hands_off,
        });
    }
    Ok(intents)
}
