//! The local calendar on PostgreSQL: one transaction per reservation, the
//! partial unique index on `start_at` refusing a second booking of a slot
//! whichever process tries it.

use crate::sql::{CALL_COLUMNS, CallRow, calendar_call};
use crate::{CalendarCall, Reservation, StoreError};
use sqlx::PgPool;

pub(super) async fn between(
    pool: &PgPool,
    from: i64,
    to: i64,
) -> Result<Vec<CalendarCall>, StoreError> {
    let rows: Vec<CallRow> = sqlx::query_as(&format!(
        "SELECT {CALL_COLUMNS} FROM calendar_calls
         WHERE cancelled_at IS NULL AND end_at > $1 AND start_at < $2
         ORDER BY start_at"
    ))
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(calendar_call).collect()
}

pub(super) async fn reserve(
    pool: &PgPool,
    wanted: &CalendarCall,
    now: i64,
) -> Result<Reservation, StoreError> {
    let mut tx = pool.begin().await?;
    let cancelled: Option<bool> =
        sqlx::query_scalar("SELECT cancelled_at IS NOT NULL FROM calendar_calls WHERE key = $1")
            .bind(&wanted.key)
            .fetch_optional(&mut *tx)
            .await?;
    match cancelled {
        Some(true) => return Ok(Reservation::Cancelled),
        Some(false) => {
            if let Some(call) = active(&mut *tx, &wanted.key).await? {
                return Ok(Reservation::Booked(call));
            }
        }
        None => {}
    }
    let (start, end) = (wanted.start.as_millisecond(), wanted.end.as_millisecond());
    let overlapping: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM calendar_calls
         WHERE cancelled_at IS NULL AND start_at < $2 AND end_at > $1)",
    )
    .bind(start)
    .bind(end)
    .fetch_one(&mut *tx)
    .await?;
    if overlapping {
        return Ok(Reservation::Taken);
    }
    // A booking of the same slot committed meanwhile by another process
    // makes this insert do nothing: the unique index decides the race.
    let inserted = sqlx::query(
        "INSERT INTO calendar_calls
             (key, start_at, end_at, summary, description, attendee, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT DO NOTHING",
    )
    .bind(&wanted.key)
    .bind(start)
    .bind(end)
    .bind(&wanted.summary)
    .bind(&wanted.description)
    .bind(&wanted.attendee)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    if inserted == 1 {
        return Ok(Reservation::Booked(wanted.clone()));
    }
    // The same key may have won the race (a retry running alongside).
    Ok(active(pool, &wanted.key)
        .await?
        .map_or(Reservation::Taken, Reservation::Booked))
}

/// The call booked under `key`, unless it was cancelled.
async fn active(
    executor: impl sqlx::PgExecutor<'_>,
    key: &str,
) -> Result<Option<CalendarCall>, StoreError> {
    let row: Option<CallRow> = sqlx::query_as(&format!(
        "SELECT {CALL_COLUMNS} FROM calendar_calls WHERE key = $1 AND cancelled_at IS NULL"
    ))
    .bind(key)
    .fetch_optional(executor)
    .await?;
    row.map(calendar_call).transpose()
}

pub(super) async fn cancel(pool: &PgPool, key: &str, now: i64) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE calendar_calls SET cancelled_at = $2 WHERE key = $1 AND cancelled_at IS NULL",
    )
    .bind(key)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}
