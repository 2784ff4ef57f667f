//! What the sqlx-based backends share.

use crate::admin::FunnelRows;
use crate::{
    Claim, Funnel, FunnelQuery, LoginSession, QUESTION_CUSTOMERS, QuestionQuery, QuestionRow,
    StoreError,
};
use jiff::Timestamp;
use leadline_domain::{CustomerId, DeliveryState, InboundMessage};

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
