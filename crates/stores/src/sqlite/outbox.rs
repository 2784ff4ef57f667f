//! Writes of the outbox. Only a recipient's head (its oldest pending entry)
//! has a `due_at`; leasing moves it forward, finishing the head hands
//! `due_at` to the recipient's next entry.

use crate::{OutboxItem, StoreError};
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, ToSql, TransactionBehavior, params};
use std::time::Duration;

/// Leases the heads due at `?2` by moving them to `?1`, in one statement.
pub(super) const TAKE_DUE: &str = "
    UPDATE outbox SET due_at = ?1
    WHERE id IN (
        SELECT id FROM outbox WHERE state = 'pending' AND due_at <= ?2 ORDER BY due_at, id LIMIT ?3)
    RETURNING id, message, attempts";

pub(super) fn due(
    conn: &Connection,
    now: Timestamp,
    limit: usize,
    lease: Duration,
) -> Result<Vec<OutboxItem>, StoreError> {
    let taken = super::take_due(conn, TAKE_DUE, "outbox entry", now, limit, lease)?;
    Ok(taken.into_iter().map(OutboxItem::from).collect())
}

/// Hands the head on to the recipient's next pending entry, if any.
pub(super) const PROMOTE_NEXT: &str = "
    UPDATE outbox SET due_at = ?2
    WHERE id = (SELECT id FROM outbox WHERE recipient = ?1 AND state = 'pending' ORDER BY id LIMIT 1)";

const SENT: &str = "
    UPDATE outbox SET state = 'sent', wamid = ?2, sent_at = ?3, due_at = NULL
    WHERE id = ?1 AND state = 'pending'
    RETURNING recipient";

const FAILED: &str = "
    UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?2, due_at = NULL
    WHERE id = ?1 AND state = 'pending'
    RETURNING recipient";

/// Marks a pending entry sent; a late or repeated outcome for an entry that
/// is already finished changes nothing.
pub(super) fn mark_sent(
    conn: &mut Connection,
    id: i64,
    wamid: &str,
    now: i64,
) -> Result<(), StoreError> {
    finish(conn, SENT, params![id, wamid, now], now)
}

pub(super) fn mark_failed(
    conn: &mut Connection,
    id: i64,
    error: &str,
    now: i64,
) -> Result<(), StoreError> {
    finish(conn, FAILED, params![id, error], now)
}

/// Runs `statement` ([`SENT`] or [`FAILED`]) with `params` and, when it
/// finished a pending entry, hands the head on to the recipient's next
/// entry, in one transaction: what marking sent and marking failed share.
fn finish(
    conn: &mut Connection,
    statement: &str,
    params: &[&dyn ToSql],
    now: i64,
) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let recipient: Option<String> = tx
        .prepare_cached(statement)?
        .query_row(params, |row| row.get(0))
        .optional()?;
    if let Some(recipient) = recipient {
        tx.prepare_cached(PROMOTE_NEXT)?
            .execute(params![recipient, now])?;
    }
    tx.commit()?;
    Ok(())
}

/// The entry stays its recipient's head, so their later replies keep
/// waiting behind it; setting `due_at` also ends its lease.
const RETRY: &str = "
    UPDATE outbox SET attempts = attempts + 1, last_error = ?3, due_at = ?2
    WHERE id = ?1 AND state = 'pending'";

pub(super) fn mark_retry(
    conn: &Connection,
    id: i64,
    not_before: Timestamp,
    error: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached(RETRY)?
        .execute(params![id, not_before.as_millisecond(), error])?;
    Ok(())
}
