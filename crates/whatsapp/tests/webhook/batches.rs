//! Whole notifications: unknown types and garbage kept without failing
//! the batch, other fields beside messages, a batch of 1000, and bodies
//! that are not a notification at all.

use super::*;

#[test]
fn an_unknown_type_is_kept_raw_and_does_not_fail_the_batch() {
    let body = envelope(json!({
        "messaging_product": "whatsapp",
        "metadata": metadata(),
        "contacts": [{ "profile": { "name": "Sheena Nelson" }, "wa_id": "16505551234" }],
        "messages": [
            { "from": "16505551234", "id": "wamid.a", "timestamp": "1749416383", "type": "hologram", "hologram": { "depth": 3 } },
            { "from": "16505551234", "id": "wamid.b", "timestamp": "1749416384", "type": "text", "text": { "body": "hola" } },
            // A known type whose content does not read: kept raw as well.
            { "from": "16505551234", "id": "wamid.c", "timestamp": "1749416385", "type": "image", "image": "not an object" },
            { "from": "16505551234", "id": "wamid.d", "timestamp": "1749416386" }
        ]
    }));
    let n = parse(&body);
    let kinds: Vec<_> = n.messages().map(|e| e.message.kind.clone()).collect();
    assert_eq!(kinds.len(), 4);
    let MessageKind::Unknown { type_name, raw } = &kinds[0] else {
        panic!("{:?}", kinds[0])
    };
    assert_eq!(type_name, "hologram");
    assert_eq!(raw["hologram"]["depth"], 3);
    assert_eq!(raw["id"], "wamid.a", "the whole message is kept");
    assert!(matches!(&kinds[1], MessageKind::Text(t) if t.body == "hola"));
    assert!(matches!(&kinds[2], MessageKind::Unknown { type_name, .. } if type_name == "image"));
    assert!(matches!(&kinds[3], MessageKind::Unknown { type_name, .. } if type_name.is_empty()));
    assert_eq!(kinds[0].type_name(), "hologram");
}

#[test]
fn a_garbage_timestamp_is_none_and_the_rest_of_the_batch_reads() {
    let mut odd = message("text", json!({ "body": "a" }));
    odd["timestamp"] = json!("yesterday");
    let n = inbound(odd);
    let m = n.messages().next().unwrap().message;
    assert_eq!(m.timestamp, None);
    assert!(matches!(&m.kind, MessageKind::Text(_)));
}

#[test]
fn other_fields_are_kept_raw_beside_messages() {
    let body = json!({
        "object": "whatsapp_business_account",
        "entry": [
            { "id": WABA_ID, "time": 1_739_321_024, "changes": [
                { "field": "message_template_status_update",
                  "value": { "event": "APPROVED", "message_template_id": 1_689_556_908_129_832_i64, "message_template_name": "order_confirmation" } },
                { "field": "messages", "value": {
                    "messaging_product": "whatsapp", "metadata": metadata(),
                    "messages": [message("text", json!({ "body": "one" }))] } }
            ]},
            { "id": "102290129340399", "changes": [
                { "field": "account_update", "value": { "phone_number": "15550783881", "event": "VERIFIED_ACCOUNT" } },
                { "field": "messages", "value": {
                    "messaging_product": "whatsapp", "metadata": { "display_phone_number": "15550783882", "phone_number_id": "106540352242923" },
                    "messages": [message("text", json!({ "body": "two" }))] } }
            ]}
        ]
    });
    let n = parse(&body);
    let others: Vec<_> = n.other_changes().collect();
    assert_eq!(others.len(), 2);
    assert_eq!(
        (others[0].0, &others[0].1["event"]),
        ("message_template_status_update", &json!("APPROVED"))
    );
    assert_eq!(others[1].0, "account_update");
    let numbers: Vec<_> = n
        .messages()
        .map(|e| e.metadata.phone_number_id.as_str())
        .collect();
    assert_eq!(
        numbers,
        [PHONE_NUMBER_ID, "106540352242923"],
        "every entry and change is read"
    );
    assert!(matches!(&n.entry[0].changes[0], Change::Other { .. }));
}

#[test]
fn a_batch_of_1000_updates_reads_whole() {
    let messages: Vec<Value> = (0..600)
        .map(|i| {
            json!({ "from": format!("5215550{:05}", i % 300), "id": format!("wamid.batch{i}"), "timestamp": "1749416383",
                    "type": "text", "text": { "body": format!("mensaje {i}") } })
        })
        .collect();
    let statuses: Vec<Value> = (0..400)
        .map(|i| json!({ "id": format!("wamid.out{i}"), "status": "read", "timestamp": "1749416390", "recipient_id": "5215550000" }))
        .collect();
    let contacts: Vec<Value> = (0..300)
        .map(|i| json!({ "profile": { "name": format!("Cliente {i}") }, "wa_id": format!("5215550{i:05}") }))
        .collect();
    let body = envelope(
        json!({ "messaging_product": "whatsapp", "metadata": metadata(),
                                "contacts": contacts, "messages": messages, "statuses": statuses }),
    );
    let n = parse(&body);
    assert_eq!(n.messages().count(), 600);
    assert_eq!(n.statuses().count(), 400);
    let last = n.messages().last().expect("messages");
    assert_eq!(last.message.id, "wamid.batch599");
    assert_eq!(last.contact.and_then(|c| c.name()), Some("Cliente 299"));
}

#[test]
fn not_json_and_not_a_notification_are_told_apart() {
    for body in [
        &b"this is not json"[..],
        b"",
        b"{\"object\":",
        b"\xff\xfe",
        b"{\"object\": 5, oops",
    ] {
        assert!(
            matches!(parse_notification(body), Err(ParseError::NotJson(_))),
            "{:?}",
            String::from_utf8_lossy(body)
        );
    }
    for body in [
        &br#"{"hello":"world"}"#[..],
        br#"[1,2,3]"#,
        br#""whatsapp""#,
        br#"{"object":"page","entry":[]}"#,
        br#"{"object":"whatsapp_business_account"}"#,
        br#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[]}}]}]}"#,
    ] {
        assert!(matches!(parse_notification(body), Err(ParseError::Shape(_))), "{}", String::from_utf8_lossy(body));
    }
}

#[test]
fn shape_errors_do_not_quote_the_body() {
    let body = br#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{
        "metadata":{"phone_number_id":"1"},"messages":[{"from":"5215550009999","id":5215550009999}]}}]}]}"#;
    let Err(error) = parse_notification(body) else {
        panic!("a numeric id is not a message id")
    };
    assert!(matches!(error, ParseError::Shape(_)));
    assert!(!error.to_string().contains("5215550009999"), "{error}");
}

#[test]
fn an_empty_entry_list_is_an_empty_notification() {
    let n = parse(&json!({ "object": "whatsapp_business_account", "entry": [] }));
    assert_eq!(
        (
            n.messages().count(),
            n.statuses().count(),
            n.other_changes().count()
        ),
        (0, 0, 0)
    );
}
