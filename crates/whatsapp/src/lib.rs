//! A typed client for Meta's WhatsApp Cloud API.
//!
//! - [`webhook`]: the notifications Meta POSTs to a webhook, typed, tolerant
//!   of what Meta adds later (unknown message types and fields are kept, not
//!   rejected).
//! - [`signature`]: the `X-Hub-Signature-256` check over the raw body.
//! - [`verification`]: the `GET` subscription handshake.
//! - [`send`]: the Graph API send client, with WhatsApp's limits checked
//!   before a request is made and Graph errors classified for retrying; and
//!   the media API (uploads to send, downloads of what customers sent).
//!
//! It knows no store and no agent: what to do with a message is the caller's
//! business.

pub mod send;
pub mod signature;
pub mod verification;
pub mod webhook;
