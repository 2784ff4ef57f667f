//! Inbound messages, one test per message type Meta documents (text,
//! interactive, media, location, contacts, orders, system, referrals...)
//! and the senders of the BSUID rollout: what the agent reads from a
//! customer.

use super::*;

#[test]
fn a_text_message_with_its_contact_and_metadata() {
    let n = inbound(message(
        "text",
        json!({ "body": "Does it come in another color?" }),
    ));
    let event = n.messages().next().expect("one message");
    assert_eq!(event.metadata.phone_number_id, PHONE_NUMBER_ID);
    assert_eq!(event.metadata.display_phone_number, "15550783881");
    assert_eq!(event.contact.and_then(|c| c.name()), Some("Sheena Nelson"));
    let m = event.message;
    assert_eq!(
        (m.id.as_str(), m.sender(), m.timestamp),
        (WAMID, Some("16505551234"), Some(1_749_416_383))
    );
    let MessageKind::Text(text) = &m.kind else {
        panic!("{:?}", m.kind)
    };
    assert_eq!(text.body, "Does it come in another color?");
    assert_eq!(m.kind.type_name(), "text");
    assert_eq!(n.entry[0].id, WABA_ID);
}

#[test]
fn interactive_replies() {
    let button = kind_of(message(
        "interactive",
        json!({ "type": "button_reply", "button_reply": { "id": "yes-pickup", "title": "Yes" } }),
    ));
    assert_eq!(
        button,
        MessageKind::Interactive(Interactive::ButtonReply {
            id: "yes-pickup".into(),
            title: "Yes".into()
        })
    );

    let list = kind_of(message(
        "interactive",
        json!({ "type": "list_reply", "list_reply": {
            "id": "priority_express", "title": "Priority Mail Express", "description": "Next Day to 2 Days" } }),
    ));
    let MessageKind::Interactive(Interactive::ListReply {
        id,
        title,
        description,
    }) = list
    else {
        panic!("{list:?}")
    };
    assert_eq!(
        (id.as_str(), title.as_str(), description.as_deref()),
        (
            "priority_express",
            "Priority Mail Express",
            Some("Next Day to 2 Days")
        )
    );

    let flow = kind_of(message(
        "interactive",
        json!({ "type": "nfm_reply", "nfm_reply": {
            "name": "flow", "body": "Sent", "response_json": "{\"flow_token\":\"AQAAAAACS5FpgQ_cAAAAAD0QI3s\",\"plan\":\"pro\"}" } }),
    ));
    let MessageKind::Interactive(Interactive::NfmReply {
        response_json,
        name,
        ..
    }) = flow
    else {
        panic!("{flow:?}")
    };
    assert_eq!(name.as_deref(), Some("flow"));
    assert_eq!(
        serde_json::from_str::<Value>(&response_json).unwrap()["plan"],
        "pro"
    );

    let future = kind_of(message(
        "interactive",
        json!({ "type": "carousel_reply", "carousel_reply": { "index": 2 } }),
    ));
    let MessageKind::Interactive(Interactive::Unknown { type_name, raw }) = future else {
        panic!("{future:?}")
    };
    assert_eq!(
        (type_name.as_str(), &raw["carousel_reply"]["index"]),
        ("carousel_reply", &json!(2))
    );
}

#[test]
fn a_template_quick_reply_button() {
    let kind = kind_of(message(
        "button",
        json!({ "payload": "STOP_PROMOS", "text": "Stop promotions" }),
    ));
    let MessageKind::Button(b) = kind else {
        panic!("{kind:?}")
    };
    assert_eq!(
        (b.payload.as_deref(), b.text.as_str()),
        (Some("STOP_PROMOS"), "Stop promotions")
    );
}

#[test]
fn media_messages() {
    let image = kind_of(message(
        "image",
        json!({ "caption": "Massager", "mime_type": "image/jpeg",
                "sha256": "tJ5/vMe2ag9zSYcKBz7QDDTasRwV1JTQsfCaHKrhVK0=", "id": "1003383421387256" }),
    ));
    let media = image.media().expect("an image is media");
    assert_eq!(
        (media.kind, media.id, media.mime_type, media.caption),
        (
            "image",
            "1003383421387256",
            Some("image/jpeg"),
            Some("Massager")
        )
    );

    let voice = kind_of(message(
        "audio",
        json!({ "mime_type": "audio/ogg; codecs=opus", "sha256": "e0Uq7k3RZ8a4Fz8s3b1c2jKl9mNoP5QrStUvWxYz0A=", "id": "1003383421387257", "voice": true }),
    ));
    let MessageKind::Audio(audio) = &voice else {
        panic!("{voice:?}")
    };
    assert!(audio.voice);
    assert_eq!(voice.media().map(|m| m.kind), Some("audio"));
    let file = kind_of(message(
        "audio",
        json!({ "mime_type": "audio/mpeg", "id": "1003383421387258" }),
    ));
    assert!(matches!(file, MessageKind::Audio(a) if !a.voice));

    let video = kind_of(message(
        "video",
        json!({ "caption": "Unboxing", "mime_type": "video/mp4", "sha256": "x", "id": "1003383421387259" }),
    ));
    assert_eq!(video.media().and_then(|m| m.caption), Some("Unboxing"));

    let document = kind_of(message(
        "document",
        json!({ "caption": "Lucky Shrub Invoice", "filename": "lucky-shrub-invoice.pdf", "mime_type": "application/pdf",
                "sha256": "1BtBQNX5Ug0vLpmZm6MQm9t2E1J2DcWXfk9Kp0e6WdQ=", "id": "1003383421387260" }),
    ));
    let media = document.media().expect("a document is media");
    assert_eq!(
        (media.kind, media.filename),
        ("document", Some("lucky-shrub-invoice.pdf"))
    );

    let sticker = kind_of(message(
        "sticker",
        json!({ "mime_type": "image/webp", "sha256": "y", "id": "1003383421387261", "animated": false }),
    ));
    assert!(matches!(&sticker, MessageKind::Sticker(s) if !s.animated));
    let animated = kind_of(message(
        "sticker",
        json!({ "mime_type": "image/webp", "id": "1003383421387262", "animated": true }),
    ));
    assert!(matches!(&animated, MessageKind::Sticker(s) if s.animated));
    assert!(
        MessageKind::Text(leadline_whatsapp::webhook::Text { body: "x".into() })
            .media()
            .is_none()
    );
}

#[test]
fn a_location() {
    let kind = kind_of(message(
        "location",
        json!({ "address": "1 Hacker Way, Menlo Park, CA 94025", "latitude": 37.483_307_3, "longitude": -122.148_981_3,
                "name": "Philz Coffee", "url": "https://philzcoffee.com" }),
    ));
    let MessageKind::Location(l) = kind else {
        panic!("{kind:?}")
    };
    assert!((l.latitude - 37.483_307_3).abs() < 1e-9 && (l.longitude + 122.148_981_3).abs() < 1e-9);
    assert_eq!(l.name.as_deref(), Some("Philz Coffee"));
}

#[test]
fn shared_contacts() {
    let kind = kind_of(message(
        "contacts",
        json!([{
            "addresses": [{ "street": "1 Lucky Shrub Way", "city": "Menlo Park", "state": "CA", "zip": "94025",
                            "country": "United States", "country_code": "US", "type": "WORK" }],
            "birthday": "1999-01-23",
            "emails": [{ "email": "bjohnson@luckyshrub.com", "type": "WORK" }],
            "name": { "formatted_name": "Barbara J. Johnson", "first_name": "Barbara", "last_name": "Johnson", "middle_name": "Joana" },
            "org": { "company": "Lucky Shrub", "department": "Legal", "title": "Lead Counsel" },
            "phones": [{ "phone": "+1 (650) 555-1234", "wa_id": "16505551234", "type": "WORK" }],
            "urls": [{ "url": "https://www.luckyshrub.com", "type": "WORK" }]
        }]),
    ));
    let MessageKind::Contacts(cards) = kind else {
        panic!("{kind:?}")
    };
    let card = &cards[0];
    assert_eq!(
        card.name.as_ref().and_then(|n| n.formatted_name.as_deref()),
        Some("Barbara J. Johnson")
    );
    assert_eq!(card.phones[0].wa_id.as_deref(), Some("16505551234"));
    assert_eq!(
        card.org.as_ref().and_then(|o| o.company.as_deref()),
        Some("Lucky Shrub")
    );
    assert_eq!(
        (card.emails.len(), card.urls.len(), card.addresses.len()),
        (1, 1, 1)
    );
}

#[test]
fn reactions_and_their_removal() {
    let kind = kind_of(message(
        "reaction",
        json!({ "message_id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA", "emoji": "😀" }),
    ));
    let MessageKind::Reaction(r) = kind else {
        panic!("{kind:?}")
    };
    assert_eq!(r.emoji.as_deref(), Some("😀"));
    assert!(!r.is_removal());
    for removal in [
        json!({ "message_id": "wamid.x", "emoji": "" }),
        json!({ "message_id": "wamid.x" }),
    ] {
        let kind = kind_of(message("reaction", removal));
        assert!(matches!(kind, MessageKind::Reaction(r) if r.is_removal()));
    }
}

#[test]
fn an_order() {
    let kind = kind_of(message(
        "order",
        json!({ "catalog_id": "194836987003835", "text": "Please deliver before noon",
                "product_items": [
                    { "product_retailer_id": "di9ozbzfi4", "quantity": 2, "item_price": 30, "currency": "USD" },
                    { "product_retailer_id": "nqryix03ez", "quantity": "1", "item_price": "25.5", "currency": "USD" }] }),
    ));
    let MessageKind::Order(order) = kind else {
        panic!("{kind:?}")
    };
    assert_eq!(order.catalog_id.as_deref(), Some("194836987003835"));
    let totals: f64 = order
        .product_items
        .iter()
        .map(|i| i.quantity.unwrap_or(0.0) * i.item_price.unwrap_or(0.0))
        .sum();
    assert!((totals - 85.5).abs() < 1e-9);
}

#[test]
fn a_system_message_without_contacts() {
    let body = envelope(json!({
        "messaging_product": "whatsapp",
        "metadata": metadata(),
        "messages": [{
            "from": "16505551234", "id": WAMID, "timestamp": "1749416383", "type": "system",
            "system": { "body": "User Sheena Nelson changed from 16505551234 to 16505550000",
                        "wa_id": "16505550000", "type": "user_changed_number" }
        }]
    }));
    let n = parse(&body);
    let event = n.messages().next().expect("one message");
    assert!(
        event.contact.is_none(),
        "no contacts array in system messages"
    );
    let MessageKind::System(system) = &event.message.kind else {
        panic!("{:?}", event.message.kind)
    };
    assert_eq!(
        (system.kind.as_deref(), system.wa_id.as_deref()),
        (Some("user_changed_number"), Some("16505550000"))
    );
}

#[test]
fn an_unsupported_message_keeps_its_errors() {
    let mut m = message("unsupported", json!({ "type": "edit" }));
    m["errors"] = json!([{ "code": 131051, "title": "Message type unknown", "message": "Message type unknown",
                           "error_data": { "details": "Message type is currently not supported." } }]);
    let n = inbound(m);
    let msg = n.messages().next().expect("one message").message;
    assert!(matches!(&msg.kind, MessageKind::Unsupported(u) if u.kind.as_deref() == Some("edit")));
    assert_eq!(msg.errors[0].code, Some(131_051));
    assert_eq!(
        msg.errors[0].details(),
        Some("Message type is currently not supported.")
    );
    let bare = kind_of(
        json!({ "from": "16505551234", "id": WAMID, "timestamp": "1", "type": "unsupported" }),
    );
    assert!(matches!(bare, MessageKind::Unsupported(u) if u.kind.is_none()));
}

#[test]
fn context_of_replies_forwards_and_product_enquiries() {
    let mut reply = message("text", json!({ "body": "Yes, that one" }));
    reply["context"] = json!({ "from": "15550783881", "id": "wamid.HBgLMTY1MDM4NzkzMDgVAgARGBI2QzY5NjYzQjY4NzNGOUNGQzUA" });
    let ctx = parsed(reply).context.expect("context");
    assert_eq!(
        ctx.id.as_deref(),
        Some("wamid.HBgLMTY1MDM4NzkzMDgVAgARGBI2QzY5NjYzQjY4NzNGOUNGQzUA")
    );
    assert!(!ctx.forwarded);

    let mut forwarded = message("text", json!({ "body": "look at this" }));
    forwarded["context"] = json!({ "forwarded": true, "frequently_forwarded": true });
    let ctx = parsed(forwarded).context.expect("context");
    assert!(ctx.forwarded && ctx.frequently_forwarded);

    let mut enquiry = message("text", json!({ "body": "Is this in stock?" }));
    enquiry["context"] = json!({ "from": "15550783881", "id": "wamid.x",
                                 "referred_product": { "catalog_id": "194836987003835", "product_retailer_id": "di9ozbzfi4" } });
    let product = parsed(enquiry)
        .context
        .and_then(|c| c.referred_product)
        .expect("product");
    assert_eq!(product.product_retailer_id.as_deref(), Some("di9ozbzfi4"));
}

#[test]
fn a_click_to_whatsapp_referral() {
    let mut m = message("text", json!({ "body": "Hi, I saw your ad" }));
    m["referral"] = json!({
        "source_url": "https://fb.me/3cr4Wqqkv", "source_id": "120226305854810726", "source_type": "ad",
        "body": "Summer succulents are here!", "headline": "Chat with us", "media_type": "image",
        "image_url": "https://scontent.xx.fbcdn.net/v/t45.1600-4/example.png",
        "ctwa_clid": "Aff-n8ZTODiE79d22KtAwQKj9e_mIEOOj27vDVwFjN80dp4_0NiNhEgpGo0AHemvuSoifXaytfTzcchptiErTKCqTrJ5nW1h7IHYeYymGb5K5J5iYMAjp5MG8rnJFfa8gmEe",
        "welcome_message": { "text": "Hi there! Let us know how we can help." }
    });
    let referral = parsed(m).referral.expect("referral");
    assert_eq!(
        (
            referral.source_type.as_deref(),
            referral.source_id.as_deref()
        ),
        (Some("ad"), Some("120226305854810726"))
    );
    assert!(referral.ctwa_clid.is_some());
    assert_eq!(
        referral.welcome_message.and_then(|w| w.text).as_deref(),
        Some("Hi there! Let us know how we can help.")
    );
}

#[test]
fn bsuid_senders_with_and_without_a_phone_number() {
    let body = envelope(json!({
        "messaging_product": "whatsapp",
        "metadata": metadata(),
        "contacts": [
            { "profile": { "name": "Krish Thakur" }, "wa_id": "919810218674", "user_id": "IN.1410018717833190", "country_code": "IN" },
            { "profile": { "name": "Bob", "username": "@bob" }, "user_id": "US.13491208655302741918", "parent_user_id": "US.ENT.11815799212886844830" }
        ],
        "messages": [
            { "from": "919810218674", "from_user_id": "IN.1410018717833190", "id": "wamid.k", "timestamp": "1779372805",
              "text": { "body": "Hey" }, "from_logical_id": "95000398405635", "type": "text" },
            { "from_user_id": "US.13491208655302741918", "from_parent_user_id": "US.ENT.11815799212886844830",
              "id": "wamid.b", "timestamp": "1779372806", "type": "text", "text": { "body": "hi, username only" } }
        ],
        "statuses": [{ "id": "wamid.out", "status": "delivered", "timestamp": "1779372807",
                       "recipient_user_id": "US.13491208655302741918", "recipient_parent_user_id": "US.ENT.11815799212886844830" }]
    }));
    let n = parse(&body);
    let events: Vec<_> = n.messages().collect();
    assert_eq!(
        events[0].message.sender(),
        Some("919810218674"),
        "the phone number wins when there is one"
    );
    assert_eq!(
        events[0].message.from_user_id.as_deref(),
        Some("IN.1410018717833190")
    );
    assert_eq!(
        events[0].contact.and_then(|c| c.name()),
        Some("Krish Thakur")
    );
    let bob = events[1];
    assert_eq!(bob.message.from, None);
    assert_eq!(bob.message.sender(), Some("US.13491208655302741918"));
    assert_eq!(
        bob.message.from_parent_user_id.as_deref(),
        Some("US.ENT.11815799212886844830")
    );
    let contact = bob.contact.expect("matched by BSUID");
    assert_eq!(
        (contact.name(), contact.wa_id.as_deref()),
        (Some("Bob"), None)
    );
    assert_eq!(
        contact.profile.as_ref().and_then(|p| p.username.as_deref()),
        Some("@bob")
    );
    let status = n.statuses().next().unwrap().status;
    assert_eq!(
        (status.recipient_id.as_deref(), status.recipient()),
        (None, Some("US.13491208655302741918"))
    );
}
