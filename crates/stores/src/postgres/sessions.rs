//! Dashboard logins and login attempts on PostgreSQL, shared by every
//! process on the database.

use crate::sql::login_session;
use crate::{LoginSession, StoreError};
use sqlx::PgPool;

pub(super) async fn open(
    pool: &PgPool,
    key: &str,
    session: &LoginSession,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM dashboard_sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await?;
    sqlx::query("INSERT INTO dashboard_sessions (key, csrf, expires_at) VALUES ($1, $2, $3)")
        .bind(key)
        .bind(&session.csrf)
        .bind(session.expires.as_millisecond())
        .execute(pool)
        .await?;
    Ok(())
}

pub(super) async fn find(
    pool: &PgPool,
    key: &str,
    now: i64,
) -> Result<Option<LoginSession>, StoreError> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT csrf, expires_at FROM dashboard_sessions WHERE key = $1 AND expires_at > $2",
    )
    .bind(key)
    .bind(now)
    .fetch_optional(pool)
    .await?;
    row.map(login_session).transpose()
}

pub(super) async fn close(pool: &PgPool, key: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM dashboard_sessions WHERE key = $1")
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}

/// Peers whose window passed are forgotten first; the upsert then counts
/// atomically, whichever process the attempt reached.
pub(super) async fn count_attempt(
    pool: &PgPool,
    peer: &str,
    now: i64,
    window: i64,
) -> Result<u32, StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM login_attempts WHERE window_start <= $1")
        .bind(now - window)
        .execute(&mut *tx)
        .await?;
    let attempts: i32 = sqlx::query_scalar(
        "INSERT INTO login_attempts (peer, window_start, attempts) VALUES ($1, $2, 1)
         ON CONFLICT (peer) DO UPDATE SET attempts = login_attempts.attempts + 1
         RETURNING attempts",
    )
    .bind(peer)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(u32::try_from(attempts).unwrap_or(u32::MAX))
}
