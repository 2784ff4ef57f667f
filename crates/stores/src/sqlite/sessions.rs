//! Dashboard logins and login attempts, written by the writer thread.

use crate::{LoginSession, StoreError};
use rusqlite::{Connection, params};

pub(super) fn open(
    conn: &Connection,
    key: &str,
    session: &LoginSession,
    now: i64,
) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM dashboard_sessions WHERE expires_at <= ?1")?
        .execute(params![now])?;
    conn.prepare_cached(
        "INSERT INTO dashboard_sessions (key, csrf, expires_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![key, session.csrf, session.expires.as_millisecond()])?;
    Ok(())
}

pub(super) fn close(conn: &Connection, key: &str) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM dashboard_sessions WHERE key = ?1")?
        .execute(params![key])?;
    Ok(())
}

/// Starts a new window for a peer whose last one has passed; peers whose
/// window passed are forgotten first, so the table holds recent ones only.
pub(super) fn count_attempt(
    conn: &Connection,
    peer: &str,
    now: i64,
    window: i64,
) -> Result<u32, StoreError> {
    conn.prepare_cached("DELETE FROM login_attempts WHERE window_start <= ?1")?
        .execute(params![now - window])?;
    let attempts: i64 = conn
        .prepare_cached(
            "INSERT INTO login_attempts (peer, window_start, attempts) VALUES (?1, ?2, 1)
             ON CONFLICT (peer) DO UPDATE SET attempts = login_attempts.attempts + 1
             RETURNING attempts",
        )?
        .query_row(params![peer, now], |row| row.get(0))?;
    Ok(u32::try_from(attempts).unwrap_or(u32::MAX))
}
