//! Erasure and retention: nothing naming an erased customer is left,
//! counts are kept, a turn in flight is fenced, and stale conversations
//! are listed longest idle first.

use super::admin::{all, assert_late_commit_fenced, committed, in_flight, listed};
use super::effects::listing;
use super::funnel::stage_changed;
use super::*;

/// What names the erased customer besides their number: their name, their
/// email, and what they wrote.
pub(super) const ERASED_NAME: &str = "Zuleima Quintanar";
pub(super) const ERASED_EMAIL: &str = "zuleima@quintanar.example";
pub(super) const ERASED_TEXT: &str = "mi presupuesto secreto es de 7777 dólares";

/// The CRM's notice of an erasure, under the lead's pseudonym.
pub(super) fn erasure_notice() -> Effect {
    Effect {
        key: "erased:lead0123abcd".to_owned(),
        customer: CustomerId::parse("lead0123abcd").expect("a pseudonym"),
        action: EffectAction::Crm {
            body: serde_json::json!({ "event": "lead.erased", "lead_id": "lead0123abcd" }),
        },
        not_before: None,
    }
}

pub(super) fn booking_funnel() -> FunnelQuery {
    FunnelQuery {
        qualified_stage: Some("scheduling".to_owned()),
        booked: Some(("scheduling".to_owned(), "handoff".to_owned())),
        since: Timestamp::now() - SignedDuration::from_hours(1),
    }
}

/// The funnel's counts, which erasure must keep.
pub(super) fn counts(funnel: &Funnel) -> (u64, u64, u64, Vec<(String, u64)>, [u64; 4]) {
    (
        funnel.conversations,
        funnel.qualified,
        funnel.booked,
        funnel.handed_off.clone(),
        [
            funnel.nudged,
            funnel.answered_after_nudge,
            funnel.reminded,
            funnel.opted_out,
        ],
    )
}

/// A customer who booked a call, got a document and a reply (sent and
/// delivered), was handed off (the CRM and the rep told), has a summary,
/// and has one more message waiting: every kind of record a customer
/// leaves.
pub(super) async fn a_customer_with_everything<S: Store>(s: &S, c: &CustomerId) {
    let mut first = message("e.1", c, ERASED_TEXT);
    first.profile_name = Some(ERASED_NAME.to_owned());
    s.enqueue(batch(vec![first])).await.expect("enqueue");
    let claim = claim_one(s, "w").await;
    let mut commit = turn(
        &claim,
        vec![reply("e.1#0", c, &format!("Gracias, {ERASED_NAME}"))],
    );
    commit.replies.push(OutgoingMessage {
        key: "e.1#1".to_owned(),
        to: c.clone(),
        business_number_id: "1065".to_owned(),
        body: OutgoingBody::Document {
            source: leadline_domain::documents::DocumentSource::Url(
                "https://example.com/pricing.pdf".to_owned(),
            ),
            filename: Some("pricing.pdf".to_owned()),
            caption: Some(format!("Precios para {ERASED_NAME}")),
        },
    });
    commit.conversation.lead.name = Some(ERASED_NAME.parse().unwrap());
    commit.conversation.lead.email = Some(ERASED_EMAIL.parse().unwrap());
    commit.conversation.profile_name = Some(ERASED_NAME.to_owned());
    commit.events = vec![
        stage_changed("greeting", "qualification"),
        stage_changed("qualification", "scheduling"),
        stage_changed("scheduling", "handoff"),
        Event::HandedOff {
            reason: HandoffReason::FlowCompleted,
        },
        Event::QuestionAsked {
            question: ERASED_TEXT.to_owned(),
            grounded: Grounded::No,
            passages: Vec::new(),
        },
        Event::FollowedUp { n: 1 },
        Event::FollowUpAnswered,
        Event::ReminderSent {
            slot: "2026-03-03T16:00:00Z".to_owned(),
            template: false,
        },
        Event::OptedOut,
    ];
    commit.effects = vec![
        Effect {
            key: "crm:e.1".to_owned(),
            customer: c.clone(),
            action: EffectAction::Crm {
                body: serde_json::json!({
                    "event": "lead.handed_off",
                    "whatsapp_id": c.as_str(),
                    "lead": { "name": ERASED_NAME, "email": ERASED_EMAIL },
                }),
            },
            not_before: None,
        },
        Effect {
            key: "rep:e.1".to_owned(),
            customer: c.clone(),
            action: EffectAction::NotifyRep {
                message: OutgoingMessage {
                    key: "rep:e.1".to_owned(),
                    to: CustomerId::parse("4915100000000").expect("the rep"),
                    business_number_id: "1065".to_owned(),
                    body: OutgoingBody::Text {
                        body: format!("{ERASED_NAME} booked a call: {ERASED_TEXT}"),
                    },
                },
                fallback: None,
            },
            not_before: None,
        },
        // A reminder still to come is erased with the rest.
        Effect {
            key: "reminder:e.1".to_owned(),
            customer: c.clone(),
            action: EffectAction::Reminder {
                event_id: "call-e.1".to_owned(),
                slot: "2026-03-03T10:00:00Z".to_owned(),
            },
            not_before: Some(Timestamp::now() + SignedDuration::from_hours(20)),
        },
    ];
    s.commit_turn(&claim, commit).await.expect("commit");
    // The CRM took its delivery; the rep's notice is still pending.
    let due = s
        .due_effects(Timestamp::now(), 10, LONG)
        .await
        .expect("due");
    let crm = due.iter().find(|i| i.effect.key == "crm:e.1").expect("crm");
    s.effect_done(crm.id).await.expect("done");
    // Graph took the reply, and Meta reported it delivered.
    let sent = s.due(Timestamp::now(), 10, LONG).await.expect("due");
    for item in &sent {
        s.mark_sent(item.id, &format!("wamid.out.{}", item.message.key))
            .await
            .expect("mark sent");
    }
    s.enqueue(statuses(&[("wamid.out.e.1#0", DeliveryState::Delivered)]))
        .await
        .expect("status");
    s.put_summary(
        c,
        &Summary {
            text: format!("{ERASED_NAME} wants a call"),
            through_seq: 1,
        },
    )
    .await
    .expect("summary");
    let booked = s
        .reserve(&CalendarCall {
            key: format!("call-{}-1800000000", c.as_str()),
            summary: format!("Call with {ERASED_NAME}"),
            description: format!("Need: {ERASED_TEXT}"),
            attendee: Some(ERASED_EMAIL.to_owned()),
            ..call("unused", 0, 30)
        })
        .await
        .expect("reserve");
    assert!(matches!(booked, Reservation::Booked(_)), "{booked:?}");
    let mut waiting = message("e.2", c, ERASED_TEXT);
    waiting.profile_name = Some(ERASED_NAME.to_owned());
    s.enqueue(batch(vec![waiting])).await.expect("enqueue");
}

pub(super) async fn erasure_leaves_nothing_that_names_the_customer<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let (c, other) = (customer(1), customer(2));
    let kept = committed(&s, &other, "o.1", |_| {}).await;
    a_customer_with_everything(&s, &c).await;
    let before = s.funnel(&booking_funnel()).await.expect("funnel");
    let dump = b.everything().await;
    for trace in [c.as_str(), ERASED_NAME, ERASED_EMAIL, ERASED_TEXT] {
        assert!(dump.contains(trace), "the test's data lacks {trace:?}");
    }

    assert!(
        s.erase(&c, &[erasure_notice()], Timestamp::now())
            .await
            .expect("erase")
    );

    let dump = b.everything().await;
    for trace in [c.as_str(), ERASED_NAME, ERASED_EMAIL, ERASED_TEXT] {
        assert!(!dump.contains(trace), "{trace:?} is still stored:\n{dump}");
    }
    assert_eq!(s.load(&c).await.expect("load"), None);
    assert_eq!(s.load_lead(&c).await.expect("lead"), None);
    assert_eq!(s.depth().await.expect("depth"), 0);
    assert!(
        s.calls_between(call("x", -1, 0).start, call("x", 2, 0).start)
            .await
            .expect("calls")
            .is_empty()
    );
    // The funnel's counts stand; the other customer is untouched.
    let after = s.funnel(&booking_funnel()).await.expect("funnel");
    assert_eq!(counts(&after), counts(&before));
    assert_eq!(counts(&after).0, 2);
    assert_eq!(s.load(&other).await.expect("load"), Some(kept));
    // The CRM's notice waits to be delivered, under the pseudonym.
    let notice = erasure_notice();
    let listed = s
        .effect_entries(&listing(None, Some(&notice.customer)))
        .await
        .expect("effects");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].effect, notice);
    assert_eq!(listed[0].state, EffectState::Pending);
    // Erasing again finds nothing, and records nothing more.
    assert!(!s.erase(&c, &[], Timestamp::now()).await.expect("erase"));
}

pub(super) async fn erasing_an_unknown_customer_changes_nothing<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    committed(&s, &customer(2), "o.1", |_| {}).await;
    let before = b.everything().await;
    let erased = s
        .erase(&customer(9), &[erasure_notice()], Timestamp::now())
        .await
        .expect("erase");
    assert!(!erased);
    assert_eq!(b.everything().await, before);
}

pub(super) async fn a_message_after_erasure_starts_a_new_conversation<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    let old = committed(&s, &c, "m.1", |_| {}).await;
    assert!(s.erase(&c, &[], Timestamp::now()).await.expect("erase"));
    // Meta redelivers the very same message: it is new now.
    let report_of = s
        .enqueue(batch(vec![message("m.1", &c, "hola otra vez")]))
        .await
        .expect("enqueue");
    assert_eq!(report_of, report(1, 0, 0));
    let claim = claim_one(&s, "w").await;
    assert_eq!(ids(&claim), ["m.1"]);
    assert_eq!(s.load(&claim.customer).await.expect("load"), None);
    let mut commit = turn(&claim, vec![reply("m.1#0", &c, "¡Hola!")]);
    commit.conversation.started_at = old.started_at + SignedDuration::from_secs(1);
    let fresh = commit.conversation.clone();
    s.commit_turn(&claim, commit).await.expect("commit");
    assert_eq!(s.load(&c).await.expect("load"), Some(fresh));
    assert_eq!(
        keys_of(&outbox_of(&s, &c).await),
        ["m.1#0"],
        "the erased conversation's reply is gone, the new one recorded"
    );
}

pub(super) fn keys_of(entries: &[Entry]) -> Vec<&str> {
    entries.iter().map(|e| e.key.as_str()).collect()
}

pub(super) async fn erasure_fences_a_turn_in_flight<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    let in_flight = in_flight(&s, &c).await;
    assert!(s.erase(&c, &[], Timestamp::now()).await.expect("erase"));
    assert_late_commit_fenced(&s, &in_flight, &c).await;
    assert_eq!(s.load(&c).await.expect("load"), None);
    assert!(outbox_of(&s, &c).await.is_empty());
    assert!(events_of(&s, &c).await.is_empty());
    assert!(listed(&s, &all()).await.is_empty());
    assert_eq!(s.depth().await.expect("depth"), 0);
    assert!(
        s.claim("w2", LONG, NO_QUIET)
            .await
            .expect("claim")
            .is_none(),
        "nothing of the erased conversation waits"
    );
}

pub(super) async fn stale_lists_the_longest_idle_conversations_first<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let began = Timestamp::now() - SignedDuration::from_secs(1);
    let (first, second) = (customer(1), customer(2));
    committed(&s, &first, "a.1", |_| {}).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    committed(&s, &second, "b.1", |_| {}).await;
    let later = Timestamp::now() + SignedDuration::from_secs(1);
    let stale = |before, limit| {
        let s = s.clone();
        async move { s.stale(before, limit).await.expect("stale") }
    };
    assert_eq!(stale(began, 10).await, Vec::<CustomerId>::new());
    assert_eq!(stale(later, 10).await, [first.clone(), second.clone()]);
    assert_eq!(stale(later, 1).await, std::slice::from_ref(&first));
    assert!(s.erase(&first, &[], Timestamp::now()).await.expect("erase"));
    assert_eq!(stale(later, 10).await, [second]);
}
