//! The outbox: one due entry per recipient in order, leases, retries,
//! failures, and sends a delivery status proves.

use super::*;

pub(super) async fn due_gives_one_entry_per_recipient_in_order<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let (a, c) = (customer(1), customer(2));
    outbox_with(&s, &a, "a.1", &[("a#0", "a0"), ("a#1", "a1")]).await;
    outbox_with(&s, &c, "c.1", &[("c#0", "c0")]).await;
    outbox_with(&s, &a, "a.2", &[("a#2", "a2")]).await;

    let items = s.due(Timestamp::now(), 10, LONG).await.unwrap();
    assert_eq!(keys(&items), ["a#0", "c#0"]);
    assert_eq!(items[0].attempts, 0);
    for item in &items {
        s.mark_sent(item.id, &format!("out.{}", item.message.key))
            .await
            .unwrap();
    }
    assert_eq!(
        keys(&s.due(Timestamp::now(), 10, LONG).await.unwrap()),
        ["a#1"]
    );

    // `limit` bounds the answer.
    outbox_with(&s, &c, "c.2", &[("c#1", "c1")]).await;
    let c_only = s.due(Timestamp::now(), 1, LONG).await.unwrap();
    assert_eq!(keys(&c_only), ["c#1"]);
}

pub(super) async fn a_due_entry_is_leased<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    outbox_with(&s, &c, "m.1", &[("m.1#0", "hola")]).await;
    let now = Timestamp::now();
    assert_eq!(keys(&s.due(now, 10, SHORT).await.unwrap()), ["m.1#0"]);
    assert!(s.due(now, 10, SHORT).await.unwrap().is_empty(), "leased");
    let later = now + SignedDuration::from_secs(1);
    assert_eq!(
        keys(&s.due(later, 10, SHORT).await.unwrap()),
        ["m.1#0"],
        "the lease expired"
    );
}

pub(super) async fn a_retry_holds_back_only_its_recipient<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let (a, c) = (customer(1), customer(2));
    outbox_with(&s, &a, "a.1", &[("a#0", "a0"), ("a#1", "a1")]).await;
    outbox_with(&s, &c, "c.1", &[("c#0", "c0")]).await;
    let items = s.due(Timestamp::now(), 10, LONG).await.unwrap();
    assert_eq!(keys(&items), ["a#0", "c#0"]);

    // Sooner than the LONG leases taken below expire, so at `not_before`
    // c's next entry is still leased and only a's retry is due.
    let not_before = Timestamp::now() + SignedDuration::from_mins(5);
    s.mark_retry(items[0].id, not_before, "429 rate limited")
        .await
        .unwrap();
    s.mark_sent(items[1].id, "out.c0").await.unwrap();
    outbox_with(&s, &c, "c.2", &[("c#1", "c1")]).await;
    assert_eq!(
        keys(&s.due(Timestamp::now(), 10, LONG).await.unwrap()),
        ["c#1"],
        "a's replies wait"
    );

    let retried = s.due(not_before, 10, LONG).await.unwrap();
    assert_eq!(keys(&retried), ["a#0"]);
    assert_eq!(retried[0].attempts, 1);
}

pub(super) async fn a_failed_entry_lets_the_next_one_go<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    outbox_with(&s, &c, "m.1", &[("m#0", "one"), ("m#1", "two")]).await;
    let head = s.due(Timestamp::now(), 10, LONG).await.unwrap();
    s.mark_failed(head[0].id, "131026 undeliverable")
        .await
        .unwrap();
    let next = s.due(Timestamp::now(), 10, LONG).await.unwrap();
    assert_eq!(keys(&next), ["m#1"]);
    s.mark_sent(next[0].id, "out.1").await.unwrap();
    // A late outcome for the failed entry changes nothing.
    s.mark_retry(head[0].id, Timestamp::now(), "late")
        .await
        .unwrap();

    let far = Timestamp::now() + SignedDuration::from_hours(24 * 30);
    assert!(s.due(far, 10, LONG).await.unwrap().is_empty());
    let states: Vec<_> = outbox_of(&s, &c)
        .await
        .into_iter()
        .map(|e| (e.state, e.attempts))
        .collect();
    assert_eq!(states, [("failed", 1), ("sent", 0)]);
}

/// A sender died after Graph accepted its entry and before recording it:
/// the status Meta sends back, carrying the entry's key, records the send,
/// so nobody sends it again, and the recipient's next entry comes due.
pub(super) async fn a_status_naming_a_pending_entry_records_its_send<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    outbox_with(&s, &c, "in.1", &[("in.1#0", "uno"), ("in.1#1", "dos")]).await;
    let leased = s.due(Timestamp::now(), 10, LONG).await.unwrap();
    assert_eq!(keys(&leased), ["in.1#0"]);
    let status = |wamid: &str, key: &str| {
        let mut batch = statuses(&[(wamid, DeliveryState::Sent)]);
        batch.statuses[0].outbox_key = Some(key.to_owned());
        batch
    };
    s.enqueue(status("wamid.out.1", "in.1#0")).await.unwrap();
    let next = s.due(Timestamp::now(), 10, LONG).await.unwrap();
    assert_eq!(keys(&next), ["in.1#1"], "the recorded send let the next go");
    // A late outcome of the dead sender, or a repeated status, changes
    // nothing; neither does a status for an entry already sent.
    s.mark_sent(leased[0].id, "wamid.out.1").await.unwrap();
    s.mark_sent(next[0].id, "wamid.out.2").await.unwrap();
    s.enqueue(status("wamid.other", "in.1#1")).await.unwrap();
    let sent: Vec<_> = s
        .outbox_entries(&c)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.state, e.wa_message_id))
        .collect();
    assert_eq!(
        sent,
        [
            (SendState::Sent, Some("wamid.out.1".to_owned())),
            (SendState::Sent, Some("wamid.out.2".to_owned())),
        ]
    );
}

pub(super) async fn next_due_tells_when_something_waits<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    assert_eq!(s.next_due().await.unwrap(), None);
    let before = Timestamp::now();
    outbox_with(&s, &c, "m.1", &[("m#0", "one"), ("m#1", "two")]).await;
    let first = s.next_due().await.unwrap().expect("a reply waits");
    assert!(first <= Timestamp::now() && first >= before - SignedDuration::from_millis(1));

    let head = s.due(Timestamp::now(), 10, LONG).await.unwrap();
    let not_before = Timestamp::now() + SignedDuration::from_mins(5);
    s.mark_retry(head[0].id, not_before, "503").await.unwrap();
    let at = s.next_due().await.unwrap().expect("the retry waits");
    assert_eq!(at.as_millisecond(), not_before.as_millisecond());

    for _ in 0..2 {
        let item = s.due(not_before, 10, LONG).await.unwrap();
        s.mark_sent(item[0].id, &format!("out.{}", item[0].id))
            .await
            .unwrap();
    }
    assert_eq!(s.next_due().await.unwrap(), None);
}
