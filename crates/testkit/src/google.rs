//! A fake Google on loopback: the OAuth2 token endpoint of a service
//! account and the Calendar API's `freeBusy`, `events.insert`, `events.get`
//! and `events.delete`, with Google's wire formats.
//!
//! The token endpoint checks what Google checks: the grant type, the JWT
//! assertion's RS256 signature against the test key's public key, and its
//! claims (`iss`, `scope`, `aud` = the token URI, `iat`/`exp`). Calendar
//! calls need a token it issued (401 otherwise); `freeBusy` is computed from
//! the stored events; an insert with an id already used gets 409
//! `duplicate`; [`FakeGoogle::fail_next`] scripts failures. Errors use
//! Google's envelope `{"error":{"code","message","errors":[{"domain",
//! "reason","message"}]}}`.

use crate::server::{Server, loopback};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::Timestamp;
use ring::signature::{KeyPair, RSA_PKCS1_2048_8192_SHA256, RsaKeyPair, UnparsedPublicKey};
use rustls_pki_types::PrivatePkcs8KeyDer;
use rustls_pki_types::pem::PemObject;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// TEST ONLY: a 2048-bit RSA key generated for these tests and published
/// with them. It signs nothing but JWTs sent to this fake.
pub const TEST_PRIVATE_KEY_PEM: &str = "\
-----BEGIN PRIVATE KEY-----\n\
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCZ7m5rTPGP45Tv\n\
ZSc0H9Tp60/8CmP3UxNQrS5C2pLiOmIHnclwNUpybXRch8YfDphOfrDDBssVjfH1\n\
0jGO21xr+U0zzISP2l8PVpWs2xKdpsZNcTQcUZsKGnnbFsjM1CDp/DlYiLyHo8/h\n\
MivdlHeEF9Ed6Yx3jw4pkYhiTjbMo2WzmkuW6ogrB4qXczzfBw7g6gbgmaj/bel7\n\
iFQrPYgn4ONF4bRNxLnsUovVTHfOajMmriDB7zlMCWrQljP6I9g0WLR2xLlKefkk\n\
IZ6UUgWvb7QYNKWYhHaOeebefhHBmnMPOshxlhCEQDg63K2Ym1PtDD3N74MptVI6\n\
DaPCBf5VAgMBAAECggEANxnZ7c/zsnmZUR6I64gve3KPxZ1kjl5vDhSH+Edsh821\n\
VJufRWrWFOLoYcz6Vxiu3X5NQOq4HKWchM2yjrwoN8BcadveYe4d1Aw+9MrQvZ06\n\
4/LPYAm4MWQr1Yiw5V1T0N5IGtCLiBRT7/05JY6lP6QU55u3+/456Bhf1SzBQfv3\n\
QN3FPLfSKujnLTx0HASK/oUKenGWvkW12iV33dsZap2f9cB9l1ME+aXmGt/Q2C1e\n\
xsnO9GChUndc0BofSt/W8XeItqPsLy8hei6hTRxlUGEZyb4wSv6r/P5zamkPTtGa\n\
ZaNUf9hvoiTcZKXXu4XvI/A3owMLxbYJ6LtY8lMBmwKBgQDP6j720WkG5qUQvLJy\n\
z9lHnSYwOLcw1t7D+jHassDo2VRoiyBK0ccxlqYYj5mnefcS00/mCMKKG1sSVlr0\n\
X9FFtMKIRLcWIJqsgVVjaGfmSZ22F4bmxlcfM/ImwLcSW8Yx4Iv9/ig4/p9NS2IP\n\
d0SsJJ8x49f7U2dTOBdy9OHIiwKBgQC9iAuviSSnArwZSfiY3GbSrEdBwCA4gf4Q\n\
gX4WIZ5rqVQo2XgVD/j3yArr/OtAHeg2LRHr7wEuBjJrzF1QDw0iDxMGcSy5KtRB\n\
FOsyAKI7f+sT+f1YfkLOX6YcHAxIoH1lE33zZdlpTNiJtgy95zj6LxujmDgu1SUB\n\
+9p3Nj1QnwKBgHnn5Mce/a+4KGxp10+OIt3kfHGlr3OJaNALsJOEX6unUeCCQorb\n\
+SlQJU8dU4Bo+L8m+x/rXvVPGNTloSrLy45NcAoqEBd/QnGG26QPoWvbGgecP9Kr\n\
1IVNFdw2/qBbAxhXin2AOeFBGfJeEr7ytWchid3cs9R+kISwzL7wajoFAoGAAPFa\n\
TYc7HXGQCfgqOmhuQoIE4LjZ8C4FW4OpYubL6PEwr/tU85XewSzHkSDy8qCzdQGI\n\
Y0oPEXGKcqrTlABfKlo02AVcGZey8pfuC5OhOvaJ7tGBhx0pq+kh5GXnUb0qooQU\n\
Tk+lYza0pQq4yYEK8YOmeYvaS7FXu8jK72jfqTUCgYEAqv8GB+qG09p6W1T3D6DC\n\
APkZ7HGmrTBp8IUZu9Tu7nvP0hrZypSoA8/KtZD9Xo0t7E/LnevlBi4UElItoO2q\n\
ZOhK7yi5cwShyfeE2rymfr3XPH6msqoBDfB33+QNfSpeRKjuF540GIWl2ZaC+Lam\n\
aVJEuTl69ILjiMb+dUnbNGA=\n\
-----END PRIVATE KEY-----\n";

/// The service account of [`TEST_PRIVATE_KEY_PEM`].
pub const TEST_CLIENT_EMAIL: &str = "leadline-test@leadline-test.iam.gserviceaccount.com";

const SCOPE: &str = "https://www.googleapis.com/auth/calendar";
const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// An event the fake holds.
#[derive(Debug, Clone)]
pub struct FakeEvent {
    pub id: String,
    pub calendar_id: String,
    pub start: Timestamp,
    pub end: Timestamp,
    /// `confirmed`, or `cancelled` once deleted.
    pub status: String,
    /// The event resource as inserted (for `events.insert`) plus the fields
    /// the fake sets (`kind`, `id`, `status`, `htmlLink`).
    pub resource: Value,
}

struct Inner {
    token_uri: String,
    public_key: Vec<u8>,
    issued: Vec<String>,
    token_lifetime: u64,
    failures: VecDeque<u16>,
    /// Statuses for coming inserts that store the event anyway.
    lost_answers: VecDeque<u16>,
    events: Vec<FakeEvent>,
    next_id: u64,
}

type Shared = Arc<Mutex<Inner>>;

/// The fake server; it stops when dropped.
pub struct FakeGoogle {
    base_url: String,
    shared: Shared,
    /// Serves until the fake is dropped.
    _server: Server,
}

impl FakeGoogle {
    /// Starts the fake on `127.0.0.1:0`.
    pub async fn start() -> FakeGoogle {
        let der = PrivatePkcs8KeyDer::from_pem_slice(TEST_PRIVATE_KEY_PEM.as_bytes())
            .expect("the test key is PKCS#8 PEM");
        let key = RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()).expect("the test key is RSA");
        let (listener, addr) = loopback("Google").await;
        let base_url = format!("http://{addr}");
        let shared = Arc::new(Mutex::new(Inner {
            token_uri: format!("{base_url}/token"),
            public_key: key.public_key().as_ref().to_vec(),
            issued: Vec::new(),
            token_lifetime: 3599,
            failures: VecDeque::new(),
            lost_answers: VecDeque::new(),
            events: Vec::new(),
            next_id: 1,
        }));
        let app = Router::new()
            .route("/token", post(token))
            .route("/calendar/v3/freeBusy", post(free_busy))
            .route("/calendar/v3/calendars/{calendar_id}/events", post(insert))
            .route(
                "/calendar/v3/calendars/{calendar_id}/events/{event_id}",
                get(get_event).delete(delete_event),
            )
            .with_state(shared.clone());
        let server = Server::serve(listener, app);
        FakeGoogle {
            base_url,
            shared,
            _server: server,
        }
    }

    /// `http://127.0.0.1:PORT`, for `GOOGLE_API_BASE`.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// The token endpoint, as written in [`FakeGoogle::key_file`].
    pub fn token_uri(&self) -> String {
        self.lock().token_uri.clone()
    }

    /// Writes a service-account key file whose `token_uri` points at this
    /// fake into `dir`, and returns its path.
    pub fn key_file(&self, dir: &std::path::Path) -> std::path::PathBuf {
        let key = json!({
            "type": "service_account",
            "project_id": "leadline-test",
            "private_key_id": "0123456789abcdef",
            "private_key": TEST_PRIVATE_KEY_PEM,
            "client_email": TEST_CLIENT_EMAIL,
            "client_id": "100000000000000000000",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": self.token_uri(),
        });
        let path = dir.join("service-account.json");
        std::fs::write(&path, key.to_string()).expect("the test directory is writable");
        path
    }

    /// How long issued tokens live (`expires_in`, seconds; default 3599).
    pub fn set_token_lifetime(&self, seconds: u64) {
        self.lock().token_lifetime = seconds;
    }

    /// The access tokens issued so far, one per accepted token request.
    pub fn tokens_issued(&self) -> usize {
        self.lock().issued.len()
    }

    /// Fails the coming Calendar API requests (not token requests), one
    /// status each, in order.
    pub fn fail_next(&self, statuses: Vec<u16>) {
        self.lock().failures = statuses.into();
    }

    /// The next `events.insert` stores the event but answers `status`, as
    /// when the answer is lost on the way back.
    pub fn lose_next_insert_answer(&self, status: u16) {
        self.lock().lost_answers.push_back(status);
    }

    /// Puts an event on `calendar_id` as someone else would: it makes the
    /// time busy.
    pub fn add_event(&self, calendar_id: &str, start: Timestamp, end: Timestamp) -> String {
        let mut inner = self.lock();
        let id = format!("other{:06}", inner.next_id);
        inner.next_id += 1;
        inner.events.push(FakeEvent {
            id: id.clone(),
            calendar_id: calendar_id.to_owned(),
            start,
            end,
            status: "confirmed".to_owned(),
            resource: json!({
                "kind": "calendar#event",
                "id": id,
                "status": "confirmed",
                "start": { "dateTime": start.to_string() },
                "end": { "dateTime": end.to_string() },
            }),
        });
        id
    }

    /// Every event, cancelled ones included, in insertion order.
    pub fn events(&self) -> Vec<FakeEvent> {
        self.lock().events.clone()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        lock(&self.shared)
    }
}

/// A test that panicked while holding the lock leaves plain data behind:
/// keep serving it.
fn lock(shared: &Shared) -> MutexGuard<'_, Inner> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

fn oauth_error(error: &str, description: &str) -> Response {
    let body = json!({ "error": error, "error_description": description });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

fn google_error(status: StatusCode, reason: &str, message: &str) -> Response {
    let body = json!({
        "error": {
            "code": status.as_u16(),
            "message": message,
            "errors": [{ "domain": "global", "reason": reason, "message": message }],
        }
    });
    (status, Json(body)).into_response()
}

#[derive(Deserialize)]
struct TokenRequest {
    grant_type: String,
    assertion: String,
}

async fn token(State(shared): State<Shared>, Form(request): Form<TokenRequest>) -> Response {
    if request.grant_type != GRANT_TYPE {
        return oauth_error("unsupported_grant_type", "Invalid grant_type.");
    }
    let mut inner = lock(&shared);
    if let Err(problem) = check_assertion(&request.assertion, &inner) {
        return oauth_error("invalid_grant", problem);
    }
    let token = format!("ya29.fake-{}", inner.issued.len() + 1);
    inner.issued.push(token.clone());
    let body = json!({
        "access_token": token,
        "expires_in": inner.token_lifetime,
        "token_type": "Bearer",
    });
    (StatusCode::OK, Json(body)).into_response()
}

fn check_assertion(assertion: &str, inner: &Inner) -> Result<(), &'static str> {
    let mut parts = assertion.split('.');
    let (Some(header), Some(claims), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("Invalid JWT: not three segments.");
    };
    let decode = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| "Invalid JWT: not base64url.")
    };
    let header: Value =
        serde_json::from_slice(&decode(header)?).map_err(|_| "Invalid JWT header.")?;
    if header["alg"] != "RS256" {
        return Err("Invalid JWT: alg must be RS256.");
    }
    let signed = &assertion[..assertion.len() - signature.len() - 1];
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &inner.public_key)
        .verify(signed.as_bytes(), &decode(signature)?)
        .map_err(|_| "Invalid JWT Signature.")?;
    let claims: Value =
        serde_json::from_slice(&decode(claims)?).map_err(|_| "Invalid JWT claims.")?;
    if claims["iss"] != TEST_CLIENT_EMAIL {
        return Err("Invalid issuer.");
    }
    let scopes = claims["scope"].as_str().unwrap_or_default();
    if !scopes.split(' ').any(|s| s == SCOPE) {
        return Err("Invalid scope.");
    }
    if claims["aud"] != inner.token_uri.as_str() {
        return Err("Invalid audience.");
    }
    let now = Timestamp::now().as_second();
    let (Some(iat), Some(exp)) = (claims["iat"].as_i64(), claims["exp"].as_i64()) else {
        return Err("Invalid JWT: iat and exp are required.");
    };
    if iat > now + 60 || exp <= now || exp - iat > 3600 {
        return Err(
            "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.",
        );
    }
    Ok(())
}

/// Checks the bearer token and takes the next scripted failure: the
/// response that refuses the request, if any.
fn refusal(inner: &mut Inner, headers: &HeaderMap) -> Option<Response> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !bearer.is_some_and(|t| inner.issued.iter().any(|issued| issued == t)) {
        return Some(google_error(
            StatusCode::UNAUTHORIZED,
            "authError",
            "Request had invalid authentication credentials.",
        ));
    }
    if let Some(status) = inner.failures.pop_front() {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return Some(google_error(status, "backendError", "Backend Error"));
    }
    None
}

/// A write's JSON body, once [`refusal`] lets the request through; Google's
/// `parseError` when the body is not JSON.
/// The refusal is boxed: a `Response` is large next to what the `Ok` holds.
fn accepted_json(
    inner: &mut Inner,
    headers: &HeaderMap,
    body: &str,
) -> Result<Value, Box<Response>> {
    if let Some(response) = refusal(inner, headers) {
        return Err(Box::new(response));
    }
    serde_json::from_str(body).map_err(|_| {
        Box::new(google_error(
            StatusCode::BAD_REQUEST,
            "parseError",
            "Parse Error",
        ))
    })
}

/// An RFC 3339 time as Google's requests carry it; `None` when absent or
/// unreadable.
fn timestamp(value: &Value) -> Option<Timestamp> {
    value.as_str().and_then(|t| t.parse().ok())
}

async fn free_busy(State(shared): State<Shared>, headers: HeaderMap, body: String) -> Response {
    let mut inner = lock(&shared);
    let request = match accepted_json(&mut inner, &headers, &body) {
        Ok(request) => request,
        Err(refused) => return *refused,
    };
    let (Some(min), Some(max)) = (
        timestamp(&request["timeMin"]),
        timestamp(&request["timeMax"]),
    ) else {
        return google_error(
            StatusCode::BAD_REQUEST,
            "required",
            "Missing timeMin or timeMax.",
        );
    };
    let ids = request["items"].as_array().cloned().unwrap_or_default();
    let mut calendars = serde_json::Map::new();
    for id in ids.iter().filter_map(|item| item["id"].as_str()) {
        let mut busy: Vec<(Timestamp, Timestamp)> = inner
            .events
            .iter()
            .filter(|e| e.calendar_id == id && e.status != "cancelled")
            .filter(|e| e.start < max && min < e.end)
            .map(|e| (e.start.max(min), e.end.min(max)))
            .collect();
        busy.sort();
        let busy: Vec<Value> = busy
            .iter()
            .map(|(start, end)| json!({ "start": start.to_string(), "end": end.to_string() }))
            .collect();
        calendars.insert(id.to_owned(), json!({ "busy": busy }));
    }
    let answer = json!({
        "kind": "calendar#freeBusy",
        "timeMin": min.to_string(),
        "timeMax": max.to_string(),
        "calendars": calendars,
    });
    (StatusCode::OK, Json(answer)).into_response()
}

/// Google's rule for client-chosen event ids: base32hex, 5–1024 long.
fn valid_event_id(id: &str) -> bool {
    (5..=1024).contains(&id.len()) && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'v'))
}

async fn insert(
    State(shared): State<Shared>,
    Path(calendar_id): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let mut inner = lock(&shared);
    let mut resource = match accepted_json(&mut inner, &headers, &body) {
        Ok(resource) => resource,
        Err(refused) => return *refused,
    };
    let (Some(start), Some(end)) = (
        timestamp(&resource["start"]["dateTime"]),
        timestamp(&resource["end"]["dateTime"]),
    ) else {
        return google_error(
            StatusCode::BAD_REQUEST,
            "required",
            "Missing start or end time.",
        );
    };
    if end <= start {
        return google_error(
            StatusCode::BAD_REQUEST,
            "timeRangeEmpty",
            "The specified time range is empty.",
        );
    }
    let id = match resource["id"].as_str() {
        Some(id) if !valid_event_id(id) => {
            return google_error(
                StatusCode::BAD_REQUEST,
                "invalid",
                "Invalid resource id value.",
            );
        }
        Some(id) => id.to_owned(),
        None => {
            inner.next_id += 1;
            format!("fake{:06}", inner.next_id)
        }
    };
    if inner.events.iter().any(|e| e.id == id) {
        return google_error(
            StatusCode::CONFLICT,
            "duplicate",
            "The requested identifier already exists.",
        );
    }
    resource["kind"] = json!("calendar#event");
    resource["id"] = json!(id);
    resource["status"] = json!("confirmed");
    resource["htmlLink"] = json!(format!("https://www.google.com/calendar/event?eid={id}"));
    if let Some(attendees) = resource["attendees"].as_array_mut() {
        for attendee in attendees {
            attendee["responseStatus"] = json!("needsAction");
        }
    }
    inner.events.push(FakeEvent {
        id,
        calendar_id,
        start,
        end,
        status: "confirmed".to_owned(),
        resource: resource.clone(),
    });
    if let Some(status) = inner.lost_answers.pop_front() {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        return google_error(status, "backendError", "Backend Error");
    }
    (StatusCode::OK, Json(resource)).into_response()
}

/// The event a request names, once [`refusal`] lets it through; Google's
/// `notFound` when the calendar has no such event.
fn event<'a>(
    inner: &'a mut Inner,
    headers: &HeaderMap,
    calendar_id: &str,
    event_id: &str,
) -> Result<&'a mut FakeEvent, Box<Response>> {
    if let Some(response) = refusal(inner, headers) {
        return Err(Box::new(response));
    }
    inner
        .events
        .iter_mut()
        .find(|e| e.calendar_id == calendar_id && e.id == event_id)
        .ok_or_else(|| Box::new(google_error(StatusCode::NOT_FOUND, "notFound", "Not Found")))
}

async fn get_event(
    State(shared): State<Shared>,
    Path((calendar_id, event_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let mut inner = lock(&shared);
    match event(&mut inner, &headers, &calendar_id, &event_id) {
        Ok(event) => (StatusCode::OK, Json(event.resource.clone())).into_response(),
        Err(refused) => *refused,
    }
}

async fn delete_event(
    State(shared): State<Shared>,
    Path((calendar_id, event_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let mut inner = lock(&shared);
    let event = match event(&mut inner, &headers, &calendar_id, &event_id) {
        Ok(event) => event,
        Err(refused) => return *refused,
    };
    if event.status == "cancelled" {
        return google_error(StatusCode::GONE, "deleted", "Resource has been deleted");
    }
    event.status = "cancelled".to_owned();
    event.resource["status"] = json!("cancelled");
    StatusCode::NO_CONTENT.into_response()
}
