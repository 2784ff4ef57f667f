//! The outbox. Only a recipient's head (its oldest pending entry) has a
//! `due_at`; leasing moves it forward, finishing the head hands `due_at` to
//! the recipient's next entry.

use crate::{OutboxItem, StoreError};
use jiff::Timestamp;
use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::{PgPool, Postgres, Transaction};
use std::time::Duration;

/// Serializes changes to one recipient's outbox head (recording a reply,
/// finishing the head) across processes: without it a reply recorded while
/// the head is being marked sent could be left without a `due_at`.
pub(super) const LOCK_RECIPIENT: &str =
    "SELECT pg_advisory_xact_lock(hashtextextended('leadline.outbox:' || $1, 0))";

/// A reply becomes its recipient's head (due now) only when nothing of
/// theirs is pending; otherwise it waits behind. A key seen before keeps the
/// first entry: re-running a turn cannot send its replies twice. A recorded
/// reply joins the transcript.
pub(super) const RECORD_REPLY: &str = "
    WITH recorded AS (
        INSERT INTO outbox (key, recipient, message, created_at, due_at)
        VALUES ($1, $2, $3, $4,
            CASE WHEN EXISTS (SELECT 1 FROM outbox WHERE recipient = $2 AND state = 'pending')
            THEN NULL ELSE $4::bigint END)
        ON CONFLICT (key) DO NOTHING
        RETURNING id, recipient, message, created_at)
    INSERT INTO transcript (customer, direction, outbox_id, body, at)
    SELECT recipient, 'out', id, message, created_at FROM recorded";

/// Leases the heads due at `$2` by moving them to `$1`, in one statement;
/// `SKIP LOCKED` leaves heads another sender is taking to that sender.
pub(super) const TAKE_DUE: &str = "
    UPDATE outbox SET due_at = $1
    WHERE id IN (
        SELECT id FROM outbox WHERE state = 'pending' AND due_at <= $2
        ORDER BY due_at, id LIMIT $3
        FOR UPDATE SKIP LOCKED)
    RETURNING id, message, attempts";

pub(super) async fn due(
    pool: &PgPool,
    now: Timestamp,
    limit: usize,
    lease: Duration,
) -> Result<Vec<OutboxItem>, StoreError> {
    let taken = super::take_due(pool, TAKE_DUE, "outbox entry", now, limit, lease).await?;
    Ok(taken.into_iter().map(OutboxItem::from).collect())
}

/// Hands the head on to the recipient's next pending entry, if any.
pub(super) const PROMOTE_NEXT: &str = "
    UPDATE outbox SET due_at = $2
    WHERE id = (SELECT id FROM outbox WHERE recipient = $1 AND state = 'pending' ORDER BY id LIMIT 1)";

const SENT: &str = "
    UPDATE outbox SET state = 'sent', wamid = $2, sent_at = $3, due_at = NULL
    WHERE id = $1 AND state = 'pending'";

const FAILED: &str = "
    UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = $2, due_at = NULL
    WHERE id = $1 AND state = 'pending'";

/// Starts a transaction holding the lock on entry `id`'s recipient; `None`
/// when there is no such entry.
async fn lock_recipient_of(
    pool: &PgPool,
    id: i64,
) -> Result<Option<(Transaction<'static, Postgres>, String)>, StoreError> {
    let mut tx = pool.begin().await?;
    let recipient: Option<String> =
        sqlx::query_scalar("SELECT recipient FROM outbox WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(recipient) = recipient else {
        return Ok(None);
    };
    sqlx::query(LOCK_RECIPIENT)
        .bind(&recipient)
        .execute(&mut *tx)
        .await?;
    Ok(Some((tx, recipient)))
}

/// Marks a pending entry sent; a late or repeated outcome for an entry that
/// is already finished changes nothing.
pub(super) async fn mark_sent(
    pool: &PgPool,
    id: i64,
    wamid: &str,
    now: i64,
) -> Result<(), StoreError> {
    let sent = sqlx::query(SENT).bind(id).bind(wamid).bind(now);
    finish(pool, id, sent, now).await
}

pub(super) async fn mark_failed(
    pool: &PgPool,
    id: i64,
    error: &str,
    now: i64,
) -> Result<(), StoreError> {
    let failed = sqlx::query(FAILED).bind(id).bind(error);
    finish(pool, id, failed, now).await
}

/// Runs `statement` ([`SENT`] or [`FAILED`], bound) on entry `id` under its
/// recipient's lock and, when it finished a pending entry, hands the head
/// on: what marking sent and marking failed share.
async fn finish(
    pool: &PgPool,
    id: i64,
    statement: Query<'_, Postgres, PgArguments>,
    now: i64,
) -> Result<(), StoreError> {
    let Some((mut tx, recipient)) = lock_recipient_of(pool, id).await? else {
        return Ok(());
    };
    let finished = statement.execute(&mut *tx).await?.rows_affected();
    if finished > 0 {
        sqlx::query(PROMOTE_NEXT)
            .bind(&recipient)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The entry stays its recipient's head, so their later replies keep
/// waiting behind it; setting `due_at` also ends its lease.
const RETRY: &str = "
    UPDATE outbox SET attempts = attempts + 1, last_error = $3, due_at = $2
    WHERE id = $1 AND state = 'pending'";

pub(super) async fn mark_retry(
    pool: &PgPool,
    id: i64,
    not_before: Timestamp,
    error: &str,
) -> Result<(), StoreError> {
    sqlx::query(RETRY)
        .bind(id)
        .bind(not_before.as_millisecond())
        .bind(error)
        .execute(pool)
        .await?;
    Ok(())
}
