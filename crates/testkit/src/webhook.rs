//! Builds Cloud API webhook notifications the way Meta sends them, and
//! signs them with `X-Hub-Signature-256`.

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

/// The business phone number id the fake notifications are addressed to.
pub const PHONE_NUMBER_ID: &str = "106540352242922";

/// One inbound text message.
pub fn text(wa_id: &str, message_id: &str, body: &str) -> Value {
    message(wa_id, message_id, "text", json!({ "body": body }))
}

/// A voice note recorded in WhatsApp: Ogg Opus, `voice: true`, as Meta
/// sends it; `media_id` is what [`crate::graph::FakeGraph::add_media`] gave.
pub fn voice_note(wa_id: &str, message_id: &str, media_id: &str) -> Value {
    message(
        wa_id,
        message_id,
        "audio",
        json!({
            "mime_type": "audio/ogg; codecs=opus",
            "sha256": "XyPuhE4pyDBVVkvBXXiIzeWkRUU4pSYMNRBRiRIu2UE=",
            "id": media_id,
            "voice": true
        }),
    )
}

/// An image, with or without a caption.
pub fn image(wa_id: &str, message_id: &str, media_id: &str, caption: Option<&str>) -> Value {
    let mut image = json!({
        "mime_type": "image/jpeg",
        "sha256": "bHwXJlK5AeBa6UtDP3ZIhBbF4Trq1ssJu6Kl8kh0nbk=",
        "id": media_id
    });
    if let Some(caption) = caption {
        image["caption"] = Value::String(caption.to_owned());
    }
    message(wa_id, message_id, "image", image)
}

/// A pick from an interactive list the business sent: `row_id` is the
/// row's id, as Meta sends it back in `interactive.list_reply`.
pub fn list_reply(wa_id: &str, message_id: &str, row_id: &str, title: &str) -> Value {
    message(
        wa_id,
        message_id,
        "interactive",
        json!({
            "type": "list_reply",
            "list_reply": { "id": row_id, "title": title }
        }),
    )
}

/// An inbound message of `type_name`: Meta puts its content under a key
/// named by the type, next to the fields every message has.
fn message(wa_id: &str, message_id: &str, type_name: &str, content: Value) -> Value {
    let mut message = json!({
        "from": wa_id,
        "id": message_id,
        "timestamp": "1732406400",
        "type": type_name,
    });
    message[type_name] = content;
    message
}

/// A notification carrying `messages` from the customers they name, in one
/// entry and one change, with a contact for each sender.
pub fn notification(messages: Vec<Value>) -> Value {
    let mut contacts: Vec<Value> = Vec::new();
    for m in &messages {
        let from = m["from"].as_str().unwrap_or_default().to_owned();
        if !contacts.iter().any(|c| c["wa_id"] == from.as_str()) {
            contacts.push(json!({ "profile": { "name": "Test Customer" }, "wa_id": from }));
        }
    }
    change(json!({ "contacts": contacts, "messages": messages }))
}

/// A delivery status for a message the business sent.
pub fn status(wa_id: &str, message_id: &str, status: &str) -> Value {
    change(json!({
        "statuses": [{
            "id": message_id,
            "status": status,
            "timestamp": "1732406401",
            "recipient_id": wa_id
        }]
    }))
}

/// A notification of one `messages` change to the business number:
/// `fields` (messages, contacts or statuses) go into the change's value,
/// next to the product and the number's metadata every change carries.
fn change(fields: Value) -> Value {
    let mut value = json!({
        "messaging_product": "whatsapp",
        "metadata": { "display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID },
    });
    if let (Some(value), Value::Object(fields)) = (value.as_object_mut(), fields) {
        value.extend(fields);
    }
    json!({
        "object": "whatsapp_business_account",
        "entry": [{
            "id": "102290129340398",
            "changes": [{ "field": "messages", "value": value }]
        }]
    })
}

/// The `X-Hub-Signature-256` header value for `body`.
pub fn signature(app_secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}
