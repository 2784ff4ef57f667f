//! Storage for Leadline. Each concern is a trait ([`Inbox`],
//! [`ConversationStore`], [`TurnLog`], [`Outbox`], [`Effects`],
//! [`AdminStore`], [`CalendarStore`], [`SessionStore`]); a backend implements them
//! all and is used as one [`Store`]. Every backend runs the same conformance
//! suite (`tests/conformance.rs`), so they behave alike.
//!
//! Backends: [`sqlite`] (the embedded default), [`postgres`], and
//! [`redis`] (Redis for conversations and the inbox, PostgreSQL for the
//! records), each behind its feature.

pub mod admin;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "redis")]
pub mod redis;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
#[cfg(feature = "sqlite")]
pub mod sqlite;

pub use admin::{
    AdminError, AdminStore, ConversationView, FollowThrough, FollowedThrough, Funnel, FunnelQuery,
    HumanAction, LeadCursor, LeadQuery, LeadRow, QUESTION_CUSTOMERS, QuestionCursor, QuestionQuery,
    QuestionRow,
};
use async_trait::async_trait;
use jiff::Timestamp;
use leadline_domain::conversation::Summary;
use leadline_domain::documents::DocumentSource;
use leadline_domain::events::Event;
use leadline_domain::{
    Conversation, CustomerId, DeliveryState, InboundMessage, Lead, StatusUpdate,
};
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store cannot be reached or refused the operation; retry later.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The claim's lease was lost to another worker: its writes are refused.
    #[error("lease lost: another worker owns this conversation now")]
    Fenced,
    /// Stored data could not be read back.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

/// One webhook delivery's worth of events, written in one transaction.
#[derive(Debug, Clone, Default)]
pub struct InboxBatch {
    pub messages: Vec<InboundMessage>,
    pub statuses: Vec<StatusUpdate>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EnqueueReport {
    /// Messages seen for the first time.
    pub accepted: usize,
    /// Messages already seen (Meta's retries), dropped.
    pub duplicates: usize,
    /// Statuses that moved a message forward.
    pub statuses: usize,
}

/// A worker's exclusive hold on one conversation's pending messages.
#[derive(Debug, Clone)]
pub struct Claim {
    pub customer: CustomerId,
    /// Pending messages in arrival order: the burst this turn answers.
    pub messages: Vec<InboundMessage>,
    /// When each of `messages` reached the inbox, by the store's clock:
    /// what the transcript times them by on every backend, so reply
    /// latency is measured from arrival, not from Meta's `sent_at`.
    pub arrived_at: Vec<Timestamp>,
    /// Grows with every claim of this conversation; a write carrying an
    /// older fence is refused ([`StoreError::Fenced`]).
    pub fence: u64,
    pub worker: String,
}

/// The durable inbox: dedup by message id, FIFO per conversation, one
/// worker per conversation at a time, at-least-once delivery.
#[async_trait]
pub trait Inbox: Send + Sync {
    /// Records a batch durably, dropping message ids already seen and
    /// statuses that would move a message backwards.
    async fn enqueue(&self, batch: InboxBatch) -> Result<EnqueueReport, StoreError>;

    /// Claims the conversation that has waited longest, among those with
    /// pending messages, no live lease, and no message newer than
    /// `quiet_for` (so a burst still being typed is answered as one turn).
    async fn claim(
        &self,
        worker: &str,
        lease: Duration,
        quiet_for: Duration,
    ) -> Result<Option<Claim>, StoreError>;

    /// Gives a claim back unanswered (shutdown, failure): its messages are
    /// pending again at once.
    async fn release(&self, claim: &Claim) -> Result<(), StoreError>;

    /// Messages waiting to be answered.
    async fn depth(&self) -> Result<u64, StoreError>;

    /// Waits up to `timeout` for word that some process enqueued messages,
    /// so idle workers start at once rather than at their next poll: `true`
    /// when word came. `None`: this backend gives no such word (its workers
    /// poll, or hear of their own process's enqueues only).
    async fn arrivals(&self, _timeout: Duration) -> Option<Result<bool, StoreError>> {
        None
    }
}

#[async_trait]
pub trait ConversationStore: Send + Sync {
    /// The conversation with its newest summary absorbed, expired or not
    /// (the caller decides what expiry means).
    async fn load(&self, customer: &CustomerId) -> Result<Option<Conversation>, StoreError>;

    /// The lead record, which outlives conversations.
    async fn load_lead(&self, customer: &CustomerId) -> Result<Option<Lead>, StoreError>;

    /// Stores a summary computed in the background; an older one than what
    /// is stored is ignored. Never blocks or overwrites a turn.
    async fn put_summary(&self, customer: &CustomerId, summary: &Summary)
    -> Result<(), StoreError>;
}

/// A message to send, recorded before it is sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutgoingMessage {
    /// Unique per reply: the id of the inbound message it answers, plus the
    /// part number. Recording the same key twice keeps the first.
    pub key: String,
    pub to: CustomerId,
    pub business_number_id: String,
    pub body: OutgoingBody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OutgoingBody {
    Text {
        body: String,
    },
    /// An interactive list: `body` with a button that opens `rows` (at
    /// most 10) to pick one from.
    List {
        body: String,
        button: String,
        rows: Vec<ListRow>,
    },
    /// A document from the playbook: a link WhatsApp fetches, or a file
    /// the outlet uploads through the media API and sends by id.
    Document {
        source: DocumentSource,
        filename: Option<String>,
        caption: Option<String>,
    },
    /// An approved template (the only kind of message WhatsApp delivers
    /// outside the recipient's 24-hour window), its body's variables
    /// filled in order.
    Template {
        name: String,
        language: String,
        parameters: Vec<String>,
    },
}

/// A row of an [`OutgoingBody::List`]; `id` comes back with the pick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRow {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
}

impl OutgoingBody {
    /// What the customer reads, for transcripts: the body of a list, a
    /// document's caption (else its file name).
    pub fn text(&self) -> &str {
        match self {
            OutgoingBody::Text { body } | OutgoingBody::List { body, .. } => body,
            OutgoingBody::Document {
                filename, caption, ..
            } => caption
                .as_deref()
                .or(filename.as_deref())
                .unwrap_or("[document]"),
            OutgoingBody::Template { name, .. } => name,
        }
    }
}

/// Everything one turn changes, committed at once.
#[derive(Debug, Clone)]
pub struct TurnCommit {
    pub conversation: Conversation,
    pub replies: Vec<OutgoingMessage>,
    pub events: Vec<Event>,
    /// What the turn sets off besides its replies (the CRM, the sales rep).
    pub effects: Vec<Effect>,
}

#[async_trait]
pub trait TurnLog: Send + Sync {
    /// Atomically: saves the conversation and its lead, records the replies
    /// in the outbox, the effects and the events, and acknowledges the
    /// claim's messages.
    /// Refused with [`StoreError::Fenced`] if the claim's lease was lost.
    async fn commit_turn(&self, claim: &Claim, commit: TurnCommit) -> Result<(), StoreError>;
}

/// An outbox entry due for sending.
#[derive(Debug, Clone)]
pub struct OutboxItem {
    pub id: i64,
    pub message: OutgoingMessage,
    /// Earlier failed attempts.
    pub attempts: u32,
}

/// Where an outbox entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendState {
    Pending,
    Sent,
    Failed,
}

/// One outbox entry as stored, with its delivery status: what backends'
/// inspection helpers return, for the dashboard and for tests.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    pub id: i64,
    pub message: OutgoingMessage,
    pub state: SendState,
    pub attempts: u32,
    /// The id Graph gave it, once sent.
    pub wa_message_id: Option<String>,
    /// The furthest delivery status Meta reported for it.
    pub delivery: Option<DeliveryState>,
    pub last_error: Option<String>,
}

/// An event with the time it was recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedEvent {
    pub at: Timestamp,
    pub event: Event,
}

#[async_trait]
pub trait Outbox: Send + Sync {
    /// Up to `limit` entries due at `now`, at most one per recipient (the
    /// oldest unsent, so each customer's replies go out in order), each
    /// leased for `lease` so no other sender takes it meanwhile.
    async fn due(
        &self,
        now: Timestamp,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<OutboxItem>, StoreError>;

    /// Sent: Graph accepted it under `wa_message_id`.
    async fn mark_sent(&self, id: i64, wa_message_id: &str) -> Result<(), StoreError>;

    /// A retryable failure: try again at `not_before`.
    async fn mark_retry(
        &self,
        id: i64,
        not_before: Timestamp,
        error: &str,
    ) -> Result<(), StoreError>;

    /// A permanent failure: recorded, never retried.
    async fn mark_failed(&self, id: i64, error: &str) -> Result<(), StoreError>;

    /// When the outbox next has something due, if anything is waiting.
    async fn next_due(&self) -> Result<Option<Timestamp>, StoreError>;
}

/// Something a turn sets off that is not a reply to the customer. It is
/// recorded in the turn's own transaction, so it happens if and only if the
/// turn counted, and is then carried out (at least once, retried with
/// backoff) until it succeeds or is dead-lettered for a person to see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Effect {
    /// Unique per cause: recording the same key twice keeps the first, so
    /// a turn redone after a crash sets nothing off twice. Receivers get it
    /// as their idempotency key.
    pub key: String,
    /// The conversation it comes from.
    pub customer: CustomerId,
    pub action: EffectAction,
    /// Not carried out before then (a reminder before a call, a nudge
    /// after a silence); `None`: at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EffectAction {
    /// POST `body` (the lead as the turn left it) to the CRM webhook.
    Crm { body: serde_json::Value },
    /// Tell the sales rep on WhatsApp: `message`, or `fallback` (a
    /// template) when the rep's 24-hour window is closed.
    NotifyRep {
        message: OutgoingMessage,
        fallback: Option<OutgoingBody>,
    },
    /// Remind the customer of the call `event_id`, starting at `slot` (RFC
    /// 3339), if it still stands.
    Reminder { event_id: String, slot: String },
    /// The `n`th nudge of a lead quiet since their message at
    /// `quiet_since`, if they still are.
    FollowUp { quiet_since: Timestamp, n: u32 },
}

impl EffectAction {
    /// A short name, for the admin API and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            EffectAction::Crm { .. } => "crm",
            EffectAction::NotifyRep { .. } => "notify_rep",
            EffectAction::Reminder { .. } => "reminder",
            EffectAction::FollowUp { .. } => "follow_up",
        }
    }
}

/// An effect due to be carried out.
#[derive(Debug, Clone)]
pub struct EffectItem {
    pub id: i64,
    pub effect: Effect,
    /// Earlier failed attempts.
    pub attempts: u32,
}

/// Where an effect stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EffectState {
    /// Waiting for its (next) attempt.
    Pending,
    Done,
    /// Given up on after its attempts ran out or a permanent refusal; it
    /// waits for a person to retry it.
    Dead,
}

impl EffectState {
    pub fn as_str(self) -> &'static str {
        match self {
            EffectState::Pending => "pending",
            EffectState::Done => "done",
            EffectState::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(EffectState::Pending),
            "done" => Some(EffectState::Done),
            "dead" => Some(EffectState::Dead),
            _ => None,
        }
    }
}

/// One effect as stored, for the admin API.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectEntry {
    pub id: i64,
    pub effect: Effect,
    pub state: EffectState,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    /// When it succeeded or died.
    pub finished_at: Option<Timestamp>,
}

/// Which effects to list: up to `limit`, in `state` and for `customer`
/// when given, before the effect `before` when given (paging).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EffectQuery {
    pub state: Option<EffectState>,
    pub customer: Option<CustomerId>,
    pub before: Option<i64>,
    pub limit: usize,
}

/// The effects recorded by turns, carried out by the engine's dispatcher.
#[async_trait]
pub trait Effects: Send + Sync {
    /// Up to `limit` effects due at `now`, oldest first, each leased for
    /// `lease` so no other dispatcher takes it meanwhile.
    async fn due_effects(
        &self,
        now: Timestamp,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<EffectItem>, StoreError>;

    /// Carried out; a late outcome for a finished effect changes nothing.
    async fn effect_done(&self, id: i64) -> Result<(), StoreError>;

    /// A failed attempt worth repeating at `not_before`.
    async fn effect_retry(
        &self,
        id: i64,
        not_before: Timestamp,
        error: &str,
    ) -> Result<(), StoreError>;

    /// A failed attempt not worth repeating: dead-lettered.
    async fn effect_dead(&self, id: i64, error: &str) -> Result<(), StoreError>;

    /// When an effect is next due, if any waits.
    async fn next_effect_due(&self) -> Result<Option<Timestamp>, StoreError>;

    /// The effects `query` asks for, newest first.
    async fn effect_entries(&self, query: &EffectQuery) -> Result<Vec<EffectEntry>, StoreError>;

    /// Makes a dead effect due again now, with a fresh count of attempts
    /// (a person fixed what killed it); `false` when `id` is not dead.
    async fn revive_effect(&self, id: i64) -> Result<bool, StoreError>;
}

/// A call on the local calendar: the calendar kept in the store when no
/// outside calendar is configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarCall {
    /// The booking's idempotency key: every attempt at one booking carries
    /// the same key, and books once.
    pub key: String,
    pub start: Timestamp,
    pub end: Timestamp,
    pub summary: String,
    pub description: String,
    pub attendee: Option<String>,
}

/// What reserving a call on the local calendar came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reservation {
    /// Booked now, or earlier under the same key (then the stored call).
    Booked(CalendarCall),
    /// Another call holds an overlapping time.
    Taken,
    /// The key's call was cancelled since: a new booking needs a new key.
    Cancelled,
}

/// The local calendar. One slot is booked once: the database, not the
/// caller, settles two customers picking the same slot at once.
#[async_trait]
pub trait CalendarStore: Send + Sync {
    /// Calls not cancelled that overlap `[from, to)`, by start.
    async fn calls_between(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<CalendarCall>, StoreError>;

    /// Books `call` unless its time overlaps a call of another key.
    async fn reserve(&self, call: &CalendarCall) -> Result<Reservation, StoreError>;

    /// Cancels the call booked under `key`; an unknown or cancelled key is
    /// not an error.
    async fn cancel_call(&self, key: &str) -> Result<(), StoreError>;
}

/// A dashboard login as stored: the token its forms must carry, and when
/// it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginSession {
    pub csrf: String,
    pub expires: Timestamp,
}

/// Dashboard logins and login attempts, kept in the database so that every
/// process behind a load balancer knows them and a restart keeps them.
/// Sessions are stored under a digest of their id (the caller's): the
/// table alone lets nobody in.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Stores a session under `key`, and forgets the expired ones.
    async fn open_session(&self, key: &str, session: &LoginSession) -> Result<(), StoreError>;

    /// The session stored under `key`, unless it has ended by `now`.
    async fn session(&self, key: &str, now: Timestamp) -> Result<Option<LoginSession>, StoreError>;

    /// Forgets the session under `key`; an unknown key is not an error.
    async fn close_session(&self, key: &str) -> Result<(), StoreError>;

    /// Counts a login attempt from `peer` at `now`: the attempts it made
    /// in its current window, which starts with its first attempt and
    /// lasts `window`. Every process counts into the same figure.
    async fn count_login_attempt(
        &self,
        peer: &str,
        now: Timestamp,
        window: Duration,
    ) -> Result<u32, StoreError>;
}

/// All of it: what the engine runs on.
#[async_trait]
pub trait Store:
    Inbox + ConversationStore + TurnLog + Outbox + Effects + AdminStore + CalendarStore + SessionStore
{
    /// Readiness: the store answers.
    async fn ping(&self) -> Result<(), StoreError>;
}
