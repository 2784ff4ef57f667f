//! The local calendar's writes: one transaction per reservation, the
//! partial unique index on `start_at` refusing a second booking of a slot.

use crate::sql::{CALL_COLUMNS, CallRow, calendar_call};
use crate::{CalendarCall, Reservation, StoreError};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

fn call(row: &Row<'_>) -> rusqlite::Result<CallRow> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    ))
}

pub(super) fn reserve(
    conn: &mut Connection,
    wanted: &CalendarCall,
    now: i64,
) -> Result<Reservation, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let existing: Option<(CallRow, Option<i64>)> = tx
        .prepare_cached(&format!(
            "SELECT {CALL_COLUMNS}, cancelled_at FROM calendar_calls WHERE key = ?1"
        ))?
        .query_row(params![wanted.key], |row| Ok((call(row)?, row.get(6)?)))
        .optional()?;
    if let Some((row, cancelled)) = existing {
        return Ok(match cancelled {
            Some(_) => Reservation::Cancelled,
            None => Reservation::Booked(calendar_call(row)?),
        });
    }
    let (start, end) = (wanted.start.as_millisecond(), wanted.end.as_millisecond());
    let overlapping: bool = tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM calendar_calls
             WHERE cancelled_at IS NULL AND start_at < ?2 AND end_at > ?1)",
        )?
        .query_row(params![start, end], |row| row.get(0))?;
    if overlapping {
        return Ok(Reservation::Taken);
    }
    let inserted = tx
        .prepare_cached(
            "INSERT INTO calendar_calls
                 (key, start_at, end_at, summary, description, attendee, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![
            wanted.key,
            start,
            end,
            wanted.summary,
            wanted.description,
            wanted.attendee,
            now
        ])?;
    tx.commit()?;
    Ok(if inserted == 1 {
        Reservation::Booked(wanted.clone())
    } else {
        Reservation::Taken
    })
}

pub(super) fn cancel(conn: &Connection, key: &str, now: i64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE calendar_calls SET cancelled_at = ?2 WHERE key = ?1 AND cancelled_at IS NULL",
    )?
    .execute(params![key, now])?;
    Ok(())
}
