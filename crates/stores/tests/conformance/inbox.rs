//! The inbox: message ids are deduplicated and delivery statuses only move
//! forward, across calls and within one batch.

use super::*;

pub(super) async fn duplicates_are_dropped_across_calls<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    let first = s
        .enqueue(batch(vec![message("wamid.1", &c, "hola")]))
        .await
        .unwrap();
    assert_eq!(first, report(1, 0, 0));
    let again = s
        .enqueue(batch(vec![
            message("wamid.1", &c, "hola"),
            message("wamid.2", &c, "soy Ana"),
        ]))
        .await
        .unwrap();
    assert_eq!(again, report(1, 1, 0));
    assert_eq!(s.depth().await.unwrap(), 2);
    assert_eq!(ids(&claim_one(&s, "w").await), ["wamid.1", "wamid.2"]);
}

pub(super) async fn duplicates_are_dropped_within_one_batch<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    let r = s
        .enqueue(batch(vec![
            message("wamid.1", &c, "first"),
            message("wamid.1", &c, "retried"),
            message("wamid.2", &c, "second"),
        ]))
        .await
        .unwrap();
    assert_eq!(r, report(2, 1, 0));
    let claim = claim_one(&s, "w").await;
    assert_eq!(ids(&claim), ["wamid.1", "wamid.2"]);
    assert_eq!(claim.messages[0].content.text(), Some("first"));
}

pub(super) async fn answered_ids_stay_duplicates<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    answer(&s, &c, "wamid.1").await;
    let r = s
        .enqueue(batch(vec![message("wamid.1", &c, "hola")]))
        .await
        .unwrap();
    assert_eq!(r, report(0, 1, 0));
    assert_eq!(s.depth().await.unwrap(), 0);
    assert!(s.claim("w", LONG, NO_QUIET).await.unwrap().is_none());
}

pub(super) async fn statuses_only_move_forward<B: Backend>() {
    use DeliveryState::*;
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    outbox_with(
        &s,
        &c,
        "wamid.in.1",
        &[("wamid.in.1#0", "¡Hola!"), ("wamid.in.1#1", "¿Qué buscas?")],
    )
    .await;
    let first = s.due(Timestamp::now(), 10, LONG).await.unwrap();
    s.mark_sent(first[0].id, "wamid.out.1").await.unwrap();

    assert_eq!(
        s.enqueue(statuses(&[("wamid.out.1", Delivered)]))
            .await
            .unwrap(),
        report(0, 0, 1)
    );
    assert_eq!(
        s.enqueue(statuses(&[("wamid.out.1", Sent)])).await.unwrap(),
        report(0, 0, 0)
    );
    assert_eq!(
        s.enqueue(statuses(&[
            ("wamid.out.1", Read),
            ("wamid.out.1", Delivered)
        ]))
        .await
        .unwrap(),
        report(0, 0, 1)
    );
    assert_eq!(
        s.enqueue(statuses(&[("wamid.out.1", Failed)]))
            .await
            .unwrap(),
        report(0, 0, 1)
    );
    assert_eq!(
        s.enqueue(statuses(&[("wamid.out.1", Read)])).await.unwrap(),
        report(0, 0, 0),
        "failed is terminal"
    );

    // A status may beat `mark_sent` (or name a message sent by someone
    // else): it is kept, and applies once the id is known.
    assert_eq!(
        s.enqueue(statuses(&[("wamid.out.2", Read)])).await.unwrap(),
        report(0, 0, 1)
    );
    let second = s.due(Timestamp::now(), 10, LONG).await.unwrap();
    s.mark_sent(second[0].id, "wamid.out.2").await.unwrap();

    let delivery: Vec<_> = outbox_of(&s, &c)
        .await
        .into_iter()
        .map(|e| e.delivery)
        .collect();
    assert_eq!(delivery, [Some(Failed), Some(Read)]);
}
