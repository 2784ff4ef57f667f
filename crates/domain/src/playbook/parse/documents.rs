//! The playbook's `[[documents]]`: what the `send_document` tool can send,
//! each with one real source and a known file type. Kept apart because a
//! document's checks (links, files, captions) share nothing with the flow's.

use super::{RawDocument, Source, is_identifier, language};
use crate::documents::{Document, DocumentSource, mime_type};
use crate::playbook::PlaybookError;
use std::collections::BTreeMap;
use toml::Spanned;

/// WhatsApp's longest media caption.
const CAPTION_MAX_CHARS: usize = 1024;

pub(super) fn documents(
    source: &Source<'_>,
    raw: Vec<Spanned<RawDocument>>,
) -> Result<Vec<Document>, PlaybookError> {
    let mut documents: Vec<Document> = Vec::with_capacity(raw.len());
    for (i, raw) in raw.into_iter().enumerate() {
        let span = raw.span();
        let raw = raw.into_inner();
        let id = raw.id.get_ref();
        let field = |name: &str| format!("documents[{i}].{name}");
        if !is_identifier(id) {
            return Err(source.error(raw.id.span(), field("id"), "must be lower_snake_case"));
        }
        if documents.iter().any(|d| &d.id == id) {
            return Err(source.error(
                raw.id.span(),
                field("id"),
                format!("duplicate document {id:?}"),
            ));
        }
        if raw.title.get_ref().trim().is_empty() {
            return Err(source.error(raw.title.span(), field("title"), "must not be empty"));
        }
        let source_of = match (raw.url, raw.file) {
            (Some(url), None) => {
                let link = url.get_ref().trim();
                let host = link
                    .strip_prefix("https://")
                    .or_else(|| link.strip_prefix("http://"));
                if !host.is_some_and(|h| !h.is_empty() && !h.contains(char::is_whitespace)) {
                    return Err(source.error(
                        url.span(),
                        field("url"),
                        format!("{link:?} is not an http(s) URL"),
                    ));
                }
                DocumentSource::Url(link.to_owned())
            }
            (None, Some(file)) if mime_type(file.get_ref().trim()).is_some() => {
                DocumentSource::File(file.get_ref().trim().to_owned())
            }
            (None, Some(file)) => {
                return Err(source.error(
                    file.span(),
                    field("file"),
                    format!(
                        "{:?} is not a document WhatsApp takes (.pdf, .txt, .doc, .docx, .xls, .xlsx, .ppt, .pptx)",
                        file.get_ref()
                    ),
                ));
            }
            _ => {
                return Err(source.error(
                    span,
                    format!("documents[{i}]"),
                    "needs exactly one of `url` (a link WhatsApp fetches) or `file` (a path on this server, uploaded once)",
                ));
            }
        };
        let localized = |name: &str, raw: BTreeMap<String, Spanned<String>>, max: usize| {
            let mut map = BTreeMap::new();
            for (code, text) in raw {
                let at = field(&format!("{name}.{code}"));
                let lang = language(source, &code, text.span(), &at)?;
                let value = text.get_ref().trim();
                let count = value.chars().count();
                if count == 0 || count > max {
                    return Err(source.error(
                        text.span(),
                        at,
                        format!("must be 1 to {max} characters, has {count}"),
                    ));
                }
                map.insert(lang, value.to_owned());
            }
            Ok::<_, PlaybookError>(map)
        };
        let filename = localized("filename", raw.filename, 240)?;
        let caption = localized("caption", raw.caption, CAPTION_MAX_CHARS)?;
        documents.push(Document {
            id: id.clone(),
            title: raw.title.into_inner(),
            description: raw.description,
            keywords: raw.keywords,
            source: source_of,
            filename,
            caption,
        });
    }
    Ok(documents)
}
