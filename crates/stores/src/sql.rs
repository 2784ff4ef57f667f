//! What the sqlx-based backends share.

use crate::admin::{FunnelRows, LeadQuery, LeadRow};
use crate::{
    CalendarCall, Claim, Effect, EffectItem, EnqueueReport, Funnel, FunnelQuery, LoginSession,
    OutboxEntry, OutboxItem, OutgoingMessage, QUESTION_CUSTOMERS, QuestionQuery, QuestionRow,
    SendState, StoreError,
};
use jiff::Timestamp;
use leadline_domain::conversation::Summary;
use leadline_domain::{Conversation, CustomerId, DeliveryState, InboundMessage};
use std::collections::HashSet;

/// A row that does not decode is corrupt data; anything else sqlx reports
/// (I/O, pool timeouts, refused statements) means the store cannot be used
/// right now.
impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::ColumnDecode { .. }
            | sqlx::Error::Decode(_)
            | sqlx::Error::ColumnNotFound(_) => StoreError::Corrupt(e.to_string()),
            _ => StoreError::Unavailable(e.to_string()),
        }
    }
}

/// When the outbox next has something due. Only each recipient's head
/// entry has a `due_at`, so the earliest one is the next send. The same SQL
/// on both backends.
pub(crate) const NEXT_DUE: &str =
    "SELECT min(due_at) FROM outbox WHERE state = 'pending' AND due_at IS NOT NULL";

/// When an effect is next due, on both backends.
pub(crate) const NEXT_EFFECT_DUE: &str = "SELECT min(due_at) FROM effects WHERE state = 'pending'";

/// The stored order of delivery states: a status is kept only if it ranks
/// higher than the stored one, and nothing ranks above `failed`.
pub(crate) fn delivery_rank(state: DeliveryState) -> i64 {
    match state {
        DeliveryState::Sent => 1,
        DeliveryState::Delivered => 2,
        DeliveryState::Read => 3,
        DeliveryState::Failed => 4,
    }
}

pub(crate) fn delivery_state(rank: i64) -> Result<DeliveryState, StoreError> {
    match rank {
        1 => Ok(DeliveryState::Sent),
        2 => Ok(DeliveryState::Delivered),
        3 => Ok(DeliveryState::Read),
        4 => Ok(DeliveryState::Failed),
        other => Err(StoreError::Corrupt(format!(
            "unknown delivery state {other}"
        ))),
    }
}

/// A stored time, in milliseconds since the epoch.
pub(crate) fn timestamp(ms: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_millisecond(ms)
        .map_err(|e| StoreError::Corrupt(format!("stored time {ms}: {e}")))
}

/// The funnel's statements in one backend's SQL: the parameters are the
/// same on both (see each backend's `admin`).
pub(crate) struct FunnelSql {
    /// `(qualified stage, booking's from, booking's to)` -> three counts.
    pub counts: &'static str,
    /// -> `(handoff reason, customers)` rows.
    pub handoffs: &'static str,
    /// -> `(follow-through event kind, customers)` rows.
    pub follow_through: &'static str,
    /// `(from, to, since)` -> messages up to each booking.
    pub to_booking: &'static str,
    /// `(since)` -> each first reply's latency in ms.
    pub latencies: &'static str,
}

/// The funnel, asked of either backend the same way.
pub(crate) async fn funnel<DB>(
    pool: &sqlx::Pool<DB>,
    sql: &FunnelSql,
    query: &FunnelQuery,
) -> Result<Funnel, StoreError>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
    for<'r> (i64, i64, i64): sqlx::FromRow<'r, DB::Row>,
    for<'r> (String, i64): sqlx::FromRow<'r, DB::Row>,
    for<'r> (i64,): sqlx::FromRow<'r, DB::Row>,
{
    let (from, to) = match &query.booked {
        Some((from, to)) => (Some(from.as_str()), Some(to.as_str())),
        None => (None, None),
    };
    let since = query.since.as_millisecond();
    let (conversations, qualified, booked): (i64, i64, i64) = sqlx::query_as(sql.counts)
        .bind(query.qualified_stage.as_deref())
        .bind(from)
        .bind(to)
        .fetch_one(pool)
        .await?;
    let handed_off = sqlx::query_as(sql.handoffs).fetch_all(pool).await?;
    let follow_through = sqlx::query_as(sql.follow_through).fetch_all(pool).await?;
    let messages_to_booking = sqlx::query_scalar(sql.to_booking)
        .bind(from)
        .bind(to)
        .bind(since)
        .fetch_all(pool)
        .await?;
    let reply_latencies_ms = sqlx::query_scalar(sql.latencies)
        .bind(since)
        .fetch_all(pool)
        .await?;
    Ok(FunnelRows {
        conversations,
        qualified,
        booked,
        handed_off,
        follow_through,
        messages_to_booking,
        reply_latencies_ms,
    }
    .into())
}

/// Counts `messages` into `report` as accepted or duplicates: `fresh`
/// holds the ids the backend's insert took, and the first occurrence of
/// an id in arrival order is the accepted one, so it leaves `fresh`.
pub(crate) fn count_fresh(
    report: &mut EnqueueReport,
    messages: &[InboundMessage],
    fresh: &mut HashSet<String>,
) {
    for message in messages {
        if fresh.remove(&message.id) {
            report.accepted += 1;
        } else {
            report.duplicates += 1;
        }
    }
}

/// A claim as both backends read it back: the queue row's customer and
/// fence, and each claimed message's stored payload and arrival (epoch ms).
pub(crate) fn claim_of(
    customer: &str,
    fence: i64,
    worker: &str,
    rows: &[(String, i64)],
) -> Result<Claim, StoreError> {
    let customer = CustomerId::parse(customer).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let fence =
        u64::try_from(fence).map_err(|_| StoreError::Corrupt(format!("negative fence {fence}")))?;
    let (messages, arrived_at) = rows
        .iter()
        .map(|(payload, at)| {
            let message: InboundMessage =
                serde_json::from_str(payload).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            Ok((message, timestamp(*at)?))
        })
        .collect::<Result<Vec<_>, StoreError>>()?
        .into_iter()
        .unzip();
    Ok(Claim {
        customer,
        messages,
        arrived_at,
        fence,
        worker: worker.to_owned(),
    })
}

/// [`crate::AdminStore::questions`], asked of either backend the same way:
/// `groups` takes `(answered, after's last asked ms, after's key, limit)`,
/// `askers` the keys as `keys` binds them (an array, a JSON list) and how
/// many customers to keep per question.
pub(crate) async fn questions<DB, K>(
    pool: &sqlx::Pool<DB>,
    (groups, askers): (&'static str, &'static str),
    query: &QuestionQuery,
    keys: impl FnOnce(&[&str]) -> Result<K, StoreError>,
) -> Result<Vec<QuestionRow>, StoreError>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> Option<bool>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> K: sqlx::Encode<'q, DB> + sqlx::Type<DB> + Send + 'q,
    for<'r> QuestionGroup: sqlx::FromRow<'r, DB::Row>,
    for<'r> (String, String): sqlx::FromRow<'r, DB::Row>,
{
    let found: Vec<QuestionGroup> = sqlx::query_as(groups)
        .bind(query.answered)
        .bind(query.after.as_ref().map(|c| c.last_asked.as_millisecond()))
        .bind(query.after.as_ref().map(|c| c.key.as_str()))
        .bind(i64::try_from(query.limit).unwrap_or(i64::MAX))
        .fetch_all(pool)
        .await?;
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let keys = keys(&found.iter().map(|g| g.0.as_str()).collect::<Vec<_>>())?;
    let latest = sqlx::query_as(askers)
        .bind(keys)
        .bind(i64::try_from(QUESTION_CUSTOMERS).unwrap_or(i64::MAX))
        .fetch_all(pool)
        .await?;
    question_rows(found, latest)
}

/// One group of [`crate::AdminStore::questions`] as a backend reads it: key, the
/// latest wording, times asked, customers, last asked (ms), answered.
type QuestionGroup = (String, Option<String>, i64, i64, i64, bool);

/// The rows of [`crate::AdminStore::questions`] from a backend's groups and the
/// `(key, customer)` pairs of their latest askers, most recent first.
fn question_rows(
    groups: Vec<QuestionGroup>,
    askers: Vec<(String, String)>,
) -> Result<Vec<QuestionRow>, StoreError> {
    let mut rows = groups
        .into_iter()
        .map(
            |(key, question, asked, conversations, last_asked, answered)| {
                Ok(QuestionRow {
                    question: question.unwrap_or_else(|| key.clone()),
                    key,
                    asked: u64::try_from(asked).unwrap_or(0),
                    conversations: u64::try_from(conversations).unwrap_or(0),
                    last_asked: timestamp(last_asked)?,
                    answered,
                    customers: Vec::new(),
                })
            },
        )
        .collect::<Result<Vec<_>, StoreError>>()?;
    for (key, customer) in askers {
        let customer = CustomerId::parse(&customer)
            .map_err(|_| StoreError::Corrupt("an event's customer id is not valid".to_owned()))?;
        if let Some(row) = rows.iter_mut().find(|row| row.key == key) {
            row.customers.push(customer);
        }
    }
    Ok(rows)
}

/// A `dashboard_sessions` row: `(csrf, expires_at)`.
pub(crate) fn login_session((csrf, expires): (String, i64)) -> Result<LoginSession, StoreError> {
    Ok(LoginSession {
        csrf,
        expires: timestamp(expires)?,
    })
}

/// Stored customer ids, as retention lists them.
pub(crate) fn customers(rows: Vec<String>) -> Result<Vec<CustomerId>, StoreError> {
    rows.iter()
        .map(|id| {
            CustomerId::parse(id)
                .map_err(|_| StoreError::Corrupt("a stored customer id is not valid".to_owned()))
        })
        .collect()
}

/// Counts the pending index, never the answered messages.
pub(crate) const DEPTH: &str = "SELECT count(*) FROM inbox WHERE acked_at IS NULL";

/// [`crate::Inbox::depth`]: the same statement on both backends.
pub(crate) async fn depth<DB>(pool: &sqlx::Pool<DB>) -> Result<u64, StoreError>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'r> (i64,): sqlx::FromRow<'r, DB::Row>,
{
    let n: i64 = sqlx::query_scalar(DEPTH).fetch_one(pool).await?;
    Ok(n.unsigned_abs())
}

/// The earliest `due_at` that `statement` ([`NEXT_DUE`] or
/// [`NEXT_EFFECT_DUE`]) finds: when the outbox or the effects next have
/// something to do, read the same way on both backends.
pub(crate) async fn next_at<DB>(
    pool: &sqlx::Pool<DB>,
    statement: &'static str,
) -> Result<Option<Timestamp>, StoreError>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'r> (Option<i64>,): sqlx::FromRow<'r, DB::Row>,
{
    let at: Option<i64> = sqlx::query_scalar(statement).fetch_one(pool).await?;
    at.map(timestamp).transpose()
}

/// [`crate::AdminStore::stale`]: `statement` takes `(before ms, limit)`
/// in either backend's SQL and lists customer ids.
pub(crate) async fn stale<DB>(
    pool: &sqlx::Pool<DB>,
    statement: &'static str,
    before: Timestamp,
    limit: usize,
) -> Result<Vec<CustomerId>, StoreError>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'r> (String,): sqlx::FromRow<'r, DB::Row>,
{
    let rows: Vec<String> = sqlx::query_scalar(statement)
        .bind(before.as_millisecond())
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(pool)
        .await?;
    customers(rows)
}

/// A stored attempt count; the backends store it as different integers.
pub(crate) fn attempts_of<A>(what: &str, id: i64, attempts: A) -> Result<u32, StoreError>
where
    A: TryInto<u32> + std::fmt::Display + Copy,
{
    attempts
        .try_into()
        .map_err(|_| StoreError::Corrupt(format!("{what} {id}: attempts {attempts}")))
}

/// An `outbox_entries` row: id, message (as the backend stores JSON),
/// state, attempts, wamid, last error, delivery rank.
pub(crate) type OutboxRow<M, A> = (
    i64,
    M,
    String,
    A,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// [`crate::AdminStore::outbox_entries`]' rows as both backends read them
/// back; `message` decodes the stored JSON the backend's way.
pub(crate) fn outbox_entry<M, A>(
    (id, message, state, attempts, wa_message_id, last_error, delivery): OutboxRow<M, A>,
    decode: impl FnOnce(M) -> Result<OutgoingMessage, StoreError>,
) -> Result<OutboxEntry, StoreError>
where
    A: TryInto<u32> + std::fmt::Display + Copy,
{
    let state = match state.as_str() {
        "pending" => SendState::Pending,
        "sent" => SendState::Sent,
        "failed" => SendState::Failed,
        other => {
            return Err(StoreError::Corrupt(format!(
                "outbox entry {id}: unknown state {other:?}"
            )));
        }
    };
    Ok(OutboxEntry {
        id,
        message: decode(message)?,
        state,
        attempts: attempts_of("outbox entry", id, attempts)?,
        wa_message_id,
        delivery: delivery.map(delivery_state).transpose()?,
        last_error,
    })
}

/// What each backend's `take_due` leases from the outbox.
impl From<(i64, OutgoingMessage, u32)> for OutboxItem {
    fn from((id, message, attempts): (i64, OutgoingMessage, u32)) -> Self {
        Self {
            id,
            message,
            attempts,
        }
    }
}

/// What each backend's `take_due` leases from the effects.
impl From<(i64, Effect, u32)> for EffectItem {
    fn from((id, effect, attempts): (i64, Effect, u32)) -> Self {
        Self {
            id,
            effect,
            attempts,
        }
    }
}

/// A summary's `through_seq` as both backends store it.
pub(crate) fn summary_seq(summary: &Summary) -> Result<i64, StoreError> {
    i64::try_from(summary.through_seq).map_err(|_| {
        StoreError::Corrupt(format!(
            "summary through_seq {} out of range",
            summary.through_seq
        ))
    })
}

/// A loaded conversation with its stored summary, when there is one
/// (the `LEFT JOIN` on `summaries` both backends load with).
pub(crate) fn with_summary(
    mut conversation: Conversation,
    through_seq: Option<i64>,
    text: Option<String>,
) -> Result<Conversation, StoreError> {
    if let (Some(through_seq), Some(text)) = (through_seq, text) {
        let through_seq = u64::try_from(through_seq)
            .map_err(|_| StoreError::Corrupt(format!("summary through_seq {through_seq}")))?;
        conversation.absorb_summary(Summary { text, through_seq });
    }
    Ok(conversation)
}

/// A stored call as its columns, in [`CALL_COLUMNS`] order.
pub(crate) type CallRow = (String, i64, i64, String, String, Option<String>);

/// The `calendar_calls` columns a [`CallRow`] reads, on both backends.
pub(crate) const CALL_COLUMNS: &str = "key, start_at, end_at, summary, description, attendee";

/// A [`CallRow`] as the call it stores.
pub(crate) fn calendar_call(
    (key, start, end, summary, description, attendee): CallRow,
) -> Result<CalendarCall, StoreError> {
    Ok(CalendarCall {
        key,
        start: timestamp(start)?,
        end: timestamp(end)?,
        summary,
        description,
        attendee,
    })
}

/// [`crate::AdminStore::leads`], asked of either backend the same way:
/// `statement` takes `(stage, handoff, handed off, updated since, search,
/// after's updated_at, after's customer, limit)` and returns the stored
/// conversation, which `decode` reads the backend's way, and `updated_at`.
pub(crate) async fn leads<DB, B>(
    pool: &sqlx::Pool<DB>,
    statement: &'static str,
    query: &LeadQuery,
    decode: impl Fn(B) -> Result<Conversation, StoreError>,
) -> Result<Vec<LeadRow>, StoreError>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> bool: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'r> (B, i64): sqlx::FromRow<'r, DB::Row>,
    B: Send + Unpin,
{
    let rows: Vec<(B, i64)> = sqlx::query_as(statement)
        .bind(query.stage.as_deref())
        .bind(query.handoff.as_deref())
        .bind(query.handed_off)
        .bind(query.updated_since.map(|t| t.as_millisecond()))
        .bind(query.search.as_deref())
        .bind(query.after.as_ref().map(|c| c.updated_at.as_millisecond()))
        .bind(query.after.as_ref().map(|c| c.customer.as_str()))
        .bind(i64::try_from(query.limit).unwrap_or(i64::MAX))
        .fetch_all(pool)
        .await?;
    rows.into_iter()
        .map(|(body, updated_at)| {
            Ok(LeadRow {
                conversation: decode(body)?,
                updated_at: timestamp(updated_at)?,
            })
        })
        .collect()
}

/// A duration in whole milliseconds, as both backends store leases.
pub(crate) fn millis(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}
