//! A fake OpenAI-compatible chat-completions server on loopback.
//!
//! It answers `POST /v1/chat/completions` with the real wire format
//! (`chat.completion` objects, `tool_calls`, `finish_reason`, `usage` and
//! OpenAI's error envelope), so the code under test runs its production
//! HTTP client against it through the configurable base URL. Replies are
//! scripted ([`FakeOpenAi::push`], FIFO) or computed from each request
//! ([`FakeOpenAi::set_default`]).
//!
//! `POST /v1/audio/transcriptions` takes OpenAI's multipart form (`file`,
//! `model`, optional `response_format` ...) and answers `{"text": ...}`:
//! the transcript scripted for those exact audio bytes
//! ([`FakeOpenAi::transcribe`]), or OpenAI's 400 for audio it cannot read.
//! Every transcription request is recorded ([`FakeOpenAi::transcriptions`]).
//!
//! `usage.prompt_tokens` and `completion_tokens` are rough (characters / 4):
//! tests that need exact token counts count the recorded requests themselves.

use crate::server::{Server, loopback};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What the fake answers to one request.
#[derive(Debug, Clone)]
pub enum FakeReply {
    /// A 200 completion whose `message.content` is this JSON, serialised:
    /// a structured-output answer.
    Json(Value),
    /// A 200 completion whose `message.content` is this text (summaries,
    /// malformed output).
    Raw(String),
    /// A 200 completion with `finish_reason: "tool_calls"` calling these
    /// tools, each as (name, arguments object); the arguments travel as a
    /// JSON string, as OpenAI sends them.
    ToolCalls(Vec<(String, Value)>),
    /// An error status with OpenAI's error envelope as the body.
    Status(u16),
    /// A 429 with a `Retry-After` header of this many seconds.
    RateLimited { retry_after_secs: u64 },
    /// Never answers: the client has to time out.
    Hang,
    /// Answers `reply` after waiting this long.
    Delay(Duration, Box<FakeReply>),
}

type DefaultFn = Arc<dyn Fn(&Value) -> FakeReply + Send + Sync>;

/// What the fake answers to a transcription of some audio.
#[derive(Debug, Clone)]
pub enum Transcript {
    /// A 200 with `{"text": ...}`.
    Text(String),
    /// An error status with OpenAI's error envelope as the body.
    Status(u16),
    /// Never answers: the client has to time out.
    Hang,
}

/// A transcription request the fake received.
#[derive(Debug, Clone)]
pub struct TranscriptionRequest {
    pub model: Option<String>,
    pub response_format: Option<String>,
    /// The `file` part's file name and content type.
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub audio: Vec<u8>,
}

struct Inner {
    key: Option<String>,
    transcripts: HashMap<Vec<u8>, Transcript>,
    transcriptions: Vec<TranscriptionRequest>,
    scripted: VecDeque<FakeReply>,
    default: Option<DefaultFn>,
    requests: Vec<Value>,
    served: u64,
}

/// The fake server; it stops when dropped.
pub struct FakeOpenAi {
    base_url: String,
    inner: Arc<Mutex<Inner>>,
    /// Serves until the fake is dropped.
    _server: Server,
}

impl FakeOpenAi {
    /// Starts a fake that accepts any (or no) `Authorization` header.
    pub async fn start() -> FakeOpenAi {
        Self::launch(None).await
    }

    /// Starts a fake that answers 401 unless the request carries
    /// `Authorization: Bearer <key>`.
    pub async fn start_with_key(key: &str) -> FakeOpenAi {
        Self::launch(Some(key.to_owned())).await
    }

    async fn launch(key: Option<String>) -> FakeOpenAi {
        let inner = Arc::new(Mutex::new(Inner {
            key,
            transcripts: HashMap::new(),
            transcriptions: Vec::new(),
            scripted: VecDeque::new(),
            default: None,
            requests: Vec::new(),
            served: 0,
        }));
        let (listener, addr) = loopback("OpenAI server").await;
        let app = Router::new()
            .route("/v1/chat/completions", post(completions))
            .route("/v1/audio/transcriptions", post(transcriptions))
            .with_state(inner.clone());
        let server = Server::serve(listener, app);
        FakeOpenAi {
            base_url: format!("http://{addr}/v1"),
            inner,
            _server: server,
        }
    }

    /// `http://127.0.0.1:PORT/v1`, as `OPENAI_BASE_URL` expects it.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// Answers every request that no scripted reply is left for.
    pub fn set_default(&self, f: impl Fn(&Value) -> FakeReply + Send + Sync + 'static) {
        lock(&self.inner).default = Some(Arc::new(f));
    }

    /// Scripts the answer to a coming request; scripted replies are used
    /// first, in the order they were pushed.
    pub fn push(&self, reply: FakeReply) {
        lock(&self.inner).scripted.push_back(reply);
    }

    /// Every request body received, in order.
    pub fn requests(&self) -> Vec<Value> {
        lock(&self.inner).requests.clone()
    }

    /// Answers every transcription of exactly `audio` with `reply`.
    pub fn transcribe(&self, audio: &[u8], reply: Transcript) {
        lock(&self.inner).transcripts.insert(audio.to_vec(), reply);
    }

    /// Every transcription request received, in order.
    pub fn transcriptions(&self) -> Vec<TranscriptionRequest> {
        lock(&self.inner).transcriptions.clone()
    }

    /// Requests without `response_format`: summary calls, as the
    /// OpenAI-compatible brain sends them.
    pub fn summary_calls(&self) -> usize {
        lock(&self.inner)
            .requests
            .iter()
            .filter(|r| r.get("response_format").is_none())
            .count()
    }
}

/// A test that panicked while holding the lock leaves plain data behind:
/// keep serving it.
fn lock(inner: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    inner.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `401` unless the fake takes any key or the request carries its own.
fn unauthorized(inner: &Inner, headers: &HeaderMap) -> Option<Response> {
    let key = inner.key.as_ref()?;
    let expected = format!("Bearer {key}");
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    (given != Some(expected.as_str())).then(|| {
        error(
            StatusCode::UNAUTHORIZED,
            "invalid_api_key",
            "Incorrect API key provided.",
        )
    })
}

async fn transcriptions(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let mut request = TranscriptionRequest {
        model: None,
        response_format: None,
        filename: None,
        content_type: None,
        audio: Vec::new(),
    };
    let mut has_file = false;
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request_error",
                    "Could not parse multipart form.",
                );
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(str::to_owned);
        let Ok(bytes) = field.bytes().await else {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                "Could not parse multipart form.",
            );
        };
        let text = || String::from_utf8(bytes.to_vec()).ok();
        match name.as_str() {
            "file" => {
                has_file = true;
                request.filename = filename;
                request.content_type = content_type;
                request.audio = bytes.to_vec();
            }
            "model" => request.model = text(),
            "response_format" => request.response_format = text(),
            _ => {}
        }
    }
    let reply = {
        let mut state = lock(&inner);
        state.transcriptions.push(request.clone());
        if let Some(refused) = unauthorized(&state, &headers) {
            return refused;
        }
        state.transcripts.get(&request.audio).cloned()
    };
    if !has_file || request.model.as_deref().is_none_or(str::is_empty) {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "you must provide a model parameter and a file",
        );
    }
    match reply {
        Some(Transcript::Hang) => std::future::pending().await,
        Some(Transcript::Text(text)) => {
            (StatusCode::OK, axum::Json(json!({ "text": text }))).into_response()
        }
        Some(Transcript::Status(code)) => error(
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "fake_error",
            "The fake server was told to fail this request.",
        ),
        None => error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "Audio file might be corrupted or unsupported",
        ),
    }
}

async fn completions(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "We could not parse the JSON body of your request.",
        );
    };
    let (scripted, default, served) = {
        let mut state = lock(&inner);
        state.requests.push(request.clone());
        if let Some(refused) = unauthorized(&state, &headers) {
            return refused;
        }
        state.served += 1;
        (
            state.scripted.pop_front(),
            state.default.clone(),
            state.served,
        )
    };
    // The default runs outside the lock: it is the test's code.
    let reply = match (scripted, default) {
        (Some(reply), _) => reply,
        (None, Some(default)) => default(&request),
        (None, None) => generic_reply(&request),
    };
    answer(reply, &request, served).await
}

/// What the fake says when a test scripted nothing.
fn generic_reply(request: &Value) -> FakeReply {
    if request.get("response_format").is_some() {
        FakeReply::Json(json!({
            "reply": "Thanks for your message! How can I help you?",
            "intent": null,
            "fields": [],
            "confidence": 0.9,
            "resolved": true
        }))
    } else {
        FakeReply::Raw("The customer greeted us and is exploring the offer.".to_owned())
    }
}

async fn answer(reply: FakeReply, request: &Value, served: u64) -> Response {
    let mut reply = reply;
    loop {
        match reply {
            FakeReply::Delay(wait, next) => {
                tokio::time::sleep(wait).await;
                reply = *next;
            }
            FakeReply::Hang => std::future::pending::<()>().await,
            FakeReply::Json(content) => {
                return completion(request, served, Some(content.to_string()), None);
            }
            FakeReply::Raw(content) => return completion(request, served, Some(content), None),
            FakeReply::ToolCalls(calls) => {
                let calls = calls
                    .into_iter()
                    .enumerate()
                    .map(|(i, (name, arguments))| {
                        json!({
                            "id": format!("call_{served}_{i}"),
                            "type": "function",
                            "function": { "name": name, "arguments": arguments.to_string() }
                        })
                    })
                    .collect();
                return completion(request, served, None, Some(calls));
            }
            FakeReply::Status(code) => {
                let status =
                    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                return error(
                    status,
                    "fake_error",
                    "The fake server was told to fail this request.",
                );
            }
            FakeReply::RateLimited { retry_after_secs } => {
                let mut response = error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limit_exceeded",
                    "Rate limit reached. Please try again later.",
                );
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    header::HeaderValue::from(retry_after_secs),
                );
                return response;
            }
        }
    }
}

/// A `chat.completion` object with one choice.
fn completion(
    request: &Value,
    served: u64,
    content: Option<String>,
    tool_calls: Option<Vec<Value>>,
) -> Response {
    let prompt_chars: usize = request["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| m["content"].as_str().map_or(0, str::len))
        .sum();
    let completion_chars = content.as_deref().map_or(0, str::len);
    let (prompt_tokens, completion_tokens) = (prompt_chars / 4, completion_chars / 4);
    let finish_reason = if tool_calls.is_some() {
        "tool_calls"
    } else {
        "stop"
    };
    let mut message = json!({ "role": "assistant", "content": content, "refusal": null });
    if let Some(calls) = tool_calls {
        message["tool_calls"] = Value::Array(calls);
    }
    let created = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let body = json!({
        "id": format!("chatcmpl-fake{served}"),
        "object": "chat.completion",
        "created": created,
        "model": request["model"].as_str().unwrap_or("fake-model"),
        "choices": [{ "index": 0, "message": message, "logprobs": null, "finish_reason": finish_reason }],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens
        },
        "system_fingerprint": "fp_fake"
    });
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// OpenAI's error envelope.
fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "error": { "message": message, "type": "invalid_request_error", "param": null, "code": code } });
    (status, axum::Json(body)).into_response()
}
