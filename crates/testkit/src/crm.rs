//! A fake CRM webhook receiver on loopback. It checks each delivery as a
//! receiver should: `X-Leadline-Signature: sha256=<hex>` (HMAC-SHA256 of
//! the body under the shared secret; 401 when it does not verify), a JSON
//! body, an `Idempotency-Key` and an `X-Leadline-Timestamp`; it answers
//! 503 while it is "down" ([`FakeCrm::set_down`]). Accepted deliveries are
//! recorded, so a test can tell that a lead arrived once.

use crate::server::{Server, loopback};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use ring::hmac;
use serde_json::Value;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::watch;

/// A delivery the fake accepted.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub idempotency_key: String,
    /// `X-Leadline-Timestamp`, Unix seconds.
    pub timestamp: i64,
    pub body: Value,
}

#[derive(Default)]
struct Inner {
    down: bool,
    accepted: Vec<Delivery>,
    /// Attempts answered 503 while down.
    refused_while_down: usize,
    /// Attempts whose signature did not verify.
    bad_signatures: usize,
}

struct Shared {
    key: hmac::Key,
    inner: Mutex<Inner>,
    count: watch::Sender<usize>,
}

/// The fake receiver; it stops when dropped.
pub struct FakeCrm {
    url: String,
    shared: Arc<Shared>,
    /// Serves until the fake is dropped.
    _server: Server,
}

impl FakeCrm {
    /// Starts a receiver that accepts deliveries signed with `secret`.
    pub async fn start(secret: &str) -> FakeCrm {
        let shared = Arc::new(Shared {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes()),
            inner: Mutex::default(),
            count: watch::Sender::new(0),
        });
        let (listener, addr) = loopback("CRM").await;
        let app = Router::new()
            .route("/hooks/leadline", post(receive))
            .with_state(shared.clone());
        let server = Server::serve(listener, app);
        FakeCrm {
            url: format!("http://{addr}/hooks/leadline"),
            shared,
            _server: server,
        }
    }

    /// The webhook URL, for `LEADLINE_CRM_WEBHOOK_URL`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// While down, every delivery gets 503.
    pub fn set_down(&self, down: bool) {
        self.lock().down = down;
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        self.lock().accepted.clone()
    }

    pub fn refused_while_down(&self) -> usize {
        self.lock().refused_while_down
    }

    pub fn bad_signatures(&self) -> usize {
        self.lock().bad_signatures
    }

    /// Waits until at least `n` deliveries were accepted; `None` on timeout.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Option<Vec<Delivery>> {
        let mut count = self.shared.count.subscribe();
        let reached = tokio::time::timeout(timeout, count.wait_for(|&c| c >= n)).await;
        matches!(reached, Ok(Ok(_))).then(|| self.deliveries())
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        lock(&self.shared)
    }
}

fn lock(shared: &Shared) -> MutexGuard<'_, Inner> {
    shared.inner.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn receive(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let mut inner = lock(&shared);
    if inner.down {
        inner.refused_while_down += 1;
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let signed = header("x-leadline-signature")
        .and_then(|h| h.strip_prefix("sha256="))
        .and_then(|h| hex::decode(h).ok())
        .is_some_and(|digest| hmac::verify(&shared.key, &body, &digest).is_ok());
    if !signed {
        inner.bad_signatures += 1;
        return StatusCode::UNAUTHORIZED;
    }
    let (Some(key), Some(timestamp)) = (
        header("idempotency-key"),
        header("x-leadline-timestamp").and_then(|t| t.parse().ok()),
    ) else {
        return StatusCode::BAD_REQUEST;
    };
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    inner.accepted.push(Delivery {
        idempotency_key: key.to_owned(),
        timestamp,
        body,
    });
    let count = inner.accepted.len();
    drop(inner);
    shared.count.send_replace(count);
    StatusCode::OK
}
