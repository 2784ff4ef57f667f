//! Writes of the effects table: leases move `due_at` forward, finishing
//! clears it.

use super::{decode, encode, timestamp};
use crate::sql::attempts_of;
use crate::{Effect, EffectEntry, EffectItem, EffectState, StoreError};
use jiff::Timestamp;
use rusqlite::{Transaction, params};
use std::time::Duration;

pub(super) const RECORD: &str = "
    INSERT INTO effects (key, customer, kind, body, due_at, created_at)
    VALUES (?1, ?2, ?3, ?4, coalesce(?6, ?5), ?5)
    ON CONFLICT (key) DO NOTHING";

/// Records a turn's effects inside its transaction, due at once or at
/// their `not_before`.
pub(super) fn record(tx: &Transaction<'_>, effects: &[Effect], now: i64) -> Result<(), StoreError> {
    for effect in effects {
        tx.prepare_cached(RECORD)?.execute(params![
            effect.key,
            effect.customer.as_str(),
            effect.action.kind(),
            encode(effect)?,
            now,
            effect.not_before.map(|t| t.as_millisecond())
        ])?;
    }
    Ok(())
}

/// A turn ends the silence its conversation's pending nudges were for:
/// they would find the customer wrote, so they go rather than pile up.
pub(super) const SUPERSEDE_NUDGES: &str =
    "DELETE FROM effects WHERE customer = ?1 AND kind = 'follow_up' AND state = 'pending'";

/// Leases the effects due at `?2` by moving them to `?1`, in one statement.
pub(super) const TAKE_DUE: &str = "
    UPDATE effects SET due_at = ?1
    WHERE id IN (
        SELECT id FROM effects WHERE state = 'pending' AND due_at <= ?2 ORDER BY due_at, id LIMIT ?3)
    RETURNING id, body, attempts";

pub(super) fn due(
    conn: &rusqlite::Connection,
    now: Timestamp,
    limit: usize,
    lease: Duration,
) -> Result<Vec<EffectItem>, StoreError> {
    let taken = super::take_due(conn, TAKE_DUE, "effect", now, limit, lease)?;
    Ok(taken.into_iter().map(EffectItem::from).collect())
}

const DONE: &str = "
    UPDATE effects SET state = 'done', due_at = NULL, finished_at = ?2
    WHERE id = ?1 AND state = 'pending'";

const RETRY: &str = "
    UPDATE effects SET attempts = attempts + 1, last_error = ?3, due_at = ?2
    WHERE id = ?1 AND state = 'pending'";

const DEAD: &str = "
    UPDATE effects SET state = 'dead', attempts = attempts + 1, last_error = ?2,
        due_at = NULL, finished_at = ?3
    WHERE id = ?1 AND state = 'pending'";

const REVIVE: &str = "
    UPDATE effects SET state = 'pending', attempts = 0, due_at = ?2, finished_at = NULL
    WHERE id = ?1 AND state = 'dead'";

pub(super) fn done(conn: &rusqlite::Connection, id: i64, now: i64) -> Result<(), StoreError> {
    conn.prepare_cached(DONE)?.execute(params![id, now])?;
    Ok(())
}

pub(super) fn retry(
    conn: &rusqlite::Connection,
    id: i64,
    not_before: Timestamp,
    error: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached(RETRY)?
        .execute(params![id, not_before.as_millisecond(), error])?;
    Ok(())
}

pub(super) fn dead(
    conn: &rusqlite::Connection,
    id: i64,
    error: &str,
    now: i64,
) -> Result<(), StoreError> {
    conn.prepare_cached(DEAD)?
        .execute(params![id, error, now])?;
    Ok(())
}

pub(super) fn revive(conn: &rusqlite::Connection, id: i64, now: i64) -> Result<bool, StoreError> {
    Ok(conn.prepare_cached(REVIVE)?.execute(params![id, now])? == 1)
}

/// A row of [`ENTRIES`]: id, body, state, attempts, last error, created,
/// finished.
pub(super) type EntryRow = (i64, String, String, i64, Option<String>, i64, Option<i64>);

/// Newest first; `?1` a state, `?2` a customer, `?3` an id to page before,
/// each NULL for any; `?4` the limit.
pub(super) const ENTRIES: &str = "
    SELECT id, body, state, attempts, last_error, created_at, finished_at FROM effects
    WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR customer = ?2)
      AND (?3 IS NULL OR id < ?3)
    ORDER BY id DESC LIMIT ?4";

pub(super) fn entry(
    (id, body, state, attempts, last_error, created_at, finished_at): EntryRow,
) -> Result<EffectEntry, StoreError> {
    Ok(EffectEntry {
        id,
        effect: decode(&body)?,
        state: EffectState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("effect {id}: unknown state {state:?}")))?,
        attempts: attempts_of("effect", id, attempts)?,
        last_error,
        created_at: timestamp(created_at)?,
        finished_at: finished_at.map(timestamp).transpose()?,
    })
}
