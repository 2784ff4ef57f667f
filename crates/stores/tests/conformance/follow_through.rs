//! Follow-through: nudges replaced by each turn, and reminders and nudges
//! sent only while the conversation still calls for them.

use super::admin::committed;
use super::effects::{effects_with, listing};
use super::erasure::booking_funnel;
use super::*;

/// The `n`th nudge effect of the silence after message `id`, due in an hour.
pub(super) fn nudge_effect(c: &CustomerId, id: &str) -> Effect {
    Effect {
        key: format!("follow_up:{id}:1"),
        customer: c.clone(),
        action: EffectAction::FollowUp {
            quiet_since: Timestamp::now(),
            n: 1,
        },
        not_before: Some(Timestamp::now() + SignedDuration::from_hours(1)),
    }
}

pub(super) async fn a_turn_replaces_the_pending_nudges_of_its_conversation<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let (c, other) = (customer(1), customer(2));
    effects_with(&s, &other, "o.1", vec![nudge_effect(&other, "o.1")]).await;
    effects_with(&s, &c, "m.1", vec![nudge_effect(&c, "m.1")]).await;
    effects_with(&s, &c, "m.2", vec![nudge_effect(&c, "m.2")]).await;
    let keys = |entries: Vec<leadline_stores::EffectEntry>| {
        entries
            .into_iter()
            .map(|e| e.effect.key)
            .collect::<Vec<_>>()
    };
    let pending = s
        .effect_entries(&listing(Some(EffectState::Pending), None))
        .await
        .unwrap();
    assert_eq!(keys(pending), ["follow_up:m.2:1", "follow_up:o.1:1"]);
    // Not due before its time.
    assert!(
        s.due_effects(Timestamp::now(), 10, LONG)
            .await
            .unwrap()
            .is_empty()
    );
    let later = Timestamp::now() + SignedDuration::from_hours(2);
    assert_eq!(s.due_effects(later, 10, LONG).await.unwrap().len(), 2);
}

pub(super) fn reminder(key: &str, event_id: &str, template: Option<OutgoingBody>) -> FollowThrough {
    FollowThrough::Reminder {
        key: key.to_owned(),
        event_id: event_id.to_owned(),
        slot: "2026-03-03T16:00:00Z".to_owned(),
        text: "Te recuerdo tu llamada".to_owned(),
        template,
    }
}

pub(super) fn nudge(key: &str, quiet_since: Timestamp, n: u32) -> FollowThrough {
    FollowThrough::FollowUp {
        key: key.to_owned(),
        quiet_since,
        n,
        text: "¿Sigues por ahí?".to_owned(),
    }
}

pub(super) async fn reminders_and_nudges_go_only_while_the_conversation_calls_for_them<
    B: Backend,
>() {
    let b = B::new().await;
    let s = b.handle().await;
    let (booked, quiet) = (customer(1), customer(2));
    let saved = committed(&s, &booked, "m.1", |c| {
        c.booked = Some(leadline_domain::conversation::BookedCall {
            event_id: "call-1".to_owned(),
            start: "2026-03-03T16:00:00Z".to_owned(),
        });
    })
    .await;
    let now = Timestamp::now();
    let sent = s
        .follow_through(
            &booked,
            &reminder("reminder:call-1:3600s", "call-1", None),
            now,
        )
        .await
        .expect("reminder");
    assert_eq!(sent, FollowedThrough::Sent);
    // Recorded once, however often it is carried out.
    let again = s
        .follow_through(
            &booked,
            &reminder("reminder:call-1:3600s", "call-1", None),
            now,
        )
        .await
        .expect("reminder again");
    assert_eq!(again, FollowedThrough::Sent);
    let history = s.load(&booked).await.unwrap().expect("saved").history;
    assert_eq!(
        history
            .iter()
            .filter(|m| m.text == "Te recuerdo tu llamada")
            .count(),
        1,
        "{history:?}"
    );
    let outbox = outbox_of(&s, &booked).await;
    assert_eq!(
        outbox.iter().map(|e| e.text.as_str()).collect::<Vec<_>>(),
        ["¡Hola!", "Te recuerdo tu llamada"]
    );
    let moved = s
        .follow_through(
            &booked,
            &reminder("reminder:call-0:3600s", "call-0", None),
            now,
        )
        .await
        .expect("reminder of a moved call");
    assert_eq!(moved, FollowedThrough::Skipped(Skip::CallChanged));
    let booked_quiet = s
        .follow_through(
            &booked,
            &nudge("follow_up:m.1:1", saved.last_customer_at, 1),
            now,
        )
        .await
        .expect("nudge");
    assert_eq!(booked_quiet, FollowedThrough::Skipped(Skip::CallBooked));
    // The window closed: the template, or nothing without one.
    let later = now + SignedDuration::from_hours(30);
    let closed = s
        .follow_through(
            &booked,
            &reminder("reminder:call-1:60s", "call-1", None),
            later,
        )
        .await
        .expect("reminder outside the window");
    assert_eq!(closed, FollowedThrough::Skipped(Skip::WindowClosed));
    let template = OutgoingBody::Template {
        name: "call_reminder".to_owned(),
        language: "es".to_owned(),
        parameters: vec!["martes 3 de marzo, 10:00".to_owned()],
    };
    let templated = s
        .follow_through(
            &booked,
            &reminder("reminder:call-1:60s", "call-1", Some(template.clone())),
            later,
        )
        .await
        .expect("a templated reminder");
    assert_eq!(templated, FollowedThrough::Sent);
    let view = s.conversation_view(&booked).await.unwrap().expect("view");
    assert_eq!(view.outbox.last().map(|e| &e.message.body), Some(&template));
    assert_eq!(
        view.events
            .iter()
            .filter(|e| matches!(e.event, Event::ReminderSent { .. }))
            .count(),
        2
    );

    let saved = committed(&s, &quiet, "m.2", |_| {}).await;
    let quiet_since = saved.last_customer_at;
    let early = s
        .follow_through(&quiet, &nudge("follow_up:m.2:2", quiet_since, 2), now)
        .await
        .expect("a second nudge first");
    assert_eq!(early, FollowedThrough::Skipped(Skip::NotNext));
    let first = s
        .follow_through(&quiet, &nudge("follow_up:m.2:1", quiet_since, 1), now)
        .await
        .expect("the first nudge");
    assert_eq!(first, FollowedThrough::Sent);
    assert_eq!(s.load(&quiet).await.unwrap().map(|c| c.nudges), Some(1));
    let wrote = s
        .follow_through(
            &quiet,
            &nudge("follow_up:m.0:1", now - SignedDuration::from_hours(1), 1),
            now,
        )
        .await
        .expect("a nudge of an earlier silence");
    assert_eq!(wrote, FollowedThrough::Skipped(Skip::CustomerWrote));
    s.act(&quiet, &HumanAction::TakeOver, now)
        .await
        .expect("take over");
    let team = s
        .follow_through(&quiet, &nudge("follow_up:m.2:2", quiet_since, 2), now)
        .await
        .expect("a nudge after a take-over");
    assert_eq!(team, FollowedThrough::Skipped(Skip::TeamHasIt));
    assert_eq!(
        outbox_of(&s, &quiet).await.len(),
        2,
        "the reply and one nudge"
    );
    let unknown = s
        .follow_through(&customer(9), &nudge("follow_up:x:1", now, 1), now)
        .await;
    assert!(matches!(unknown, Err(AdminError::NotFound)), "{unknown:?}");

    let funnel = s.funnel(&booking_funnel()).await.expect("funnel");
    assert_eq!(
        (funnel.nudged, funnel.reminded, funnel.answered_after_nudge),
        (1, 1, 0)
    );
}
