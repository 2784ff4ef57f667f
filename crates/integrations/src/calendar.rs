//! The calendar seam: what the scheduling agent needs from any calendar
//! (busy times, booking, cancelling), and errors that say whether trying
//! again can help.

use async_trait::async_trait;
use jiff::Timestamp;
use leadline_domain::schedule::{Interval, Slot};
use std::path::PathBuf;

/// A call to put on the sales team's calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub slot: Slot,
    pub summary: String,
    /// The lead's qualification (budget, authority, need, timeline), for the
    /// person taking the call.
    pub description: String,
    /// Invited when set.
    pub attendee_email: Option<String>,
    /// The same key for every attempt at the same booking: a retry after a
    /// timeout returns the event the first attempt created instead of
    /// creating a second one.
    pub idempotency_key: String,
}

/// An event on the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookedEvent {
    /// The calendar's id for the event, for [`Calendar::cancel`].
    pub id: String,
    pub start: Timestamp,
    pub end: Timestamp,
    /// A link to the event in the calendar's web UI, when it has one.
    pub link: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    /// The slot stopped being free between the offer and the pick.
    #[error("the slot is no longer free")]
    SlotTaken,
    /// The idempotency key names an event that was cancelled since.
    #[error("this booking's event was cancelled; book again with a new key")]
    Cancelled,
    /// No answer: connection refused, timeout, body cut short.
    #[error("calendar service unreachable: {0}")]
    Unreachable(String),
    #[error("calendar service answered {status}: {message}")]
    Status { status: u16, message: String },
    /// freeBusy answered but could not read the calendar (`notFound`,
    /// `backendError`, ...).
    #[error("freeBusy could not read the calendar: {reason}")]
    FreeBusy { reason: String },
    #[error("calendar service sent an unexpected answer: {0}")]
    InvalidResponse(String),
    #[error("service-account key {}: {reason}", path.display())]
    KeyFile { path: PathBuf, reason: String },
    #[error("calendar settings: {0}")]
    Config(String),
    #[error("could not sign the token request with the service-account key")]
    Signing,
}

impl CalendarError {
    /// Whether the same call may succeed later: outages, rate limits and
    /// timeouts, and a 401 (the cached token is dropped, the next call gets a
    /// fresh one). Everything else needs a person or a new choice.
    pub fn is_retryable(&self) -> bool {
        match self {
            CalendarError::Unreachable(_) => true,
            CalendarError::Status { status, .. } => {
                matches!(status, 401 | 408 | 429) || (500..600).contains(status)
            }
            CalendarError::FreeBusy { reason } => {
                matches!(reason.as_str(), "backendError" | "internalError")
            }
            CalendarError::SlotTaken
            | CalendarError::Cancelled
            | CalendarError::InvalidResponse(_)
            | CalendarError::KeyFile { .. }
            | CalendarError::Config(_)
            | CalendarError::Signing => false,
        }
    }
}

/// A calendar calls can be booked on.
#[async_trait]
pub trait Calendar: Send + Sync {
    /// The busy intervals overlapping `[from, to)`.
    async fn busy(&self, from: Timestamp, to: Timestamp) -> Result<Vec<Interval>, CalendarError>;
    /// Books the slot after checking it is still free; the same idempotency
    /// key returns the same event.
    async fn book(&self, booking: &Booking) -> Result<BookedEvent, CalendarError>;
    /// Cancels an event; cancelling one already gone succeeds.
    async fn cancel(&self, event_id: &str) -> Result<(), CalendarError>;
}
