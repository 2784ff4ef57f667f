//! The notifications Meta POSTs to a webhook: messages users sent, statuses
//! of messages the business sent, and other account changes.
//!
//! Parsing is forward compatible: unknown fields are ignored, unknown
//! message types, interactive replies and status values are kept (with the
//! raw JSON where it matters), and changes of fields other than `messages`
//! are kept raw. One odd timestamp does not fail a batch of up to 1000
//! updates.

mod lenient;
mod message;
mod status;

pub use message::{
    Audio, Button, ContactAddress, ContactCard, ContactEmail, ContactName, ContactOrg,
    ContactPhone, ContactUrl, Context, Document, Image, Interactive, Location, MediaRef, Message,
    MessageKind, Order, ProductItem, Reaction, Referral, ReferredProduct, Sticker, System, Text,
    Unsupported, Video, WelcomeMessage,
};
pub use status::{Conversation, ConversationOrigin, Pricing, Status, StatusKind};

use serde::Deserialize;
use serde::de::{Deserializer, Error as _, IgnoredAny};
use serde_json::Value;

/// The `object` of every WhatsApp Business Account notification.
pub const OBJECT: &str = "whatsapp_business_account";

/// Why a body is not a notification.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// Not JSON at all: a client error (HTTP 400).
    #[error("the body is not JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    /// Valid JSON, but not a WhatsApp notification of a shape this crate
    /// reads. Signed by Meta, so best acknowledged (200) and logged: Meta
    /// would otherwise retry it for days. The text names no values from the
    /// body, so it is safe to log.
    #[error("the body is not a WhatsApp notification: {0}")]
    Shape(String),
}

/// Parses a webhook body, as received, into a [`Notification`].
pub fn parse_notification(body: &[u8]) -> Result<Notification, ParseError> {
    let notification: Notification =
        serde_json::from_slice(body).map_err(|e| match e.classify() {
            serde_json::error::Category::Data => match serde_json::from_slice::<IgnoredAny>(body) {
                // Valid JSON: a shape error. serde's message may quote a value
                // from the body (a phone number), so only its position is kept.
                Ok(_) => ParseError::Shape(format!(
                    "unexpected content at line {} column {}",
                    e.line(),
                    e.column()
                )),
                Err(syntax) => ParseError::NotJson(syntax),
            },
            _ => ParseError::NotJson(e),
        })?;
    if notification.object != OBJECT {
        return Err(ParseError::Shape(format!("`object` is not {OBJECT}")));
    }
    Ok(notification)
}

/// One webhook delivery: entries per WhatsApp Business Account, each with
/// its changes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Notification {
    /// Always [`OBJECT`] once parsed.
    pub object: String,
    pub entry: Vec<Entry>,
}

impl Notification {
    /// Every message of every entry and change, with what a consumer needs
    /// beside it.
    pub fn messages(&self) -> impl Iterator<Item = MessageEvent<'_>> {
        self.messages_changes().flat_map(|change| {
            change.messages.iter().map(move |message| MessageEvent {
                metadata: &change.metadata,
                contact: change.contact_for(message),
                message,
            })
        })
    }

    /// Every status of every entry and change.
    pub fn statuses(&self) -> impl Iterator<Item = StatusEvent<'_>> {
        self.messages_changes().flat_map(|change| {
            change.statuses.iter().map(move |status| StatusEvent {
                metadata: &change.metadata,
                status,
            })
        })
    }

    /// Changes of fields other than `messages` (`account_update`,
    /// `message_template_status_update`, ...), raw.
    pub fn other_changes(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.changes().filter_map(|change| match change {
            Change::Other { field, value } => Some((field.as_str(), value)),
            Change::Messages(_) => None,
        })
    }

    /// Every `messages` change of every entry.
    pub fn messages_changes(&self) -> impl Iterator<Item = &MessagesValue> {
        self.changes().filter_map(|change| match change {
            Change::Messages(value) => Some(value.as_ref()),
            Change::Other { .. } => None,
        })
    }

    fn changes(&self) -> impl Iterator<Item = &Change> {
        self.entry.iter().flat_map(|entry| entry.changes.iter())
    }
}

/// A message with the business number it was sent to and the sender's
/// contact (profile name, ids), when Meta sent one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MessageEvent<'a> {
    pub metadata: &'a Metadata,
    pub contact: Option<&'a Contact>,
    pub message: &'a Message,
}

/// A status with the business number whose message it is about.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StatusEvent<'a> {
    pub metadata: &'a Metadata,
    pub status: &'a Status,
}

/// The changes of one WhatsApp Business Account.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Entry {
    /// The WhatsApp Business Account id.
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub changes: Vec<Change>,
}

/// One change: `messages` (messages and statuses), typed; any other field
/// kept raw. A `messages` change without the documented skeleton (metadata,
/// message ids, status values as strings) fails the parse as
/// [`ParseError::Shape`]: it is not a notification this crate can vouch for.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Messages(Box<MessagesValue>),
    Other { field: String, value: Value },
}

impl<'de> Deserialize<'de> for Change {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            field: String,
            #[serde(default)]
            value: Value,
        }
        let raw = Raw::deserialize(deserializer)?;
        if raw.field == "messages" {
            MessagesValue::deserialize(raw.value)
                .map(|v| Change::Messages(Box::new(v)))
                .map_err(D::Error::custom)
        } else {
            Ok(Change::Other {
                field: raw.field,
                value: raw.value,
            })
        }
    }
}

/// The value of a `messages` change.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MessagesValue {
    #[serde(default)]
    pub messaging_product: String,
    pub metadata: Metadata,
    /// The senders of `messages`; absent for statuses and some system
    /// messages.
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub messages: Vec<Message>,
    #[serde(default)]
    pub statuses: Vec<Status>,
    /// Errors about the change as a whole.
    #[serde(default)]
    pub errors: Vec<ErrorDetail>,
}

impl MessagesValue {
    /// The contact Meta sent for a message's sender, matched by phone
    /// number or BSUID.
    pub fn contact_for(&self, message: &Message) -> Option<&Contact> {
        self.contacts.iter().find(|c| {
            (c.wa_id.is_some() && c.wa_id == message.from)
                || (c.user_id.is_some() && c.user_id == message.from_user_id)
        })
    }
}

/// The business phone number a change is about.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Metadata {
    #[serde(default)]
    pub display_phone_number: String,
    /// The id to send from (`POST /{phone_number_id}/messages`).
    pub phone_number_id: String,
}

/// A user who sent messages in a change.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Contact {
    pub profile: Option<Profile>,
    /// The phone number, when Meta shares it.
    pub wa_id: Option<String>,
    /// The business-scoped user id (BSUID).
    pub user_id: Option<String>,
    /// The parent BSUID, for linked business portfolios.
    pub parent_user_id: Option<String>,
}

impl Contact {
    /// The name on the user's WhatsApp profile.
    pub fn name(&self) -> Option<&str> {
        self.profile.as_ref()?.name.as_deref()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Profile {
    pub name: Option<String>,
    /// The user's WhatsApp username, when they adopted one.
    pub username: Option<String>,
}

/// An error Meta reports in a webhook (failed statuses, unsupported
/// messages).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ErrorDetail {
    /// The Graph error code (`131047`, ...); `None` only if Meta sent none.
    #[serde(default, deserialize_with = "lenient::integer")]
    pub code: Option<i64>,
    pub title: Option<String>,
    pub message: Option<String>,
    pub error_data: Option<ErrorData>,
    pub href: Option<String>,
}

impl ErrorDetail {
    /// The most specific explanation Meta gave.
    pub fn details(&self) -> Option<&str> {
        self.error_data
            .as_ref()
            .and_then(|d| d.details.as_deref())
            .or(self.message.as_deref())
            .or(self.title.as_deref())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ErrorData {
    pub details: Option<String>,
}
