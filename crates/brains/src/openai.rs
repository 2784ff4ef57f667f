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
mod wire;

use crate::tokens;
use async_trait::async_trait;
use breaker::{Breaker, Rejected};
use leadline_domain::brain::{Brain, BrainError, ModelUsage, SummaryRequest, Turn, TurnContext};
use leadline_domain::context::{self, PromptMessage, PromptRole};
use leadline_domain::conversation::Speaker;
use leadline_domain::router::shown_to_customer;
use leadline_domain::tools::{Tool, ToolBox};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use std::fmt;
use std::time::{Duration, Instant};
use wire::{
    ChatMessage, ChatRequest, ChatResponse, ErrorEnvelope, FunctionSpec, JsonSchemaFormat,
    ResponseFormat, ResponseMessage, ToolCall, ToolChoice, ToolSpec,
};

/// Tool rounds per turn; the call after the last one must answer.
const MAX_TOOL_ROUNDS: usize = 3;
/// Target length of the rolling summary.
const SUMMARY_WORDS: usize = 150;
/// Longest provider error message quoted in a [`BrainError::Refused`].
const MAX_ERROR_CHARS: usize = 300;

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

    async fn turn(&self, ctx: &TurnContext<'_>, tools: &ToolBox<'_>) -> Result<Turn, BrainError> {
        let started = Instant::now();
        let offered: Vec<&dyn Tool> = tools.tools().collect();
        let (in_schema, native): (&[&dyn Tool], Vec<ToolSpec>) = match self.config.tools {
            ToolMode::Schema => (&offered, Vec::new()),
            ToolMode::Native => (&[], offered.iter().map(|t| tool_spec(*t)).collect()),
        };
        let prompt = context::prompt_messages(ctx, &answer::instruction(ctx.playbook, in_schema));
        let mut exchange = Exchange {
            messages: prompt.iter().map(chat_message).collect(),
            usage: ModelUsage::default(),
            prompt_tokens: None,
        };
        let first = self
            .answer(ctx, tools, &mut exchange, in_schema, &native)
            .await?;
        let mut turn = match first.tool {
            None => first.turn,
            Some(request) => {
                let result = tools
                    .call(&request.name, &request.arguments)
                    .await
                    .map_err(|e| e.to_string());
                tracing::info!(tool = %request.name, ok = result.is_ok(), "model asked for a tool");
                if result.is_ok() && shown_to_customer(&request.name) {
                    first.turn
                } else {
                    // The reply must say what the tool did: one more call,
                    // with no tool to ask for this time.
                    let told = match &result {
                        Ok(outcome) => outcome.to_json().to_string(),
                        Err(error) => serde_json::json!({ "error": error }).to_string(),
                    };
                    exchange.messages.push(ChatMessage::Assistant {
                        content: Some(first.content),
                        tool_calls: Vec::new(),
                    });
                    exchange.messages.push(ChatMessage::User {
                        content: format!(
                            "[server] {} answered: {told}. Answer again with the JSON object of the `turn` schema, \
                             your reply telling the customer what this result means.",
                            request.name
                        ),
                    });
                    let second = self.answer(ctx, tools, &mut exchange, &[], &[]).await?;
                    merge_fields(second.turn, first.turn)
                }
            }
        };
        turn.prompt_tokens = match exchange.prompt_tokens {
            Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
            None => tokens::count(&prompt),
        };
        turn.usage = ModelUsage {
            millis: Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)),
            ..exchange.usage
        };
        record_tokens(&turn);
        tracing::info!(
            model = %self.config.model,
            calls = turn.usage.calls,
            repaired = turn.usage.repaired,
            prompt_tokens = turn.prompt_tokens,
            cached_tokens = turn.usage.cached_tokens,
            generated_tokens = turn.usage.generated_tokens,
            "model answered the turn"
        );
        Ok(turn)
    }

    /// Calls the model until it gives a usable answer: native tool calls
    /// (when `native` offers tools) are run and sent back, a few rounds at
    /// most; a malformed answer gets the turn's one repair.
    async fn answer(
        &self,
        ctx: &TurnContext<'_>,
        tools: &ToolBox<'_>,
        exchange: &mut Exchange,
        in_schema: &[&dyn Tool],
        native: &[ToolSpec],
    ) -> Result<Answered, BrainError> {
        let schema = |handoff| {
            response_format(answer::schema(
                in_schema,
                &answer::intent_ids(ctx.playbook, handoff),
            ))
        };
        let mut format = schema(true);
        let mut rounds = 0;
        // Ends: every pass either returns, uses up a tool round or uses up
        // the one repair.
        loop {
            let tool_choice = match (native.is_empty(), rounds < MAX_TOOL_ROUNDS) {
                (true, _) => None,
                (false, true) => Some(ToolChoice::Auto),
                (false, false) => Some(ToolChoice::None),
            };
            let request = ChatRequest {
                model: &self.config.model,
                messages: &exchange.messages,
                response_format: Some(&format),
                tools: native,
                tool_choice,
                max_tokens: self.config.max_tokens,
            };
            let response = self.complete(Kind::Turn, &request).await?;
            exchange.count(&response);
            let message = first_message(response)?;

            if !message.tool_calls.is_empty() {
                if rounds >= MAX_TOOL_ROUNDS {
                    return Err(BrainError::Malformed(format!(
                        "the model kept calling tools after {MAX_TOOL_ROUNDS} rounds"
                    )));
                }
                rounds += 1;
                run_tools(tools, message, &mut exchange.messages).await;
                continue;
            }

            let content = message.content.unwrap_or_default();
            // A refusal (structured outputs' way to decline) gets the same
            // single retry as a malformed answer.
            let problem = match message.refusal {
                Some(_) => None,
                None => match answer::parse(&content, ctx) {
                    Ok(answer) => {
                        return Ok(Answered {
                            turn: answer.turn,
                            tool: answer.tool,
                            content,
                        });
                    }
                    Err(problem) => Some(problem),
                },
            };
            let summary = problem
                .as_ref()
                .map_or("the model declined to answer", |p| p.summary());
            if exchange.usage.repaired {
                return Err(BrainError::Malformed(summary.to_owned()));
            }
            tracing::warn!(model = %self.config.model, problem = summary, "unusable model answer, asking once more");
            exchange.usage.repaired = true;
            // A handoff read into an answer is ruled out by the schema
            // too: small models repeat it when only told.
            if problem.as_ref().is_some_and(|p| p.no_handoff) {
                format = schema(false);
            }
            let correction = problem
                .as_ref()
                .map_or("You did not answer.", |p| p.for_model());
            exchange.messages.push(ChatMessage::Assistant {
                content: Some(content),
                tool_calls: Vec::new(),
            });
            exchange.messages.push(ChatMessage::User {
                content: format!("{correction} Answer again with only the JSON object that follows the `turn` schema."),
            });
        }
    }

    async fn summary(&self, req: &SummaryRequest<'_>) -> Result<String, BrainError> {
        let instruction = format!(
            "Update this running summary of a sales conversation. Keep it under {SUMMARY_WORDS} words. Keep facts \
             (lead fields, requests, promises), drop chit-chat. Write it in the conversation's language ({}). \
             Answer with the updated summary only.",
            req.language.code()
        );
        let mut transcript = String::from("Summary so far: ");
        transcript.push_str(if req.previous.trim().is_empty() {
            "(none yet)"
        } else {
            req.previous.trim()
        });
        transcript.push_str("\n\nNew messages:");
        for m in req.leaving {
            let who = match m.speaker {
                Speaker::Customer => "Customer",
                Speaker::Agent => "Agent",
                Speaker::Human => "Sales rep",
            };
            transcript.push_str(&format!("\n{who}: {}", m.text));
        }
        let messages = [
            ChatMessage::System {
                content: instruction,
            },
            ChatMessage::User {
                content: transcript,
            },
        ];
        let request = ChatRequest {
            model: &self.config.model,
            messages: &messages,
            response_format: None,
            tools: &[],
            tool_choice: None,
            max_tokens: self.config.max_tokens,
        };
        let message = first_message(self.complete(Kind::Summary, &request).await?)?;
        let text = message
            .content
            .as_deref()
            .map(str::trim)
            .unwrap_or_default();
        if text.is_empty() {
            return Err(BrainError::Malformed("the summary is empty".to_owned()));
        }
        tracing::info!(model = %self.config.model, words = text.split_whitespace().count(), "model updated the summary");
        Ok(text.to_owned())
    }

    /// One request, retried on 429, 5xx, timeouts and connection errors.
    async fn complete(
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

/// One turn's conversation with the model, and what it has cost so far.
struct Exchange {
    messages: Vec<ChatMessage>,
    usage: ModelUsage,
    /// The first call's prompt, as the provider counted it: the turn's
    /// prompt (later calls repeat it with a tool result or a repair added).
    prompt_tokens: Option<u64>,
}

impl Exchange {
    fn count(&mut self, response: &ChatResponse) {
        let usage = response.usage.as_ref();
        let first = self.usage.calls == 0;
        self.usage.calls += 1;
        if first {
            self.prompt_tokens = usage.and_then(|u| u.prompt_tokens);
            self.usage.cached_tokens = response.cached_tokens().map(to_usize);
        }
        if let Some(generated) = usage.and_then(|u| u.completion_tokens) {
            let so_far = self.usage.generated_tokens.unwrap_or(0);
            self.usage.generated_tokens = Some(so_far.saturating_add(to_usize(generated)));
        }
    }
}

/// A usable answer and the text it came as (sent back when the model must
/// answer again with a tool's result).
struct Answered {
    turn: Turn,
    tool: Option<answer::ToolRequest>,
    content: String,
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// The answer worded from a tool's result, with what the first answer
/// read from the customer that the second left out.
fn merge_fields(mut second: Turn, first: Turn) -> Turn {
    for (field, value) in first.fields {
        if !second.fields.iter().any(|(f, _)| *f == field) {
            second.fields.push((field, value));
        }
    }
    second.intent = second.intent.or(first.intent);
    second
}

fn record_tokens(turn: &Turn) {
    let kinds = [
        ("prompt", Some(turn.prompt_tokens)),
        ("cached", turn.usage.cached_tokens),
        ("generated", turn.usage.generated_tokens),
    ];
    for (kind, tokens) in kinds {
        if let Some(tokens) = tokens {
            metrics::histogram!("leadline_model_tokens", "kind" => kind).record(tokens as f64);
        }
    }
}

fn response_format(schema: serde_json::Value) -> ResponseFormat {
    ResponseFormat {
        kind: "json_schema",
        json_schema: JsonSchemaFormat {
            name: "turn",
            strict: true,
            schema,
        },
    }
}

fn tool_spec(tool: &dyn Tool) -> ToolSpec {
    ToolSpec {
        kind: "function",
        function: FunctionSpec {
            name: tool.name().to_owned(),
            description: tool.description().to_owned(),
            parameters: tool.parameters(),
        },
    }
}

fn chat_message(m: &PromptMessage) -> ChatMessage {
    let content = m.content.clone();
    match m.role {
        PromptRole::System => ChatMessage::System { content },
        PromptRole::User => ChatMessage::User { content },
        PromptRole::Assistant => ChatMessage::Assistant {
            content: Some(content),
            tool_calls: Vec::new(),
        },
    }
}

fn first_message(response: ChatResponse) -> Result<ResponseMessage, BrainError> {
    response
        .choices
        .into_iter()
        .next()
        .map(|c| c.message)
        .ok_or_else(|| BrainError::Malformed("the completion has no choices".to_owned()))
}

/// Runs the tool calls of one model message, in order, and appends the
/// message and one `tool` message per call to the conversation. The
/// toolbox records each call.
async fn run_tools(tools: &ToolBox<'_>, message: ResponseMessage, messages: &mut Vec<ChatMessage>) {
    let mut results = Vec::with_capacity(message.tool_calls.len());
    for call in &message.tool_calls {
        // Arguments that are not JSON run nothing: the model sees why.
        let result = match serde_json::from_str::<serde_json::Value>(&call.function.arguments) {
            Ok(arguments) => tools
                .call(&call.function.name, &arguments)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(format!("the arguments are not a JSON object: {e}")),
        };
        tracing::info!(tool = %call.function.name, ok = result.is_ok(), "model called a tool");
        let content = match &result {
            Ok(outcome) => outcome.to_json().to_string(),
            Err(error) => serde_json::json!({ "error": error }).to_string(),
        };
        results.push(ChatMessage::Tool {
            tool_call_id: call.id.clone(),
            content,
        });
    }
    let calls: Vec<ToolCall> = message.tool_calls;
    messages.push(ChatMessage::Assistant {
        content: message.content,
        tool_calls: calls,
    });
    messages.extend(results);
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
