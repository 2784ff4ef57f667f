//! Messages a WhatsApp user sent to the business.

use super::{ErrorDetail, lenient};
use serde::Deserialize;
use serde::de::{Deserializer, Error as _};
use serde_json::Value;

/// One message from a WhatsApp user.
///
/// The sender is identified by their phone number (`from`), their
/// business-scoped user id (`from_user_id`, a BSUID such as
/// `US.13491208655302741918`), or both: users who adopt a username may
/// withhold their number. [`Message::sender`] picks whichever is there.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// WhatsApp's id for the message (`wamid.…`).
    pub id: String,
    /// The sender's phone number, when Meta shares it.
    pub from: Option<String>,
    /// The sender's business-scoped user id (BSUID).
    pub from_user_id: Option<String>,
    /// The sender's parent BSUID, for linked business portfolios.
    pub from_parent_user_id: Option<String>,
    /// Set when the message was sent in a group.
    pub group_id: Option<String>,
    /// Unix seconds; `None` when Meta sent something that is not a number.
    pub timestamp: Option<i64>,
    /// What the message replies to, or that it was forwarded.
    pub context: Option<Context>,
    /// The click-to-WhatsApp ad the user came from.
    pub referral: Option<Referral>,
    /// Why Meta could not deliver the content (with `unsupported`).
    pub errors: Vec<ErrorDetail>,
    pub kind: MessageKind,
}

impl Message {
    /// Who sent the message: the phone number when Meta shares it, else the
    /// BSUID.
    pub fn sender(&self) -> Option<&str> {
        self.from.as_deref().or(self.from_user_id.as_deref())
    }
}

/// What a message carries, by its `type`.
#[derive(Debug, Clone, PartialEq)]
pub enum MessageKind {
    Text(Text),
    /// A reply button, list row or WhatsApp Flow answer.
    Interactive(Interactive),
    /// A quick-reply button of a template message.
    Button(Button),
    Image(Image),
    Audio(Audio),
    Video(Video),
    Document(Document),
    Sticker(Sticker),
    Location(Location),
    Contacts(Vec<ContactCard>),
    Reaction(Reaction),
    Order(Order),
    /// A change on the user's side (new number, new BSUID).
    System(System),
    /// A message type WhatsApp does not deliver through the Cloud API; the
    /// message's `errors` say why.
    Unsupported(Unsupported),
    /// A type this crate does not know (Meta adds types over time), or a
    /// known type whose content it could not read. `raw` is the whole
    /// message as Meta sent it, so nothing is lost.
    Unknown {
        type_name: String,
        raw: Value,
    },
}

impl MessageKind {
    /// The message's `type` as on the wire.
    pub fn type_name(&self) -> &str {
        match self {
            MessageKind::Text(_) => "text",
            MessageKind::Interactive(_) => "interactive",
            MessageKind::Button(_) => "button",
            MessageKind::Image(_) => "image",
            MessageKind::Audio(_) => "audio",
            MessageKind::Video(_) => "video",
            MessageKind::Document(_) => "document",
            MessageKind::Sticker(_) => "sticker",
            MessageKind::Location(_) => "location",
            MessageKind::Contacts(_) => "contacts",
            MessageKind::Reaction(_) => "reaction",
            MessageKind::Order(_) => "order",
            MessageKind::System(_) => "system",
            MessageKind::Unsupported(_) => "unsupported",
            MessageKind::Unknown { type_name, .. } => type_name,
        }
    }

    /// The media a message carries (image, audio, video, document,
    /// sticker), in one shape for callers that treat them alike.
    pub fn media(&self) -> Option<MediaRef<'_>> {
        let (kind, id, mime_type, caption, filename) = match self {
            MessageKind::Image(m) => ("image", &m.id, &m.mime_type, m.caption.as_deref(), None),
            MessageKind::Audio(m) => ("audio", &m.id, &m.mime_type, None, None),
            MessageKind::Video(m) => ("video", &m.id, &m.mime_type, m.caption.as_deref(), None),
            MessageKind::Document(m) => (
                "document",
                &m.id,
                &m.mime_type,
                m.caption.as_deref(),
                m.filename.as_deref(),
            ),
            MessageKind::Sticker(m) => ("sticker", &m.id, &m.mime_type, None, None),
            _ => return None,
        };
        Some(MediaRef {
            kind,
            id,
            mime_type: mime_type.as_deref(),
            caption,
            filename,
        })
    }
}

/// A borrowed view of any media message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaRef<'a> {
    /// `image`, `audio`, `video`, `document` or `sticker`.
    pub kind: &'static str,
    /// The media id, to download it through the Graph API.
    pub id: &'a str,
    pub mime_type: Option<&'a str>,
    pub caption: Option<&'a str>,
    pub filename: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Text {
    pub body: String,
}

/// The user's answer to an interactive message.
#[derive(Debug, Clone, PartialEq)]
pub enum Interactive {
    ButtonReply {
        id: String,
        title: String,
    },
    ListReply {
        id: String,
        title: String,
        description: Option<String>,
    },
    /// A WhatsApp Flow's answer; `response_json` is the Flow's output, a
    /// JSON document in a string, as Meta sends it.
    NfmReply {
        name: Option<String>,
        body: Option<String>,
        response_json: String,
    },
    /// An interactive reply of a kind this crate does not know; `raw` is the
    /// whole `interactive` object.
    Unknown {
        type_name: String,
        raw: Value,
    },
}

/// A template's quick-reply button the user tapped.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Button {
    /// The payload the business set on the button.
    pub payload: Option<String>,
    /// The button's label.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Image {
    pub id: String,
    pub mime_type: Option<String>,
    pub sha256: Option<String>,
    pub caption: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Audio {
    pub id: String,
    pub mime_type: Option<String>,
    pub sha256: Option<String>,
    /// A voice note recorded in WhatsApp, rather than an audio file.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub voice: bool,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Video {
    pub id: String,
    pub mime_type: Option<String>,
    pub sha256: Option<String>,
    pub caption: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Document {
    pub id: String,
    pub mime_type: Option<String>,
    pub sha256: Option<String>,
    pub caption: Option<String>,
    pub filename: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Sticker {
    pub id: String,
    pub mime_type: Option<String>,
    pub sha256: Option<String>,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub animated: bool,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Location {
    pub latitude: f64,
    pub longitude: f64,
    pub name: Option<String>,
    pub address: Option<String>,
    pub url: Option<String>,
}

/// One shared contact card.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ContactCard {
    pub name: Option<ContactName>,
    #[serde(default)]
    pub phones: Vec<ContactPhone>,
    #[serde(default)]
    pub emails: Vec<ContactEmail>,
    pub org: Option<ContactOrg>,
    #[serde(default)]
    pub urls: Vec<ContactUrl>,
    #[serde(default)]
    pub addresses: Vec<ContactAddress>,
    pub birthday: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ContactName {
    pub formatted_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub middle_name: Option<String>,
    pub prefix: Option<String>,
    pub suffix: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ContactPhone {
    pub phone: Option<String>,
    /// Set when the number is on WhatsApp.
    pub wa_id: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ContactEmail {
    pub email: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ContactOrg {
    pub company: Option<String>,
    pub department: Option<String>,
    pub title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ContactUrl {
    pub url: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ContactAddress {
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub country: Option<String>,
    pub country_code: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// A reaction to one of the business's messages.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Reaction {
    /// The message reacted to.
    pub message_id: String,
    /// Absent or empty when the user removed their reaction.
    pub emoji: Option<String>,
}

impl Reaction {
    /// Whether the user took a reaction back rather than reacting.
    pub fn is_removal(&self) -> bool {
        self.emoji.as_deref().is_none_or(str::is_empty)
    }
}

/// A cart sent from the business's catalog.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Order {
    pub catalog_id: Option<String>,
    pub text: Option<String>,
    #[serde(default)]
    pub product_items: Vec<ProductItem>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ProductItem {
    pub product_retailer_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::number")]
    pub quantity: Option<f64>,
    #[serde(default, deserialize_with = "lenient::number")]
    pub item_price: Option<f64>,
    pub currency: Option<String>,
}

/// A change on the user's side, such as a new phone number.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct System {
    pub body: Option<String>,
    /// `user_changed_number`, `user_changed_user_id`, ...
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub identity: Option<String>,
    pub new_wa_id: Option<String>,
    pub wa_id: Option<String>,
    pub customer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Unsupported {
    /// What the user sent, when Meta says (`edit`, `poll`, ...).
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// What a message replies to, or that it was forwarded.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Context {
    /// The sender of the message replied to (the business's number for
    /// replies to the business's messages).
    pub from: Option<String>,
    /// The id of the message replied to.
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub forwarded: bool,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub frequently_forwarded: bool,
    /// The catalog product the user asked about.
    pub referred_product: Option<ReferredProduct>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ReferredProduct {
    pub catalog_id: Option<String>,
    pub product_retailer_id: Option<String>,
}

/// The click-to-WhatsApp ad or post the user came from.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Referral {
    pub source_url: Option<String>,
    pub source_id: Option<String>,
    /// `ad` or `post`.
    pub source_type: Option<String>,
    pub headline: Option<String>,
    pub body: Option<String>,
    /// `image` or `video`.
    pub media_type: Option<String>,
    pub image_url: Option<String>,
    pub video_url: Option<String>,
    pub thumbnail_url: Option<String>,
    /// The click id, for conversion reporting.
    pub ctwa_clid: Option<String>,
    pub welcome_message: Option<WelcomeMessage>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct WelcomeMessage {
    pub text: Option<String>,
}

/// The fields every message has, whatever its type.
#[derive(Deserialize)]
struct Head {
    id: String,
    from: Option<String>,
    from_user_id: Option<String>,
    from_parent_user_id: Option<String>,
    group_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::integer")]
    timestamp: Option<i64>,
    #[serde(rename = "type", default)]
    type_name: String,
    context: Option<Context>,
    referral: Option<Referral>,
    #[serde(default)]
    errors: Vec<ErrorDetail>,
}

// Hand-written because the content sits under a key named by `type`
// (`{"type":"image","image":{..}}`), which serde's tagged enums cannot
// express, and because an unreadable content must not fail the batch.
impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Value::deserialize(deserializer)?;
        let head = Head::deserialize(&raw).map_err(D::Error::custom)?;
        let kind = match read_kind(&head.type_name, &raw) {
            Ok(kind) => kind,
            Err(_) => MessageKind::Unknown {
                type_name: head.type_name,
                raw,
            },
        };
        Ok(Message {
            id: head.id,
            from: head.from,
            from_user_id: head.from_user_id,
            from_parent_user_id: head.from_parent_user_id,
            group_id: head.group_id,
            timestamp: head.timestamp,
            context: head.context,
            referral: head.referral,
            errors: head.errors,
            kind,
        })
    }
}

/// Reads the content of a known type; an error for unknown types and
/// unreadable contents, which the caller keeps raw.
fn read_kind(type_name: &str, message: &Value) -> Result<MessageKind, serde_json::Error> {
    let content = message.get(type_name).unwrap_or(&Value::Null);
    Ok(match type_name {
        "text" => MessageKind::Text(Text::deserialize(content)?),
        "interactive" => MessageKind::Interactive(read_interactive(content)?),
        "button" => MessageKind::Button(Button::deserialize(content)?),
        "image" => MessageKind::Image(Image::deserialize(content)?),
        "audio" => MessageKind::Audio(Audio::deserialize(content)?),
        "video" => MessageKind::Video(Video::deserialize(content)?),
        "document" => MessageKind::Document(Document::deserialize(content)?),
        "sticker" => MessageKind::Sticker(Sticker::deserialize(content)?),
        "location" => MessageKind::Location(Location::deserialize(content)?),
        "contacts" => MessageKind::Contacts(Vec::<ContactCard>::deserialize(content)?),
        "reaction" => MessageKind::Reaction(Reaction::deserialize(content)?),
        "order" => MessageKind::Order(Order::deserialize(content)?),
        "system" => MessageKind::System(System::deserialize(content)?),
        "unsupported" => MessageKind::Unsupported(
            Option::<Unsupported>::deserialize(content)?.unwrap_or_default(),
        ),
        other => {
            return Err(serde_json::Error::custom(format_args!(
                "unknown message type {other:?}"
            )));
        }
    })
}

fn read_interactive(content: &Value) -> Result<Interactive, serde_json::Error> {
    #[derive(Deserialize)]
    struct Reply {
        id: String,
        title: String,
        description: Option<String>,
    }
    #[derive(Deserialize)]
    struct Nfm {
        name: Option<String>,
        body: Option<String>,
        response_json: String,
    }
    let type_name = content
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let reply = content.get(type_name).unwrap_or(&Value::Null);
    let unknown = || Interactive::Unknown {
        type_name: type_name.to_owned(),
        raw: content.clone(),
    };
    Ok(match type_name {
        "button_reply" => match Reply::deserialize(reply) {
            Ok(r) => Interactive::ButtonReply {
                id: r.id,
                title: r.title,
            },
            Err(_) => unknown(),
        },
        "list_reply" => match Reply::deserialize(reply) {
            Ok(r) => Interactive::ListReply {
                id: r.id,
                title: r.title,
                description: r.description,
            },
            Err(_) => unknown(),
        },
        "nfm_reply" => match Nfm::deserialize(reply) {
            Ok(n) => Interactive::NfmReply {
                name: n.name,
                body: n.body,
                response_json: n.response_json,
            },
            Err(_) => unknown(),
        },
        _ if content.is_object() => unknown(),
        _ => {
            return Err(serde_json::Error::custom(
                "interactive content is not an object",
            ));
        }
    })
}
