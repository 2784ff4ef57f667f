//! Leadline's outside services, each behind a seam the domain can use
//! without knowing the wire: the calendar calls are booked on, the CRM
//! leads are delivered to, and the speech-to-text voice notes are read with.

pub mod calendar;
pub mod crm;
pub mod google;
pub mod transcription;

pub use calendar::{BookedEvent, Booking, Calendar, CalendarError};
pub use crm::{CrmError, CrmWebhook, LeadIds};
pub use google::GoogleCalendar;
pub use transcription::{Transcriber, TranscriberConfig, TranscriptionError};
