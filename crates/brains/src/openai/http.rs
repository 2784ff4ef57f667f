//! One request to the provider over HTTP: retried on 429, 5xx, timeouts
//! and connection errors with backoff and jitter, its failures sorted into
//! what to retry and what to give up on. Apart from the turn and summary
//! logic, which only see a completion or a [`BrainError`].

use super::wire::{ChatRequest, ChatResponse, ErrorEnvelope};
use super::{Kind, OpenAiBrain, count};
use leadline_domain::brain::BrainError;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use std::time::{Duration, Instant};

/// Longest provider error message quoted in a [`BrainError::Refused`].
const MAX_ERROR_CHARS: usize = 300;

/// How one HTTP call ended.
enum Attempt {
    Done(ChatResponse),
    Retry {
        outcome: &'static str,
        problem: String,
        retry_after: Option<Duration>,
    },
    Fail {
        outcome: &'static str,
        error: BrainError,
    },
}

impl OpenAiBrain {
    /// One request, retried on 429, 5xx, timeouts and connection errors.
    pub(super) async fn complete(
        &self,
        kind: Kind,
        request: &ChatRequest<'_>,
    ) -> Result<ChatResponse, BrainError> {
        let mut last_problem = String::new();
        for attempt in 1..=self.config.max_attempts {
            let started = Instant::now();
            let outcome = self.attempt(request).await;
            metrics::histogram!("leadline_model_seconds", "kind" => kind.as_str())
                .record(started.elapsed().as_secs_f64());
            match outcome {
                Attempt::Done(response) => {
                    count(kind, "ok");
                    return Ok(response);
                }
                Attempt::Fail { outcome, error } => {
                    count(kind, outcome);
                    tracing::warn!(kind = kind.as_str(), error = %error, "model call failed for good");
                    return Err(error);
                }
                Attempt::Retry {
                    outcome,
                    problem,
                    retry_after,
                } => {
                    count(kind, outcome);
                    if attempt < self.config.max_attempts {
                        let wait = self.backoff(attempt, retry_after);
                        tracing::warn!(kind = kind.as_str(), attempt, problem = %problem, ?wait, "model call failed, retrying");
                        tokio::time::sleep(wait).await;
                    }
                    last_problem = problem;
                }
            }
        }
        tracing::warn!(kind = kind.as_str(), attempts = self.config.max_attempts, problem = %last_problem, "model provider unavailable");
        Err(BrainError::Unavailable(format!(
            "{} attempts failed, the last with {last_problem}",
            self.config.max_attempts
        )))
    }

    async fn attempt(&self, request: &ChatRequest<'_>) -> Attempt {
        let mut builder = self
            .http
            .post(self.url.clone())
            .json(request)
            .timeout(self.config.timeout);
        if let Some(key) = &self.config.api_key {
            builder = builder.bearer_auth(key);
        }
        let response = match builder.send().await {
            Ok(response) => response,
            Err(e) => return transport_failure(&e, self.config.timeout),
        };
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let body = match response.bytes().await {
            Ok(body) => body,
            Err(e) => return transport_failure(&e, self.config.timeout),
        };
        if status.is_success() {
            return match serde_json::from_slice::<ChatResponse>(&body) {
                Ok(parsed) => Attempt::Done(parsed),
                Err(e) => Attempt::Fail {
                    outcome: "bad_response",
                    error: BrainError::Malformed(format!(
                        "HTTP {status} but not a chat completion (line {} column {})",
                        e.line(),
                        e.column()
                    )),
                },
            };
        }
        let retryable = match status {
            StatusCode::TOO_MANY_REQUESTS => Some("rate_limited"),
            StatusCode::REQUEST_TIMEOUT => Some("timeout"),
            s if s.is_server_error() => Some("server_error"),
            _ => None,
        };
        if let Some(outcome) = retryable {
            return Attempt::Retry {
                outcome,
                problem: format!("HTTP {status}"),
                retry_after,
            };
        }
        // 400, 401, 403, 404 and the rest of 4xx: the same request would
        // fail again. The provider's message says why (bad key, unknown
        // model, schema rejected); the key is cut out in case it is quoted.
        let mut message = serde_json::from_slice::<ErrorEnvelope>(&body)
            .ok()
            .and_then(|e| e.error.message)
            .unwrap_or_default();
        if let Some(key) = self.config.api_key.as_deref().filter(|k| !k.is_empty()) {
            message = message.replace(key, "[redacted]");
        }
        let message: String = message.chars().take(MAX_ERROR_CHARS).collect();
        Attempt::Fail {
            outcome: "refused",
            error: BrainError::Refused(format!("HTTP {status}: {message}")),
        }
    }

    /// Exponential backoff with full jitter (a uniform wait up to the
    /// doubled bound), so clients that failed together do not retry
    /// together; `Retry-After` wins when given, within `max_backoff`.
    fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let max = self.config.max_backoff;
        if let Some(wait) = retry_after {
            return wait.min(max);
        }
        let doubled = 2u32.saturating_pow(attempt.saturating_sub(1));
        let bound = self.config.initial_backoff.saturating_mul(doubled).min(max);
        bound.mul_f64(fastrand::f64())
    }
}

fn transport_failure(e: &reqwest::Error, timeout: Duration) -> Attempt {
    if e.is_timeout() {
        Attempt::Retry {
            outcome: "timeout",
            problem: format!("no answer within {timeout:?}"),
            retry_after: None,
        }
    } else {
        let what = if e.is_connect() {
            "cannot connect"
        } else {
            "transport error"
        };
        // reqwest's own message is generic; the cause is in the chain.
        let mut problem = what.to_owned();
        let mut source = std::error::Error::source(e);
        while let Some(cause) = source {
            problem.push_str(": ");
            problem.push_str(&cause.to_string());
            source = cause.source();
        }
        Attempt::Retry {
            outcome: "unreachable",
            problem,
            retry_after: None,
        }
    }
}

/// `Retry-After` in seconds (what OpenAI-compatible providers send); the
/// HTTP-date form is ignored and the backoff applies instead.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: f64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Duration::try_from_secs_f64(seconds).ok()
}
