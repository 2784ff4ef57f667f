//! When to try a failed send again.

use super::SendError;
use std::time::Duration;

/// WhatsApp allows one message per 6 seconds to the same user (error
/// 131056); retrying sooner only fails again.
const PAIR_RATE_LIMIT: Duration = Duration::from_secs(6);
const PAIR_RATE_LIMIT_CODE: i64 = 131_056;

/// Exponential backoff with jitter for retryable send errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The delay after the first failure, before jitter.
    pub base: Duration,
    /// How much the delay grows per failed attempt.
    pub factor: u32,
    /// The longest delay, before jitter.
    pub cap: Duration,
    /// Attempts in all, the first included; no retry after the last.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base: Duration::from_millis(500),
            factor: 2,
            cap: Duration::from_secs(60),
            // About four minutes of retries. With 8, a Graph API refusing
            // 30% of sends gave up on one reply in ~15,000 (0.3^8: the
            // fault suite lost one of 10,000); with 12, one in ~2 million.
            max_attempts: 12,
        }
    }
}

impl RetryPolicy {
    /// How long to wait before the next attempt, after attempt number
    /// `attempt` (1 = the first) failed with `error`; `None` when the error
    /// is permanent or the attempts are used up.
    ///
    /// The delay is `base * factor^(attempt-1)`, capped, then jittered into
    /// its upper half so that many senders failing together do not retry
    /// together. A pair rate limit (131056) waits at least 6 seconds.
    pub fn delay(&self, attempt: u32, error: &SendError) -> Option<Duration> {
        if !error.is_retryable() {
            return None;
        }
        let delay = self.backoff(attempt)?;
        Some(if error.code() == Some(PAIR_RATE_LIMIT_CODE) {
            delay.max(PAIR_RATE_LIMIT)
        } else {
            delay
        })
    }

    /// The jittered delay after failed attempt number `attempt` of any
    /// kind of call (the CRM's too); `None` once the attempts are used up.
    pub fn backoff(&self, attempt: u32) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let growth = self
            .factor
            .checked_pow(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        let backoff = self.base.saturating_mul(growth).min(self.cap);
        let full = u64::try_from(backoff.as_nanos()).unwrap_or(u64::MAX);
        Some(Duration::from_nanos(fastrand::u64(full / 2..=full)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::send::GraphError;

    fn graph(code: i64) -> SendError {
        SendError::Graph(Box::new(GraphError {
            status: 400,
            code,
            subcode: None,
            error_type: None,
            message: String::new(),
            details: None,
            fbtrace_id: None,
        }))
    }

    #[test]
    fn delays_grow_exponentially_within_jitter_bounds_and_stop_at_the_cap() {
        let policy = RetryPolicy::default();
        for (attempt, full_ms) in [(1, 500), (2, 1000), (3, 2000), (4, 4000), (7, 32_000)] {
            for _ in 0..50 {
                let d = policy
                    .delay(attempt, &SendError::Timeout)
                    .expect("a timeout is retried");
                assert!(
                    d >= Duration::from_millis(full_ms / 2) && d <= Duration::from_millis(full_ms),
                    "{attempt}: {d:?}"
                );
            }
        }
        let capped = RetryPolicy {
            max_attempts: 100,
            ..RetryPolicy::default()
        };
        for attempt in [8, 20, 64, 99] {
            let d = capped.delay(attempt, &SendError::Timeout).expect("retried");
            assert!(
                d >= Duration::from_secs(30) && d <= Duration::from_secs(60),
                "{attempt}: {d:?}"
            );
        }
    }

    #[test]
    fn a_pair_rate_limit_waits_at_least_six_seconds() {
        let policy = RetryPolicy::default();
        for attempt in 1..policy.max_attempts {
            let d = policy
                .delay(attempt, &graph(131_056))
                .expect("131056 is retried");
            assert!(d >= Duration::from_secs(6), "{attempt}: {d:?}");
        }
    }

    #[test]
    fn permanent_errors_are_not_retried() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(1, &graph(131_047)), None);
        assert_eq!(policy.delay(1, &graph(190)), None);
        assert_eq!(
            policy.delay(1, &SendError::Invalid("too long".into())),
            None
        );
    }

    #[test]
    fn exhausted_attempts_are_not_retried() {
        let policy = RetryPolicy {
            max_attempts: 3,
            ..RetryPolicy::default()
        };
        assert!(policy.delay(2, &graph(130_429)).is_some());
        assert_eq!(policy.delay(3, &graph(130_429)), None);
        assert_eq!(policy.delay(4, &SendError::Timeout), None);
    }

    #[test]
    fn a_zero_base_retries_at_once() {
        let policy = RetryPolicy {
            base: Duration::ZERO,
            ..RetryPolicy::default()
        };
        assert_eq!(policy.delay(1, &SendError::Timeout), Some(Duration::ZERO));
    }
}
