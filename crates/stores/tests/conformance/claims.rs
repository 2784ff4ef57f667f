//! Claims and leases: messages are claimed in order and once quiet, a claim
//! is exclusive until it expires or is released, a fenced commit writes
//! nothing, and a commit writes everything at once.

use super::effects::{crm, listing};
use super::*;

pub(super) async fn messages_are_claimed_in_arrival_order<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let (a, c) = (customer(1), customer(2));
    s.enqueue(batch(vec![message("c.1", &c, "1")]))
        .await
        .unwrap();
    s.enqueue(batch(vec![message("a.1", &a, "1")]))
        .await
        .unwrap();
    s.enqueue(batch(vec![
        message("c.2", &c, "2"),
        message("c.3", &c, "3"),
    ]))
    .await
    .unwrap();
    s.enqueue(batch(vec![message("c.4", &c, "4")]))
        .await
        .unwrap();

    let first = claim_one(&s, "w1").await;
    assert_eq!(
        first.customer, c,
        "the conversation whose oldest message waited longest goes first"
    );
    assert_eq!(ids(&first), ["c.1", "c.2", "c.3", "c.4"]);
    let second = claim_one(&s, "w2").await;
    assert_eq!(second.customer, a);
    assert_eq!(ids(&second), ["a.1"]);
}

pub(super) async fn a_burst_is_claimed_once_it_is_quiet<B: Backend>() {
    let quiet = Duration::from_secs(1);
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    s.enqueue(batch(vec![message("m.1", &c, "hi")]))
        .await
        .unwrap();
    tokio::time::sleep(quiet + Duration::from_millis(200)).await;
    s.enqueue(batch(vec![message("m.2", &c, "I'm Ana")]))
        .await
        .unwrap();
    // The first message is old enough, the newest is not: still typing.
    assert!(s.claim("w", LONG, quiet).await.unwrap().is_none());
    tokio::time::sleep(quiet + Duration::from_millis(50)).await;
    let claim = s.claim("w", LONG, quiet).await.unwrap().expect("quiet now");
    assert_eq!(ids(&claim), ["m.1", "m.2"]);
}

pub(super) async fn a_claim_is_exclusive<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let (a, c) = (customer(1), customer(2));
    s.enqueue(batch(vec![message("a.1", &a, "1")]))
        .await
        .unwrap();
    s.enqueue(batch(vec![message("c.1", &c, "1")]))
        .await
        .unwrap();
    assert_eq!(claim_one(&s, "w1").await.customer, a);
    assert_eq!(claim_one(&s, "w2").await.customer, c);
    assert!(s.claim("w3", LONG, NO_QUIET).await.unwrap().is_none());
    s.enqueue(batch(vec![message("a.2", &a, "2")]))
        .await
        .unwrap();
    assert!(
        s.claim("w3", LONG, NO_QUIET).await.unwrap().is_none(),
        "a new message does not break a live lease"
    );
}

/// `c`'s "m.1" claimed by "w1" on a short lease, now expired.
async fn expired_claim<S: Store>(s: &S, c: &CustomerId) -> Claim {
    s.enqueue(batch(vec![message("m.1", c, "hola")]))
        .await
        .unwrap();
    let claim = s
        .claim("w1", SHORT, NO_QUIET)
        .await
        .unwrap()
        .expect("claim");
    tokio::time::sleep(SHORT + Duration::from_millis(100)).await;
    claim
}

pub(super) async fn an_expired_lease_is_taken_over<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    let dead = expired_claim(&s, &c).await;
    let successor = s
        .claim("w2", LONG, NO_QUIET)
        .await
        .unwrap()
        .expect("the lease expired");
    assert_eq!(successor.customer, c);
    assert_eq!(ids(&successor), ["m.1"]);
    assert!(successor.fence > dead.fence);
}

pub(super) async fn a_fenced_commit_writes_nothing<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    let stale = expired_claim(&s, &c).await;
    let successor = claim_one(&s, "w2").await;

    let mut stale_turn = turn(&stale, vec![reply("m.1#0", &c, "stale")]);
    stale_turn.effects = vec![crm("crm:m.1", &c)];
    let refused = s.commit_turn(&stale, stale_turn).await;
    assert!(matches!(refused, Err(StoreError::Fenced)), "{refused:?}");
    assert!(s.load(&c).await.unwrap().is_none());
    assert!(s.load_lead(&c).await.unwrap().is_none());
    assert!(outbox_of(&s, &c).await.is_empty());
    assert!(events_of(&s, &c).await.is_empty());
    assert!(
        s.effect_entries(&listing(None, None))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(s.depth().await.unwrap(), 1);
    // Nor can the stale worker give the conversation back.
    s.release(&stale).await.unwrap();
    assert!(s.claim("w3", LONG, NO_QUIET).await.unwrap().is_none());

    s.commit_turn(
        &successor,
        turn(&successor, vec![reply("m.1#0", &c, "fresh")]),
    )
    .await
    .unwrap();
    let sent: Vec<_> = outbox_of(&s, &c)
        .await
        .into_iter()
        .map(|e| e.text)
        .collect();
    assert_eq!(sent, ["fresh"]);
    assert_eq!(s.depth().await.unwrap(), 0);
}

pub(super) async fn a_released_claim_is_pending_again<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    let claim = claimed(&s, &c, "m.1", "w1").await;
    s.release(&claim).await.unwrap();
    let again = claim_one(&s, "w2").await;
    assert_eq!(ids(&again), ["m.1"]);
    assert!(again.fence > claim.fence);
    // The released claim can no longer commit.
    assert!(matches!(
        s.commit_turn(&claim, turn(&claim, Vec::new())).await,
        Err(StoreError::Fenced)
    ));
}

pub(super) async fn messages_after_the_claim_wait_for_the_next_turn<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    let claim = claimed(&s, &c, "m.1", "w").await;
    s.enqueue(batch(vec![message("m.2", &c, "¿sigues ahí?")]))
        .await
        .unwrap();
    s.commit_turn(&claim, turn(&claim, Vec::new()))
        .await
        .unwrap();
    assert_eq!(s.depth().await.unwrap(), 1);
    assert_eq!(ids(&claim_one(&s, "w").await), ["m.2"]);
}

pub(super) async fn a_commit_writes_everything_and_acknowledges_the_claim<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    s.enqueue(batch(vec![
        message("m.1", &c, "hola"),
        message("m.2", &c, "soy Ana"),
    ]))
    .await
    .unwrap();
    let claim = claim_one(&s, "w").await;
    let commit = turn(&claim, vec![reply("m.2#0", &c, "¡Hola, Ana!")]);
    let saved = commit.conversation.clone();
    s.commit_turn(&claim, commit).await.unwrap();

    assert_eq!(s.load(&c).await.unwrap(), Some(saved.clone()));
    assert_eq!(s.load_lead(&c).await.unwrap(), Some(saved.lead));
    let outbox = outbox_of(&s, &c).await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(
        (outbox[0].key.as_str(), outbox[0].state),
        ("m.2#0", "pending")
    );
    assert_eq!(
        events_of(&s, &c).await,
        [Event::StageChanged {
            from: "greeting".into(),
            to: "qualification".into()
        }]
    );
    assert_eq!(s.depth().await.unwrap(), 0);
    assert!(s.claim("w", LONG, NO_QUIET).await.unwrap().is_none());
}

pub(super) async fn a_reply_key_is_recorded_once<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    outbox_with(&s, &c, "m.1", &[("m.1#0", "first")]).await;
    // The same turn run again (say, after a crash before the ack): the
    // reply it recorded before stands.
    outbox_with(&s, &c, "m.2", &[("m.1#0", "second"), ("m.2#0", "new")]).await;
    let texts: Vec<_> = outbox_of(&s, &c)
        .await
        .into_iter()
        .map(|e| (e.key, e.text))
        .collect();
    assert_eq!(
        texts,
        [
            ("m.1#0".to_owned(), "first".to_owned()),
            ("m.2#0".to_owned(), "new".to_owned())
        ]
    );
}
