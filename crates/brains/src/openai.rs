//! The OpenAI-compatible brain: any chat-completions endpoint (OpenAI,
//! Azure's OpenAI-compatible API, Groq, OpenRouter, vLLM, llama.cpp server,
//! Ollama) reached at `{base_url}/chat/completions`.
//!
//! One customer turn is one model call: the prompt carries the agent's
//! system prompt, the lead, the rolling summary and the window, and the
//! answer is a strict JSON Schema structured output with the reply, the
//! intent, the fields, the confidence and whether the turn was resolved.
//!
//! Tools ([`ToolMode`]): by default the answer itself names the tool to run
//! (see `answer`), which works on every server with `json_schema` output;
//! a second call words the reply only when the tool's result must be told
//! (a booking, a failure), not when the server shows it (slots, documents).
//! With native tool calling, the model's `tool_calls` are run and their
//! results sent back within the turn (a few rounds at most). A malformed
//! answer, or a reply in another language than the server chose, gets one
//! repair attempt.
//!
//! Every HTTP call retries 429, 5xx, timeouts and connection errors with
//! exponential backoff and full jitter (or the provider's `Retry-After`,
//! capped); a circuit breaker fails turns fast while the provider is down.
//!
//! Metrics: `leadline_model_calls_total{kind="turn"|"summary", outcome}`
//! counts HTTP calls by outcome (`ok`, `rate_limited`, `server_error`,
//! `timeout`, `unreachable`, `refused`, `bad_response`) plus turns the
//! breaker failed fast (`circuit_open`); `leadline_model_seconds{kind}` is
//! the duration of each HTTP call; `leadline_model_tokens{kind="prompt"|
//! "cached"|"generated"}` the tokens of each turn.

mod answer;
mod breaker;
mod http;
mod summary;
mod turn;
mod wire;

use async_trait::async_trait;
use breaker::{Breaker, Rejected};
use leadline_domain::brain::{Brain, BrainError, SummaryRequest, Turn, TurnContext};
use leadline_domain::tools::ToolBox;
use std::fmt;
use std::time::Duration;
use wire::{ChatResponse, ResponseMessage};

/// How the model asks for a tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ToolMode {
    /// A `tool` property of the structured answer: works wherever
    /// `json_schema` output does (OpenAI, vLLM, llama.cpp, Ollama).
    #[default]
    Schema,
    /// The chat-completions `tools` and `tool_calls`, for providers and
    /// models that do them well.
    Native,
}

/// Where and how to reach the model. `Debug` never prints the key.
#[derive(Clone)]
pub struct OpenAiConfig {
    /// The API root, e.g. `https://api.openai.com/v1`.
    pub base_url: String,
    /// Sent as `Authorization: Bearer`; local servers often need none.
    pub api_key: Option<String>,
    pub model: String,
    /// For one HTTP call, from connecting to the last byte of the answer.
    pub timeout: Duration,
    /// The most tokens one answer may have (`max_tokens`); `None` leaves
    /// it to the provider.
    pub max_tokens: Option<u32>,
    pub tools: ToolMode,
    /// HTTP calls per request, the first included.
    pub max_attempts: u32,
    /// The backoff before the first retry; it doubles on each retry.
    pub initial_backoff: Duration,
    /// The longest wait between attempts, `Retry-After` included.
    pub max_backoff: Duration,
    /// Consecutive turns the provider failed before the breaker opens.
    pub breaker_threshold: u32,
    /// How long the open breaker fails turns fast.
    pub breaker_cooldown: Duration,
}

impl Default for OpenAiConfig {
    fn default() -> Self {
        Self {
            base_url: "https://api.openai.com/v1".to_owned(),
            api_key: None,
            model: "gpt-4o".to_owned(),
            timeout: Duration::from_secs(20),
            max_tokens: None,
            tools: ToolMode::default(),
            max_attempts: 3,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(4),
            breaker_threshold: 5,
            breaker_cooldown: Duration::from_secs(30),
        }
    }
}

impl fmt::Debug for OpenAiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("model", &self.model)
            .field("timeout", &self.timeout)
            .field("max_tokens", &self.max_tokens)
            .field("tools", &self.tools)
            .field("max_attempts", &self.max_attempts)
            .field("initial_backoff", &self.initial_backoff)
            .field("max_backoff", &self.max_backoff)
            .field("breaker_threshold", &self.breaker_threshold)
            .field("breaker_cooldown", &self.breaker_cooldown)
            .finish()
    }
}

/// What a request is for, in metrics and logs.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Turn,
    Summary,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Turn => "turn",
            Kind::Summary => "summary",
        }
    }
}

pub struct OpenAiBrain {
    config: OpenAiConfig,
    url: reqwest::Url,
    http: reqwest::Client,
    breaker: Breaker,
}

impl OpenAiBrain {
    /// Checks the configuration and builds the HTTP client; a bad setting
    /// is [`BrainError::Refused`], since no call could ever succeed.
    pub fn new(config: OpenAiConfig) -> Result<OpenAiBrain, BrainError> {
        let refuse = |why: String| {
            Err(BrainError::Refused(format!(
                "invalid model configuration: {why}"
            )))
        };
        let url = format!("{}/chat/completions", config.base_url.trim_end_matches('/'));
        let url = match reqwest::Url::parse(&url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => url,
            _ => {
                return refuse(format!(
                    "base URL {:?} is not an http(s) URL",
                    config.base_url
                ));
            }
        };
        if config.model.trim().is_empty() {
            return refuse("the model name is empty".to_owned());
        }
        if config.max_attempts == 0 || config.breaker_threshold == 0 {
            return refuse("max_attempts and breaker_threshold must be at least 1".to_owned());
        }
        if config.timeout.is_zero() {
            return refuse("the timeout must be more than zero".to_owned());
        }
        let http = match reqwest::Client::builder()
            .user_agent(concat!("leadline/", env!("CARGO_PKG_VERSION")))
            .build()
        {
            Ok(http) => http,
            Err(e) => return refuse(format!("cannot build the HTTP client: {e}")),
        };
        let breaker = Breaker::new(config.breaker_threshold, config.breaker_cooldown);
        Ok(OpenAiBrain {
            config,
            url,
            http,
            breaker,
        })
    }

    /// Runs `work` if the breaker lets it through, and tells the breaker
    /// whether the provider was reachable.
    async fn guarded<T>(
        &self,
        kind: Kind,
        work: impl Future<Output = Result<T, BrainError>>,
    ) -> Result<T, BrainError> {
        let permit = match self.breaker.admit() {
            Ok(permit) => permit,
            Err(rejected) => {
                count(kind, "circuit_open");
                let why = match rejected {
                    Rejected::Open => "circuit open: the provider failed too many turns in a row",
                    Rejected::TrialInFlight => "circuit half-open: a trial call is under way",
                };
                return Err(BrainError::Unavailable(why.to_owned()));
            }
        };
        let result = work.await;
        permit.record(!matches!(result, Err(BrainError::Unavailable(_))));
        result
    }
}

#[async_trait]
impl Brain for OpenAiBrain {
    fn name(&self) -> &'static str {
        "openai"
    }

    async fn decide(&self, ctx: &TurnContext<'_>, tools: &ToolBox<'_>) -> Result<Turn, BrainError> {
        self.guarded(Kind::Turn, self.turn(ctx, tools)).await
    }

    async fn summarize(&self, req: &SummaryRequest<'_>) -> Result<String, BrainError> {
        self.guarded(Kind::Summary, self.summary(req)).await
    }
}

fn count(kind: Kind, outcome: &'static str) {
    metrics::counter!("leadline_model_calls_total", "kind" => kind.as_str(), "outcome" => outcome)
        .increment(1);
}

fn first_message(response: ChatResponse) -> Result<ResponseMessage, BrainError> {
    response
        .choices
        .into_iter()
        .next()
        .map(|c| c.message)
        .ok_or_else(|| BrainError::Malformed("the completion has no choices".to_owned()))
}
