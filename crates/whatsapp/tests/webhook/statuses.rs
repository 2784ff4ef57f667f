//! Delivery statuses (sent, delivered, read, failed) with their
//! conversation, pricing and errors: what Meta says of our own messages.

use super::*;

#[test]
fn statuses_sent_delivered_read_with_conversation_and_pricing() {
    let body = envelope(json!({
        "messaging_product": "whatsapp",
        "metadata": metadata(),
        "statuses": [
            { "id": WAMID, "status": "sent", "timestamp": "1750263773", "recipient_id": "16505551234",
              "conversation": { "id": "6ceb9d929c1d5e2ec8fcf4e6b1a3c0f1", "expiration_timestamp": "1750350180", "origin": { "type": "service" } },
              "pricing": { "billable": true, "pricing_model": "CBP", "category": "service" } },
            { "id": WAMID, "status": "delivered", "timestamp": "1750263774", "recipient_id": "16505551234",
              "pricing": { "billable": true, "pricing_model": "PMP", "category": "utility", "type": "regular" } },
            { "id": WAMID, "status": "read", "timestamp": "1750263775", "recipient_id": "16505551234" },
            { "id": WAMID, "status": "played", "timestamp": "1750263776", "recipient_id": "16505551234" },
            { "id": WAMID, "status": "deleted", "timestamp": "1750263777", "recipient_id": "16505551234" }
        ]
    }));
    let n = parse(&body);
    let statuses: Vec<_> = n.statuses().map(|e| e.status.clone()).collect();
    let kinds: Vec<_> = statuses.iter().map(|s| s.status.clone()).collect();
    assert_eq!(
        kinds,
        [
            StatusKind::Sent,
            StatusKind::Delivered,
            StatusKind::Read,
            StatusKind::Played,
            StatusKind::Unknown("deleted".into())
        ]
    );
    assert_eq!(kinds[4].as_str(), "deleted");
    let sent = &statuses[0];
    assert_eq!(
        (sent.timestamp, sent.recipient()),
        (Some(1_750_263_773), Some("16505551234"))
    );
    let conversation = sent.conversation.as_ref().expect("conversation");
    assert_eq!(conversation.expiration_timestamp, Some(1_750_350_180));
    assert_eq!(
        conversation.origin.as_ref().and_then(|o| o.kind.as_deref()),
        Some("service")
    );
    let pricing = statuses[1].pricing.as_ref().expect("pricing");
    assert_eq!(
        (
            pricing.billable,
            pricing.pricing_model.as_deref(),
            pricing.category.as_deref(),
            pricing.kind.as_deref()
        ),
        (Some(true), Some("PMP"), Some("utility"), Some("regular"))
    );
    assert!(
        n.statuses()
            .all(|e| e.metadata.phone_number_id == PHONE_NUMBER_ID)
    );
    assert_eq!(n.messages().count(), 0);
}

#[test]
fn a_failed_status_with_its_errors() {
    let body = envelope(json!({
        "messaging_product": "whatsapp",
        "metadata": metadata(),
        "statuses": [{
            "id": WAMID, "status": "failed", "timestamp": "1750263773", "recipient_id": "16505551234",
            "errors": [{ "code": 131047, "title": "Re-engagement message", "message": "Re-engagement message",
                         "error_data": { "details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number." },
                         "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/" }]
        }]
    }));
    let n = parse(&body);
    let status = n.statuses().next().expect("one status").status;
    assert_eq!(status.status, StatusKind::Failed);
    let error = &status.errors[0];
    assert_eq!(
        (error.code, error.title.as_deref()),
        (Some(131_047), Some("Re-engagement message"))
    );
    assert!(error.details().is_some_and(|d| d.contains("24 hours")));
}
