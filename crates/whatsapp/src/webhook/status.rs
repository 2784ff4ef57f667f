//! Delivery statuses of messages the business sent.

use super::{ErrorDetail, lenient};
use serde::{Deserialize, Deserializer};

/// One status change of a message the business sent.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Status {
    /// The id of the business's message (`wamid.…`).
    pub id: String,
    pub status: StatusKind,
    /// Unix seconds; `None` when Meta sent something that is not a number.
    #[serde(default, deserialize_with = "lenient::integer")]
    pub timestamp: Option<i64>,
    /// The recipient's phone number, when Meta shares it.
    pub recipient_id: Option<String>,
    /// The recipient's business-scoped user id (BSUID).
    pub recipient_user_id: Option<String>,
    /// The recipient's parent BSUID, for linked business portfolios.
    pub recipient_parent_user_id: Option<String>,
    /// `individual` or `group`.
    pub recipient_type: Option<String>,
    /// The string the business attached when sending, echoed back.
    pub biz_opaque_callback_data: Option<String>,
    pub conversation: Option<Conversation>,
    pub pricing: Option<Pricing>,
    /// Why the message failed (with `failed`).
    #[serde(default)]
    pub errors: Vec<ErrorDetail>,
}

impl Status {
    /// Who the message went to: the phone number when Meta shares it, else
    /// the BSUID.
    pub fn recipient(&self) -> Option<&str> {
        self.recipient_id
            .as_deref()
            .or(self.recipient_user_id.as_deref())
    }
}

/// Where a sent message is. Values Meta adds later are kept in `Unknown`
/// rather than failing the batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusKind {
    Sent,
    Delivered,
    Read,
    /// A voice message was played.
    Played,
    Failed,
    Unknown(String),
}

impl StatusKind {
    /// The status as on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            StatusKind::Sent => "sent",
            StatusKind::Delivered => "delivered",
            StatusKind::Read => "read",
            StatusKind::Played => "played",
            StatusKind::Failed => "failed",
            StatusKind::Unknown(other) => other,
        }
    }
}

impl<'de> Deserialize<'de> for StatusKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        Ok(match value.as_str() {
            "sent" => StatusKind::Sent,
            "delivered" => StatusKind::Delivered,
            "read" => StatusKind::Read,
            "played" => StatusKind::Played,
            "failed" => StatusKind::Failed,
            _ => StatusKind::Unknown(value),
        })
    }
}

/// The conversation a sent message was billed in (conversation-based
/// pricing; absent under per-message pricing).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Conversation {
    pub id: Option<String>,
    pub origin: Option<ConversationOrigin>,
    /// Unix seconds; only on the first `sent` of a conversation.
    #[serde(default, deserialize_with = "lenient::integer")]
    pub expiration_timestamp: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ConversationOrigin {
    /// `service`, `utility`, `marketing`, `authentication`, ...
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// How a sent message is priced.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Pricing {
    pub billable: Option<bool>,
    /// `CBP` or `PMP`.
    pub pricing_model: Option<String>,
    /// `service`, `utility`, `marketing`, `authentication`, ...
    pub category: Option<String>,
    /// `regular`, `free_customer_service`, `free_entry_point`, ...
    #[serde(rename = "type")]
    pub kind: Option<String>,
}
