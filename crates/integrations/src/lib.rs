//! Leadline's outside services, each behind a seam the domain can use
//! without knowing the wire: today the calendar calls are booked on.

pub mod calendar;
pub mod google;

pub use calendar::{BookedEvent, Booking, Calendar, CalendarError};
pub use google::GoogleCalendar;
