//! A fake Graph API (WhatsApp Cloud API) on loopback.
//!
//! It answers `POST /{version}/{phone_number_id}/messages` with the real wire
//! formats: a send gets `{"messaging_product":"whatsapp","contacts":[..],
//! "messages":[{"id":"wamid.…"}]}`, a read receipt (`"status":"read"`) gets
//! `{"success":true}`, and failures get Graph's error envelope
//! (`{"error":{"message","type","code","error_data","fbtrace_id"}}`). It
//! checks the bearer token (401 with code 190 otherwise) and the JSON body
//! (400 with code 100), records what it accepted, and fails sends on demand
//! ([`FakeGraph::fail_next`]) or at random ([`FakeGraph::fail_randomly`]).
//!
//! `POST /{version}/{phone_number_id}/media` takes a multipart upload
//! (`messaging_product=whatsapp`, `type`, `file`) as Meta's media API does,
//! answers `{"id": "<media id>"}` and records it ([`FakeGraph::uploads`]).
//!
//! Media a customer sent ([`FakeGraph::add_media`]) is downloaded as from
//! Meta: `GET /{version}/{media_id}` answers `{"messaging_product",
//! "url", "mime_type", "sha256", "file_size" (a string), "id"}`, and `GET`
//! on that URL (`/whatsapp_business/attachments/?mid=…`, as on Meta's
//! `lookaside.fbsbx.com`) answers the bytes; both need the bearer token.

use crate::server::{Server, loopback};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// A scripted failure for one send attempt: the HTTP status and the Graph
/// error code of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    pub status: u16,
    pub code: i64,
}

/// A file uploaded through the media API.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The request path: `/v23.0/{phone_number_id}/media`.
    pub path: String,
    /// The `file` part's file name.
    pub filename: Option<String>,
    /// The `type` field.
    pub mime_type: String,
    pub bytes: Vec<u8>,
    /// The id the fake answered with.
    pub media_id: String,
}

/// A message the fake accepted.
#[derive(Debug, Clone)]
pub struct SentMessage {
    /// The request path: `/v23.0/{phone_number_id}/messages`.
    pub path: String,
    pub to: String,
    /// The whole request body.
    pub body: Value,
    /// `text.body`, for `type: text`.
    pub text: Option<String>,
    /// The `wamid.` id the fake answered with.
    pub message_id: String,
    /// When the fake accepted it (for latency benchmarks).
    pub accepted_at: Instant,
}

/// Failures drawn at random for a share of the send attempts.
struct RandomFailures {
    share: f64,
    kinds: Vec<Failure>,
    rng: fastrand::Rng,
}

impl RandomFailures {
    fn draw(&mut self) -> Option<Failure> {
        if self.kinds.is_empty() || self.rng.f64() >= self.share {
            return None;
        }
        Some(self.kinds[self.rng.usize(..self.kinds.len())])
    }
}

/// A file a customer sent, as the media API serves it.
#[derive(Debug, Clone)]
struct Received {
    mime_type: String,
    bytes: Vec<u8>,
}

struct Inner {
    token: String,
    /// Media customers sent, by media id.
    received: HashMap<String, Received>,
    /// Successful downloads of media bytes, by media id, in order.
    downloads: Vec<String>,
    failures: VecDeque<Failure>,
    random: Option<RandomFailures>,
    sent: Vec<SentMessage>,
    reads: Vec<String>,
    uploads: Vec<Upload>,
    requests: usize,
    latency: Duration,
    next_id: u64,
    /// Where to report each accepted send's `sent` status, as Meta does.
    statuses_to: Option<StatusWebhook>,
    /// Recipients whose 24-hour window is closed: only templates reach them.
    closed_windows: Vec<String>,
}

/// A webhook the fake posts statuses to, signed like Meta's.
#[derive(Clone)]
struct StatusWebhook {
    url: String,
    app_secret: String,
    /// Shared by every report, so they reuse connections.
    client: reqwest::Client,
}

struct Shared {
    inner: Mutex<Inner>,
    /// The number of accepted messages, for [`FakeGraph::wait_for_sent`].
    sent_count: watch::Sender<usize>,
}

/// The fake server; it stops when dropped.
pub struct FakeGraph {
    base_url: String,
    shared: Arc<Shared>,
    /// Serves until the fake is dropped.
    _server: Server,
}

impl FakeGraph {
    /// Starts a fake that accepts only `Authorization: Bearer <access_token>`.
    pub async fn start(access_token: &str) -> FakeGraph {
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner {
                token: access_token.to_owned(),
                received: HashMap::new(),
                downloads: Vec::new(),
                failures: VecDeque::new(),
                random: None,
                sent: Vec::new(),
                reads: Vec::new(),
                uploads: Vec::new(),
                requests: 0,
                latency: Duration::ZERO,
                next_id: 1,
                statuses_to: None,
                closed_windows: Vec::new(),
            }),
            sent_count: watch::Sender::new(0),
        });
        let (listener, addr) = loopback("Graph API").await;
        let app = Router::new()
            .route("/{version}/{phone_number_id}/messages", post(messages))
            .route("/{version}/{phone_number_id}/media", post(media))
            // A media id sits where a number's id does on the other routes
            // (the router wants one name per segment).
            .route("/{version}/{phone_number_id}", get(media_details))
            .route("/whatsapp_business/attachments/", get(media_bytes))
            .with_state(shared.clone());
        let server = Server::serve(listener, app);
        FakeGraph {
            base_url: format!("http://{addr}"),
            shared,
            _server: server,
        }
    }

    /// `http://127.0.0.1:PORT`: no trailing slash, no version.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// Replaces the queue of failures: each coming send attempt (not read
    /// receipts) takes the next one, until the queue is empty.
    pub fn fail_next(&self, failures: Vec<Failure>) {
        self.lock().failures = failures.into();
    }

    /// Fails each coming send attempt (not read receipts) with probability
    /// `share`, with one of `kinds` drawn at random; the draws follow `seed`
    /// so a run can be repeated. Scripted failures ([`FakeGraph::fail_next`])
    /// come first.
    pub fn fail_randomly(&self, share: f64, kinds: Vec<Failure>, seed: u64) {
        self.lock().random = Some(RandomFailures {
            share,
            kinds,
            rng: fastrand::Rng::with_seed(seed),
        });
    }

    /// Closes `to`'s 24-hour window: from now on a free-form message to
    /// them is refused with 131047 (re-engagement), as Meta refuses it;
    /// templates still go through.
    pub fn close_window(&self, to: &str) {
        self.lock().closed_windows.push(to.to_owned());
    }

    /// Delays every answer by `latency` (for benchmarks).
    pub fn set_latency(&self, latency: Duration) {
        self.lock().latency = latency;
    }

    /// From now on, reports every accepted send to `webhook_url` as Meta
    /// does: a `sent` status webhook signed with `app_secret`, echoing the
    /// send's `biz_opaque_callback_data`, retried until it gets a 200.
    pub fn report_statuses_to(&self, webhook_url: &str, app_secret: &str) {
        self.lock().statuses_to = Some(StatusWebhook {
            url: webhook_url.to_owned(),
            app_secret: app_secret.to_owned(),
            client: reqwest::Client::new(),
        });
    }

    /// The accepted messages, in the order they were accepted.
    pub fn sent(&self) -> Vec<SentMessage> {
        self.lock().sent.clone()
    }

    /// How many messages were accepted, without copying them (for polls).
    pub fn sent_count(&self) -> usize {
        self.lock().sent.len()
    }

    /// Waits until at least `n` messages were accepted and returns them all.
    ///
    /// # Panics
    ///
    /// When fewer than `n` arrive within `timeout`, naming how many did.
    pub async fn wait_for_sent(&self, n: usize, timeout: Duration) -> Vec<SentMessage> {
        let mut count = self.shared.sent_count.subscribe();
        if tokio::time::timeout(timeout, count.wait_for(|&sent| sent >= n))
            .await
            .is_err()
        {
            let sent = self.sent();
            panic!(
                "the fake Graph API got {} of {n} expected messages within {timeout:?}: {sent:#?}",
                sent.len()
            );
        }
        self.sent()
    }

    /// The files uploaded through the media API, in order.
    pub fn uploads(&self) -> Vec<Upload> {
        self.lock().uploads.clone()
    }

    /// Makes `bytes` downloadable as media a customer sent, and returns
    /// its media id (for a webhook's `audio.id`, `image.id`, ...).
    pub fn add_media(&self, mime_type: &str, bytes: &[u8]) -> String {
        let mut inner = self.lock();
        let media_id = format!("{}", 800_000_000_000_u64 + inner.next_id);
        inner.next_id += 1;
        inner.received.insert(
            media_id.clone(),
            Received {
                mime_type: mime_type.to_owned(),
                bytes: bytes.to_vec(),
            },
        );
        media_id
    }

    /// The media ids whose bytes were downloaded, in order.
    pub fn downloads(&self) -> Vec<String> {
        self.lock().downloads.clone()
    }

    /// The message ids marked read, in order.
    pub fn reads(&self) -> Vec<String> {
        self.lock().reads.clone()
    }

    /// Send attempts so far, accepted or failed; read receipts excluded.
    pub fn requests(&self) -> usize {
        self.lock().requests
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        lock(&self.shared)
    }
}

/// A test that panicked while holding the lock leaves plain data behind:
/// keep serving it.
fn lock(shared: &Shared) -> MutexGuard<'_, Inner> {
    shared.inner.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn messages(
    State(shared): State<Arc<Shared>>,
    Path((version, phone_number_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let latency = lock(&shared).latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if let Some(refused) = refused(&shared, &headers, &version) {
        return refused;
    }
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return graph_error(StatusCode::BAD_REQUEST, 100);
    };
    if request["messaging_product"] != "whatsapp" {
        return graph_error(StatusCode::BAD_REQUEST, 100);
    }
    if request["status"] == "read" {
        return read_receipt(&shared, &request);
    }

    let mut inner = lock(&shared);
    inner.requests += 1;
    let failure = match inner.failures.pop_front() {
        Some(failure) => Some(failure),
        None => inner.random.as_mut().and_then(RandomFailures::draw),
    };
    if let Some(failure) = failure {
        return graph_error(
            StatusCode::from_u16(failure.status).unwrap_or(StatusCode::BAD_REQUEST),
            failure.code,
        );
    }
    let (Some(to), Some(kind)) = (request["to"].as_str(), request["type"].as_str()) else {
        return graph_error(StatusCode::BAD_REQUEST, 100);
    };
    if request.get(kind).is_none() {
        return graph_error(StatusCode::BAD_REQUEST, 100);
    }
    if kind != "template" && inner.closed_windows.iter().any(|closed| closed == to) {
        return graph_error(StatusCode::BAD_REQUEST, 131_047);
    }
    let to = to.to_owned();
    let callback = request["biz_opaque_callback_data"]
        .as_str()
        .map(str::to_owned);
    let message_id = format!("wamid.FAKE{:020}", inner.next_id);
    inner.next_id += 1;
    inner.sent.push(SentMessage {
        path: format!("/{version}/{phone_number_id}/messages"),
        to: to.clone(),
        text: (kind == "text")
            .then(|| request["text"]["body"].as_str().map(str::to_owned))
            .flatten(),
        body: request,
        message_id: message_id.clone(),
        accepted_at: Instant::now(),
    });
    let count = inner.sent.len();
    let report = inner.statuses_to.clone();
    drop(inner);
    if let Some(webhook) = report {
        tokio::spawn(report_sent(
            webhook,
            to.clone(),
            message_id.clone(),
            callback,
        ));
    }
    shared.sent_count.send_replace(count);
    let answer = json!({
        "messaging_product": "whatsapp",
        "contacts": [{ "input": to, "wa_id": to }],
        "messages": [{ "id": message_id }]
    });
    (StatusCode::OK, axum::Json(answer)).into_response()
}

/// The bearer token and version checks every endpoint makes: the error
/// answer when one fails.
fn refused(shared: &Shared, headers: &HeaderMap, version: &str) -> Option<Response> {
    unauthorized(shared, headers)
        .or_else(|| (!is_version(version)).then(|| graph_error(StatusCode::BAD_REQUEST, 100)))
}

/// The bearer token check: the error answer when it fails.
fn unauthorized(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    let token = lock(shared).token.clone();
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    (given != Some(format!("Bearer {token}").as_str()))
        .then(|| graph_error(StatusCode::UNAUTHORIZED, 190))
}

/// The media API's upload: multipart with `messaging_product=whatsapp`,
/// `type` (the MIME type) and `file`; answers `{"id": ...}`.
async fn media(
    State(shared): State<Arc<Shared>>,
    Path((version, phone_number_id)): Path<(String, String)>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    if let Some(refused) = refused(&shared, &headers, &version) {
        return refused;
    }
    let (mut product, mut mime_type, mut file) = (None, None, None);
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return graph_error(StatusCode::BAD_REQUEST, 100),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field.file_name().map(str::to_owned);
        let Ok(bytes) = field.bytes().await else {
            return graph_error(StatusCode::BAD_REQUEST, 100);
        };
        match name.as_str() {
            "messaging_product" => product = Some(bytes),
            "type" => mime_type = String::from_utf8(bytes.to_vec()).ok(),
            "file" => file = Some((filename, bytes.to_vec())),
            _ => {}
        }
    }
    let (Some(b"whatsapp"), Some(mime_type), Some((filename, bytes))) =
        (product.as_deref(), mime_type, file)
    else {
        return graph_error(StatusCode::BAD_REQUEST, 100);
    };
    let mut inner = lock(&shared);
    let media_id = format!("{}", 900_000_000_000_u64 + inner.next_id);
    inner.next_id += 1;
    inner.uploads.push(Upload {
        path: format!("/{version}/{phone_number_id}/media"),
        filename,
        mime_type,
        bytes,
        media_id: media_id.clone(),
    });
    (StatusCode::OK, axum::Json(json!({ "id": media_id }))).into_response()
}

/// `GET /{version}/{media_id}`: the details of a media a customer sent,
/// with the URL its bytes are downloaded from.
async fn media_details(
    State(shared): State<Arc<Shared>>,
    Path((version, media_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = refused(&shared, &headers, &version) {
        return refused;
    }
    let Some(media) = lock(&shared).received.get(&media_id).cloned() else {
        // What Graph answers for an id it does not know (or no longer keeps).
        return graph_error(StatusCode::BAD_REQUEST, 100);
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let body = json!({
        "messaging_product": "whatsapp",
        "url": format!("http://{host}/whatsapp_business/attachments/?mid={media_id}&ext=1732406400&hash=ATfake"),
        "mime_type": media.mime_type,
        "sha256": hex::encode(Sha256::digest(&media.bytes)),
        "file_size": media.bytes.len().to_string(),
        "id": media_id,
    });
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// `GET /whatsapp_business/attachments/?mid=…`: the bytes, for the bearer
/// token only, as Meta serves them.
async fn media_bytes(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = unauthorized(&shared, &headers) {
        return refused;
    }
    let mut inner = lock(&shared);
    let Some(media) = query
        .get("mid")
        .and_then(|id| inner.received.get(id))
        .cloned()
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    inner.downloads.push(query["mid"].clone());
    drop(inner);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, media.mime_type)],
        media.bytes,
    )
        .into_response()
}

/// Posts the `sent` status of one message, as Meta retries: until a 200,
/// here for at most a minute.
async fn report_sent(
    webhook: StatusWebhook,
    to: String,
    message_id: String,
    callback: Option<String>,
) {
    let mut payload = crate::webhook::status(&to, &message_id, "sent");
    if let Some(callback) = callback {
        payload["entry"][0]["changes"][0]["value"]["statuses"][0]["biz_opaque_callback_data"] =
            Value::String(callback);
    }
    let body = payload.to_string();
    let signature = crate::webhook::signature(&webhook.app_secret, body.as_bytes());
    for _ in 0..600 {
        let answer = webhook
            .client
            .post(&webhook.url)
            .header("content-type", "application/json")
            .header("x-hub-signature-256", &signature)
            .body(body.clone())
            .timeout(Duration::from_secs(10))
            .send()
            .await;
        if answer.is_ok_and(|a| a.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn read_receipt(shared: &Shared, request: &Value) -> Response {
    let Some(message_id) = request["message_id"].as_str() else {
        return graph_error(StatusCode::BAD_REQUEST, 100);
    };
    lock(shared).reads.push(message_id.to_owned());
    (StatusCode::OK, axum::Json(json!({ "success": true }))).into_response()
}

/// `v23.0` and the like.
fn is_version(version: &str) -> bool {
    version
        .strip_prefix('v')
        .and_then(|v| v.split_once('.'))
        .is_some_and(|(major, minor)| {
            [major, minor]
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// Graph's error envelope for `code`, with the message Meta gives it.
fn graph_error(status: StatusCode, code: i64) -> Response {
    let (message, details) = match code {
        0 | 190 => (
            "Invalid OAuth access token - Cannot parse access token",
            "Invalid OAuth access token",
        ),
        1 => (
            "An unknown error occurred",
            "Invalid request or possible server error.",
        ),
        2 => (
            "Service temporarily unavailable",
            "Temporary due to downtime or due to being overloaded.",
        ),
        100 => ("(#100) Invalid parameter", "Invalid parameter"),
        130429 => (
            "(#130429) Rate limit hit",
            "Cloud API message throughput has been reached.",
        ),
        131000 => (
            "Something went wrong",
            "Message failed to send due to an unknown error.",
        ),
        131047 => (
            "(#131047) Re-engagement message",
            "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
        ),
        131056 => (
            "(#131056) (Business Account, Consumer Account) pair rate limit hit",
            "Too many messages sent from the sender phone number to the same recipient phone number in a short period of time.",
        ),
        _ => ("Error", "A failure scripted in the fake Graph API."),
    };
    let body = json!({
        "error": {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "error_data": { "messaging_product": "whatsapp", "details": details },
            "fbtrace_id": "AFakeGraphTraceId"
        }
    });
    (status, axum::Json(body)).into_response()
}
