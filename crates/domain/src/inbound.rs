//! What arrives from the customer's side, in domain terms. The ingress
//! translates Cloud API payloads into these; nothing here knows the wire.

use crate::customer::CustomerId;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// One customer message, as it is queued in the inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboundMessage {
    /// WhatsApp's message id (`wamid....`): the dedup and reply key.
    pub id: String,
    pub customer: CustomerId,
    /// The business phone number id the message was sent to.
    pub business_number_id: String,
    /// The name on the customer's WhatsApp profile, when Meta sent it.
    pub profile_name: Option<String>,
    pub sent_at: Timestamp,
    pub content: Content,
}

/// What a message says, reduced to what an agent can act on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Content {
    Text {
        body: String,
    },
    /// A reply button, list row or quick-reply template button.
    Choice {
        id: String,
        title: String,
    },
    /// Image, audio (voice note), video, document or sticker.
    Media {
        kind: String,
        /// The Graph media id, to download the file (Meta keeps it 30 days).
        media_id: String,
        mime_type: Option<String>,
        caption: Option<String>,
        filename: Option<String>,
        /// What was said in a voice note, when the engine transcribed it
        /// before the turn: what the agent reads instead of `[audio]`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        transcript: Option<String>,
    },
    Location {
        latitude: f64,
        longitude: f64,
        name: Option<String>,
        address: Option<String>,
    },
    /// Contact cards, reduced to display names.
    Contacts {
        names: Vec<String>,
    },
    Reaction {
        emoji: String,
        message_id: String,
    },
    /// A type Leadline does not act on (order, system, unsupported, or one
    /// Meta adds later): kept so nothing is lost, answered by nobody.
    Other {
        type_name: String,
    },
}

impl Content {
    /// The text an agent reads for this message, if it says anything.
    pub fn text(&self) -> Option<&str> {
        match self {
            Content::Text { body } => Some(body),
            Content::Choice { title, .. } => Some(title),
            Content::Media {
                caption,
                transcript,
                ..
            } => transcript.as_deref().or(caption.as_deref()),
            _ => None,
        }
    }

    /// Whether this is a voice note (or any audio) not yet transcribed.
    pub fn is_untranscribed_audio(&self) -> bool {
        matches!(self, Content::Media { kind, transcript: None, .. } if kind == "audio")
    }

    /// Whether this message calls for a turn at all. Reactions and unknown
    /// types are recorded but never answered.
    pub fn wants_reply(&self) -> bool {
        !matches!(self, Content::Reaction { .. } | Content::Other { .. })
    }
}

/// A delivery status for a message Leadline sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusUpdate {
    /// The id of the outbound message (`wamid....`).
    pub message_id: String,
    pub recipient: CustomerId,
    pub state: DeliveryState,
    pub at: Timestamp,
    /// Graph error codes and titles, for `failed`.
    pub errors: Vec<(i64, String)>,
    /// The outbox key Leadline attached when sending
    /// (`biz_opaque_callback_data`): proof that Graph accepted that entry,
    /// even if the sender died before recording it.
    #[serde(default)]
    pub outbox_key: Option<String>,
}

/// Statuses only move forward: a `delivered` arriving after `read` is kept
/// out by comparing these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    Sent,
    Delivered,
    Read,
    Failed,
}

impl DeliveryState {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sent" => Some(Self::Sent),
            "delivered" => Some(Self::Delivered),
            "read" => Some(Self::Read),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Failed => "failed",
        }
    }
}
