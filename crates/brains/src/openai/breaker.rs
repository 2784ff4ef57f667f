//! A circuit breaker: after enough consecutive turns the provider could
//! not answer, fail fast for a cool-down instead of making every customer
//! wait through timeouts and retries; then let one trial call through.
//!
//! Hand-written: it counts failed *turns* (each already retried), not HTTP
//! calls, and the brain needs only admit/record, a few dozen lines that a
//! general-purpose breaker crate would not make shorter. A tiny `Mutex` is
//! enough: it is held for a few instructions, never across an await.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

#[derive(Debug)]
pub(crate) struct Breaker {
    threshold: u32,
    cooldown: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Consecutive failed turns.
    failures: u32,
    /// Open until then; once past, half-open.
    open_until: Option<Instant>,
    /// A half-open trial call is under way.
    trial: bool,
}

/// Why a call was not let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rejected {
    Open,
    TrialInFlight,
}

impl Breaker {
    pub(crate) fn new(threshold: u32, cooldown: Duration) -> Self {
        Self {
            threshold,
            cooldown,
            state: Mutex::new(State::default()),
        }
    }

    /// Lets a call through, or says why not.
    pub(crate) fn admit(&self) -> Result<Permit<'_>, Rejected> {
        let mut state = self.lock();
        match state.open_until {
            None => Ok(Permit {
                breaker: self,
                trial: false,
                recorded: false,
            }),
            Some(until) if Instant::now() < until => Err(Rejected::Open),
            Some(_) if state.trial => Err(Rejected::TrialInFlight),
            Some(_) => {
                state.trial = true;
                Ok(Permit {
                    breaker: self,
                    trial: true,
                    recorded: false,
                })
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is three plain values, valid whatever a panicking
        // holder left behind.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One admitted call; report how it went with [`Permit::record`].
#[derive(Debug)]
pub(crate) struct Permit<'a> {
    breaker: &'a Breaker,
    trial: bool,
    recorded: bool,
}

impl Permit<'_> {
    /// `reachable`: the provider answered (even with an error of ours).
    pub(crate) fn record(mut self, reachable: bool) {
        self.recorded = true;
        let mut state = self.breaker.lock();
        if self.trial {
            state.trial = false;
        }
        if reachable {
            *state = State::default();
            return;
        }
        state.failures = state.failures.saturating_add(1);
        // Failures are not reset while open, so a failed trial reopens it.
        if state.failures >= self.breaker.threshold {
            state.open_until = Some(Instant::now() + self.breaker.cooldown);
        }
    }
}

impl Drop for Permit<'_> {
    /// A trial whose turn was cancelled (the caller dropped the future)
    /// must not keep the breaker half-open and blocked for good.
    fn drop(&mut self) {
        if self.trial && !self.recorded {
            self.breaker.lock().trial = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_the_threshold_and_lets_one_trial_through_after_the_cooldown() {
        let breaker = Breaker::new(2, Duration::ZERO);
        breaker.admit().unwrap().record(false);
        assert!(
            breaker.lock().open_until.is_none(),
            "one failure is below the threshold"
        );
        breaker.admit().unwrap().record(false);
        assert!(breaker.lock().open_until.is_some());
        // Cool-down of zero: already half-open; one trial at a time.
        let trial = breaker.admit().unwrap();
        assert_eq!(breaker.admit().unwrap_err(), Rejected::TrialInFlight);
        trial.record(true);
        assert!(
            breaker.lock().open_until.is_none(),
            "a good trial closes it"
        );
        assert_eq!(breaker.lock().failures, 0);
    }

    #[test]
    fn stays_open_during_the_cooldown() {
        let breaker = Breaker::new(1, Duration::from_secs(3600));
        breaker.admit().unwrap().record(false);
        assert_eq!(breaker.admit().unwrap_err(), Rejected::Open);
    }

    #[test]
    fn a_failed_trial_keeps_it_open() {
        let breaker = Breaker::new(3, Duration::ZERO);
        for _ in 0..3 {
            breaker.admit().unwrap().record(false);
        }
        breaker.admit().unwrap().record(false);
        let state = breaker.lock();
        assert!(state.open_until.is_some() && !state.trial);
        assert_eq!(state.failures, 4);
    }

    #[test]
    fn a_dropped_trial_frees_the_half_open_slot() {
        let breaker = Breaker::new(1, Duration::ZERO);
        breaker.admit().unwrap().record(false);
        drop(breaker.admit().unwrap());
        assert!(breaker.admit().is_ok());
    }
}
