//! Documents the agents can send (the playbook's `[[documents]]`): the
//! `send_document` tool picks one by id or by what the customer asked for,
//! and the router sends it, at most once per conversation unless asked
//! again.

use crate::language::Language;
use crate::tools::{Tool, ToolError, ToolInvocation, ToolOutcome};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The tool that sends a document: `{"document": id}` or `{"query": what
/// the customer asked for}` -> `{"document": id, "title": ...}`; an
/// unknown document is an error naming the ones there are.
pub const SEND_DOCUMENT: &str = "send_document";

/// The intent of a customer asking for a document: a document already sent
/// in the conversation goes again only in a turn read as this ask.
pub const ASK_DOCUMENT: &str = "ask_document";

/// A document as it goes out in one conversation's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSend {
    pub id: String,
    pub source: DocumentSource,
    pub filename: Option<String>,
    pub caption: Option<String>,
}

/// A document of the playbook.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// lower_snake_case, what the model passes to the tool.
    pub id: String,
    pub title: String,
    /// When to offer it / what it holds, for the model.
    pub description: String,
    /// Words that name it in a request ("precios", "price list"), besides
    /// its title.
    pub keywords: Vec<String>,
    pub source: DocumentSource,
    /// The file name the customer sees, per language.
    pub filename: BTreeMap<Language, String>,
    /// The caption under it, per language.
    pub caption: BTreeMap<Language, String>,
}

/// Where a document's bytes are.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentSource {
    /// An http(s) URL WhatsApp fetches itself.
    Url(String),
    /// A file on the server, uploaded through the Graph media API.
    File(String),
}

impl Document {
    /// The file name in `language`, else in any language the playbook gave.
    pub fn filename(&self, language: Language) -> Option<&str> {
        localized(&self.filename, language)
    }

    /// The caption in `language`, else in any language the playbook gave.
    pub fn caption(&self, language: Language) -> Option<&str> {
        localized(&self.caption, language)
    }

    /// The document as sent to a customer speaking `language`.
    pub fn send(&self, language: Language) -> DocumentSend {
        DocumentSend {
            id: self.id.clone(),
            source: self.source.clone(),
            filename: self.filename(language).map(str::to_owned),
            caption: self.caption(language).map(str::to_owned),
        }
    }

    /// How many of its title's and keywords' words `query` names.
    fn score(&self, query: &[String]) -> usize {
        let names = std::iter::once(self.title.as_str())
            .chain(self.keywords.iter().map(String::as_str))
            .chain(std::iter::once(self.id.as_str()));
        names
            .flat_map(words)
            .filter(|w| w.chars().count() > 3)
            .collect::<std::collections::BTreeSet<_>>()
            .iter()
            .filter(|w| query.contains(w))
            .count()
    }
}

fn localized(map: &BTreeMap<Language, String>, language: Language) -> Option<&str> {
    map.get(&language)
        .or_else(|| map.values().next())
        .map(String::as_str)
}

/// The MIME type WhatsApp accepts for a document file, by its extension
/// (Meta's list of supported document types); `None` for any other file.
pub fn mime_type(path: &str) -> Option<&'static str> {
    let extension = std::path::Path::new(path)
        .extension()?
        .to_str()?
        .to_ascii_lowercase();
    Some(match extension.as_str() {
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _ => return None,
    })
}

/// Lowercase words without accents: "Lista de Precios" -> lista, de, precios.
fn words(text: &str) -> Vec<String> {
    crate::language::fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The document `id` names, else the one `query` names most words of.
pub fn find<'a>(
    documents: &'a [Document],
    id: Option<&str>,
    query: Option<&str>,
) -> Option<&'a Document> {
    if let Some(doc) = id.and_then(|id| documents.iter().find(|d| d.id == id)) {
        return Some(doc);
    }
    let query = words(query.or(id)?);
    let (best, score) = documents
        .iter()
        .map(|d| (d, d.score(&query)))
        .max_by_key(|(_, score)| *score)?;
    (score > 0).then_some(best)
}

/// `send_document` over the playbook's documents. It only picks the
/// document: the router sends it with the turn's replies, through the
/// outbox, so a turn that is not committed sends nothing.
pub struct SendDocument {
    documents: Arc<[Document]>,
    description: String,
}

impl SendDocument {
    pub fn new(documents: &[Document]) -> SendDocument {
        let list: Vec<String> = documents
            .iter()
            .map(|d| format!("{} ({}): {}", d.id, d.title, d.description))
            .collect();
        SendDocument {
            documents: documents.into(),
            description: format!(
                "Sends the customer one of these documents, only when they ask for it in their \
                 latest message: {}. A document already sent is sent again only if they ask \
                 again.",
                list.join("; ")
            ),
        }
    }
}

#[async_trait]
impl Tool for SendDocument {
    fn name(&self) -> &str {
        SEND_DOCUMENT
    }

    fn description(&self) -> &str {
        &self.description
    }

    fn parameters(&self) -> Value {
        let ids: Vec<&str> = self.documents.iter().map(|d| d.id.as_str()).collect();
        json!({
            "type": "object",
            "properties": {
                "document": { "type": "string", "enum": ids, "description": "the document's id" },
                "query": { "type": "string", "description": "what the customer asked for, when no id fits" }
            },
            "additionalProperties": false
        })
    }

    async fn call(&self, invocation: ToolInvocation<'_>) -> Result<ToolOutcome, ToolError> {
        let text = |key: &str| invocation.arguments.get(key).and_then(Value::as_str);
        let (id, query) = (text("document"), text("query"));
        match find(&self.documents, id, query) {
            Some(doc) => Ok(ToolOutcome::DocumentSent {
                document: doc.id.clone(),
                title: doc.title.clone(),
            }),
            None => {
                let there: Vec<String> = self
                    .documents
                    .iter()
                    .map(|d| format!("{} ({})", d.id, d.title))
                    .collect();
                let asked = id.or(query).unwrap_or("nothing");
                Err(ToolError::Refused(format!(
                    "no document matches {asked:?}; tell the customer you don't have it. \
                     Documents: {}",
                    if there.is_empty() {
                        "none".to_owned()
                    } else {
                        there.join(", ")
                    }
                )))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playbook::Playbook;

    #[test]
    fn documents_are_found_by_id_or_by_the_words_of_a_request() {
        let playbook = Playbook::builtin();
        let docs = &playbook.documents;
        let id = |q: &str| find(docs, None, Some(q)).map(|d| d.id.as_str());
        assert_eq!(id("¿me mandas la lista de precios?"), Some("price_list"));
        assert_eq!(id("can you send the price list?"), Some("price_list"));
        assert_eq!(id("can you send me the brochure"), Some("brochure"));
        assert_eq!(id("envíame el folleto"), Some("brochure"));
        assert_eq!(id("send me your tax return"), None);
        assert_eq!(
            find(docs, Some("brochure"), None).map(|d| d.id.as_str()),
            Some("brochure")
        );
        // A model that passes a title as the id still finds it.
        assert_eq!(
            find(docs, Some("Price list"), None).map(|d| d.id.as_str()),
            Some("price_list")
        );
    }
}
