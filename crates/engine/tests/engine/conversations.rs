//! How conversations are answered: once per message however often it is
//! delivered, bursts as one turn, a dead worker's conversation taken over,
//! failed sends retried or given up, handoffs, and each customer in order.

use super::*;

#[tokio::test]
async fn a_message_delivered_three_times_is_answered_once() {
    let mut h = Harness::start().await;
    let ana = customer("14155550101");
    let hello = h.text(&ana, "Hi there");
    for _ in 0..3 {
        h.enqueue(vec![hello.clone()]).await;
    }
    let outbox = h.settled(&ana).await;
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    assert_eq!(outbox[0].state, SendState::Sent);
    assert_eq!(h.outlet.sent_to(&ana).len(), 1);
    // Redelivered after it was answered: still dropped.
    h.enqueue(vec![hello]).await;
    assert_eq!(h.settled(&ana).await.len(), 1);
    assert_eq!(h.outlet.sent().len(), 1);
    h.stop().await;
}

#[tokio::test]
async fn every_reply_is_keyed_by_the_message_it_answers() {
    let mut h = Harness::start().await;
    let ana = customer("14155550102");
    h.say(&ana, "Hi there").await;
    h.say(&ana, "I'm Ana").await;
    let keys: Vec<String> = h
        .settled(&ana)
        .await
        .into_iter()
        .map(|e| e.message.key)
        .collect();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(keys[0].starts_with("wamid.in.1"), "{keys:?}");
    assert!(keys[1].starts_with("wamid.in.2"), "{keys:?}");
    h.stop().await;
}

#[tokio::test]
async fn a_burst_is_held_until_the_window_passes_and_answered_as_one_turn() {
    let mut h = Harness::with(Setup {
        quiet_for: Duration::from_secs(3),
        ..Setup::default()
    })
    .await;
    let ana = customer("14155550103");
    let burst = vec![
        h.text(&ana, "hi"),
        h.text(&ana, "I'm Ana"),
        h.text(&ana, "from Acme, we need a sales chatbot"),
    ];
    h.enqueue(burst).await;
    // Still being typed: no worker may take it, however long real time runs.
    let probe = h
        .store
        .claim("probe", LEASE, Duration::from_secs(3))
        .await
        .expect("claim");
    assert!(probe.is_none(), "claimed inside the burst window");
    assert_eq!(h.store.depth().await.expect("depth"), 3);

    h.time.advance(Duration::from_secs(3));
    let outbox = h.settled(&ana).await;
    assert_eq!(outbox.len(), 1, "one reply for the burst: {outbox:?}");
    let conversation = h.store.load(&ana).await.expect("load").expect("saved");
    assert_eq!(conversation.lead.name.as_deref(), Some("Ana"));
    assert_eq!(conversation.lead.company.as_deref(), Some("Acme"));
    h.stop().await;
}

#[tokio::test]
async fn a_dead_workers_conversation_is_taken_over_once_its_lease_expires() {
    let mut h = Harness::stopped(Setup::default()).await;
    let ana = customer("14155550104");
    // Claimed by a worker that then dies; the engine, started after, may
    // not take the conversation while the lease holds.
    let hello = h.text(&ana, "Hi there");
    h.enqueue(vec![hello]).await;
    let dead = h
        .store
        .claim("dead-worker", LEASE, Duration::ZERO)
        .await
        .expect("claim")
        .expect("the message is pending");
    h.run();
    assert!(!h.claimable().await, "taken over while the lease holds");
    assert_eq!(h.store.depth().await.expect("depth"), 1);

    h.time.advance(LEASE + Duration::from_secs(1));
    let outbox = h.settled(&ana).await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(h.outlet.sent_to(&ana).len(), 1);
    // The dead worker wakes up and tries to commit: fenced, nothing written.
    let conversation = h.store.load(&ana).await.expect("load").expect("saved");
    let late = leadline_stores::TurnCommit {
        conversation,
        replies: Vec::new(),
        events: Vec::new(),
        effects: Vec::new(),
    };
    assert!(matches!(
        h.store.commit_turn(&dead, late).await,
        Err(StoreError::Fenced)
    ));
    h.stop().await;
}

#[tokio::test]
async fn a_failed_send_is_retried_when_its_time_comes_and_sent_once() {
    let mut h = Harness::start().await;
    let ana = customer("14155550105");
    h.outlet.fail_next(SendError::Http { status: 503 });
    let hello = h.text(&ana, "Hi there");
    h.enqueue(vec![hello]).await;
    // Tried once, and due again later by the clock: nothing is sent while
    // the clock stands still.
    let entry = until("the failed attempt", || async {
        let entries = h.store.outbox_entries(&ana).await.expect("outbox");
        entries.into_iter().find(|e| e.attempts == 1)
    })
    .await;
    assert_eq!(entry.state, SendState::Pending);
    assert!(
        entry
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("503"),
        "{entry:?}"
    );
    let due = h
        .store
        .next_due()
        .await
        .expect("next due")
        .expect("a retry");
    assert!(due > h.time.now(), "the retry waits for its time");
    assert!(h.outlet.sent().is_empty());

    h.time.advance(Duration::from_secs(5));
    let outbox = h.settled(&ana).await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].state, SendState::Sent);
    assert_eq!(outbox[0].attempts, 1, "one failed attempt recorded");
    assert_eq!(h.outlet.sent_to(&ana).len(), 1);
    assert_eq!(h.outlet.attempts(), 2);
    h.stop().await;
}

#[tokio::test]
async fn a_permanent_send_failure_is_not_retried_and_does_not_block_the_next_reply() {
    let mut h = Harness::start().await;
    let ana = customer("14155550106");
    h.outlet
        .fail_next(SendError::Invalid("refused for good".to_owned()));
    let replies = h.say(&ana, "Hi there").await;
    assert!(replies.is_empty());
    let outbox = h.settled(&ana).await;
    assert_eq!(outbox[0].state, SendState::Failed);
    // However far the clock moves, it is not tried again.
    h.time.advance(Duration::from_secs(3600));
    assert_eq!(h.settled(&ana).await[0].state, SendState::Failed);
    let replies = h.say(&ana, "I'm Ana").await;
    assert_eq!(replies.len(), 1);
    assert_eq!(h.outlet.attempts(), 2);
    h.stop().await;
}

#[tokio::test]
async fn a_customer_who_asks_for_a_person_is_handed_off_and_the_bot_goes_quiet() {
    let mut h = Harness::start().await;
    let ana = customer("14155550109");
    h.say(&ana, "Hi, I'm Ana from Acme").await;
    let replies = h.say(&ana, "I want to talk to a human please").await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    let conversation = h.store.load(&ana).await.expect("load").expect("saved");
    assert!(conversation.handoff.is_some());
    assert!(h.say(&ana, "hello?").await.is_empty());
    assert_eq!(h.settled(&ana).await.len(), 2);
    h.stop().await;
}

#[tokio::test]
async fn conversations_of_different_customers_are_answered_in_their_own_order() {
    let mut h = Harness::start().await;
    let customers: Vec<CustomerId> = (0..20)
        .map(|n| customer(&format!("1415555{n:04}")))
        .collect();
    let mut messages = Vec::new();
    for c in &customers {
        messages.push(h.text(c, "Hi there"));
    }
    h.enqueue(messages).await;
    for c in &customers {
        assert_eq!(h.settled(c).await.len(), 1, "{c:?}");
    }
    assert_eq!(h.outlet.sent().len(), 20);
    h.stop().await;
}
