//! What the admin API reads and what a person of the sales team does to a
//! conversation: take it over, reply, hand it back. The rules live here,
//! on the [`Conversation`], so both backends apply them alike; each backend
//! only supplies the fenced transaction around them.

use crate::{
    ConversationStore, Effect, EffectEntry, EffectQuery, Effects, OutboxEntry, OutgoingBody,
    OutgoingMessage, RecordedEvent, StoreError,
};
use async_trait::async_trait;
use jiff::Timestamp;
use leadline_domain::conversation::{Handoff, HandoffReason, Speaker};
use leadline_domain::events::Event;
use leadline_domain::follow_through::{Skip, Window};
use leadline_domain::{Conversation, CustomerId};

/// Which conversations to list, most recently active first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeadQuery {
    /// Only conversations at this playbook stage.
    pub stage: Option<String>,
    /// Only conversations handed off for this reason (`HandoffReason::as_str`).
    pub handoff: Option<String>,
    /// Only conversations handed off, whatever the reason.
    pub handed_off: bool,
    /// Only conversations active at or after this time.
    pub updated_since: Option<Timestamp>,
    /// A case-insensitive (ASCII) substring of the lead's name, company or
    /// WhatsApp profile name.
    pub search: Option<String>,
    /// At most this many.
    pub limit: usize,
    /// Continue after this row of the previous page.
    pub after: Option<LeadCursor>,
}

/// Where a page of [`LeadQuery`] ended: rows are ordered by
/// `(updated_at, customer)`, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadCursor {
    pub updated_at: Timestamp,
    pub customer: CustomerId,
}

/// One conversation as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadRow {
    pub conversation: Conversation,
    /// When a turn or a person last changed it.
    pub updated_at: Timestamp,
}

impl LeadRow {
    /// The cursor that continues after this row.
    pub fn cursor(&self) -> LeadCursor {
        LeadCursor {
            updated_at: self.updated_at,
            customer: self.conversation.customer.clone(),
        }
    }
}

/// One conversation with what was sent to the customer (with WhatsApp ids
/// and delivery statuses) and what happened in it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationView {
    pub conversation: Conversation,
    /// Every outbox entry addressed to the customer, oldest first.
    pub outbox: Vec<OutboxEntry>,
    /// Every recorded event, oldest first.
    pub events: Vec<RecordedEvent>,
    /// Its latest effects (CRM deliveries, notices to the sales rep),
    /// newest first.
    pub effects: Vec<EffectEntry>,
}

/// Why a person's action on a conversation was refused.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("no conversation with this customer")]
    NotFound,
    /// WhatsApp only delivers free-form messages within 24 hours of the
    /// customer's last message (Graph error 131047).
    #[error("the customer's 24-hour window has closed: only a template message can reach them")]
    WindowClosed,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a person does to a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HumanAction {
    /// The bot goes silent until the conversation is handed back.
    TakeOver,
    /// A message written by a person, sent as is.
    Reply { text: String },
    /// The bot answers again, from this stage, with a clean slate of
    /// unresolved messages.
    HandBack { stage: String },
}

/// A message Leadline sends between turns. Whether it goes is decided on
/// the conversation as stored when it is recorded (the rules are the
/// conversation's, `leadline_domain::follow_through`), in the transaction
/// that records it: a customer who opts out or writes meanwhile is never
/// sent one that no longer applies.
#[derive(Debug, Clone, PartialEq)]
pub enum FollowThrough {
    /// A reminder of the booked call `event_id` starting at `slot` (RFC
    /// 3339): `text` inside the customer's 24-hour window, else `template`
    /// (none: not sent).
    Reminder {
        key: String,
        event_id: String,
        slot: String,
        text: String,
        template: Option<OutgoingBody>,
    },
    /// The `n`th nudge of the silence that began with the customer's
    /// message at `quiet_since`.
    FollowUp {
        key: String,
        quiet_since: Timestamp,
        n: u32,
        text: String,
    },
}

/// What became of a [`FollowThrough`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowedThrough {
    /// Recorded in the outbox.
    Sent,
    Skipped(Skip),
}

impl FollowThrough {
    fn apply(&self, conversation: &mut Conversation, now: Timestamp) -> Applied {
        let mut applied = Applied::default();
        let (key, text, body) = match self {
            FollowThrough::Reminder {
                key,
                event_id,
                slot,
                text,
                template,
            } => {
                let body = match (conversation.reminder(event_id, now), template) {
                    (Err(skip), _) => return Applied::skipped(skip),
                    (Ok(Window::Open), _) => OutgoingBody::Text { body: text.clone() },
                    (Ok(Window::Closed), Some(template)) => template.clone(),
                    (Ok(Window::Closed), None) => return Applied::skipped(Skip::WindowClosed),
                };
                applied.events.push(Event::ReminderSent {
                    slot: slot.clone(),
                    template: !matches!(body, OutgoingBody::Text { .. }),
                });
                (key, text, body)
            }
            FollowThrough::FollowUp {
                key,
                quiet_since,
                n,
                text,
            } => {
                if let Err(skip) = conversation.nudge(*quiet_since, *n, now) {
                    return Applied::skipped(skip);
                }
                conversation.nudges = *n;
                applied.events.push(Event::FollowedUp { n: *n });
                (key, text, OutgoingBody::Text { body: text.clone() })
            }
        };
        conversation.push(Speaker::Agent, text.clone(), now, None);
        applied.reply = Some((key.clone(), body));
        applied
    }
}

/// What changes a conversation outside a turn, in a store's fenced
/// transaction.
#[derive(Debug, Clone)]
pub(crate) enum Change {
    Human(HumanAction),
    FollowThrough(FollowThrough),
}

impl Change {
    /// The outbox key a follow-through is recorded under. Carried out
    /// again (a dispatcher that died before marking it done), it finds its
    /// message there and changes nothing.
    pub(crate) fn once_key(&self) -> Option<&str> {
        match self {
            Change::FollowThrough(
                FollowThrough::Reminder { key, .. } | FollowThrough::FollowUp { key, .. },
            ) => Some(key),
            Change::Human(_) => None,
        }
    }

    pub(crate) fn apply(
        &self,
        conversation: &mut Conversation,
        now: Timestamp,
    ) -> Result<Applied, AdminError> {
        match self {
            Change::Human(action) => action.apply(conversation, now),
            Change::FollowThrough(follow) => Ok(follow.apply(conversation, now)),
        }
    }
}

/// What a [`Change`] came to: the conversation as it is now, and why
/// nothing was written when nothing was.
#[derive(Debug)]
pub(crate) struct Acted {
    pub conversation: Conversation,
    pub skipped: Option<Skip>,
}

impl Acted {
    pub(crate) fn followed_through(self) -> FollowedThrough {
        self.skipped
            .map_or(FollowedThrough::Sent, FollowedThrough::Skipped)
    }
}

/// What applying a [`Change`] leaves to write besides the conversation.
#[derive(Debug, Default)]
pub(crate) struct Applied {
    /// The message to record in the outbox, under its key.
    pub reply: Option<(String, OutgoingBody)>,
    pub events: Vec<Event>,
    /// Set when nothing is to be written, and why.
    pub skipped: Option<Skip>,
}

impl Applied {
    fn skipped(skip: Skip) -> Self {
        Applied {
            skipped: Some(skip),
            ..Applied::default()
        }
    }
}

impl HumanAction {
    /// Changes `conversation` as the action says. A reply also takes the
    /// conversation over: the bot must not talk over a person.
    fn apply(
        &self,
        conversation: &mut Conversation,
        now: Timestamp,
    ) -> Result<Applied, AdminError> {
        let mut applied = Applied::default();
        match self {
            HumanAction::TakeOver => take_over(conversation, now, &mut applied),
            HumanAction::Reply { text } => {
                if conversation.expired(now) {
                    return Err(AdminError::WindowClosed);
                }
                take_over(conversation, now, &mut applied);
                let seq = conversation.push(Speaker::Human, text.clone(), now, None);
                // Unique per message of this conversation, so recording it
                // twice (a retried request) cannot send it twice.
                let key = format!(
                    "human:{}:{}:{seq}",
                    conversation.customer.as_str(),
                    conversation.started_at.as_millisecond()
                );
                applied.reply = Some((key, OutgoingBody::Text { body: text.clone() }));
            }
            HumanAction::HandBack { stage } => {
                if conversation.stage != *stage {
                    applied.events.push(Event::StageChanged {
                        from: conversation.stage.clone(),
                        to: stage.clone(),
                    });
                    conversation.stage.clone_from(stage);
                }
                conversation.handoff = None;
                conversation.unresolved = 0;
            }
        }
        Ok(applied)
    }
}

fn take_over(conversation: &mut Conversation, now: Timestamp, applied: &mut Applied) {
    // A conversation the bot already handed off keeps its reason: that is
    // what the team needs to know about it.
    if conversation.handoff.is_none() {
        conversation.handoff = Some(Handoff {
            reason: HandoffReason::HumanTookOver,
            at: now,
        });
        applied.events.push(Event::HandedOff {
            reason: HandoffReason::HumanTookOver,
        });
    }
}

/// The outbox entry of a message recorded outside a turn.
pub(crate) fn outside_turn(
    to: &CustomerId,
    business_number_id: String,
    (key, body): (String, OutgoingBody),
) -> OutgoingMessage {
    OutgoingMessage {
        key,
        to: to.clone(),
        business_number_id,
        body,
    }
}

/// How many of a conversation's effects its view shows: a few per
/// handoff or booking, so this is all of them but for a runaway.
const VIEW_EFFECTS: usize = 100;

/// What the admin API needs from a store. The actions run in one
/// transaction that also fences the conversation's claim (as a new claim
/// would), so a worker's turn in flight on it is refused with
/// [`StoreError::Fenced`] and its messages are answered again under the new
/// state, rather than overwriting what the person did.
#[async_trait]
pub trait AdminStore: ConversationStore + Effects + Send + Sync {
    /// Conversations matching `query`, most recently active first.
    async fn leads(&self, query: &LeadQuery) -> Result<Vec<LeadRow>, StoreError>;

    /// Every outbox entry addressed to `customer`, oldest first, with its
    /// delivery status.
    async fn outbox_entries(&self, customer: &CustomerId) -> Result<Vec<OutboxEntry>, StoreError>;

    /// The events recorded for `customer`, oldest first.
    async fn events(&self, customer: &CustomerId) -> Result<Vec<RecordedEvent>, StoreError>;

    /// One conversation with its outbox and events; `None` if unknown.
    async fn conversation_view(
        &self,
        customer: &CustomerId,
    ) -> Result<Option<ConversationView>, StoreError> {
        let Some(conversation) = self.load(customer).await? else {
            return Ok(None);
        };
        Ok(Some(ConversationView {
            conversation,
            outbox: self.outbox_entries(customer).await?,
            events: self.events(customer).await?,
            effects: self
                .effect_entries(&EffectQuery {
                    customer: Some(customer.clone()),
                    limit: VIEW_EFFECTS,
                    ..EffectQuery::default()
                })
                .await?,
        }))
    }

    /// Applies a person's action and returns the conversation as it is now.
    /// A reply is recorded in the outbox, addressed from the business number
    /// the customer last wrote to.
    async fn act(
        &self,
        customer: &CustomerId,
        action: &HumanAction,
        now: Timestamp,
    ) -> Result<Conversation, AdminError>;

    /// Sends a reminder or a nudge if the conversation, as it is now,
    /// still calls for it: recorded in the outbox like a person's reply,
    /// in a transaction that fences the conversation's claim the same way.
    async fn follow_through(
        &self,
        customer: &CustomerId,
        follow: &FollowThrough,
        now: Timestamp,
    ) -> Result<FollowedThrough, AdminError>;

    /// The sales funnel: how many conversations got how far, why they were
    /// handed off, and how fast the bot answered.
    async fn funnel(&self, query: &FunnelQuery) -> Result<Funnel, StoreError>;

    /// The questions customers asked, one row per [`question_key`], most
    /// recently asked first.
    ///
    /// [`question_key`]: leadline_domain::events::question_key
    async fn questions(&self, query: &QuestionQuery) -> Result<Vec<QuestionRow>, StoreError>;

    /// Erases everything the store keeps that names `customer` (the
    /// conversation, lead, summary, transcript, events, messages and their
    /// dedup records, outbox entries and their statuses, effects, local
    /// calendar calls), in one transaction per database that also fences
    /// the conversation, so a turn in flight cannot write it back. The
    /// funnel keeps anonymous tallies of what it counted. `effects` (the
    /// CRM's notice of the erasure, which must not name the customer) are
    /// recorded in the same transaction. `false`, and nothing recorded,
    /// when the customer is unknown.
    async fn erase(
        &self,
        customer: &CustomerId,
        effects: &[Effect],
        now: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Up to `limit` customers whose conversation last changed before
    /// `before`, the longest idle first: what retention erases.
    async fn stale(&self, before: Timestamp, limit: usize) -> Result<Vec<CustomerId>, StoreError>;
}

/// Which questions to list, most recently asked first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuestionQuery {
    /// `Some(false)`: only questions the knowledge folder never answered,
    /// those the team should add to it; `Some(true)`: only those it
    /// answered at least once.
    pub answered: Option<bool>,
    /// At most this many.
    pub limit: usize,
    /// Continue after this row of the previous page.
    pub after: Option<QuestionCursor>,
}

/// Where a page of [`QuestionQuery`] ended: rows are ordered by
/// `(last_asked, key)`, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionCursor {
    pub last_asked: Timestamp,
    pub key: String,
}

/// How many of the customers who asked a question a row names: enough to
/// read the question in context, few enough for a page of 200 rows.
pub const QUESTION_CUSTOMERS: usize = 5;

/// One question, however many ways and times it was asked.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionRow {
    /// What groups it (`leadline_domain::events::question_key`).
    pub key: String,
    /// As the customer who asked it last wrote it.
    pub question: String,
    /// How many times it was asked.
    pub asked: u64,
    /// By how many customers (each customer has one conversation).
    pub conversations: u64,
    pub last_asked: Timestamp,
    /// Whether the knowledge folder ever answered it.
    pub answered: bool,
    /// The last [`QUESTION_CUSTOMERS`] customers who asked it, the most
    /// recent first.
    pub customers: Vec<CustomerId>,
}

impl QuestionRow {
    /// The cursor that continues after this row.
    pub fn cursor(&self) -> QuestionCursor {
        QuestionCursor {
            last_asked: self.last_asked,
            key: self.key.clone(),
        }
    }
}

/// What the funnel counts as progress. The stages come from the playbook,
/// so the store needs no knowledge of it.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelQuery {
    /// Entering this stage (a `stage_changed` event to it) counts a
    /// conversation as qualified: the stage where a call gets booked.
    pub qualified_stage: Option<String>,
    /// This stage change `(from, to)` counts a conversation as booked: the
    /// transition the playbook makes when a tool reports `call_booked`. A
    /// person's hand-back never produces it, as it cannot enter a handoff
    /// stage.
    pub booked: Option<(String, String)>,
    /// The two timing figures cover what happened since then: they read
    /// the inbox, which keeps answered messages only for its 7-day dedup
    /// window.
    pub since: Timestamp,
}

/// The sales funnel, from the stored conversations and events.
#[derive(Debug, Clone, PartialEq)]
pub struct Funnel {
    /// Every conversation ever started.
    pub conversations: u64,
    /// Conversations that entered [`FunnelQuery::qualified_stage`].
    pub qualified: u64,
    /// Conversations that made the [`FunnelQuery::booked`] stage change.
    pub booked: u64,
    /// Conversations handed to a person, per reason (`HandoffReason::as_str`),
    /// by reason name; one conversation counts once per reason.
    pub handed_off: Vec<(String, u64)>,
    /// Conversations whose quiet lead was nudged.
    pub nudged: u64,
    /// Conversations whose lead wrote again after a nudge.
    pub answered_after_nudge: u64,
    /// Conversations whose customer was reminded of a booked call.
    pub reminded: u64,
    /// Conversations whose customer opted out (and may since have opted
    /// back in).
    pub opted_out: u64,
    /// Over bookings since [`FunnelQuery::since`]: how many messages the
    /// customer had sent when the call was booked.
    pub median_messages_to_booking: Option<f64>,
    /// Over the bot's replies since [`FunnelQuery::since`]: from the newest
    /// customer message a reply answers reaching Leadline to Graph
    /// accepting the reply (its first part), in milliseconds.
    pub p95_reply_latency_ms: Option<u64>,
}

/// What a backend reads for [`AdminStore::funnel`]; the statistics are
/// computed here, alike for every backend.
#[derive(Debug, Default)]
pub(crate) struct FunnelRows {
    pub conversations: i64,
    pub qualified: i64,
    pub booked: i64,
    pub handed_off: Vec<(String, i64)>,
    /// `(event kind, conversations)` of the follow-through events.
    pub follow_through: Vec<(String, i64)>,
    pub messages_to_booking: Vec<i64>,
    pub reply_latencies_ms: Vec<i64>,
}

impl From<FunnelRows> for Funnel {
    fn from(rows: FunnelRows) -> Self {
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        let mut to_booking = rows.messages_to_booking;
        to_booking.sort_unstable();
        let mut latencies = rows.reply_latencies_ms;
        latencies.sort_unstable();
        let followed = |kind: &str| {
            rows.follow_through
                .iter()
                .find(|(k, _)| k == kind)
                .map_or(0, |(_, n)| count(*n))
        };
        Funnel {
            conversations: count(rows.conversations),
            qualified: count(rows.qualified),
            booked: count(rows.booked),
            handed_off: rows
                .handed_off
                .into_iter()
                .map(|(reason, n)| (reason, count(n)))
                .collect(),
            nudged: followed("followed_up"),
            answered_after_nudge: followed("follow_up_answered"),
            reminded: followed("reminder_sent"),
            opted_out: followed("opted_out"),
            median_messages_to_booking: median(&to_booking),
            p95_reply_latency_ms: nearest_rank(&latencies, 95).map(count),
        }
    }
}

/// The median of sorted samples; the mean of the middle two for an even
/// count.
fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2] as f64),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0),
    }
}

/// The `p`th percentile of sorted samples by the nearest-rank method: a
/// value that was measured, never an interpolation.
fn nearest_rank(sorted: &[i64], p: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_percentiles_of_measured_samples() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[4]), Some(4.0));
        assert_eq!(median(&[3, 4, 8]), Some(4.0));
        assert_eq!(median(&[3, 4, 6, 8]), Some(5.0));
        assert_eq!(nearest_rank(&[], 95), None);
        assert_eq!(nearest_rank(&[7], 95), Some(7));
        let hundred: Vec<i64> = (1..=100).collect();
        assert_eq!(nearest_rank(&hundred, 95), Some(95));
        let twenty: Vec<i64> = (1..=20).collect();
        assert_eq!(nearest_rank(&twenty, 95), Some(19));
    }
}
