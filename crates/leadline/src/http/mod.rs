//! The HTTP surface: one module per resource, each with its `router()`.

pub mod actions;
mod api;
mod client;
mod dashboard;
mod health;
mod ids;
pub mod listener;
mod metrics;
mod webhook;

use crate::config::Secret;
use axum::Router;
use axum::http::StatusCode;
use axum::middleware;
use leadline_domain::playbook::Playbook;
use leadline_domain::{Clock, CustomerId};
use leadline_engine::{Engine, Eraser};
use leadline_stores::{Store, StoreError};
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

pub use client::Proxies;
pub use dashboard::Dashboard;
pub use ids::OpaqueIds;

/// Meta sends at most 1000 updates per delivery; 3 MiB is far above that
/// and far below what could hurt the process.
pub const MAX_WEBHOOK_BODY: usize = 3 * 1024 * 1024;
/// The largest body of any other route: the dashboard's forms and the
/// admin API's JSON are a few hundred bytes.
pub const MAX_FORM_BODY: usize = 64 * 1024;
/// Webhook body bytes held at once across all requests: a flood of
/// unsigned or forged bodies is refused (503, Meta retries) before it is
/// read rather than held in memory. Ten full-size deliveries; real ones
/// are a few KiB.
pub const WEBHOOK_BUFFER: usize = 10 * MAX_WEBHOOK_BODY;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// `None` on an ingress-only process.
    pub engine: Option<Engine>,
    /// Erases a customer's data on request.
    pub eraser: Arc<Eraser>,
    pub app_secret: Option<Secret>,
    pub verify_token: Option<Secret>,
    pub metrics: PrometheusHandle,
    /// The admin API's bearer token; `None` refuses every `/api` request.
    pub admin_token: Option<Secret>,
    /// The stages a person may hand a conversation back at.
    pub playbook: Arc<Playbook>,
    /// The dashboard's templates.
    pub dashboard: Arc<Dashboard>,
    /// How URLs name conversations without the customer's number.
    pub ids: Arc<OpaqueIds>,
    /// The sales rep's number (`LEADLINE_REP_PHONE`): what they write to
    /// the business number is the team's, not a lead's.
    pub rep_phone: Option<CustomerId>,
    /// How to tell a request's client from its peer.
    pub proxies: Arc<Proxies>,
    /// Permits for [`WEBHOOK_BUFFER`] bytes of webhook bodies.
    pub webhook_buffer: Arc<Semaphore>,
    /// What sessions, login windows, funnels and people's actions are
    /// timed by.
    pub clock: Clock,
}

/// What the public listener serves.
#[derive(Debug, Clone, Copy)]
pub struct Surface {
    /// The webhook, the admin API and the dashboard (else only probes).
    pub ingress: bool,
    /// `/metrics` too (else it is served on its own listener).
    pub metrics: bool,
    /// A request's body, and its answer, must be ready within it.
    pub body_timeout: Duration,
}

/// Every route of `surface`, with the client identified, a deadline on
/// each request, and bodies over the route's limit refused (413) by their
/// `Content-Length`, before they are read.
pub fn router(state: AppState, surface: Surface) -> Router {
    let mut app = Router::new().merge(health::router());
    if surface.ingress {
        app = app
            .merge(webhook::router().layer(RequestBodyLimitLayer::new(MAX_WEBHOOK_BODY)))
            .merge(
                api::router(state.clone())
                    .merge(dashboard::router(state.clone()))
                    .layer(RequestBodyLimitLayer::new(MAX_FORM_BODY)),
            );
    }
    if surface.metrics {
        app = app.merge(metrics::router());
    }
    app.layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        surface.body_timeout,
    ))
    .layer(middleware::from_fn_with_state(
        state.clone(),
        client::identify,
    ))
    .with_state(state)
}

/// `/metrics` alone, for `LEADLINE_METRICS_LISTEN`.
pub fn metrics_router(state: AppState) -> Router {
    metrics::router().with_state(state)
}

/// What a store failure is to the one who asked, the admin API or the
/// dashboard: a passing outage to try again after (the store is down, or
/// this process lost its lease), or an internal error (stored data is
/// corrupt). One classification for both, logged once as `surface`'s.
pub(crate) enum StoreFailure {
    Unavailable,
    Internal,
}

impl StoreFailure {
    pub(crate) fn of(e: &StoreError, surface: &str) -> StoreFailure {
        match e {
            StoreError::Unavailable(_) | StoreError::Fenced => {
                tracing::warn!(error = %e, "{surface}: store unavailable");
                StoreFailure::Unavailable
            }
            StoreError::Corrupt(_) => {
                tracing::error!(error = %e, "{surface}: stored data is corrupt");
                StoreFailure::Internal
            }
        }
    }
}
