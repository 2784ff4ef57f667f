//! Webhook payloads as Meta documents them (messages webhook reference),
//! one per message type and status, plus batches and the BSUID rollout.
//!
//! This file holds the payload builders; the tests are grouped by what
//! the webhook carries, one module each.

mod batches;
mod messages;
mod statuses;

use leadline_whatsapp::webhook::{
    Change, Interactive, Message, MessageKind, Notification, ParseError, StatusKind,
    parse_notification,
};
use serde_json::{Value, json};

const WABA_ID: &str = "102290129340398";
const PHONE_NUMBER_ID: &str = "106540352242922";
const WAMID: &str = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=";

/// The envelope Meta wraps every `messages` change value in.
fn envelope(value: Value) -> Value {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": WABA_ID, "changes": [{ "value": value, "field": "messages" }] }]
    })
}

fn metadata() -> Value {
    json!({ "display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID })
}

/// A notification with one message from Sheena Nelson.
fn inbound(message: Value) -> Notification {
    let body = envelope(json!({
        "messaging_product": "whatsapp",
        "metadata": metadata(),
        "contacts": [{ "profile": { "name": "Sheena Nelson" }, "wa_id": "16505551234" }],
        "messages": [message]
    }));
    parse(&body)
}

fn parse(body: &Value) -> Notification {
    let bytes = serde_json::to_vec(body).expect("test payloads serialize");
    parse_notification(&bytes).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// The only message of [`inbound`]'s notification, as parsed.
fn parsed(message: Value) -> Message {
    let notification = inbound(message);
    let events: Vec<_> = notification.messages().collect();
    assert_eq!(events.len(), 1);
    events[0].message.clone()
}

/// The only message's kind.
fn kind_of(message: Value) -> MessageKind {
    parsed(message).kind
}

fn message(type_name: &str, content: Value) -> Value {
    let mut m =
        json!({ "from": "16505551234", "id": WAMID, "timestamp": "1749416383", "type": type_name });
    m[type_name] = content;
    m
}
