//! The effects table: leases move `due_at` forward, finishing clears it.

use super::timestamp;
use crate::sql::attempts_of;
use crate::{Effect, EffectEntry, EffectItem, EffectQuery, EffectState, StoreError};
use jiff::Timestamp;
use leadline_domain::CustomerId;
use sqlx::types::Json;
use sqlx::{PgPool, Postgres, Transaction};
use std::time::Duration;

const RECORD: &str = "
    INSERT INTO effects (key, customer, kind, body, due_at, created_at)
    VALUES ($1, $2, $3, $4, coalesce($6, $5), $5)
    ON CONFLICT (key) DO NOTHING";

/// Records a turn's effects inside its transaction, due at once or at
/// their `not_before`.
pub(super) async fn record(
    tx: &mut Transaction<'_, Postgres>,
    effects: &[Effect],
    now: i64,
) -> Result<(), StoreError> {
    for effect in effects {
        sqlx::query(RECORD)
            .bind(&effect.key)
            .bind(effect.customer.as_str())
            .bind(effect.action.kind())
            .bind(Json(effect))
            .bind(now)
            .bind(effect.not_before.map(|t| t.as_millisecond()))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// A turn ends the silence its conversation's pending nudges were for:
/// they would find the customer wrote, so they go rather than pile up.
pub(super) const SUPERSEDE_NUDGES: &str =
    "DELETE FROM effects WHERE customer = $1 AND kind = 'follow_up' AND state = 'pending'";

/// Leases the effects due at `$2` by moving them to `$1`, in one
/// statement; `SKIP LOCKED` leaves what another dispatcher is taking to it.
const TAKE_DUE: &str = "
    UPDATE effects SET due_at = $1
    WHERE id IN (
        SELECT id FROM effects WHERE state = 'pending' AND due_at <= $2
        ORDER BY due_at, id LIMIT $3
        FOR UPDATE SKIP LOCKED)
    RETURNING id, body, attempts";

pub(super) async fn due(
    pool: &PgPool,
    now: Timestamp,
    limit: usize,
    lease: Duration,
) -> Result<Vec<EffectItem>, StoreError> {
    let taken = super::take_due(pool, TAKE_DUE, "effect", now, limit, lease).await?;
    Ok(taken.into_iter().map(EffectItem::from).collect())
}

pub(super) async fn done(pool: &PgPool, id: i64, now: i64) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE effects SET state = 'done', due_at = NULL, finished_at = $2
         WHERE id = $1 AND state = 'pending'",
    )
    .bind(id)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn retry(
    pool: &PgPool,
    id: i64,
    not_before: Timestamp,
    error: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE effects SET attempts = attempts + 1, last_error = $3, due_at = $2
         WHERE id = $1 AND state = 'pending'",
    )
    .bind(id)
    .bind(not_before.as_millisecond())
    .bind(error)
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn dead(pool: &PgPool, id: i64, error: &str, now: i64) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE effects SET state = 'dead', attempts = attempts + 1, last_error = $2,
             due_at = NULL, finished_at = $3
         WHERE id = $1 AND state = 'pending'",
    )
    .bind(id)
    .bind(error)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn revive(pool: &PgPool, id: i64, now: i64) -> Result<bool, StoreError> {
    let revived = sqlx::query(
        "UPDATE effects SET state = 'pending', attempts = 0, due_at = $2, finished_at = NULL
         WHERE id = $1 AND state = 'dead'",
    )
    .bind(id)
    .bind(now)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(revived == 1)
}

type EntryRow = (
    i64,
    Json<Effect>,
    String,
    i32,
    Option<String>,
    i64,
    Option<i64>,
);

pub(super) async fn entries(
    pool: &PgPool,
    query: &EffectQuery,
) -> Result<Vec<EffectEntry>, StoreError> {
    let rows: Vec<EntryRow> = sqlx::query_as(
        "SELECT id, body, state, attempts, last_error, created_at, finished_at FROM effects
         WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR customer = $2)
           AND ($3::bigint IS NULL OR id < $3)
         ORDER BY id DESC LIMIT $4",
    )
    .bind(query.state.map(EffectState::as_str))
    .bind(query.customer.as_ref().map(CustomerId::as_str))
    .bind(query.before)
    .bind(i64::try_from(query.limit).unwrap_or(i64::MAX))
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(
            |(id, Json(effect), state, attempts, last_error, created_at, finished_at)| {
                Ok(EffectEntry {
                    id,
                    effect,
                    state: EffectState::parse(&state).ok_or_else(|| {
                        StoreError::Corrupt(format!("effect {id}: unknown state {state:?}"))
                    })?,
                    attempts: attempts_of("effect", id, attempts)?,
                    last_error,
                    created_at: timestamp(created_at)?,
                    finished_at: finished_at.map(timestamp).transpose()?,
                })
            },
        )
        .collect()
}
