//! Business time: what leases, burst windows, retries, slots and reminders
//! are measured by. Everything that asks "what time is it" asks a [`Clock`],
//! so tests move time with a [`ManualClock`] instead of sleeping through it.

use jiff::{SignedDuration, Timestamp};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Where the time comes from: the system's, or a test's. Cheap to clone;
/// clones of a manual clock all read the same time.
#[derive(Debug, Clone, Default)]
pub struct Clock(Source);

#[derive(Debug, Clone, Default)]
enum Source {
    #[default]
    System,
    Manual(Arc<Mutex<Timestamp>>),
}

impl Clock {
    /// The system's wall clock: what every deployment runs on.
    pub fn system() -> Self {
        Self(Source::System)
    }

    pub fn now(&self) -> Timestamp {
        match &self.0 {
            Source::System => Timestamp::now(),
            Source::Manual(at) => *at.lock().unwrap_or_else(PoisonError::into_inner),
        }
    }

    /// `now` moved by `by`, for leases and deadlines kept as timestamps.
    pub fn after(&self, by: Duration) -> Timestamp {
        later(self.now(), by)
    }
}

/// A clock that moves only when told to, so a test can expire a lease or
/// close a window in an instant, and see that nothing moved meanwhile.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<Timestamp>>);

impl ManualClock {
    pub fn new(start: Timestamp) -> Self {
        Self(Arc::new(Mutex::new(start)))
    }

    /// The [`Clock`] to hand to stores and the engine.
    pub fn clock(&self) -> Clock {
        Clock(Source::Manual(self.0.clone()))
    }

    pub fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves time forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut at = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *at = later(*at, by);
    }
}

/// `at + by`, at the end of time rather than past it.
fn later(at: Timestamp, by: Duration) -> Timestamp {
    SignedDuration::try_from(by)
        .ok()
        .and_then(|by| at.checked_add(by).ok())
        .unwrap_or(Timestamp::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_advanced_and_all_its_clones_see_it() {
        let start: Timestamp = "2026-03-02T10:00:00Z".parse().expect("timestamp");
        let manual = ManualClock::new(start);
        let clock = manual.clock();
        assert_eq!(clock.now(), start);
        manual.advance(Duration::from_secs(90));
        assert_eq!(clock.clone().now(), start + SignedDuration::from_secs(90));
        assert_eq!(
            clock.after(Duration::from_secs(30)),
            start + SignedDuration::from_secs(120)
        );
    }

    #[test]
    fn the_system_clock_follows_the_wall_clock() {
        let before = Timestamp::now();
        let read = Clock::system().now();
        assert!(read >= before && read <= Timestamp::now());
    }
}
