//! From the Cloud API's wire types to what the inbox queues: the one place
//! that knows both. Nothing here can fail a delivery: an update that cannot
//! be used is counted and skipped, so Meta never retries a batch forever
//! because of one odd message.

use jiff::Timestamp;
use leadline_domain::{Content, CustomerId, DeliveryState, InboundMessage, StatusUpdate};
use leadline_stores::InboxBatch;
use leadline_whatsapp::webhook::{
    Interactive, MessageEvent, MessageKind, Notification, StatusEvent, StatusKind,
};

/// A notification's messages and statuses, ready to enqueue.
#[derive(Debug, Default)]
pub struct Translated {
    pub batch: InboxBatch,
    /// Updates left out: group messages, senders without a usable id,
    /// status values Leadline does not track, other webhook fields.
    pub ignored: usize,
}

/// `now` stands in for a message's send time when Meta's is missing.
pub fn translate(notification: &Notification, now: Timestamp) -> Translated {
    let mut out = Translated::default();
    for event in notification.messages() {
        match message(&event, now) {
            Some(m) => out.batch.messages.push(m),
            None => out.ignored += 1,
        }
    }
    for event in notification.statuses() {
        match status(&event, now) {
            Some(s) => out.batch.statuses.push(s),
            None => out.ignored += 1,
        }
    }
    out.ignored += notification.other_changes().count();
    out
}

fn message(event: &MessageEvent<'_>, now: Timestamp) -> Option<InboundMessage> {
    let m = event.message;
    // Leadline talks to people one to one; group chats are not its place.
    if m.group_id.is_some() {
        return None;
    }
    let customer = CustomerId::parse(m.sender()?).ok()?;
    Some(InboundMessage {
        id: m.id.clone(),
        customer,
        business_number_id: event.metadata.phone_number_id.clone(),
        profile_name: event.contact.and_then(|c| c.name()).map(str::to_owned),
        sent_at: at(m.timestamp, now),
        content: content(&m.kind),
    })
}

fn content(kind: &MessageKind) -> Content {
    if let Some(media) = kind.media() {
        return Content::Media {
            kind: media.kind.to_owned(),
            media_id: media.id.to_owned(),
            mime_type: media.mime_type.map(str::to_owned),
            caption: media.caption.map(str::to_owned),
            filename: media.filename.map(str::to_owned),
            transcript: None,
        };
    }
    let other = || Content::Other {
        type_name: kind.type_name().to_owned(),
    };
    match kind {
        MessageKind::Text(text) => Content::Text {
            body: text.body.clone(),
        },
        MessageKind::Interactive(
            Interactive::ButtonReply { id, title } | Interactive::ListReply { id, title, .. },
        ) => Content::Choice {
            id: id.clone(),
            title: title.clone(),
        },
        MessageKind::Button(button) => Content::Choice {
            id: button
                .payload
                .clone()
                .unwrap_or_else(|| button.text.clone()),
            title: button.text.clone(),
        },
        MessageKind::Location(l) => Content::Location {
            latitude: l.latitude,
            longitude: l.longitude,
            name: l.name.clone(),
            address: l.address.clone(),
        },
        MessageKind::Contacts(cards) => Content::Contacts {
            names: cards
                .iter()
                .filter_map(|c| c.name.as_ref()?.formatted_name.clone())
                .collect(),
        },
        MessageKind::Reaction(r) => Content::Reaction {
            emoji: r.emoji.clone().unwrap_or_default(),
            message_id: r.message_id.clone(),
        },
        _ => other(),
    }
}

fn status(event: &StatusEvent<'_>, now: Timestamp) -> Option<StatusUpdate> {
    let s = event.status;
    let state = match &s.status {
        StatusKind::Sent => DeliveryState::Sent,
        StatusKind::Delivered => DeliveryState::Delivered,
        // A played voice note has been read, and more.
        StatusKind::Read | StatusKind::Played => DeliveryState::Read,
        StatusKind::Failed => DeliveryState::Failed,
        StatusKind::Unknown(_) => return None,
    };
    Some(StatusUpdate {
        message_id: s.id.clone(),
        recipient: CustomerId::parse(s.recipient()?).ok()?,
        state,
        at: at(s.timestamp, now),
        errors: s
            .errors
            .iter()
            .map(|e| {
                (
                    e.code.unwrap_or(0),
                    e.title
                        .clone()
                        .or_else(|| e.message.clone())
                        .unwrap_or_default(),
                )
            })
            .collect(),
        outbox_key: s.biz_opaque_callback_data.clone(),
    })
}

/// Meta's unix seconds, or the time of arrival when they are missing or
/// out of range.
fn at(seconds: Option<i64>, now: Timestamp) -> Timestamp {
    seconds
        .and_then(|s| Timestamp::from_second(s).ok())
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use leadline_whatsapp::webhook::parse_notification;

    fn parse(json: &str) -> Translated {
        translate(
            &parse_notification(json.as_bytes()).expect("a valid notification"),
            Timestamp::now(),
        )
    }

    fn wrap(messages: &str, contacts: &str) -> String {
        format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{
            "messaging_product":"whatsapp","metadata":{{"display_phone_number":"1555","phone_number_id":"106"}},
            "contacts":{contacts},"messages":{messages}}}}}]}}]}}"#
        )
    }

    #[test]
    fn every_kind_of_message_becomes_content_an_agent_can_read() {
        let t = parse(&wrap(
            r#"[
            {"from":"521555","id":"w1","timestamp":"1732406400","type":"text","text":{"body":"hola"}},
            {"from":"521555","id":"w2","timestamp":"1732406400","type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"slot-3","title":"Tue 10:00"}}},
            {"from":"521555","id":"w3","timestamp":"1732406400","type":"button","button":{"payload":"YES","text":"Yes"}},
            {"from":"521555","id":"w4","timestamp":"1732406400","type":"image","image":{"id":"m1","mime_type":"image/jpeg","caption":"our logo"}},
            {"from":"521555","id":"w5","timestamp":"1732406400","type":"reaction","reaction":{"message_id":"w0","emoji":"👍"}},
            {"from":"521555","id":"w6","timestamp":"1732406400","type":"hologram","hologram":{}}
            ]"#,
            r#"[{"profile":{"name":"Ana"},"wa_id":"521555"}]"#,
        ));
        let contents: Vec<&Content> = t.batch.messages.iter().map(|m| &m.content).collect();
        assert_eq!(
            contents[0],
            &Content::Text {
                body: "hola".into()
            }
        );
        assert_eq!(
            contents[1],
            &Content::Choice {
                id: "slot-3".into(),
                title: "Tue 10:00".into()
            }
        );
        assert_eq!(
            contents[2],
            &Content::Choice {
                id: "YES".into(),
                title: "Yes".into()
            }
        );
        assert!(
            matches!(contents[3], Content::Media { kind, caption: Some(c), .. } if kind == "image" && c == "our logo")
        );
        assert_eq!(
            contents[4],
            &Content::Reaction {
                emoji: "👍".into(),
                message_id: "w0".into()
            }
        );
        assert_eq!(
            contents[5],
            &Content::Other {
                type_name: "hologram".into()
            }
        );
        let first = &t.batch.messages[0];
        assert_eq!(first.profile_name.as_deref(), Some("Ana"));
        assert_eq!(first.business_number_id, "106");
        assert_eq!(first.sent_at, Timestamp::from_second(1732406400).unwrap());
        assert_eq!(t.ignored, 0);
    }

    #[test]
    fn unusable_updates_are_counted_not_fatal() {
        let t = parse(&wrap(
            r#"[
            {"from":"not a number!","id":"w1","timestamp":"1","type":"text","text":{"body":"x"}},
            {"from":"521555","group_id":"g1","id":"w2","timestamp":"1","type":"text","text":{"body":"x"}},
            {"from":"521555","id":"w3","timestamp":"garbage","type":"text","text":{"body":"ok"}}
            ]"#,
            "[]",
        ));
        assert_eq!(t.ignored, 2);
        assert_eq!(t.batch.messages.len(), 1);
        assert!(
            t.batch.messages[0].sent_at > Timestamp::from_second(1).unwrap(),
            "a bad timestamp becomes the arrival time"
        );
    }

    #[test]
    fn statuses_are_translated_and_unknown_values_skipped() {
        let t = parse(
            r#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
            "messaging_product":"whatsapp","metadata":{"display_phone_number":"1555","phone_number_id":"106"},
            "statuses":[
              {"id":"out1","status":"delivered","timestamp":"1732406401","recipient_id":"521555"},
              {"id":"out2","status":"failed","timestamp":"1732406401","recipient_id":"521555","errors":[{"code":131047,"title":"Re-engagement message"}]},
              {"id":"out3","status":"teleported","timestamp":"1732406401","recipient_id":"521555"}
            ]}}]}]}"#,
        );
        assert_eq!(t.ignored, 1);
        let states: Vec<DeliveryState> = t.batch.statuses.iter().map(|s| s.state).collect();
        assert_eq!(
            states,
            vec![DeliveryState::Delivered, DeliveryState::Failed]
        );
        assert_eq!(
            t.batch.statuses[1].errors,
            vec![(131047, "Re-engagement message".to_owned())]
        );
    }
}
