//! Leadline's domain: what a conversation, a lead and a playbook are, and the
//! rules that move a conversation along (stage machine, handoff policy,
//! rolling context). Nothing here knows HTTP, SQL or a model provider: those
//! live behind the [`brain::Brain`] and [`tools::Tool`] seams and in the
//! stores crate.

pub mod answers;
pub mod brain;
pub mod clip;
pub mod clock;
pub mod context;
pub mod conversation;
pub mod customer;
pub mod documents;
pub mod events;
pub mod fields;
pub mod follow_through;
pub mod inbound;
pub mod language;
pub mod lead;
pub mod playbook;
pub mod reading;
pub mod router;
pub mod schedule;
pub mod tools;
mod words;

pub use clock::{Clock, ManualClock};
pub use conversation::{Conversation, Handoff, HandoffReason, Message, Speaker};
pub use customer::CustomerId;
pub use inbound::{Content, DeliveryState, InboundMessage, StatusUpdate};
pub use language::Language;
pub use lead::{FieldName, Lead};
