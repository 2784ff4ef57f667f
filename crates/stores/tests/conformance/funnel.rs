//! The funnel: progress, handoffs and timings counted from the events.

use super::*;

/// One turn answering a fresh message `id` of `c` with one reply keyed as
/// the worker keys it (`<id>#0`), recording `events`.
pub(super) async fn turn_recording<S: Store>(s: &S, c: &CustomerId, id: &str, events: Vec<Event>) {
    s.enqueue(batch(vec![message(id, c, "hola")]))
        .await
        .expect("enqueue");
    let claim = claim_one(s, "w").await;
    let mut commit = turn(&claim, vec![reply(&format!("{id}#0"), c, "¡Hola!")]);
    commit.events = events;
    s.commit_turn(&claim, commit).await.expect("commit");
}

pub(super) fn stage_changed(from: &str, to: &str) -> Event {
    Event::StageChanged {
        from: from.into(),
        to: to.into(),
    }
}

pub(super) async fn the_funnel_counts_progress_handoffs_and_timings<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let began = Timestamp::now();
    let (booked, asked, fresh) = (customer(1), customer(2), customer(3));
    // Booked on its third message: qualified, then booked.
    turn_recording(
        &s,
        &booked,
        "b.1",
        vec![stage_changed("greeting", "qualification")],
    )
    .await;
    turn_recording(
        &s,
        &booked,
        "b.2",
        vec![stage_changed("qualification", "scheduling")],
    )
    .await;
    let booking = vec![
        stage_changed("scheduling", "handoff"),
        Event::HandedOff {
            reason: HandoffReason::FlowCompleted,
        },
    ];
    turn_recording(&s, &booked, "b.3", booking).await;
    // Asked for a person while qualifying (twice: counted once).
    let ask = || Event::HandedOff {
        reason: HandoffReason::CustomerAsked,
    };
    turn_recording(&s, &asked, "a.1", vec![ask()]).await;
    turn_recording(&s, &asked, "a.2", vec![ask()]).await;
    turn_recording(&s, &fresh, "f.1", Vec::new()).await;
    // Graph accepts the first reply of each customer; a person's reply
    // (not keyed `#0`) is not the bot's latency.
    let sent = s.due(Timestamp::now(), 10, LONG).await.expect("due");
    assert_eq!(keys(&sent), ["b.1#0", "a.1#0", "f.1#0"]);
    for item in &sent {
        s.mark_sent(item.id, &format!("out.{}", item.message.key))
            .await
            .expect("mark sent");
    }

    let query = FunnelQuery {
        qualified_stage: Some("scheduling".to_owned()),
        booked: Some(("scheduling".to_owned(), "handoff".to_owned())),
        since: began - SignedDuration::from_hours(1),
    };
    let funnel = s.funnel(&query).await.expect("funnel");
    let elapsed = u64::try_from((Timestamp::now() - began).get_milliseconds()).unwrap_or(0);
    let latency = funnel.p95_reply_latency_ms.expect("a reply latency");
    assert!(
        latency <= elapsed + 1,
        "{latency} ms in a {elapsed} ms test"
    );
    assert_eq!(
        funnel,
        Funnel {
            conversations: 3,
            qualified: 1,
            booked: 1,
            handed_off: vec![
                ("customer_asked".to_owned(), 1),
                ("flow_completed".to_owned(), 1)
            ],
            nudged: 0,
            answered_after_nudge: 0,
            reminded: 0,
            opted_out: 0,
            median_messages_to_booking: Some(3.0),
            p95_reply_latency_ms: Some(latency),
        }
    );

    // Timings cover only what happened since `since`; a playbook without
    // a booking stage books nothing.
    let later = FunnelQuery {
        qualified_stage: None,
        booked: None,
        since: Timestamp::now() + SignedDuration::from_hours(1),
    };
    let funnel = s.funnel(&later).await.expect("funnel");
    assert_eq!(
        (funnel.conversations, funnel.qualified, funnel.booked),
        (3, 0, 0)
    );
    assert_eq!(funnel.median_messages_to_booking, None);
    assert_eq!(funnel.p95_reply_latency_ms, None);
}
