//! What the sqlx-based backends share.

use crate::{LoginSession, StoreError};
use jiff::Timestamp;
use leadline_domain::DeliveryState;

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

/// A `dashboard_sessions` row: `(csrf, expires_at)`.
pub(crate) fn login_session((csrf, expires): (String, i64)) -> Result<LoginSession, StoreError> {
    Ok(LoginSession {
        csrf,
        expires: timestamp(expires)?,
    })
}
