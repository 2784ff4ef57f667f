//! The store conformance suite: every backend must pass every test here.
//! Tests are generic over [`Backend`]; `conformance!(name, Backend)` runs
//! them all against one backend, each test on a store of its own.
//! Each topic's tests live in a module of their own beside this file; the
//! list below names every test, so every topic runs against every backend.

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

mod admin;
mod backends;
mod calendar;
mod claims;
mod concurrency;
mod conversations;
mod effects;
mod erasure;
mod fixtures;
mod follow_through;
mod funnel;
mod inbox;
mod outbox;
mod postgres_only;
mod questions;
mod redis_only;
mod sessions;
mod sqlite_only;

use backends::{PostgresBackend, RedisBackend, SqliteBackend};
use fixtures::*;

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

macro_rules! conformance {
    ($name:ident, $backend:ty) => {
        mod $name {
            use super::*;
            conformance!(@tests $backend;
                inbox::duplicates_are_dropped_across_calls,
                inbox::duplicates_are_dropped_within_one_batch,
                inbox::answered_ids_stay_duplicates,
                inbox::statuses_only_move_forward,
                claims::messages_are_claimed_in_arrival_order,
                claims::a_burst_is_claimed_once_it_is_quiet,
                claims::a_claim_is_exclusive,
                claims::an_expired_lease_is_taken_over,
                claims::a_fenced_commit_writes_nothing,
                claims::a_released_claim_is_pending_again,
                claims::messages_after_the_claim_wait_for_the_next_turn,
                claims::a_commit_writes_everything_and_acknowledges_the_claim,
                claims::a_reply_key_is_recorded_once,
                effects::effects_are_recorded_with_their_turn_once,
                effects::a_due_effect_is_leased_retried_and_finished,
                effects::a_dead_effect_is_listed_and_revived,
                effects::a_conversations_effects_are_listed_with_it,
                outbox::due_gives_one_entry_per_recipient_in_order,
                outbox::a_due_entry_is_leased,
                outbox::a_retry_holds_back_only_its_recipient,
                outbox::a_failed_entry_lets_the_next_one_go,
                outbox::a_status_naming_a_pending_entry_records_its_send,
                outbox::next_due_tells_when_something_waits,
                conversations::a_newer_summary_is_absorbed_and_an_older_one_ignored,
                conversations::a_replaced_conversation_does_not_absorb_the_old_summary,
                conversations::the_lead_outlives_the_conversation,
                conversations::depth_counts_waiting_messages,
                concurrency::concurrent_enqueues_add_up_exactly,
                concurrency::two_handles_never_claim_the_same_conversation,
                admin::leads_are_filtered_searched_and_paged_newest_first,
                admin::a_conversation_view_has_its_outbox_and_events,
                admin::actions_on_an_unknown_conversation_are_not_found,
                admin::a_take_over_silences_the_bot_and_fences_a_turn_in_flight,
                admin::a_human_reply_is_recorded_once_for_the_sender,
                admin::a_human_reply_outside_the_window_is_refused_and_writes_nothing,
                admin::a_hand_back_clears_the_handoff_at_the_chosen_stage,
                follow_through::reminders_and_nudges_go_only_while_the_conversation_calls_for_them,
                follow_through::a_turn_replaces_the_pending_nudges_of_its_conversation,
                funnel::the_funnel_counts_progress_handoffs_and_timings,
                questions::questions_are_grouped_filtered_and_paged_newest_first,
                calendar::a_slot_is_booked_once,
                calendar::a_booking_retried_under_its_key_books_once,
                calendar::a_cancelled_call_frees_its_slot_but_not_its_key,
                calendar::calls_are_listed_by_the_time_they_overlap,
                calendar::concurrent_picks_of_one_slot_book_it_once,
                sessions::a_session_is_known_to_every_handle_until_it_ends,
                sessions::a_closed_session_is_gone_everywhere,
                sessions::login_attempts_are_counted_across_handles_per_window,
                erasure::erasure_leaves_nothing_that_names_the_customer,
                erasure::erasing_an_unknown_customer_changes_nothing,
                erasure::a_message_after_erasure_starts_a_new_conversation,
                erasure::erasure_fences_a_turn_in_flight,
                erasure::stale_lists_the_longest_idle_conversations_first,
            );
        }
    };
    (@tests $backend:ty; $($module:ident::$test:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                crate::$module::$test::<$backend>().await;
            }
        )*
    };
}

conformance!(sqlite, SqliteBackend);
conformance!(postgres, PostgresBackend);
conformance!(redis, RedisBackend);
