//! `GET /webhook` (Meta's verification handshake) and `POST /webhook`
//! (signed notifications): check, parse, enqueue durably, answer. No model
//! call and no conversation load happen here, so Meta never waits.

use super::client::{self, Client};
use super::{AppState, MAX_WEBHOOK_BODY};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_LENGTH, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http_body_util::LengthLimitError;
use leadline_engine::ingress;
use leadline_whatsapp::signature::{SignatureError, verify_signature};
use leadline_whatsapp::verification::{VerificationError, verify_subscription};
use leadline_whatsapp::webhook::{ParseError, parse_notification};
use serde::Deserialize;
use tokio::sync::OwnedSemaphorePermit;

/// The body limit is the router's (`RequestBodyLimitLayer`): a declared
/// `Content-Length` over it is refused before anything is read.
pub fn router() -> Router<AppState> {
    Router::new().route("/webhook", get(verify).post(receive))
}

#[derive(Debug, Deserialize)]
struct Handshake {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

async fn verify(
    State(state): State<AppState>,
    client: Client,
    Query(q): Query<Handshake>,
) -> Response {
    let Some(expected) = &state.verify_token else {
        tracing::warn!("webhook verification refused: WHATSAPP_VERIFY_TOKEN is not set");
        return (StatusCode::FORBIDDEN, "verification is not configured").into_response();
    };
    match verify_subscription(
        q.mode.as_deref(),
        q.token.as_deref(),
        q.challenge.as_deref(),
        expected.expose(),
    ) {
        Ok(challenge) => {
            tracing::info!("webhook verified by Meta");
            challenge.into_response()
        }
        Err(e) => {
            tracing::warn!(error = %e, "webhook verification refused");
            // A wrong verify token is a guess: limited like the admin token.
            if matches!(e, VerificationError::WrongToken) && q.token.is_some() {
                match client::failed(&state, &client, "verify token").await {
                    Ok(false) => {}
                    Ok(true) => {
                        return (
                            StatusCode::TOO_MANY_REQUESTS,
                            [(RETRY_AFTER, client::retry_after())],
                            "too many failed attempts: try again later",
                        )
                            .into_response();
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot count a failed verification");
                        return Rejection::StoreDown.into_response();
                    }
                }
            }
            (StatusCode::FORBIDDEN, "verification failed").into_response()
        }
    }
}

/// Why a delivery was not accepted; each maps to the status Meta acts on.
#[derive(Debug)]
enum Rejection {
    NotConfigured,
    Signature,
    NotJson,
    TooLarge,
    /// The body could not be read in time or at all.
    Unread,
    /// [`super::WEBHOOK_BUFFER`] is taken by other deliveries.
    Busy,
    StoreDown,
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let (status, outcome, text) = match self {
            Rejection::NotConfigured => (
                StatusCode::FORBIDDEN,
                "not_configured",
                "signature checking is not configured",
            ),
            Rejection::Signature => (StatusCode::FORBIDDEN, "bad_signature", "invalid signature"),
            Rejection::NotJson => (StatusCode::BAD_REQUEST, "not_json", "body is not JSON"),
            Rejection::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large", "body too large"),
            Rejection::Unread => (
                StatusCode::BAD_REQUEST,
                "unread",
                "the body could not be read",
            ),
            Rejection::Busy => (
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "too many deliveries at once: try again later",
            ),
            // Meta retries anything that is not 200: nothing is lost.
            Rejection::StoreDown => (
                StatusCode::SERVICE_UNAVAILABLE,
                "store_unavailable",
                "try again later",
            ),
        };
        metrics::counter!("leadline_webhook_requests_total", "outcome" => outcome).increment(1);
        let mut response = (status, text).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

/// Reads a delivery's body within [`super::WEBHOOK_BUFFER`]: its declared
/// length (else the largest allowed) is reserved first, so a flood of
/// bodies, signed or not, holds a bounded amount of memory. The permit is
/// held until the delivery is handled.
async fn read_body(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<(Bytes, OwnedSemaphorePermit), Rejection> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let reserve = declared.unwrap_or(MAX_WEBHOOK_BODY).min(MAX_WEBHOOK_BODY);
    let permit = u32::try_from(reserve)
        .ok()
        .and_then(|n| state.webhook_buffer.clone().try_acquire_many_owned(n).ok())
        .ok_or_else(|| {
            tracing::warn!(
                bytes = reserve,
                "webhook refused: too many bodies in flight"
            );
            Rejection::Busy
        })?;
    match axum::body::to_bytes(body, reserve).await {
        Ok(bytes) => Ok((bytes, permit)),
        Err(e) if too_large(&e) => {
            tracing::warn!("webhook refused: body too large");
            Err(Rejection::TooLarge)
        }
        Err(e) => {
            tracing::warn!(error = %e, "webhook refused: the body could not be read");
            Err(Rejection::Unread)
        }
    }
}

fn too_large(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(error) = source {
        if error.is::<LengthLimitError>() {
            return true;
        }
        source = error.source();
    }
    false
}

async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, Rejection> {
    let Some(secret) = &state.app_secret else {
        tracing::warn!("webhook refused: WHATSAPP_APP_SECRET is not set");
        return Err(Rejection::NotConfigured);
    };
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    // A missing or malformed signature is refused before the body is read.
    if let Err(e @ (SignatureError::Missing | SignatureError::Malformed)) =
        verify_signature(secret.expose().as_bytes(), signature, &[])
    {
        tracing::warn!(error = %e, "webhook refused: bad signature");
        return Err(Rejection::Signature);
    }
    let (body, _permit) = read_body(&state, &headers, body).await?;
    if let Err(e) = verify_signature(secret.expose().as_bytes(), signature, &body) {
        tracing::warn!(error = %e, bytes = body.len(), "webhook refused: bad signature");
        return Err(Rejection::Signature);
    }
    let notification = match parse_notification(&body) {
        Ok(n) => n,
        Err(ParseError::NotJson(_)) => {
            tracing::warn!(bytes = body.len(), "webhook refused: body is not JSON");
            return Err(Rejection::NotJson);
        }
        Err(e) => {
            // Signed by Meta but of a shape we do not know: accept it, or
            // Meta would retry it for days.
            tracing::warn!(error = %e, bytes = body.len(), "webhook of an unknown shape accepted and ignored");
            metrics::counter!("leadline_webhook_requests_total", "outcome" => "unknown_shape")
                .increment(1);
            return Ok(StatusCode::OK);
        }
    };
    let mut translated = ingress::translate(&notification, state.clock.now());
    if translated.ignored > 0 {
        tracing::warn!(
            ignored = translated.ignored,
            "webhook updates of unknown kinds ignored"
        );
    }
    // The rep writes to the business number to open their 24-hour window
    // for the handoff notices: the bot must not take them for a lead.
    if let Some(rep) = &state.rep_phone {
        let messages = &mut translated.batch.messages;
        let before = messages.len();
        messages.retain(|m| &m.customer != rep);
        let from_rep = before - messages.len();
        if from_rep > 0 {
            tracing::info!(
                messages = from_rep,
                "messages from the sales rep's number (LEADLINE_REP_PHONE) are not a lead's: not answered"
            );
            metrics::counter!("leadline_inbound_messages_total", "result" => "from_rep")
                .increment(from_rep as u64);
        }
    }
    if !translated.batch.messages.is_empty() || !translated.batch.statuses.is_empty() {
        let report = state.store.enqueue(translated.batch).await.map_err(|e| {
            tracing::error!(error = %e, "cannot enqueue a webhook; answering 503 so Meta retries");
            Rejection::StoreDown
        })?;
        metrics::counter!("leadline_inbound_messages_total", "result" => "accepted")
            .increment(report.accepted as u64);
        metrics::counter!("leadline_inbound_messages_total", "result" => "duplicate")
            .increment(report.duplicates as u64);
        metrics::counter!("leadline_status_updates_total").increment(report.statuses as u64);
        if report.accepted > 0
            && let Some(engine) = &state.engine
        {
            engine.inbox_changed();
        }
    }
    metrics::counter!("leadline_webhook_requests_total", "outcome" => "accepted").increment(1);
    Ok(StatusCode::OK)
}
