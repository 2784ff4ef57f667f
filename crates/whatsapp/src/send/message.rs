//! Outbound messages, checked against WhatsApp's limits when built so a
//! message the Graph API would refuse is never sent.

use super::SendError;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashSet;

/// Characters in a text message.
pub const TEXT_MAX_CHARS: usize = 4096;
/// Characters in the body of an interactive message.
pub const INTERACTIVE_BODY_MAX_CHARS: usize = 1024;
/// Reply buttons in one message.
pub const MAX_REPLY_BUTTONS: usize = 3;
/// Characters in a reply button's title.
pub const BUTTON_TITLE_MAX_CHARS: usize = 20;
/// Characters in a reply button's id.
pub const BUTTON_ID_MAX_CHARS: usize = 256;
/// Rows in a list message, all sections together.
pub const MAX_LIST_ROWS: usize = 10;
/// Characters in the label of the button that opens a list.
pub const LIST_BUTTON_MAX_CHARS: usize = 20;
/// Characters in a list section's title.
pub const SECTION_TITLE_MAX_CHARS: usize = 24;
/// Characters in a list row's title.
pub const ROW_TITLE_MAX_CHARS: usize = 24;
/// Characters in a list row's description.
pub const ROW_DESCRIPTION_MAX_CHARS: usize = 72;
/// Characters in a list row's id.
pub const ROW_ID_MAX_CHARS: usize = 200;
/// Characters in a media caption.
pub const CAPTION_MAX_CHARS: usize = 1024;
/// Characters of `biz_opaque_callback_data`.
pub const CALLBACK_DATA_MAX_CHARS: usize = 512;
/// Characters in a template's name.
pub const TEMPLATE_NAME_MAX_CHARS: usize = 512;

/// A message to send with [`CloudClient::send`](super::CloudClient::send),
/// serialized exactly as the Cloud API expects.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboundMessage {
    messaging_product: &'static str,
    recipient_type: &'static str,
    to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<ReplyContext>,
    #[serde(skip_serializing_if = "Option::is_none")]
    biz_opaque_callback_data: Option<String>,
    #[serde(flatten)]
    body: Body,
}

/// A reply button: `id` comes back in the user's `button_reply`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplyButton {
    pub id: String,
    pub title: String,
}

/// A section of a list message; the title is required when there are
/// several sections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListSection {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub rows: Vec<ListRow>,
}

/// A row of a list message: `id` comes back in the user's `list_reply`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListRow {
    pub id: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Where a document comes from: a public HTTPS link, or the id of media
/// uploaded to the Graph API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaSource {
    Link(String),
    Id(String),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct ReplyContext {
    message_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Body {
    Text { text: TextBody },
    Interactive { interactive: InteractiveBody },
    Document { document: DocumentBody },
    Template { template: TemplateBody },
    Reaction { reaction: ReactionBody },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct TextBody {
    body: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum InteractiveBody {
    Button {
        body: TextContent,
        action: ButtonAction,
    },
    List {
        body: TextContent,
        action: ListAction,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct TextContent {
    text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct ButtonAction {
    buttons: Vec<WireButton>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct WireButton {
    #[serde(rename = "type")]
    kind: &'static str,
    reply: ReplyButton,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct ListAction {
    button: String,
    sections: Vec<ListSection>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct DocumentBody {
    #[serde(flatten)]
    source: MediaSource,
    #[serde(skip_serializing_if = "Option::is_none")]
    caption: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    filename: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct TemplateBody {
    name: String,
    language: Language,
    #[serde(skip_serializing_if = "Option::is_none")]
    components: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct Language {
    code: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct ReactionBody {
    message_id: String,
    emoji: String,
}

impl OutboundMessage {
    /// A text message of 1 to 4096 characters.
    pub fn text(to: &str, body: &str) -> Result<Self, SendError> {
        check_chars("text body", body, 1, TEXT_MAX_CHARS)?;
        Self::new(
            to,
            Body::Text {
                text: TextBody {
                    body: body.to_owned(),
                },
            },
        )
    }

    /// A message with 1 to 3 reply buttons (titles up to 20 characters,
    /// ids unique).
    pub fn reply_buttons(
        to: &str,
        body: &str,
        buttons: Vec<ReplyButton>,
    ) -> Result<Self, SendError> {
        check_chars("interactive body", body, 1, INTERACTIVE_BODY_MAX_CHARS)?;
        check_count("reply buttons", buttons.len(), 1, MAX_REPLY_BUTTONS)?;
        for b in &buttons {
            check_chars("button id", &b.id, 1, BUTTON_ID_MAX_CHARS)?;
            check_chars("button title", &b.title, 1, BUTTON_TITLE_MAX_CHARS)?;
        }
        check_unique("button id", buttons.iter().map(|b| b.id.as_str()))?;
        check_unique("button title", buttons.iter().map(|b| b.title.as_str()))?;
        let buttons = buttons
            .into_iter()
            .map(|reply| WireButton {
                kind: "reply",
                reply,
            })
            .collect();
        let interactive = InteractiveBody::Button {
            body: TextContent {
                text: body.to_owned(),
            },
            action: ButtonAction { buttons },
        };
        Self::new(to, Body::Interactive { interactive })
    }

    /// A list message: a button (label up to 20 characters) that opens up
    /// to 10 rows in all, grouped in titled sections.
    pub fn list(
        to: &str,
        body: &str,
        button: &str,
        sections: Vec<ListSection>,
    ) -> Result<Self, SendError> {
        check_chars("interactive body", body, 1, INTERACTIVE_BODY_MAX_CHARS)?;
        check_chars("list button label", button, 1, LIST_BUTTON_MAX_CHARS)?;
        check_count("list sections", sections.len(), 1, MAX_LIST_ROWS)?;
        let rows = sections.iter().flat_map(|s| &s.rows);
        check_count("list rows", rows.clone().count(), 1, MAX_LIST_ROWS)?;
        for section in &sections {
            match &section.title {
                Some(title) => check_chars("section title", title, 1, SECTION_TITLE_MAX_CHARS)?,
                None if sections.len() > 1 => {
                    return Err(SendError::Invalid(
                        "every section needs a title when there are several".into(),
                    ));
                }
                None => {}
            }
            check_count("rows in a section", section.rows.len(), 1, MAX_LIST_ROWS)?;
        }
        for row in rows.clone() {
            check_chars("row id", &row.id, 1, ROW_ID_MAX_CHARS)?;
            check_chars("row title", &row.title, 1, ROW_TITLE_MAX_CHARS)?;
            if let Some(description) = &row.description {
                check_chars("row description", description, 0, ROW_DESCRIPTION_MAX_CHARS)?;
            }
        }
        check_unique("row id", rows.map(|r| r.id.as_str()))?;
        let action = ListAction {
            button: button.to_owned(),
            sections,
        };
        let interactive = InteractiveBody::List {
            body: TextContent {
                text: body.to_owned(),
            },
            action,
        };
        Self::new(to, Body::Interactive { interactive })
    }

    /// A document, by link or uploaded media id, with an optional file name
    /// (shown to the user) and caption (up to 1024 characters).
    pub fn document(
        to: &str,
        source: MediaSource,
        filename: Option<&str>,
        caption: Option<&str>,
    ) -> Result<Self, SendError> {
        match &source {
            MediaSource::Link(link)
                if !(link.starts_with("https://") || link.starts_with("http://")) =>
            {
                return Err(SendError::Invalid(
                    "a document link must be an http(s) URL".into(),
                ));
            }
            MediaSource::Id(id) if id.trim().is_empty() => {
                return Err(SendError::Invalid(
                    "a document media id must not be empty".into(),
                ));
            }
            _ => {}
        }
        if let Some(filename) = filename {
            check_chars("document file name", filename.trim(), 1, usize::MAX)?;
        }
        if let Some(caption) = caption {
            check_chars("caption", caption, 1, CAPTION_MAX_CHARS)?;
        }
        let document = DocumentBody {
            source,
            caption: caption.map(str::to_owned),
            filename: filename.map(str::to_owned),
        };
        Self::new(to, Body::Document { document })
    }

    /// An approved template, by name and language code (`es_MX`), with its
    /// `components` (the Cloud API's array of header/body/button
    /// parameters) when it has variables.
    pub fn template(
        to: &str,
        name: &str,
        language_code: &str,
        components: Option<Value>,
    ) -> Result<Self, SendError> {
        check_chars("template name", name, 1, TEMPLATE_NAME_MAX_CHARS)?;
        check_chars(
            "template language code",
            language_code.trim(),
            1,
            usize::MAX,
        )?;
        if components.as_ref().is_some_and(|c| !c.is_array()) {
            return Err(SendError::Invalid(
                "template components must be a JSON array".into(),
            ));
        }
        let template = TemplateBody {
            name: name.to_owned(),
            language: Language {
                code: language_code.to_owned(),
            },
            components,
        };
        Self::new(to, Body::Template { template })
    }

    /// A reaction to `message_id`; an empty `emoji` removes the reaction.
    pub fn reaction(to: &str, message_id: &str, emoji: &str) -> Result<Self, SendError> {
        check_chars("reacted message id", message_id.trim(), 1, usize::MAX)?;
        let reaction = ReactionBody {
            message_id: message_id.to_owned(),
            emoji: emoji.to_owned(),
        };
        Self::new(to, Body::Reaction { reaction })
    }

    /// Shows the message as a reply to `message_id` (quoted above it).
    pub fn in_reply_to(mut self, message_id: &str) -> Result<Self, SendError> {
        check_chars("replied message id", message_id.trim(), 1, usize::MAX)?;
        self.context = Some(ReplyContext {
            message_id: message_id.to_owned(),
        });
        Ok(self)
    }

    /// Attaches `data`, which Meta echoes in every status webhook of the
    /// message (`biz_opaque_callback_data`): a way to tie a status to what
    /// was sent without knowing the message id Graph gave it.
    pub fn with_callback_data(mut self, data: &str) -> Result<Self, SendError> {
        check_chars("callback data", data, 1, CALLBACK_DATA_MAX_CHARS)?;
        self.biz_opaque_callback_data = Some(data.to_owned());
        Ok(self)
    }

    /// The recipient: a phone number or a BSUID.
    pub fn to(&self) -> &str {
        &self.to
    }

    fn new(to: &str, body: Body) -> Result<Self, SendError> {
        check_chars("recipient", to.trim(), 1, usize::MAX)?;
        Ok(Self {
            messaging_product: "whatsapp",
            recipient_type: "individual",
            to: to.to_owned(),
            context: None,
            biz_opaque_callback_data: None,
            body,
        })
    }
}

/// Checks a length in characters (what WhatsApp counts), naming the field
/// but never its content.
fn check_chars(what: &str, value: &str, min: usize, max: usize) -> Result<(), SendError> {
    let n = value.chars().count();
    if n < min {
        return Err(SendError::Invalid(format!("the {what} must not be empty")));
    }
    if n > max {
        return Err(SendError::Invalid(format!(
            "the {what} has {n} characters; WhatsApp allows {max}"
        )));
    }
    Ok(())
}

fn check_count(what: &str, n: usize, min: usize, max: usize) -> Result<(), SendError> {
    if (min..=max).contains(&n) {
        Ok(())
    } else {
        Err(SendError::Invalid(format!(
            "{n} {what}; WhatsApp allows {min} to {max}"
        )))
    }
}

fn check_unique<'a>(what: &str, values: impl Iterator<Item = &'a str>) -> Result<(), SendError> {
    let mut seen = HashSet::new();
    if values.into_iter().all(|v| seen.insert(v)) {
        Ok(())
    } else {
        Err(SendError::Invalid(format!("every {what} must be unique")))
    }
}

#[cfg(test)]
mod tests;
