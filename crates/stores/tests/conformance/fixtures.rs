//! Builders of the messages, claims, turns and replies the topic tests share.
//! Apart so each topic module reads as its tests only.

use super::*;

/// A call of `minutes` starting `hours` after a fixed instant.
pub(super) fn call(key: &str, hours: i64, minutes: i64) -> CalendarCall {
    let start = Timestamp::from_second(1_800_000_000).unwrap() + SignedDuration::from_hours(hours);
    CalendarCall {
        key: key.to_owned(),
        start,
        end: start + SignedDuration::from_mins(minutes),
        summary: "Call with Ana".to_owned(),
        description: "Budget: 5000 USD".to_owned(),
        attendee: Some("ana@example.com".to_owned()),
    }
}

pub(super) fn customer(n: u32) -> CustomerId {
    CustomerId::parse(&format!("3460{n:07}")).expect("a valid customer id")
}

pub(super) fn message(id: &str, customer: &CustomerId, text: &str) -> InboundMessage {
    InboundMessage {
        id: id.to_owned(),
        customer: customer.clone(),
        business_number_id: "1065".to_owned(),
        profile_name: Some("Ana".to_owned()),
        // Meta's clock, an hour behind the arrival: a delivery Meta held
        // back. Stores time the transcript by arrival, so it counts in no
        // reply latency.
        sent_at: Timestamp::now() - SignedDuration::from_hours(1),
        content: Content::Text {
            body: text.to_owned(),
        },
    }
}

pub(super) fn batch(messages: Vec<InboundMessage>) -> InboxBatch {
    InboxBatch {
        messages,
        statuses: Vec::new(),
    }
}

pub(super) fn statuses(updates: &[(&str, DeliveryState)]) -> InboxBatch {
    let statuses = updates
        .iter()
        .map(|(id, state)| StatusUpdate {
            message_id: (*id).to_owned(),
            recipient: customer(1),
            state: *state,
            at: Timestamp::now(),
            errors: Vec::new(),
            outbox_key: None,
        })
        .collect();
    InboxBatch {
        messages: Vec::new(),
        statuses,
    }
}

pub(super) fn reply(key: &str, to: &CustomerId, text: &str) -> OutgoingMessage {
    OutgoingMessage {
        key: key.to_owned(),
        to: to.clone(),
        business_number_id: "1065".to_owned(),
        body: OutgoingBody::Text {
            body: text.to_owned(),
        },
    }
}

pub(super) fn ids(claim: &Claim) -> Vec<&str> {
    claim.messages.iter().map(|m| m.id.as_str()).collect()
}

pub(super) fn conversation(
    customer: &CustomerId,
    started_at: Timestamp,
    texts: &[&str],
) -> Conversation {
    let mut c = Conversation::new(
        customer.clone(),
        "greeting".to_owned(),
        Language::Es,
        started_at,
    );
    for text in texts {
        c.push(Speaker::Customer, (*text).to_owned(), started_at, None);
    }
    c.lead.name = Some("Ana".parse().unwrap());
    c
}

/// A turn answering `claim`: its messages in the history, the given
/// replies, one event.
pub(super) fn turn(claim: &Claim, replies: Vec<OutgoingMessage>) -> TurnCommit {
    let mut c = Conversation::new(
        claim.customer.clone(),
        "greeting".to_owned(),
        Language::Es,
        Timestamp::now(),
    );
    for m in &claim.messages {
        c.push(
            Speaker::Customer,
            m.content.text().unwrap_or_default().to_owned(),
            m.sent_at,
            Some(m.id.clone()),
        );
    }
    c.lead.name = Some("Ana".parse().unwrap());
    TurnCommit {
        conversation: c,
        replies,
        events: vec![Event::StageChanged {
            from: "greeting".into(),
            to: "qualification".into(),
        }],
        effects: Vec::new(),
    }
}

pub(super) async fn claim_one<S: Store>(store: &S, worker: &str) -> Claim {
    store
        .claim(worker, LONG, NO_QUIET)
        .await
        .expect("claim")
        .expect("a conversation to claim")
}

pub(super) fn report(accepted: usize, duplicates: usize, statuses: usize) -> EnqueueReport {
    EnqueueReport {
        accepted,
        duplicates,
        statuses,
    }
}

/// Records one turn with `replies` for a fresh message of `to`.
pub(super) async fn outbox_with<S: Store>(
    store: &S,
    to: &CustomerId,
    id: &str,
    replies: &[(&str, &str)],
) {
    let claim = claimed(store, to, id, "w").await;
    let replies = replies
        .iter()
        .map(|(key, text)| reply(key, to, text))
        .collect();
    store
        .commit_turn(&claim, turn(&claim, replies))
        .await
        .expect("commit");
}

pub(super) fn keys(items: &[leadline_stores::OutboxItem]) -> Vec<&str> {
    items.iter().map(|i| i.message.key.as_str()).collect()
}

/// `customer` writes "hola" as message `id`, and `worker` claims it: the
/// start of most tests of a single turn.
pub(super) async fn claimed<S: Store>(
    store: &S,
    customer: &CustomerId,
    id: &str,
    worker: &str,
) -> Claim {
    store
        .enqueue(batch(vec![message(id, customer, "hola")]))
        .await
        .expect("enqueue");
    claim_one(store, worker).await
}

/// `customer`'s message `id` claimed and answered by a turn with no
/// reply: a conversation on record, nothing pending.
pub(super) async fn answer<S: Store>(store: &S, customer: &CustomerId, id: &str) -> Claim {
    let claim = claimed(store, customer, id, "w").await;
    store
        .commit_turn(&claim, turn(&claim, Vec::new()))
        .await
        .expect("commit");
    claim
}

/// The dedup window's test, before the backend ages the ids its own way:
/// "old" and "recent" answered, "pending" still waiting.
pub(super) async fn answered_and_pending<S: Store>(s: &S) -> [InboundMessage; 3] {
    let c = customer(1);
    let sent = ["old", "recent", "pending"].map(|id| message(id, &c, "x"));
    s.enqueue(batch(sent[..2].to_vec())).await.unwrap();
    let claim = claim_one(s, "w").await;
    s.commit_turn(&claim, turn(&claim, Vec::new()))
        .await
        .unwrap();
    s.enqueue(batch(sent[2..].to_vec())).await.unwrap();
    sent
}

/// After pruning [`answered_and_pending`]'s ids, aged "old" and "pending"
/// 8 days, "recent" 6: only "old" is new again.
pub(super) async fn assert_only_the_old_answered_id_is_forgotten<S: Store>(
    s: &S,
    sent: [InboundMessage; 3],
) {
    let r = s.enqueue(batch(sent.to_vec())).await.unwrap();
    assert_eq!(
        r,
        report(1, 2, 0),
        "only the answered id older than 7 days is forgotten"
    );
    assert_eq!(s.depth().await.unwrap(), 2);
}
