//! Leadline's outside services, each behind a seam the domain can use
//! without knowing the wire: the calendar calls are booked on, and the CRM
//! leads are delivered to.

pub mod calendar;
pub mod crm;
pub mod google;

pub use calendar::{BookedEvent, Booking, Calendar, CalendarError};
pub use crm::{CrmError, CrmWebhook};
pub use google::GoogleCalendar;
