//! Unit tests of the outbound messages: the wire format the Cloud API
//! expects and every limit WhatsApp sets, apart from the builders so
//! each reads on its own.

use super::*;
use serde_json::json;

const TO: &str = "5215550001";

fn wire(message: &OutboundMessage) -> Value {
    serde_json::to_value(message).expect("an outbound message always serializes")
}

fn invalid(result: Result<OutboundMessage, SendError>) -> String {
    match result {
        Err(SendError::Invalid(reason)) => reason,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn button(id: &str, title: &str) -> ReplyButton {
    ReplyButton {
        id: id.into(),
        title: title.into(),
    }
}

fn row(id: &str, title: &str) -> ListRow {
    ListRow {
        id: id.into(),
        title: title.into(),
        description: None,
    }
}

#[test]
fn a_text_serializes_as_the_cloud_api_expects() {
    let message = OutboundMessage::text(TO, "Hola").unwrap();
    assert_eq!(
        wire(&message),
        json!({"messaging_product":"whatsapp","recipient_type":"individual","to":TO,"type":"text","text":{"body":"Hola"}})
    );
    let reply = message.in_reply_to("wamid.abc").unwrap();
    assert_eq!(wire(&reply)["context"], json!({"message_id":"wamid.abc"}));
    assert_eq!(reply.to(), TO);
    let tracked = reply.with_callback_data("wamid.in.1#0").unwrap();
    assert_eq!(wire(&tracked)["biz_opaque_callback_data"], "wamid.in.1#0");
}

#[test]
fn callback_data_is_up_to_512_characters() {
    let text = || OutboundMessage::text(TO, "hola");
    assert!(
        text()
            .and_then(|m| m.with_callback_data(&"ñ".repeat(CALLBACK_DATA_MAX_CHARS)))
            .is_ok()
    );
    invalid(text().and_then(|m| m.with_callback_data(&"a".repeat(CALLBACK_DATA_MAX_CHARS + 1))));
    invalid(text().and_then(|m| m.with_callback_data("")));
}

#[test]
fn text_limits() {
    assert!(
        OutboundMessage::text(TO, &"ñ".repeat(TEXT_MAX_CHARS)).is_ok(),
        "4096 two-byte characters fit"
    );
    assert!(invalid(OutboundMessage::text(TO, &"a".repeat(TEXT_MAX_CHARS + 1))).contains("4097"));
    invalid(OutboundMessage::text(TO, ""));
    invalid(OutboundMessage::text(" ", "hola"));
    invalid(OutboundMessage::text(TO, "hola").and_then(|m| m.in_reply_to("")));
}

#[test]
fn reply_buttons_serialize_and_respect_limits() {
    let message = OutboundMessage::reply_buttons(
        TO,
        "¿Agendamos?",
        vec![button("yes", "Sí"), button("no", "No")],
    )
    .unwrap();
    assert_eq!(
        wire(&message)["interactive"],
        json!({"type":"button","body":{"text":"¿Agendamos?"},"action":{"buttons":[
            {"type":"reply","reply":{"id":"yes","title":"Sí"}},
            {"type":"reply","reply":{"id":"no","title":"No"}}]}})
    );
    assert_eq!(wire(&message)["type"], "interactive");

    invalid(OutboundMessage::reply_buttons(TO, "b", vec![]));
    let four = (0..4)
        .map(|i| button(&format!("b{i}"), &format!("B{i}")))
        .collect();
    invalid(OutboundMessage::reply_buttons(TO, "b", four));
    assert!(OutboundMessage::reply_buttons(TO, "b", vec![button("a", &"é".repeat(20))]).is_ok());
    invalid(OutboundMessage::reply_buttons(
        TO,
        "b",
        vec![button("a", &"é".repeat(21))],
    ));
    invalid(OutboundMessage::reply_buttons(
        TO,
        "b",
        vec![button("a", "")],
    ));
    invalid(OutboundMessage::reply_buttons(
        TO,
        "b",
        vec![button("", "A")],
    ));
    invalid(OutboundMessage::reply_buttons(
        TO,
        "b",
        vec![button(&"i".repeat(257), "A")],
    ));
    assert!(
        invalid(OutboundMessage::reply_buttons(
            TO,
            "b",
            vec![button("a", "A"), button("a", "B")]
        ))
        .contains("unique")
    );
    invalid(OutboundMessage::reply_buttons(
        TO,
        "b",
        vec![button("a", "A"), button("b", "A")],
    ));
    invalid(OutboundMessage::reply_buttons(
        TO,
        &"x".repeat(1025),
        vec![button("a", "A")],
    ));
    invalid(OutboundMessage::reply_buttons(
        TO,
        "",
        vec![button("a", "A")],
    ));
}

#[test]
fn lists_serialize_and_respect_limits() {
    let section = ListSection {
        title: Some("Planes".into()),
        rows: vec![ListRow {
            id: "pro".into(),
            title: "Pro".into(),
            description: Some("Soporte 24/7".into()),
        }],
    };
    let message = OutboundMessage::list(TO, "Elige un plan", "Ver planes", vec![section]).unwrap();
    assert_eq!(
        wire(&message)["interactive"],
        json!({"type":"list","body":{"text":"Elige un plan"},"action":{"button":"Ver planes","sections":[
            {"title":"Planes","rows":[{"id":"pro","title":"Pro","description":"Soporte 24/7"}]}]}})
    );

    let untitled = |rows| ListSection { title: None, rows };
    let titled = |t: &str, rows| ListSection {
        title: Some(t.into()),
        rows,
    };
    assert!(OutboundMessage::list(TO, "b", "Ver", vec![untitled(vec![row("a", "A")])]).is_ok());
    let ten: Vec<_> = (0..10).map(|i| row(&format!("r{i}"), "R")).collect();
    assert!(OutboundMessage::list(TO, "b", "Ver", vec![untitled(ten.clone())]).is_ok());
    let mut eleven = ten.clone();
    eleven.push(row("r10", "R"));
    invalid(OutboundMessage::list(
        TO,
        "b",
        "Ver",
        vec![untitled(eleven)],
    ));
    let split = vec![
        titled("A", ten[..6].to_vec()),
        titled("B", ten[..5].to_vec()),
    ];
    assert!(
        invalid(OutboundMessage::list(TO, "b", "Ver", split)).contains("11 list rows"),
        "rows counted across sections"
    );
    let dup = vec![
        titled("A", vec![row("x", "X")]),
        titled("B", vec![row("x", "Y")]),
    ];
    invalid(OutboundMessage::list(TO, "b", "Ver", dup));
    invalid(OutboundMessage::list(
        TO,
        "b",
        "Ver",
        vec![
            untitled(vec![row("a", "A")]),
            titled("B", vec![row("b", "B")]),
        ],
    ));
    invalid(OutboundMessage::list(TO, "b", "Ver", vec![]));
    invalid(OutboundMessage::list(
        TO,
        "b",
        "Ver",
        vec![titled("A", vec![])],
    ));
    invalid(OutboundMessage::list(
        TO,
        "b",
        &"v".repeat(21),
        vec![untitled(vec![row("a", "A")])],
    ));
    invalid(OutboundMessage::list(
        TO,
        "b",
        "",
        vec![untitled(vec![row("a", "A")])],
    ));
    invalid(OutboundMessage::list(
        TO,
        "b",
        "Ver",
        vec![titled(&"t".repeat(25), vec![row("a", "A")])],
    ));
    assert!(
        OutboundMessage::list(
            TO,
            "b",
            "Ver",
            vec![untitled(vec![row("a", &"t".repeat(24))])]
        )
        .is_ok()
    );
    invalid(OutboundMessage::list(
        TO,
        "b",
        "Ver",
        vec![untitled(vec![row("a", &"t".repeat(25))])],
    ));
    invalid(OutboundMessage::list(
        TO,
        "b",
        "Ver",
        vec![untitled(vec![row(&"i".repeat(201), "A")])],
    ));
    let described = |d: &str| ListRow {
        id: "a".into(),
        title: "A".into(),
        description: Some(d.into()),
    };
    assert!(
        OutboundMessage::list(
            TO,
            "b",
            "Ver",
            vec![untitled(vec![described(&"d".repeat(72))])]
        )
        .is_ok()
    );
    invalid(OutboundMessage::list(
        TO,
        "b",
        "Ver",
        vec![untitled(vec![described(&"d".repeat(73))])],
    ));
}

#[test]
fn documents_serialize_by_link_or_id_and_respect_limits() {
    let link = MediaSource::Link("https://example.com/brochure.pdf".into());
    let message =
        OutboundMessage::document(TO, link, Some("Brochure.pdf"), Some("Nuestro catálogo"))
            .unwrap();
    assert_eq!(
        wire(&message)["document"],
        json!({"link":"https://example.com/brochure.pdf","filename":"Brochure.pdf","caption":"Nuestro catálogo"})
    );
    let by_id =
        OutboundMessage::document(TO, MediaSource::Id("1013859600285441".into()), None, None)
            .unwrap();
    assert_eq!(wire(&by_id)["document"], json!({"id":"1013859600285441"}));
    assert_eq!(wire(&by_id)["type"], "document");

    invalid(OutboundMessage::document(
        TO,
        MediaSource::Link("ftp://x/y.pdf".into()),
        None,
        None,
    ));
    invalid(OutboundMessage::document(
        TO,
        MediaSource::Id(" ".into()),
        None,
        None,
    ));
    invalid(OutboundMessage::document(
        TO,
        MediaSource::Id("1".into()),
        Some(" "),
        None,
    ));
    invalid(OutboundMessage::document(
        TO,
        MediaSource::Id("1".into()),
        None,
        Some(&"c".repeat(1025)),
    ));
}

#[test]
fn templates_serialize_and_respect_limits() {
    let components = json!([{"type":"body","parameters":[{"type":"text","text":"Ana"}]}]);
    let message = OutboundMessage::template(
        TO,
        "appointment_reminder",
        "es_MX",
        Some(components.clone()),
    )
    .unwrap();
    assert_eq!(
        wire(&message)["template"],
        json!({"name":"appointment_reminder","language":{"code":"es_MX"},"components":components})
    );
    let bare = OutboundMessage::template(TO, "hello_world", "en_US", None).unwrap();
    assert_eq!(
        wire(&bare)["template"],
        json!({"name":"hello_world","language":{"code":"en_US"}})
    );

    invalid(OutboundMessage::template(TO, "", "en_US", None));
    invalid(OutboundMessage::template(
        TO,
        &"n".repeat(513),
        "en_US",
        None,
    ));
    invalid(OutboundMessage::template(TO, "hello_world", "", None));
    invalid(OutboundMessage::template(
        TO,
        "hello_world",
        "en_US",
        Some(json!({"type":"body"})),
    ));
}

#[test]
fn reactions_serialize_and_an_empty_emoji_removes() {
    let message = OutboundMessage::reaction(TO, "wamid.abc", "👍").unwrap();
    assert_eq!(
        wire(&message)["reaction"],
        json!({"message_id":"wamid.abc","emoji":"👍"})
    );
    let removal = OutboundMessage::reaction(TO, "wamid.abc", "").unwrap();
    assert_eq!(wire(&removal)["reaction"]["emoji"], "");
    invalid(OutboundMessage::reaction(TO, "", "👍"));
}
