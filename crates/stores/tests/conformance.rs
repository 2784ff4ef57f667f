//! The store conformance suite: every backend must pass every test here.
//! Tests are generic over [`Backend`]; `conformance!(name, Backend)` runs
//! them all against one backend, each test on a store of its own.

use jiff::{SignedDuration, Timestamp};
use leadline_domain::conversation::Summary;
use leadline_domain::conversation::{Handoff, HandoffReason};
use leadline_domain::events::{Event, Grounded};
use leadline_domain::follow_through::Skip;
use leadline_domain::{
    Content, Conversation, CustomerId, DeliveryState, InboundMessage, Language, Speaker,
    StatusUpdate,
};
use leadline_stores::{
    AdminError, AdminStore, CalendarCall, CalendarStore, Claim, ConversationStore, Effect,
    EffectAction, EffectQuery, EffectState, Effects, EnqueueReport, FollowThrough, FollowedThrough,
    Funnel, FunnelQuery, HumanAction, Inbox, InboxBatch, LeadQuery, LoginSession, Outbox,
    OutgoingBody, OutgoingMessage, QuestionCursor, QuestionQuery, QuestionRow, Reservation,
    SendState, SessionStore, Store, StoreError, TurnCommit, TurnLog,
};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A lease no test outlives.
const LONG: Duration = Duration::from_secs(600);
/// A lease tests wait out.
const SHORT: Duration = Duration::from_millis(200);
const NO_QUIET: Duration = Duration::ZERO;

/// What a backend gives the suite.
trait Backend: Sized {
    type S: Store + Clone + 'static;
    /// An empty, migrated store of its own.
    async fn new() -> Self;
    /// Another handle on the same data, as a second process would open it.
    async fn handle(&self) -> Self::S;
    /// Every row of every table the database catalog lists, and every key
    /// under the test's prefix with its content, as text: where erasure
    /// tests look for what names a customer.
    async fn everything(&self) -> String;
}

/// The outbox entries addressed to `customer`, oldest first.
async fn outbox_of<S: Store>(store: &S, customer: &CustomerId) -> Vec<Entry> {
    entries(
        store
            .outbox_entries(customer)
            .await
            .expect("outbox entries"),
    )
}

/// The events recorded for `customer`, oldest first.
async fn events_of<S: Store>(store: &S, customer: &CustomerId) -> Vec<Event> {
    let recorded = store.events(customer).await.expect("events");
    recorded.into_iter().map(|e| e.event).collect()
}

/// An outbox entry as the suite compares it.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    key: String,
    text: String,
    state: &'static str,
    attempts: u32,
    delivery: Option<DeliveryState>,
}

macro_rules! conformance {
    ($name:ident, $backend:ty) => {
        mod $name {
            use super::*;
            conformance!(@tests $backend;
                duplicates_are_dropped_across_calls,
                duplicates_are_dropped_within_one_batch,
                answered_ids_stay_duplicates,
                statuses_only_move_forward,
                messages_are_claimed_in_arrival_order,
                a_burst_is_claimed_once_it_is_quiet,
                a_claim_is_exclusive,
                an_expired_lease_is_taken_over,
                a_fenced_commit_writes_nothing,
                a_released_claim_is_pending_again,
                messages_after_the_claim_wait_for_the_next_turn,
                a_commit_writes_everything_and_acknowledges_the_claim,
                a_reply_key_is_recorded_once,
                effects_are_recorded_with_their_turn_once,
                a_due_effect_is_leased_retried_and_finished,
                a_dead_effect_is_listed_and_revived,
                a_conversations_effects_are_listed_with_it,
                due_gives_one_entry_per_recipient_in_order,
                a_due_entry_is_leased,
                a_retry_holds_back_only_its_recipient,
                a_failed_entry_lets_the_next_one_go,
                a_status_naming_a_pending_entry_records_its_send,
                next_due_tells_when_something_waits,
                a_newer_summary_is_absorbed_and_an_older_one_ignored,
                a_replaced_conversation_does_not_absorb_the_old_summary,
                the_lead_outlives_the_conversation,
                depth_counts_waiting_messages,
                concurrent_enqueues_add_up_exactly,
                two_handles_never_claim_the_same_conversation,
                leads_are_filtered_searched_and_paged_newest_first,
                a_conversation_view_has_its_outbox_and_events,
                actions_on_an_unknown_conversation_are_not_found,
                a_take_over_silences_the_bot_and_fences_a_turn_in_flight,
                a_human_reply_is_recorded_once_for_the_sender,
                a_human_reply_outside_the_window_is_refused_and_writes_nothing,
                a_hand_back_clears_the_handoff_at_the_chosen_stage,
                reminders_and_nudges_go_only_while_the_conversation_calls_for_them,
                a_turn_replaces_the_pending_nudges_of_its_conversation,
                the_funnel_counts_progress_handoffs_and_timings,
                questions_are_grouped_filtered_and_paged_newest_first,
                a_slot_is_booked_once,
                a_booking_retried_under_its_key_books_once,
                a_cancelled_call_frees_its_slot_but_not_its_key,
                calls_are_listed_by_the_time_they_overlap,
                concurrent_picks_of_one_slot_book_it_once,
                a_session_is_known_to_every_handle_until_it_ends,
                a_closed_session_is_gone_everywhere,
                login_attempts_are_counted_across_handles_per_window,
                erasure_leaves_nothing_that_names_the_customer,
                erasing_an_unknown_customer_changes_nothing,
                a_message_after_erasure_starts_a_new_conversation,
                erasure_fences_a_turn_in_flight,
                stale_lists_the_longest_idle_conversations_first,
            );
        }
    };
    (@tests $backend:ty; $($test:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                super::$test::<$backend>().await;
            }
        )*
    };
}

conformance!(sqlite, SqliteBackend);
conformance!(postgres, PostgresBackend);
conformance!(redis, RedisBackend);

// ---------------------------------------------------------------- fixtures

/// A call of `minutes` starting `hours` after a fixed instant.
fn call(key: &str, hours: i64, minutes: i64) -> CalendarCall {
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

fn customer(n: u32) -> CustomerId {
    CustomerId::parse(&format!("3460{n:07}")).expect("a valid customer id")
}

fn message(id: &str, customer: &CustomerId, text: &str) -> InboundMessage {
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

fn batch(messages: Vec<InboundMessage>) -> InboxBatch {
    InboxBatch {
        messages,
        statuses: Vec::new(),
    }
}

fn statuses(updates: &[(&str, DeliveryState)]) -> InboxBatch {
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

fn reply(key: &str, to: &CustomerId, text: &str) -> OutgoingMessage {
    OutgoingMessage {
        key: key.to_owned(),
        to: to.clone(),
        business_number_id: "1065".to_owned(),
        body: OutgoingBody::Text {
            body: text.to_owned(),
        },
    }
}

fn ids(claim: &Claim) -> Vec<&str> {
    claim.messages.iter().map(|m| m.id.as_str()).collect()
}

fn conversation(customer: &CustomerId, started_at: Timestamp, texts: &[&str]) -> Conversation {
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
fn turn(claim: &Claim, replies: Vec<OutgoingMessage>) -> TurnCommit {
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

async fn claim_one<S: Store>(store: &S, worker: &str) -> Claim {
    store
        .claim(worker, LONG, NO_QUIET)
        .await
        .expect("claim")
        .expect("a conversation to claim")
}

fn report(accepted: usize, duplicates: usize, statuses: usize) -> EnqueueReport {
    EnqueueReport {
        accepted,
        duplicates,
        statuses,
    }
}

/// Records one turn with `replies` for a fresh message of `to`.
async fn outbox_with<S: Store>(store: &S, to: &CustomerId, id: &str, replies: &[(&str, &str)]) {
    store
        .enqueue(batch(vec![message(id, to, "hola")]))
        .await
        .expect("enqueue");
    let claim = claim_one(store, "w").await;
    let replies = replies
        .iter()
        .map(|(key, text)| reply(key, to, text))
        .collect();
    store
        .commit_turn(&claim, turn(&claim, replies))
        .await
        .expect("commit");
}

fn keys(items: &[leadline_stores::OutboxItem]) -> Vec<&str> {
    items.iter().map(|i| i.message.key.as_str()).collect()
}

// ------------------------------------------------------------------ inbox

async fn duplicates_are_dropped_across_calls<B: Backend>() {
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

async fn duplicates_are_dropped_within_one_batch<B: Backend>() {
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

async fn answered_ids_stay_duplicates<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    s.enqueue(batch(vec![message("wamid.1", &c, "hola")]))
        .await
        .unwrap();
    let claim = claim_one(&s, "w").await;
    s.commit_turn(&claim, turn(&claim, Vec::new()))
        .await
        .unwrap();
    let r = s
        .enqueue(batch(vec![message("wamid.1", &c, "hola")]))
        .await
        .unwrap();
    assert_eq!(r, report(0, 1, 0));
    assert_eq!(s.depth().await.unwrap(), 0);
    assert!(s.claim("w", LONG, NO_QUIET).await.unwrap().is_none());
}

async fn statuses_only_move_forward<B: Backend>() {
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

async fn messages_are_claimed_in_arrival_order<B: Backend>() {
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

async fn a_burst_is_claimed_once_it_is_quiet<B: Backend>() {
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

async fn a_claim_is_exclusive<B: Backend>() {
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

async fn an_expired_lease_is_taken_over<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    s.enqueue(batch(vec![message("m.1", &c, "hola")]))
        .await
        .unwrap();
    let dead = s
        .claim("w1", SHORT, NO_QUIET)
        .await
        .unwrap()
        .expect("claim");
    tokio::time::sleep(SHORT + Duration::from_millis(100)).await;
    let successor = s
        .claim("w2", LONG, NO_QUIET)
        .await
        .unwrap()
        .expect("the lease expired");
    assert_eq!(successor.customer, c);
    assert_eq!(ids(&successor), ["m.1"]);
    assert!(successor.fence > dead.fence);
}

async fn a_fenced_commit_writes_nothing<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    s.enqueue(batch(vec![message("m.1", &c, "hola")]))
        .await
        .unwrap();
    let stale = s
        .claim("w1", SHORT, NO_QUIET)
        .await
        .unwrap()
        .expect("claim");
    tokio::time::sleep(SHORT + Duration::from_millis(100)).await;
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

async fn a_released_claim_is_pending_again<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    s.enqueue(batch(vec![message("m.1", &c, "hola")]))
        .await
        .unwrap();
    let claim = claim_one(&s, "w1").await;
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

async fn messages_after_the_claim_wait_for_the_next_turn<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    s.enqueue(batch(vec![message("m.1", &c, "hola")]))
        .await
        .unwrap();
    let claim = claim_one(&s, "w").await;
    s.enqueue(batch(vec![message("m.2", &c, "¿sigues ahí?")]))
        .await
        .unwrap();
    s.commit_turn(&claim, turn(&claim, Vec::new()))
        .await
        .unwrap();
    assert_eq!(s.depth().await.unwrap(), 1);
    assert_eq!(ids(&claim_one(&s, "w").await), ["m.2"]);
}

async fn a_commit_writes_everything_and_acknowledges_the_claim<B: Backend>() {
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

async fn a_reply_key_is_recorded_once<B: Backend>() {
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

// ---------------------------------------------------------------- effects

fn crm(key: &str, c: &CustomerId) -> Effect {
    Effect {
        key: key.to_owned(),
        customer: c.clone(),
        action: EffectAction::Crm {
            body: serde_json::json!({ "event": "lead.handed_off", "key": key }),
        },
        not_before: None,
    }
}

/// Commits one turn over a fresh message `id` of `c`, setting off `effects`.
async fn effects_with<S: Store>(s: &S, c: &CustomerId, id: &str, effects: Vec<Effect>) {
    s.enqueue(batch(vec![message(id, c, "hola")]))
        .await
        .unwrap();
    let claim = claim_one(s, "w").await;
    let mut commit = turn(&claim, Vec::new());
    commit.effects = effects;
    s.commit_turn(&claim, commit).await.unwrap();
}

/// Up to 10 effects, in `state` and of `customer` when given.
fn listing(state: Option<EffectState>, customer: Option<&CustomerId>) -> EffectQuery {
    EffectQuery {
        state,
        customer: customer.cloned(),
        before: None,
        limit: 10,
    }
}

fn effect_keys(items: &[leadline_stores::EffectItem]) -> Vec<&str> {
    items.iter().map(|i| i.effect.key.as_str()).collect()
}

async fn effects_are_recorded_with_their_turn_once<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    let first = crm("crm:m.1", &c);
    effects_with(&s, &c, "m.1", vec![first.clone()]).await;
    // A turn redone after a crash records its effect under the same key.
    let mut again = crm("crm:m.1", &c);
    again.action = EffectAction::Crm {
        body: serde_json::json!({ "event": "changed" }),
    };
    effects_with(&s, &c, "m.2", vec![again, crm("crm:m.2", &c)]).await;

    let due = s.due_effects(Timestamp::now(), 10, LONG).await.unwrap();
    assert_eq!(effect_keys(&due), ["crm:m.1", "crm:m.2"]);
    assert_eq!(due[0].effect, first, "the first recording stands");
    assert_eq!(due[0].attempts, 0);
    let listed = s.effect_entries(&listing(None, None)).await.unwrap();
    let listed: Vec<_> = listed
        .iter()
        .map(|e| (e.effect.key.as_str(), e.state))
        .collect();
    assert_eq!(
        listed,
        [
            ("crm:m.2", EffectState::Pending),
            ("crm:m.1", EffectState::Pending)
        ],
        "newest first"
    );
}

async fn a_due_effect_is_leased_retried_and_finished<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    effects_with(&s, &c, "m.1", vec![crm("crm:m.1", &c)]).await;
    let now = Timestamp::now();
    assert!(s.next_effect_due().await.unwrap().is_some());
    let due = s.due_effects(now, 10, SHORT).await.unwrap();
    assert_eq!(effect_keys(&due), ["crm:m.1"]);
    assert!(
        s.due_effects(now, 10, SHORT).await.unwrap().is_empty(),
        "leased"
    );

    let not_before = now + SignedDuration::from_mins(5);
    s.effect_retry(due[0].id, not_before, "CRM answered 503")
        .await
        .unwrap();
    assert!(
        s.due_effects(now + SignedDuration::from_mins(1), 10, LONG)
            .await
            .unwrap()
            .is_empty(),
        "not before its retry time"
    );
    let retried = s.due_effects(not_before, 10, LONG).await.unwrap();
    assert_eq!(effect_keys(&retried), ["crm:m.1"]);
    assert_eq!(retried[0].attempts, 1);

    s.effect_done(retried[0].id).await.unwrap();
    // A late outcome of an earlier attempt changes nothing.
    s.effect_retry(retried[0].id, now, "late").await.unwrap();
    s.effect_dead(retried[0].id, "late").await.unwrap();
    let entries = s.effect_entries(&listing(None, None)).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].state, EffectState::Done);
    assert_eq!(entries[0].attempts, 1);
    assert_eq!(entries[0].last_error.as_deref(), Some("CRM answered 503"));
    assert!(entries[0].finished_at.is_some());
    assert_eq!(s.next_effect_due().await.unwrap(), None);
    assert!(
        s.due_effects(not_before + SignedDuration::from_mins(60), 10, LONG)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_dead_effect_is_listed_and_revived<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    effects_with(&s, &c, "m.1", vec![crm("crm:m.1", &c)]).await;
    effects_with(&s, &c, "m.2", vec![crm("crm:m.2", &c)]).await;
    let due = s.due_effects(Timestamp::now(), 10, LONG).await.unwrap();
    s.effect_retry(due[0].id, Timestamp::now(), "timeout")
        .await
        .unwrap();
    let again = s.due_effects(Timestamp::now(), 10, LONG).await.unwrap();
    assert_eq!(effect_keys(&again), ["crm:m.1"]);
    s.effect_dead(again[0].id, "CRM answered 410")
        .await
        .unwrap();

    let dead = s
        .effect_entries(&listing(Some(EffectState::Dead), None))
        .await
        .unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].effect.key, "crm:m.1");
    assert_eq!(dead[0].attempts, 2);
    assert_eq!(dead[0].last_error.as_deref(), Some("CRM answered 410"));
    // Paging: before the newest, only the older one is left.
    let older = s
        .effect_entries(&EffectQuery {
            before: Some(due[1].id),
            ..listing(None, None)
        })
        .await
        .unwrap();
    assert_eq!(older.len(), 1);
    assert_eq!(older[0].effect.key, "crm:m.1");

    assert!(!s.revive_effect(due[1].id).await.unwrap(), "not dead");
    assert!(s.revive_effect(dead[0].id).await.unwrap());
    assert!(!s.revive_effect(dead[0].id).await.unwrap(), "once");
    let revived = s
        .due_effects(Timestamp::now() + SignedDuration::from_secs(1), 10, LONG)
        .await
        .unwrap();
    assert_eq!(effect_keys(&revived), ["crm:m.1"]);
    assert_eq!(revived[0].attempts, 0, "a fresh count of attempts");
}

async fn a_conversations_effects_are_listed_with_it<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let (one, other) = (customer(1), customer(2));
    effects_with(&s, &one, "m.1", vec![crm("crm:m.1", &one)]).await;
    effects_with(&s, &other, "m.2", vec![crm("crm:m.2", &other)]).await;
    effects_with(&s, &one, "m.3", vec![crm("crm:m.3", &one)]).await;
    let keys = |entries: Vec<leadline_stores::EffectEntry>| -> Vec<String> {
        entries.into_iter().map(|e| e.effect.key).collect()
    };
    let of_one = s.effect_entries(&listing(None, Some(&one))).await.unwrap();
    assert_eq!(keys(of_one), ["crm:m.3", "crm:m.1"]);
    let none_dead = s
        .effect_entries(&listing(Some(EffectState::Dead), Some(&other)))
        .await
        .unwrap();
    assert!(none_dead.is_empty());
    let view = s.conversation_view(&other).await.unwrap().expect("a view");
    assert_eq!(keys(view.effects), ["crm:m.2"]);
}

// ----------------------------------------------------------------- outbox

async fn due_gives_one_entry_per_recipient_in_order<B: Backend>() {
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

async fn a_due_entry_is_leased<B: Backend>() {
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

async fn a_retry_holds_back_only_its_recipient<B: Backend>() {
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

async fn a_failed_entry_lets_the_next_one_go<B: Backend>() {
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
async fn a_status_naming_a_pending_entry_records_its_send<B: Backend>() {
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

async fn next_due_tells_when_something_waits<B: Backend>() {
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

// ---------------------------------------------------- conversations, leads

async fn a_newer_summary_is_absorbed_and_an_older_one_ignored<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    s.enqueue(batch(vec![message("m.1", &c, "hola")]))
        .await
        .unwrap();
    let claim = claim_one(&s, "w").await;
    let started = Timestamp::now();
    let texts = ["1", "2", "3", "4", "5", "6", "7", "8"];
    let commit = TurnCommit {
        conversation: conversation(&c, started, &texts),
        replies: Vec::new(),
        events: Vec::new(),
        effects: Vec::new(),
    };
    s.commit_turn(&claim, commit).await.unwrap();

    s.put_summary(
        &c,
        &Summary {
            text: "first five".into(),
            through_seq: 5,
        },
    )
    .await
    .unwrap();
    s.put_summary(
        &c,
        &Summary {
            text: "stale".into(),
            through_seq: 3,
        },
    )
    .await
    .unwrap();
    let loaded = s.load(&c).await.unwrap().expect("saved");
    assert_eq!(loaded.summary.text, "first five");
    assert_eq!(
        loaded.history.iter().map(|m| m.seq).collect::<Vec<_>>(),
        [6, 7, 8]
    );

    // A turn that loaded the conversation before the summary arrived does
    // not erase it.
    s.enqueue(batch(vec![message("m.2", &c, "9")]))
        .await
        .unwrap();
    let claim = claim_one(&s, "w").await;
    let commit = TurnCommit {
        conversation: conversation(&c, started, &[texts.as_slice(), &["9"]].concat()),
        replies: Vec::new(),
        events: Vec::new(),
        effects: Vec::new(),
    };
    s.commit_turn(&claim, commit).await.unwrap();
    let loaded = s.load(&c).await.unwrap().expect("saved");
    assert_eq!(loaded.summary.text, "first five");
    assert_eq!(
        loaded.history.iter().map(|m| m.seq).collect::<Vec<_>>(),
        [6, 7, 8, 9]
    );
}

async fn a_replaced_conversation_does_not_absorb_the_old_summary<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    let old_start = Timestamp::now() - SignedDuration::from_hours(30);
    for (id, conv) in [
        ("m.1", conversation(&c, old_start, &["1", "2", "3", "4"])),
        (
            "m.2",
            conversation(&c, Timestamp::now(), &["new 1", "new 2", "new 3"]),
        ),
    ] {
        s.enqueue(batch(vec![message(id, &c, "x")])).await.unwrap();
        let claim = claim_one(&s, "w").await;
        s.commit_turn(
            &claim,
            TurnCommit {
                conversation: conv,
                replies: Vec::new(),
                events: Vec::new(),
                effects: Vec::new(),
            },
        )
        .await
        .unwrap();
        if id == "m.1" {
            s.put_summary(
                &c,
                &Summary {
                    text: "old".into(),
                    through_seq: 2,
                },
            )
            .await
            .unwrap();
        }
    }
    let loaded = s.load(&c).await.unwrap().expect("saved");
    assert_eq!(loaded.summary, Summary::default());
    assert_eq!(loaded.history.len(), 3);
}

async fn the_lead_outlives_the_conversation<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    assert_eq!(s.load_lead(&c).await.unwrap(), None);
    s.enqueue(batch(vec![message("m.1", &c, "soy Ana")]))
        .await
        .unwrap();
    let claim = claim_one(&s, "w").await;
    let long_ago = Timestamp::now() - SignedDuration::from_hours(48);
    let old = conversation(&c, long_ago, &["soy Ana"]);
    s.commit_turn(
        &claim,
        TurnCommit {
            conversation: old,
            replies: Vec::new(),
            events: Vec::new(),
            effects: Vec::new(),
        },
    )
    .await
    .unwrap();

    let loaded = s
        .load(&c)
        .await
        .unwrap()
        .expect("expired conversations still load");
    assert!(loaded.expired(Timestamp::now()));
    assert_eq!(
        s.load_lead(&c).await.unwrap().and_then(|l| l.name),
        Some("Ana".parse().unwrap())
    );
    assert_eq!(s.load_lead(&customer(2)).await.unwrap(), None);
}

async fn depth_counts_waiting_messages<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let (a, c) = (customer(1), customer(2));
    assert_eq!(s.depth().await.unwrap(), 0);
    s.enqueue(batch(vec![
        message("a.1", &a, "1"),
        message("a.2", &a, "2"),
    ]))
    .await
    .unwrap();
    s.enqueue(batch(vec![message("c.1", &c, "1")]))
        .await
        .unwrap();
    assert_eq!(s.depth().await.unwrap(), 3);
    let claim = claim_one(&s, "w").await;
    assert_eq!(
        s.depth().await.unwrap(),
        3,
        "claimed messages still wait for their answer"
    );
    s.commit_turn(&claim, turn(&claim, Vec::new()))
        .await
        .unwrap();
    assert_eq!(s.depth().await.unwrap(), 1);
}

// ------------------------------------------------------------ concurrency

async fn concurrent_enqueues_add_up_exactly<B: Backend>() {
    const TASKS: u32 = 32;
    const PAIRS: u32 = TASKS / 2;
    const BATCHES: u32 = 25;
    const PER_BATCH: u32 = 4;
    let b = B::new().await;
    let s = b.handle().await;
    // Tasks t and t + PAIRS send the same ids (Meta retrying), so exactly
    // half of everything is a duplicate.
    let tasks: Vec<_> = (0..TASKS)
        .map(|t| {
            let s = s.clone();
            tokio::spawn(async move {
                let c = customer(t % PAIRS);
                let mut total = EnqueueReport::default();
                for j in 0..BATCHES {
                    let messages = (0..PER_BATCH)
                        .map(|k| message(&format!("m.{}.{j:02}.{k}", t % PAIRS), &c, "x"))
                        .collect();
                    let r = s.enqueue(batch(messages)).await.expect("enqueue");
                    total.accepted += r.accepted;
                    total.duplicates += r.duplicates;
                }
                total
            })
        })
        .collect();
    let mut total = EnqueueReport::default();
    for task in tasks {
        let r = task.await.expect("task");
        total.accepted += r.accepted;
        total.duplicates += r.duplicates;
    }
    let unique = (PAIRS * BATCHES * PER_BATCH) as usize;
    assert_eq!(total, report(unique, unique, 0));
    assert_eq!(s.depth().await.unwrap(), unique as u64);

    for _ in 0..PAIRS {
        let claim = claim_one(&s, "w").await;
        let got = ids(&claim);
        let mut sorted = got.clone();
        sorted.sort_unstable();
        assert_eq!(got.len(), (BATCHES * PER_BATCH) as usize);
        assert_eq!(got, sorted, "each conversation's messages in arrival order");
    }
}

async fn two_handles_never_claim_the_same_conversation<B: Backend>() {
    const CONVERSATIONS: u32 = 40;
    let b = B::new().await;
    let (one, two) = (b.handle().await, b.handle().await);
    for n in 0..CONVERSATIONS {
        let c = customer(n);
        let messages = (0..3)
            .map(|k| message(&format!("m.{n}.{k}"), &c, "x"))
            .collect();
        one.enqueue(batch(messages)).await.unwrap();
    }
    let in_flight = Arc::new(Mutex::new(HashSet::new()));
    let claimed = Arc::new(Mutex::new(HashMap::<CustomerId, Vec<String>>::new()));
    let mut workers = Vec::new();
    for (h, store) in [one.clone(), two.clone()].into_iter().enumerate() {
        for w in 0..4 {
            let (store, in_flight, claimed) = (store.clone(), in_flight.clone(), claimed.clone());
            workers.push(tokio::spawn(async move {
                let worker = format!("p{h}-w{w}");
                loop {
                    let Some(claim) = store.claim(&worker, LONG, NO_QUIET).await.expect("claim")
                    else {
                        if store.depth().await.expect("depth") == 0 {
                            return;
                        }
                        tokio::time::sleep(Duration::from_millis(5)).await;
                        continue;
                    };
                    assert!(
                        in_flight.lock().unwrap().insert(claim.customer.clone()),
                        "claimed twice at once"
                    );
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    in_flight.lock().unwrap().remove(&claim.customer);
                    let got = claim.messages.iter().map(|m| m.id.clone());
                    claimed
                        .lock()
                        .unwrap()
                        .entry(claim.customer.clone())
                        .or_default()
                        .extend(got);
                    store
                        .commit_turn(&claim, turn(&claim, Vec::new()))
                        .await
                        .expect("commit");
                }
            }));
        }
    }
    for worker in workers {
        worker.await.expect("worker");
    }
    let claimed = claimed.lock().unwrap();
    assert_eq!(claimed.len(), CONVERSATIONS as usize);
    for n in 0..CONVERSATIONS {
        let expected: Vec<_> = (0..3).map(|k| format!("m.{n}.{k}")).collect();
        assert_eq!(
            claimed[&customer(n)],
            expected,
            "claimed exactly once, in order"
        );
    }
}

/// Backends' outbox entries as the suite compares them.
fn entries(entries: Vec<leadline_stores::OutboxEntry>) -> Vec<Entry> {
    use leadline_stores::SendState;
    entries
        .into_iter()
        .map(|e| Entry {
            text: e.message.body.text().to_owned(),
            key: e.message.key,
            state: match e.state {
                SendState::Pending => "pending",
                SendState::Sent => "sent",
                SendState::Failed => "failed",
            },
            attempts: e.attempts,
            delivery: e.delivery,
        })
        .collect()
}

// ------------------------------------------------------------------ admin

/// A conversation of `c` committed by a turn answering message `id` (with
/// one reply), changed by `edit` before the commit.
async fn committed<S: Store>(
    s: &S,
    c: &CustomerId,
    id: &str,
    edit: impl FnOnce(&mut Conversation),
) -> Conversation {
    s.enqueue(batch(vec![message(id, c, "hola")]))
        .await
        .expect("enqueue");
    let claim = claim_one(s, "w").await;
    let mut commit = turn(&claim, vec![reply(&format!("{id}#0"), c, "¡Hola!")]);
    edit(&mut commit.conversation);
    let saved = commit.conversation.clone();
    s.commit_turn(&claim, commit).await.expect("commit");
    saved
}

fn all() -> LeadQuery {
    LeadQuery {
        limit: 50,
        ..LeadQuery::default()
    }
}

/// The customers `query` lists, in order.
async fn listed<S: Store>(s: &S, query: &LeadQuery) -> Vec<String> {
    s.leads(query)
        .await
        .expect("leads")
        .into_iter()
        .map(|row| row.conversation.customer.as_str().to_owned())
        .collect()
}

async fn leads_are_filtered_searched_and_paged_newest_first<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let (c1, c2, c3) = (customer(1), customer(2), customer(3));
    committed(&s, &c1, "m.1", |c| {
        c.lead.company = Some("Acme Tools".parse().unwrap());
    })
    .await;
    committed(&s, &c2, "m.2", |c| {
        c.stage = "qualification".to_owned();
        c.lead.name = Some("Bruno".parse().unwrap());
    })
    .await;
    committed(&s, &c3, "m.3", |c| {
        c.lead.name = Some("Carla".parse().unwrap());
        c.handoff = Some(Handoff {
            reason: HandoffReason::CustomerAsked,
            at: Timestamp::now(),
        });
    })
    .await;

    assert_eq!(
        listed(&s, &all()).await,
        [c3.as_str(), c2.as_str(), c1.as_str()]
    );
    let stage = LeadQuery {
        stage: Some("qualification".to_owned()),
        ..all()
    };
    assert_eq!(listed(&s, &stage).await, [c2.as_str()]);
    let reason = LeadQuery {
        handoff: Some("customer_asked".to_owned()),
        ..all()
    };
    assert_eq!(listed(&s, &reason).await, [c3.as_str()]);
    let other_reason = LeadQuery {
        handoff: Some("low_confidence".to_owned()),
        ..all()
    };
    assert!(listed(&s, &other_reason).await.is_empty());
    let handed_off = LeadQuery {
        handed_off: true,
        ..all()
    };
    assert_eq!(listed(&s, &handed_off).await, [c3.as_str()]);
    let by_company = LeadQuery {
        search: Some("ACME".to_owned()),
        ..all()
    };
    assert_eq!(listed(&s, &by_company).await, [c1.as_str()]);
    let by_name = LeadQuery {
        search: Some("brun".to_owned()),
        ..all()
    };
    assert_eq!(listed(&s, &by_name).await, [c2.as_str()]);
    let future = LeadQuery {
        updated_since: Some(Timestamp::now() + SignedDuration::from_hours(1)),
        ..all()
    };
    assert!(listed(&s, &future).await.is_empty());

    let first = s
        .leads(&LeadQuery { limit: 2, ..all() })
        .await
        .expect("first page");
    assert_eq!(first.len(), 2);
    let rest = LeadQuery {
        after: first.last().map(|row| row.cursor()),
        ..all()
    };
    assert_eq!(listed(&s, &rest).await, [c1.as_str()]);
}

async fn a_conversation_view_has_its_outbox_and_events<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    let saved = committed(&s, &c, "m.1", |_| {}).await;
    let view = s
        .conversation_view(&c)
        .await
        .expect("view")
        .expect("a known conversation");
    assert_eq!(view.conversation, saved);
    let keys: Vec<&str> = view.outbox.iter().map(|e| e.message.key.as_str()).collect();
    assert_eq!(keys, ["m.1#0"]);
    let events: Vec<&Event> = view.events.iter().map(|e| &e.event).collect();
    assert_eq!(
        events,
        [&Event::StageChanged {
            from: "greeting".into(),
            to: "qualification".into()
        }]
    );
    assert!(
        s.conversation_view(&customer(2))
            .await
            .expect("view")
            .is_none()
    );
}

async fn actions_on_an_unknown_conversation_are_not_found<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let actions = [
        HumanAction::TakeOver,
        HumanAction::Reply {
            text: "hola".to_owned(),
        },
        HumanAction::HandBack {
            stage: "greeting".to_owned(),
        },
    ];
    for action in actions {
        let refused = s.act(&customer(9), &action, Timestamp::now()).await;
        assert!(
            matches!(refused, Err(AdminError::NotFound)),
            "{action:?}: {refused:?}"
        );
    }
}

async fn a_take_over_silences_the_bot_and_fences_a_turn_in_flight<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    committed(&s, &c, "m.1", |_| {}).await;
    s.enqueue(batch(vec![message("m.2", &c, "¿sigues ahí?")]))
        .await
        .unwrap();
    let in_flight = claim_one(&s, "w").await;

    let taken = s
        .act(&c, &HumanAction::TakeOver, Timestamp::now())
        .await
        .expect("take over");
    assert_eq!(
        taken.handoff.as_ref().map(|h| h.reason),
        Some(HandoffReason::HumanTookOver)
    );
    let late = s
        .commit_turn(
            &in_flight,
            turn(&in_flight, vec![reply("m.2#0", &c, "¡Sí!")]),
        )
        .await;
    assert!(matches!(late, Err(StoreError::Fenced)), "{late:?}");
    assert_eq!(s.load(&c).await.unwrap(), Some(taken));
    // The fenced turn's message waits to be answered under the new state.
    let again = claim_one(&s, "w2").await;
    assert_eq!(ids(&again), ["m.2"]);
    assert!(events_of(&s, &c).await.contains(&Event::HandedOff {
        reason: HandoffReason::HumanTookOver
    }));
    // A second take over keeps the first handoff.
    let twice = s
        .act(&c, &HumanAction::TakeOver, Timestamp::now())
        .await
        .expect("take over again");
    assert_eq!(
        twice.handoff.map(|h| h.reason),
        Some(HandoffReason::HumanTookOver)
    );
}

async fn a_human_reply_is_recorded_once_for_the_sender<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    committed(&s, &c, "m.1", |_| {}).await;
    let reply = HumanAction::Reply {
        text: "Soy Marta, de ventas".to_owned(),
    };
    let replied = s.act(&c, &reply, Timestamp::now()).await.expect("reply");
    let last = replied.history.last().expect("the reply in the history");
    assert_eq!(
        (last.speaker, last.text.as_str()),
        (Speaker::Human, "Soy Marta, de ventas")
    );
    assert!(
        replied.handoff.is_some(),
        "a person's reply silences the bot"
    );
    assert_eq!(s.load(&c).await.unwrap(), Some(replied));

    let outbox = s.conversation_view(&c).await.unwrap().expect("view").outbox;
    assert_eq!(outbox.len(), 2);
    let human = &outbox[1].message;
    assert_eq!(
        (human.business_number_id.as_str(), &human.body),
        (
            "1065",
            &OutgoingBody::Text {
                body: "Soy Marta, de ventas".to_owned()
            }
        )
    );
    // Due once the bot's reply before it has gone.
    let first = s.due(Timestamp::now(), 10, LONG).await.unwrap();
    assert_eq!(first.len(), 1);
    s.mark_sent(first[0].id, "wamid.bot").await.unwrap();
    let second = s.due(Timestamp::now(), 10, LONG).await.unwrap();
    assert_eq!(
        second.iter().map(|i| &i.message).collect::<Vec<_>>(),
        [human]
    );
}

async fn a_human_reply_outside_the_window_is_refused_and_writes_nothing<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    let saved = committed(&s, &c, "m.1", |_| {}).await;
    let later = Timestamp::now() + SignedDuration::from_hours(25);
    let refused = s
        .act(
            &c,
            &HumanAction::Reply {
                text: "¿Seguimos?".to_owned(),
            },
            later,
        )
        .await;
    assert!(
        matches!(refused, Err(AdminError::WindowClosed)),
        "{refused:?}"
    );
    assert_eq!(s.load(&c).await.unwrap(), Some(saved));
    assert_eq!(outbox_of(&s, &c).await.len(), 1);
}

/// The `n`th nudge effect of the silence after message `id`, due in an hour.
fn nudge_effect(c: &CustomerId, id: &str) -> Effect {
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

async fn a_turn_replaces_the_pending_nudges_of_its_conversation<B: Backend>() {
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

fn reminder(key: &str, event_id: &str, template: Option<OutgoingBody>) -> FollowThrough {
    FollowThrough::Reminder {
        key: key.to_owned(),
        event_id: event_id.to_owned(),
        slot: "2026-03-03T16:00:00Z".to_owned(),
        text: "Te recuerdo tu llamada".to_owned(),
        template,
    }
}

fn nudge(key: &str, quiet_since: Timestamp, n: u32) -> FollowThrough {
    FollowThrough::FollowUp {
        key: key.to_owned(),
        quiet_since,
        n,
        text: "¿Sigues por ahí?".to_owned(),
    }
}

async fn reminders_and_nudges_go_only_while_the_conversation_calls_for_them<B: Backend>() {
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

async fn a_hand_back_clears_the_handoff_at_the_chosen_stage<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    committed(&s, &c, "m.1", |c| {
        c.unresolved = 3;
        c.handoff = Some(Handoff {
            reason: HandoffReason::Unresolved,
            at: Timestamp::now(),
        });
    })
    .await;
    let back = HumanAction::HandBack {
        stage: "qualification".to_owned(),
    };
    let handed = s.act(&c, &back, Timestamp::now()).await.expect("hand back");
    assert_eq!(
        (
            handed.handoff.as_ref(),
            handed.stage.as_str(),
            handed.unresolved
        ),
        (None, "qualification", 0)
    );
    assert_eq!(s.load(&c).await.unwrap(), Some(handed));
    let handed_off = LeadQuery {
        handed_off: true,
        ..all()
    };
    assert!(listed(&s, &handed_off).await.is_empty());
    let at_stage = LeadQuery {
        stage: Some("qualification".to_owned()),
        ..all()
    };
    assert_eq!(listed(&s, &at_stage).await, [c.as_str()]);
    assert_eq!(
        events_of(&s, &c).await.last(),
        Some(&Event::StageChanged {
            from: "greeting".into(),
            to: "qualification".into()
        })
    );
}

// ------------------------------------------------------------------ SQLite

struct SqliteBackend {
    dir: tempfile::TempDir,
}

impl SqliteBackend {
    fn url(&self) -> String {
        format!("sqlite://{}", self.dir.path().join("leadline.db").display())
    }
}

impl Backend for SqliteBackend {
    type S = leadline_stores::sqlite::SqliteStore;

    async fn new() -> Self {
        let backend = Self {
            dir: tempfile::tempdir().expect("a temporary directory"),
        };
        backend.handle().await.migrate().await.expect("migrate");
        backend
    }

    async fn handle(&self) -> Self::S {
        Self::S::open(&self.url()).await.expect("open")
    }

    async fn everything(&self) -> String {
        use sqlx::{Connection, SqliteConnection};
        let mut conn = SqliteConnection::connect(&self.url())
            .await
            .expect("raw connection");
        let tables: Vec<String> =
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .fetch_all(&mut conn)
                .await
                .expect("tables");
        let mut dump = String::new();
        for table in tables {
            let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?1)")
                .bind(&table)
                .fetch_all(&mut conn)
                .await
                .expect("columns");
            // `quote` prints every type, blobs (as hex) included.
            let row = columns
                .iter()
                .map(|c| format!("quote(\"{c}\")"))
                .collect::<Vec<_>>()
                .join(" || ' ' || ");
            let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT {row} FROM \"{table}\""))
                .fetch_all(&mut conn)
                .await
                .expect("rows");
            dump.push_str(&format!("{table}: {}\n", rows.join("\n")));
        }
        dump
    }
}

// -------------------------------------------------------------- PostgreSQL

/// A fresh database per test on the machine's PostgreSQL, dropped after.
struct PostgresBackend {
    db: leadline_testkit::postgres::TestDatabase,
}

impl Backend for PostgresBackend {
    type S = leadline_stores::postgres::PgStore;

    async fn new() -> Self {
        let backend = Self {
            db: leadline_testkit::postgres::TestDatabase::create().await,
        };
        backend.handle().await.migrate().await.expect("migrate");
        backend
    }

    async fn handle(&self) -> Self::S {
        Self::S::connect(self.db.url()).await.expect("connect")
    }

    async fn everything(&self) -> String {
        use sqlx::{Connection, PgConnection};
        let mut conn = PgConnection::connect(self.db.url())
            .await
            .expect("raw connection");
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema() ORDER BY 1",
        )
        .fetch_all(&mut conn)
        .await
        .expect("tables");
        let mut dump = String::new();
        for table in tables {
            let rows: Vec<String> =
                sqlx::query_scalar(&format!("SELECT row_to_json(t)::text FROM \"{table}\" t"))
                    .fetch_all(&mut conn)
                    .await
                    .expect("rows");
            dump.push_str(&format!("{table}: {}\n", rows.join("\n")));
        }
        dump
    }
}

// ------------------------------------------------------------------- Redis

/// Redis under a key prefix of its own on the machine's server, with a
/// fresh PostgreSQL database for the records; both go when the test ends.
struct RedisBackend {
    redis: leadline_testkit::redis::TestRedis,
    records: PostgresBackend,
}

impl Backend for RedisBackend {
    type S = leadline_stores::redis::RedisStore;

    async fn new() -> Self {
        Self {
            redis: leadline_testkit::redis::TestRedis::create(),
            records: PostgresBackend::new().await,
        }
    }

    async fn handle(&self) -> Self::S {
        Self::S::connect(
            self.redis.url(),
            self.redis.prefix(),
            self.records.handle().await,
        )
        .await
        .expect("connect")
    }

    async fn everything(&self) -> String {
        let client = ::redis::Client::open(self.redis.url()).expect("redis url");
        let mut conn = client
            .get_multiplexed_async_connection()
            .await
            .expect("redis connection");
        let mut keys: Vec<String> = Vec::new();
        let mut cursor: u64 = 0;
        loop {
            let (next, batch): (u64, Vec<String>) = ::redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(format!("{}*", self.redis.prefix()))
                .arg("COUNT")
                .arg(1000)
                .query_async(&mut conn)
                .await
                .expect("scan");
            keys.extend(batch);
            if next == 0 {
                break;
            }
            cursor = next;
        }
        keys.sort();
        let mut dump = self.records.everything().await;
        for key in keys {
            let kind: String = ::redis::cmd("TYPE")
                .arg(&key)
                .query_async(&mut conn)
                .await
                .expect("type");
            let read = match kind.as_str() {
                "string" => ::redis::cmd("GET").arg(&key).clone(),
                "list" => ::redis::cmd("LRANGE").arg(&key).arg(0).arg(-1).clone(),
                "hash" => ::redis::cmd("HGETALL").arg(&key).clone(),
                "set" => ::redis::cmd("SMEMBERS").arg(&key).clone(),
                "zset" => ::redis::cmd("ZRANGE")
                    .arg(&key)
                    .arg(0)
                    .arg(-1)
                    .arg("WITHSCORES")
                    .clone(),
                "stream" => ::redis::cmd("XRANGE").arg(&key).arg("-").arg("+").clone(),
                other => panic!("a key of a type the dump does not read: {other}"),
            };
            let value: ::redis::Value = read.query_async(&mut conn).await.expect("read a key");
            dump.push_str(&format!("{key} ({kind}): {}\n", printable(&value)));
        }
        dump
    }
}

/// A Redis value as text, its bytes as the strings they hold.
fn printable(value: &::redis::Value) -> String {
    match value {
        ::redis::Value::BulkString(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        ::redis::Value::SimpleString(s) => s.clone(),
        ::redis::Value::Array(items) | ::redis::Value::Set(items) => {
            items.iter().map(printable).collect::<Vec<_>>().join(" | ")
        }
        ::redis::Value::Map(pairs) => pairs
            .iter()
            .map(|(k, v)| format!("{}={}", printable(k), printable(v)))
            .collect::<Vec<_>>()
            .join(" | "),
        other => format!("{other:?}"),
    }
}

/// What only the SQLite backend can show: its file, its pruning, its
/// failure modes.
mod sqlite_only {
    use super::*;
    use leadline_stores::sqlite::SqliteStore;
    use sqlx::{Connection, SqliteConnection};

    async fn raw(backend: &SqliteBackend, sql: &str) {
        let mut conn = SqliteConnection::connect(&backend.url())
            .await
            .expect("raw connection");
        sqlx::query(sql)
            .execute(&mut conn)
            .await
            .expect("raw statement");
        conn.close().await.expect("close");
    }

    #[tokio::test]
    async fn ids_are_remembered_for_seven_days_then_forgotten() {
        let b = SqliteBackend::new().await;
        let s = b.handle().await;
        let c = customer(1);
        let sent = ["old", "recent", "pending"].map(|id| message(id, &c, "x"));
        s.enqueue(batch(sent[..2].to_vec())).await.unwrap();
        let claim = claim_one(&s, "w").await;
        s.commit_turn(&claim, turn(&claim, Vec::new()))
            .await
            .unwrap();
        s.enqueue(batch(sent[2..].to_vec())).await.unwrap();
        let day = 24 * 3600 * 1000;
        raw(&b, &format!("UPDATE inbox SET enqueued_at = enqueued_at - 8 * {day} WHERE msg_id IN ('old', 'pending')")).await;
        raw(
            &b,
            &format!(
                "UPDATE inbox SET enqueued_at = enqueued_at - 6 * {day} WHERE msg_id = 'recent'"
            ),
        )
        .await;

        s.migrate().await.expect("migrate prunes");
        let r = s.enqueue(batch(sent.to_vec())).await.unwrap();
        assert_eq!(
            r,
            report(1, 2, 0),
            "only the answered id older than 7 days is forgotten"
        );
        assert_eq!(s.depth().await.unwrap(), 2);
    }

    #[tokio::test]
    async fn undecodable_rows_are_corrupt() {
        let b = SqliteBackend::new().await;
        let s = b.handle().await;
        let c = customer(1);
        s.enqueue(batch(vec![message("m.1", &c, "hola")]))
            .await
            .unwrap();
        let claim = claim_one(&s, "w").await;
        s.commit_turn(&claim, turn(&claim, Vec::new()))
            .await
            .unwrap();
        raw(&b, "UPDATE conversations SET body = '{\"stage\": 1}'").await;
        raw(&b, "UPDATE leads SET body = 'not json'").await;
        assert!(matches!(s.load(&c).await, Err(StoreError::Corrupt(_))));
        assert!(matches!(s.load_lead(&c).await, Err(StoreError::Corrupt(_))));

        s.enqueue(batch(vec![message("m.2", &c, "x")]))
            .await
            .unwrap();
        raw(&b, "UPDATE inbox SET payload = '[]' WHERE msg_id = 'm.2'").await;
        assert!(matches!(
            s.claim("w", LONG, NO_QUIET).await,
            Err(StoreError::Corrupt(_))
        ));
    }

    #[tokio::test]
    async fn a_database_that_cannot_be_opened_is_unavailable() {
        let dir = tempfile::tempdir().unwrap();
        let missing = format!(
            "sqlite://{}",
            dir.path().join("no/such/dir/leadline.db").display()
        );
        assert!(matches!(
            SqliteStore::open(&missing).await,
            Err(StoreError::Unavailable(_))
        ));

        let not_a_db = dir.path().join("notes.db");
        std::fs::write(
            &not_a_db,
            "this is not a database, just some text that is long enough",
        )
        .unwrap();
        let opened = SqliteStore::open(&format!("sqlite://{}", not_a_db.display())).await;
        assert!(matches!(opened, Err(StoreError::Unavailable(_))));
        assert!(matches!(
            SqliteStore::open("postgres://nope").await,
            Err(StoreError::Unavailable(_))
        ));
    }

    #[tokio::test]
    async fn an_in_memory_store_works() {
        let s = SqliteStore::open("sqlite::memory:").await.expect("open");
        s.migrate().await.expect("migrate");
        let c = customer(1);
        assert_eq!(
            s.enqueue(batch(vec![message("m.1", &c, "hola")]))
                .await
                .unwrap(),
            report(1, 0, 0)
        );
        let claim = claim_one(&s, "w").await;
        s.commit_turn(&claim, turn(&claim, vec![reply("m.1#0", &c, "¡Hola!")]))
            .await
            .unwrap();
        assert!(s.load(&c).await.unwrap().is_some());
        assert!(s.next_due().await.unwrap().is_some());
        s.ping().await.expect("ping");
    }

    #[tokio::test]
    async fn a_second_process_sees_committed_writes() {
        let b = SqliteBackend::new().await;
        let (server, reader) = (b.handle().await, b.handle().await);
        let c = customer(1);
        server
            .enqueue(batch(vec![message("m.1", &c, "hola")]))
            .await
            .unwrap();
        assert_eq!(reader.depth().await.unwrap(), 1);
        let claim = claim_one(&server, "w").await;
        server
            .commit_turn(&claim, turn(&claim, Vec::new()))
            .await
            .unwrap();
        assert!(reader.load(&c).await.unwrap().is_some());
        assert_eq!(reader.depth().await.unwrap(), 0);
    }
}

/// What only the PostgreSQL backend can show: its dashboard tables, its
/// pruning, its failure modes.
mod postgres_only {
    use super::*;
    use leadline_domain::conversation::{Handoff, HandoffReason};
    use leadline_stores::postgres::PgStore;
    use leadline_testkit::proxy::TcpProxy;
    use sqlx::{Connection, PgConnection};

    async fn raw(backend: &PostgresBackend) -> PgConnection {
        PgConnection::connect(backend.db.url())
            .await
            .expect("raw connection")
    }

    #[tokio::test]
    async fn ids_are_remembered_for_seven_days_then_forgotten() {
        let b = PostgresBackend::new().await;
        let s = b.handle().await;
        let c = customer(1);
        let sent = ["old", "recent", "pending"].map(|id| message(id, &c, "x"));
        s.enqueue(batch(sent[..2].to_vec())).await.unwrap();
        let claim = claim_one(&s, "w").await;
        s.commit_turn(&claim, turn(&claim, Vec::new()))
            .await
            .unwrap();
        s.enqueue(batch(sent[2..].to_vec())).await.unwrap();
        let day: i64 = 24 * 3600 * 1000;
        let mut conn = raw(&b).await;
        for (ids, days) in [(&["old", "pending"][..], 8), (&["recent"][..], 6)] {
            sqlx::query("UPDATE inbox SET enqueued_at = enqueued_at - $1 WHERE msg_id = ANY($2)")
                .bind(days * day)
                .bind(ids)
                .execute(&mut conn)
                .await
                .unwrap();
        }

        s.migrate().await.expect("migrate prunes");
        let r = s.enqueue(batch(sent.to_vec())).await.unwrap();
        assert_eq!(
            r,
            report(1, 2, 0),
            "only the answered id older than 7 days is forgotten"
        );
        assert_eq!(s.depth().await.unwrap(), 2);
    }

    #[tokio::test]
    async fn processes_starting_together_migrate_once() {
        let db = leadline_testkit::postgres::TestDatabase::create().await;
        let (one, two) = (
            PgStore::connect(db.url()).await.unwrap(),
            PgStore::connect(db.url()).await.unwrap(),
        );
        let (a, b) = tokio::join!(one.migrate(), two.migrate());
        a.expect("first migration");
        b.expect("second migration");
        one.migrate()
            .await
            .expect("migrating again changes nothing");
        assert_eq!(one.depth().await.unwrap(), 0);
    }

    #[tokio::test]
    async fn leads_and_the_transcript_are_kept_for_the_dashboard() {
        let b = PostgresBackend::new().await;
        let s = b.handle().await;
        let c = customer(1);
        s.enqueue(batch(vec![message(
            "wamid.in.1",
            &c,
            "quiero hablar con alguien",
        )]))
        .await
        .unwrap();
        let claim = claim_one(&s, "w").await;
        let mut commit = turn(
            &claim,
            vec![reply("wamid.in.1#0", &c, "Te paso con ventas")],
        );
        commit.conversation.stage = "handoff".into();
        commit.conversation.handoff = Some(Handoff {
            reason: HandoffReason::CustomerAsked,
            at: Timestamp::now(),
        });
        s.commit_turn(&claim, commit).await.unwrap();
        let due = s.due(Timestamp::now(), 10, LONG).await.unwrap();
        s.mark_sent(due[0].id, "wamid.out.1").await.unwrap();
        s.enqueue(statuses(&[("wamid.out.1", DeliveryState::Read)]))
            .await
            .unwrap();

        let mut conn = raw(&b).await;
        let lead: (String, Option<String>, Option<String>) = sqlx::query_as(
            "SELECT stage, handoff_reason, fields ->> 'name' FROM leads WHERE customer = $1",
        )
        .bind(c.as_str())
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert_eq!(
            lead,
            (
                "handoff".into(),
                Some("customer_asked".into()),
                Some("Ana".into())
            )
        );
        let transcript: Vec<(String, Option<String>, Option<i64>)> = sqlx::query_as(
            "SELECT direction, wa_id, delivery FROM transcript_view WHERE customer = $1 ORDER BY id",
        )
        .bind(c.as_str())
        .fetch_all(&mut conn)
        .await
        .unwrap();
        assert_eq!(
            transcript,
            [
                ("in".into(), Some("wamid.in.1".into()), None),
                ("out".into(), Some("wamid.out.1".into()), Some(3)),
            ]
        );
    }

    #[tokio::test]
    async fn undecodable_rows_are_corrupt() {
        let b = PostgresBackend::new().await;
        let s = b.handle().await;
        let c = customer(1);
        s.enqueue(batch(vec![message("m.1", &c, "hola")]))
            .await
            .unwrap();
        let claim = claim_one(&s, "w").await;
        s.commit_turn(&claim, turn(&claim, Vec::new()))
            .await
            .unwrap();
        let mut conn = raw(&b).await;
        for sql in [
            r#"UPDATE conversations SET body = '{"stage": 1}'"#,
            r#"UPDATE leads SET fields = '"not a lead"'"#,
        ] {
            sqlx::query(sql).execute(&mut conn).await.unwrap();
        }
        assert!(matches!(s.load(&c).await, Err(StoreError::Corrupt(_))));
        assert!(matches!(s.load_lead(&c).await, Err(StoreError::Corrupt(_))));

        s.enqueue(batch(vec![message("m.2", &c, "x")]))
            .await
            .unwrap();
        sqlx::query("UPDATE inbox SET payload = '[]' WHERE msg_id = 'm.2'")
            .execute(&mut conn)
            .await
            .unwrap();
        assert!(matches!(
            s.claim("w", LONG, NO_QUIET).await,
            Err(StoreError::Corrupt(_))
        ));
    }

    #[tokio::test]
    async fn an_unreachable_database_is_unavailable() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap();
        assert!(matches!(
            PgStore::connect(&format!("postgres://postgres@{closed}/x")).await,
            Err(StoreError::Unavailable(_))
        ));
        assert!(matches!(
            PgStore::connect("postgres://[::1").await,
            Err(StoreError::Unavailable(_))
        ));
    }

    #[tokio::test]
    async fn an_outage_is_unavailable_and_passes_by_itself() {
        let b = PostgresBackend::new().await;
        let server: std::net::SocketAddr = "127.0.0.1:5432".parse().unwrap();
        let proxy = TcpProxy::start(server).await;
        let url =
            b.db.url()
                .replace("127.0.0.1:5432", &proxy.addr().to_string());
        let s = PgStore::connect(&url)
            .await
            .expect("connect through the proxy");
        let c = customer(1);
        s.enqueue(batch(vec![message("m.1", &c, "hola")]))
            .await
            .unwrap();

        proxy.cut();
        assert!(matches!(s.ping().await, Err(StoreError::Unavailable(_))));
        assert!(matches!(
            s.enqueue(batch(vec![message("m.2", &c, "x")])).await,
            Err(StoreError::Unavailable(_))
        ));

        proxy.restore();
        s.ping().await.expect("reconnects by itself");
        let r = s
            .enqueue(batch(vec![
                message("m.1", &c, "hola"),
                message("m.2", &c, "x"),
            ]))
            .await
            .unwrap();
        assert_eq!(r, report(1, 1, 0), "nothing written before the cut is lost");
    }
}

// ----------------------------------------------------------------- funnel

/// One turn answering a fresh message `id` of `c` with one reply keyed as
/// the worker keys it (`<id>#0`), recording `events`.
async fn turn_recording<S: Store>(s: &S, c: &CustomerId, id: &str, events: Vec<Event>) {
    s.enqueue(batch(vec![message(id, c, "hola")]))
        .await
        .expect("enqueue");
    let claim = claim_one(s, "w").await;
    let mut commit = turn(&claim, vec![reply(&format!("{id}#0"), c, "¡Hola!")]);
    commit.events = events;
    s.commit_turn(&claim, commit).await.expect("commit");
}

fn stage_changed(from: &str, to: &str) -> Event {
    Event::StageChanged {
        from: from.into(),
        to: to.into(),
    }
}

async fn the_funnel_counts_progress_handoffs_and_timings<B: Backend>() {
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

// -------------------------------------------------------------- questions

fn asked(question: &str, grounded: Grounded) -> Event {
    Event::QuestionAsked {
        question: question.to_owned(),
        grounded,
        passages: Vec::new(),
    }
}

/// A turn recording `events`, a few milliseconds after the previous one:
/// the list orders questions by when they were last asked.
async fn asking<S: Store>(s: &S, c: &CustomerId, id: &str, events: Vec<Event>) {
    tokio::time::sleep(Duration::from_millis(3)).await;
    turn_recording(s, c, id, events).await;
}

/// `(question, asked, conversations, answered, customers)` of each row.
type Listed = (String, u64, u64, bool, Vec<CustomerId>);

async fn questions_of<S: Store>(
    s: &S,
    query: &QuestionQuery,
) -> (Vec<Listed>, Option<QuestionCursor>) {
    let rows = s.questions(query).await.expect("questions");
    let next = rows.last().map(QuestionRow::cursor);
    let listed = rows
        .into_iter()
        .map(|r| {
            (
                r.question,
                r.asked,
                r.conversations,
                r.answered,
                r.customers,
            )
        })
        .collect();
    (listed, next)
}

async fn questions_are_grouped_filtered_and_paged_newest_first<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    // Six customers ask one question: a row names the latest five.
    for n in 10..16 {
        let weekend = asked("¿Atienden los sábados?", Grounded::No);
        asking(&s, &customer(n), &format!("s.{n}"), vec![weekend]).await;
    }
    let (c1, c2, c3) = (customer(1), customer(2), customer(3));
    let parking = |q: &str| asked(q, Grounded::No);
    asking(&s, &c1, "m.1", vec![parking("¿Tienen estacionamiento?")]).await;
    let integration = asked("¿Se integran con Tiendanube?", Grounded::Yes);
    asking(
        &s,
        &c2,
        "m.2",
        vec![parking("tienen  estacionamiento"), integration],
    )
    .await;
    // Asked again by one customer: one more time, no more conversations.
    asking(&s, &c1, "m.3", vec![parking("¿Tienen estacionamiento?")]).await;
    // Once answered from the folder, a question counts as answered.
    let replaced = asked("se integran con tiendanube??", Grounded::Replaced);
    asking(&s, &c1, "m.4", vec![replaced]).await;
    let english = asked("Do you have parking?", Grounded::Replaced);
    asking(&s, &c3, "m.5", vec![english, asked(" ¿? ", Grounded::No)]).await;

    let weekend = (
        "¿Atienden los sábados?".to_owned(),
        6,
        6,
        false,
        (11..16).rev().map(customer).collect::<Vec<_>>(),
    );
    let english = (
        "Do you have parking?".to_owned(),
        1,
        1,
        false,
        vec![c3.clone()],
    );
    let integration = (
        "se integran con tiendanube??".to_owned(),
        2,
        2,
        true,
        vec![c1.clone(), c2.clone()],
    );
    let spanish = (
        "¿Tienen estacionamiento?".to_owned(),
        3,
        2,
        false,
        vec![c1.clone(), c2.clone()],
    );
    let all = QuestionQuery {
        limit: 50,
        ..QuestionQuery::default()
    };
    let (listed, _) = questions_of(&s, &all).await;
    assert_eq!(
        listed,
        [
            english.clone(),
            integration.clone(),
            spanish.clone(),
            weekend.clone()
        ]
    );
    let first = s.questions(&all).await.expect("questions");
    assert_eq!(first[1].key, "se integran con tiendanube");
    assert!(first[0].last_asked > first[1].last_asked);

    let answered = |answered| QuestionQuery {
        answered: Some(answered),
        ..all.clone()
    };
    assert_eq!(questions_of(&s, &answered(true)).await.0, [integration]);
    let (unanswered, _) = questions_of(&s, &answered(false)).await;
    assert_eq!(
        unanswered,
        [english.clone(), spanish.clone(), weekend.clone()]
    );

    // Paged, two at a time, the filter kept.
    let mut query = QuestionQuery {
        limit: 2,
        ..answered(false)
    };
    let (page, next) = questions_of(&s, &query).await;
    assert_eq!(page, [english, spanish]);
    query.after = next;
    let (page, next) = questions_of(&s, &query).await;
    assert_eq!(page, [weekend]);
    query.after = next;
    assert_eq!(questions_of(&s, &query).await.0, []);
}

/// What only the Redis backend can show: where its keys live and for how
/// long, its failure modes, and the repair after a crash between Redis and
/// PostgreSQL.
mod redis_only {
    use super::*;
    use leadline_stores::redis::RedisStore;

    async fn raw(backend: &RedisBackend) -> ::redis::aio::MultiplexedConnection {
        ::redis::Client::open(backend.redis.url())
            .expect("a Redis url")
            .get_multiplexed_async_connection()
            .await
            .expect("raw connection")
    }

    /// Every key of the backend's prefix, sorted.
    async fn keys(backend: &RedisBackend) -> Vec<String> {
        let mut conn = raw(backend).await;
        let mut keys: Vec<String> = ::redis::cmd("KEYS")
            .arg(format!("{}:*", backend.redis.prefix()))
            .query_async(&mut conn)
            .await
            .expect("keys");
        keys.sort();
        keys
    }

    /// The one key of `customer` of this kind (`q`, `in`, `conv`, `sum`).
    async fn key_of(backend: &RedisBackend, kind: &str, customer: &CustomerId) -> String {
        let suffix = format!(":{kind}:{}", customer.as_str());
        let found: Vec<String> = keys(backend)
            .await
            .into_iter()
            .filter(|k| k.ends_with(&suffix))
            .collect();
        assert_eq!(found.len(), 1, "one {kind} key for the customer: {found:?}");
        found[0].clone()
    }

    /// The hash tag Redis Cluster places a key by.
    fn hash_tag(key: &str) -> &str {
        let open = key.find('{').expect("a hash tag");
        let close = open + key[open..].find('}').expect("a closed hash tag");
        &key[open + 1..close]
    }

    #[tokio::test]
    async fn every_key_is_under_the_prefix_and_a_conversation_shares_its_shards_tag() {
        let b = RedisBackend::new().await;
        let s = b.handle().await;
        let customers = [customer(1), customer(2), customer(3)];
        for (n, c) in customers.iter().enumerate() {
            s.enqueue(batch(vec![message(&format!("m.{n}"), c, "hola")]))
                .await
                .unwrap();
        }
        let claim = claim_one(&s, "w").await;
        s.commit_turn(&claim, turn(&claim, Vec::new()))
            .await
            .unwrap();
        let summary = Summary {
            text: "Ana".into(),
            through_seq: 1,
        };
        s.put_summary(&claim.customer, &summary).await.unwrap();

        let all = keys(&b).await;
        assert!(all.len() >= 10, "{all:?}");
        for key in &all {
            assert!(key.starts_with(&format!("{}:", b.redis.prefix())), "{key}");
        }
        for c in &customers {
            let mine: Vec<&String> = all
                .iter()
                .filter(|k| k.ends_with(&format!(":{}", c.as_str())))
                .collect();
            assert!(!mine.is_empty());
            let tag = hash_tag(mine[0]);
            for key in &mine {
                assert_eq!(hash_tag(key), tag, "{key}");
            }
            // The shard's queues, which every script touches with them.
            for queue in ["ready", "leases", "depth"] {
                let shared = format!("{}:{{{tag}}}:{queue}", b.redis.prefix());
                assert!(
                    all.contains(&shared) || queue != "depth",
                    "{shared} in {all:?}"
                );
            }
        }
    }

    #[tokio::test]
    async fn dedup_lasts_seven_days_and_a_conversation_a_day_from_its_last_message() {
        let b = RedisBackend::new().await;
        let s = b.handle().await;
        let c = customer(1);
        s.enqueue(batch(vec![message("m.1", &c, "hola")]))
            .await
            .unwrap();
        let claim = claim_one(&s, "w").await;
        s.commit_turn(&claim, turn(&claim, Vec::new()))
            .await
            .unwrap();
        let mut conn = raw(&b).await;
        let probe = conn.clone();
        let ttl = |key: String| {
            let mut conn = probe.clone();
            async move {
                ::redis::cmd("TTL")
                    .arg(key)
                    .query_async::<i64>(&mut conn)
                    .await
                    .expect("ttl")
            }
        };
        let seen = keys(&b)
            .await
            .into_iter()
            .find(|k| k.ends_with(":seen:m.1"))
            .expect("a dedup key");
        let week = 7 * 24 * 3600;
        assert!((week - 60..=week).contains(&ttl(seen).await));
        let conv = key_of(&b, "conv", &c).await;
        let day = 24 * 3600;
        assert!((day - 60..=day).contains(&ttl(conv.clone()).await));

        let _: () = ::redis::cmd("EXPIRE")
            .arg(&conv)
            .arg(100)
            .query_async(&mut conn)
            .await
            .unwrap();
        s.enqueue(batch(vec![message("m.2", &c, "sigo aquí")]))
            .await
            .unwrap();
        assert!(
            ttl(conv).await > day - 60,
            "a customer message refreshes the conversation's TTL"
        );
    }

    #[tokio::test]
    async fn an_unreachable_redis_is_unavailable() {
        let records = PostgresBackend::new().await;
        let refused = RedisStore::connect("redis://127.0.0.1:1", "x", records.handle().await).await;
        assert!(matches!(refused, Err(StoreError::Unavailable(_))));
        let braces = RedisStore::connect("redis://127.0.0.1:6379", "a{b}", records.handle().await);
        assert!(matches!(braces.await, Err(StoreError::Unavailable(_))));
    }

    /// A worker commits in PostgreSQL and dies before Redis heard of it:
    /// its messages are still pending there, with its lease. The turn that
    /// claims them again is dropped (it would answer them twice) and
    /// Redis is repaired from PostgreSQL: messages acknowledged, the
    /// conversation PostgreSQL's.
    #[tokio::test]
    async fn a_turn_redone_after_a_crash_between_the_stores_is_dropped_and_redis_repaired() {
        let b = RedisBackend::new().await;
        let s = b.handle().await;
        let c = customer(1);
        s.enqueue(batch(vec![
            message("m.1", &c, "hola"),
            message("m.2", &c, "soy Ana"),
        ]))
        .await
        .unwrap();
        let mut conn = raw(&b).await;
        let (inbox, q) = (key_of(&b, "in", &c).await, key_of(&b, "q", &c).await);
        let first = s.claim("dies", SHORT, NO_QUIET).await.unwrap().unwrap();
        // What Redis held before the commit, to put back as if the commit
        // never reached it.
        let pending: Vec<String> = ::redis::cmd("LRANGE")
            .arg(&inbox)
            .arg(0)
            .arg(-1)
            .query_async(&mut conn)
            .await
            .unwrap();
        let committed = turn(&first, vec![reply("m.2#0", &c, "¡Hola, Ana!")]);
        let theirs = committed.conversation.clone();
        s.commit_turn(&first, committed).await.unwrap();
        let shard = |name: &str| format!("{}:{{{}}}:{name}", b.redis.prefix(), hash_tag(&inbox));
        let _: () = ::redis::pipe()
            .rpush(&inbox, &pending)
            .incr(shard("depth"), pending.len())
            .hset(&q, "owner", "dies")
            .hset(&q, "lease_until", 1)
            .zadd(shard("leases"), c.as_str(), 1)
            .del(key_of(&b, "conv", &c).await)
            .query_async(&mut conn)
            .await
            .unwrap();
        assert_eq!(s.depth().await.unwrap(), 2);

        let again = claim_one(&s, "successor").await;
        assert_eq!(ids(&again), ["m.1", "m.2"]);
        let redone = turn(&again, vec![reply("m.2#0", &c, "otra respuesta")]);
        assert!(matches!(
            s.commit_turn(&again, redone).await,
            Err(StoreError::Fenced)
        ));
        assert_eq!(s.depth().await.unwrap(), 0, "repaired: acknowledged");
        assert!(s.claim("w", LONG, NO_QUIET).await.unwrap().is_none());
        assert_eq!(s.load(&c).await.unwrap(), Some(theirs));
        let outbox = outbox_of(&s, &c).await;
        assert_eq!(outbox.len(), 1);
        assert_eq!(outbox[0].text, "¡Hola, Ana!");
        assert_eq!(events_of(&s, &c).await.len(), 1, "one turn's events");
    }

    /// A turn whose Redis check passed just before an erasure held the
    /// conversation, and that reaches PostgreSQL after the erasure, writes
    /// nothing there: the shard's fence floor refuses it, though no fence
    /// row names the customer any more.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_turn_checked_before_an_erasure_writes_nothing_after_it() {
        let b = RedisBackend::new().await;
        let s = b.handle().await;
        let c = customer(1);
        committed(&s, &c, "m.1", |_| {}).await;
        s.enqueue(batch(vec![message("m.2", &c, "¿sigues ahí?")]))
            .await
            .unwrap();
        let in_flight = claim_one(&s, "w").await;
        let q = key_of(&b, "q", &c).await;
        assert!(s.erase(&c, &[], Timestamp::now()).await.unwrap());
        // Redis as the turn saw it before the erasure: its claim stands.
        let mut conn = raw(&b).await;
        let _: () = ::redis::pipe()
            .hset(&q, "fence", in_flight.fence)
            .hset(&q, "owner", "w")
            .query_async(&mut conn)
            .await
            .unwrap();
        let late = s
            .commit_turn(
                &in_flight,
                turn(&in_flight, vec![reply("m.2#0", &c, "¡Sí!")]),
            )
            .await;
        assert!(matches!(late, Err(StoreError::Fenced)), "{late:?}");
        let _: () = ::redis::cmd("DEL")
            .arg(&q)
            .query_async(&mut conn)
            .await
            .unwrap();
        assert_eq!(s.load(&c).await.unwrap(), None);
        assert!(outbox_of(&s, &c).await.is_empty());
        assert!(events_of(&s, &c).await.is_empty());
        let dump = b.everything().await;
        assert!(!dump.contains(c.as_str()), "{dump}");
    }
}

// ------------------------------------------------------------ local calendar

async fn a_slot_is_booked_once<B: Backend>() {
    let b = B::new().await;
    let store = b.handle().await;
    let first = call("lead-a", 1, 30);
    assert_eq!(
        store.reserve(&first).await.unwrap(),
        Reservation::Booked(first.clone())
    );
    assert_eq!(
        store.reserve(&call("lead-b", 1, 30)).await.unwrap(),
        Reservation::Taken
    );
    // Overlapping without the same start is taken too.
    let mut overlapping = call("lead-c", 1, 30);
    overlapping.start += SignedDuration::from_mins(15);
    overlapping.end += SignedDuration::from_mins(15);
    assert_eq!(
        store.reserve(&overlapping).await.unwrap(),
        Reservation::Taken
    );
    // Back to back is fine.
    let next = call("lead-d", 0, 60);
    assert_eq!(
        store.reserve(&next).await.unwrap(),
        Reservation::Booked(next.clone())
    );
}

async fn a_booking_retried_under_its_key_books_once<B: Backend>() {
    let b = B::new().await;
    let store = b.handle().await;
    let booking = call("lead-a", 1, 30);
    store.reserve(&booking).await.unwrap();
    // The retry may carry a different time (a new pick): the key's call stands.
    let retry = call("lead-a", 3, 30);
    assert_eq!(
        store.reserve(&retry).await.unwrap(),
        Reservation::Booked(booking.clone())
    );
    let (from, to) = (booking.start - SignedDuration::from_hours(1), retry.end);
    assert_eq!(store.calls_between(from, to).await.unwrap(), vec![booking]);
}

async fn a_cancelled_call_frees_its_slot_but_not_its_key<B: Backend>() {
    let b = B::new().await;
    let store = b.handle().await;
    let booking = call("lead-a", 1, 30);
    store.reserve(&booking).await.unwrap();
    store.cancel_call("lead-a").await.unwrap();
    store.cancel_call("lead-a").await.unwrap();
    store.cancel_call("never-booked").await.unwrap();
    assert_eq!(
        store.reserve(&booking).await.unwrap(),
        Reservation::Cancelled
    );
    let other = call("lead-b", 1, 30);
    assert_eq!(
        store.reserve(&other).await.unwrap(),
        Reservation::Booked(other.clone())
    );
}

async fn calls_are_listed_by_the_time_they_overlap<B: Backend>() {
    let b = B::new().await;
    let store = b.handle().await;
    let (early, late) = (call("a", 1, 30), call("b", 5, 30));
    store.reserve(&late).await.unwrap();
    store.reserve(&early).await.unwrap();
    let span = |from: i64, to: i64| {
        let base = early.start - SignedDuration::from_hours(1);
        (
            base + SignedDuration::from_mins(from),
            base + SignedDuration::from_mins(to),
        )
    };
    let (from, to) = span(0, 600);
    assert_eq!(
        store.calls_between(from, to).await.unwrap(),
        vec![early.clone(), late.clone()]
    );
    // [from, to) touching a call's end or start does not overlap it.
    let (from, to) = span(90, 300);
    assert_eq!(store.calls_between(from, to).await.unwrap(), vec![]);
    let (from, to) = span(89, 301);
    assert_eq!(
        store.calls_between(from, to).await.unwrap(),
        vec![early, late]
    );
}

async fn concurrent_picks_of_one_slot_book_it_once<B: Backend>() {
    const PICKERS: usize = 8;
    let b = B::new().await;
    let mut tasks = Vec::new();
    for n in 0..PICKERS {
        let store = b.handle().await;
        tasks.push(tokio::spawn(async move {
            store.reserve(&call(&format!("lead-{n}"), 1, 30)).await
        }));
    }
    let mut booked = 0;
    for task in tasks {
        match task.await.unwrap().expect("reserve") {
            Reservation::Booked(_) => booked += 1,
            Reservation::Taken => {}
            Reservation::Cancelled => panic!("no key was cancelled"),
        }
    }
    assert_eq!(booked, 1, "exactly one of the pickers gets the slot");
}

// ---------------------------------------------------------------- sessions

fn login(csrf: &str, expires: Timestamp) -> LoginSession {
    LoginSession {
        csrf: csrf.to_owned(),
        expires,
    }
}

async fn a_session_is_known_to_every_handle_until_it_ends<B: Backend>() {
    let b = B::new().await;
    let (one, other) = (b.handle().await, b.handle().await);
    let now = Timestamp::now();
    let ends = now + SignedDuration::from_hours(12);
    one.open_session("digest-a", &login("form-a", ends))
        .await
        .unwrap();
    let seen = other.session("digest-a", now).await.unwrap();
    assert_eq!(
        seen.map(|s| (s.csrf, s.expires.as_millisecond())),
        Some(("form-a".to_owned(), ends.as_millisecond()))
    );
    assert_eq!(other.session("digest-b", now).await.unwrap(), None);
    // At its end it is no longer a session.
    assert_eq!(one.session("digest-a", ends).await.unwrap(), None);
}

async fn a_closed_session_is_gone_everywhere<B: Backend>() {
    let b = B::new().await;
    let (one, other) = (b.handle().await, b.handle().await);
    let now = Timestamp::now();
    let ends = now + SignedDuration::from_hours(1);
    one.open_session("digest-a", &login("form-a", ends))
        .await
        .unwrap();
    one.open_session("digest-b", &login("form-b", ends))
        .await
        .unwrap();
    other.close_session("digest-a").await.unwrap();
    other.close_session("never-opened").await.unwrap();
    assert_eq!(one.session("digest-a", now).await.unwrap(), None);
    assert!(one.session("digest-b", now).await.unwrap().is_some());
}

async fn login_attempts_are_counted_across_handles_per_window<B: Backend>() {
    let b = B::new().await;
    let (one, other) = (b.handle().await, b.handle().await);
    let window = Duration::from_secs(60);
    let start = Timestamp::now();
    let at = |secs: i64| start + SignedDuration::from_secs(secs);
    let mut counted = Vec::new();
    for (i, store) in [&one, &other, &one].into_iter().enumerate() {
        let secs = i64::try_from(i).unwrap() * 10;
        counted.push(
            store
                .count_login_attempt("192.0.2.7", at(secs), window)
                .await
                .unwrap(),
        );
    }
    assert_eq!(counted, [1, 2, 3]);
    // Another peer has a count of its own.
    assert_eq!(
        other
            .count_login_attempt("192.0.2.8", at(30), window)
            .await
            .unwrap(),
        1
    );
    // Once the window that began with the first attempt has passed, the
    // count starts again.
    assert_eq!(
        one.count_login_attempt("192.0.2.7", at(60), window)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        other
            .count_login_attempt("192.0.2.7", at(61), window)
            .await
            .unwrap(),
        2
    );
}

// ---------------------------------------------------------------- erasure

/// What names the erased customer besides their number: their name, their
/// email, and what they wrote.
const ERASED_NAME: &str = "Zuleima Quintanar";
const ERASED_EMAIL: &str = "zuleima@quintanar.example";
const ERASED_TEXT: &str = "mi presupuesto secreto es de 7777 dólares";

/// The CRM's notice of an erasure, under the lead's pseudonym.
fn erasure_notice() -> Effect {
    Effect {
        key: "erased:lead0123abcd".to_owned(),
        customer: CustomerId::parse("lead0123abcd").expect("a pseudonym"),
        action: EffectAction::Crm {
            body: serde_json::json!({ "event": "lead.erased", "lead_id": "lead0123abcd" }),
        },
        not_before: None,
    }
}

fn booking_funnel() -> FunnelQuery {
    FunnelQuery {
        qualified_stage: Some("scheduling".to_owned()),
        booked: Some(("scheduling".to_owned(), "handoff".to_owned())),
        since: Timestamp::now() - SignedDuration::from_hours(1),
    }
}

/// The funnel's counts, which erasure must keep.
fn counts(funnel: &Funnel) -> (u64, u64, u64, Vec<(String, u64)>, [u64; 4]) {
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
async fn a_customer_with_everything<S: Store>(s: &S, c: &CustomerId) {
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

async fn erasure_leaves_nothing_that_names_the_customer<B: Backend>() {
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

async fn erasing_an_unknown_customer_changes_nothing<B: Backend>() {
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

async fn a_message_after_erasure_starts_a_new_conversation<B: Backend>() {
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

fn keys_of(entries: &[Entry]) -> Vec<&str> {
    entries.iter().map(|e| e.key.as_str()).collect()
}

async fn erasure_fences_a_turn_in_flight<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    committed(&s, &c, "m.1", |_| {}).await;
    s.enqueue(batch(vec![message("m.2", &c, "¿sigues ahí?")]))
        .await
        .expect("enqueue");
    let in_flight = claim_one(&s, "w").await;
    assert!(s.erase(&c, &[], Timestamp::now()).await.expect("erase"));
    let late = s
        .commit_turn(
            &in_flight,
            turn(&in_flight, vec![reply("m.2#0", &c, "¡Sí!")]),
        )
        .await;
    assert!(matches!(late, Err(StoreError::Fenced)), "{late:?}");
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

async fn stale_lists_the_longest_idle_conversations_first<B: Backend>() {
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
