//! The HTTP surface: one module per resource, each with its `router()`.

pub mod actions;
mod api;
mod dashboard;
mod health;
mod ids;
mod metrics;
mod webhook;

use crate::config::Secret;
use axum::Router;
use leadline_domain::CustomerId;
use leadline_domain::playbook::Playbook;
use leadline_engine::Engine;
use leadline_stores::Store;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;

pub use dashboard::Dashboard;
pub use ids::OpaqueIds;

/// Meta sends at most 1000 updates per delivery; 3 MiB is far above that
/// and far below what could hurt the process.
pub const MAX_WEBHOOK_BODY: usize = 3 * 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// `None` on an ingress-only process.
    pub engine: Option<Engine>,
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
}

/// Probes and metrics only: what a worker process serves, so it can be
/// watched without taking webhooks.
pub fn probes_router(state: AppState) -> Router {
    Router::new()
        .merge(health::router())
        .merge(metrics::router())
        .with_state(state)
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(webhook::router())
        .merge(api::router(state.clone()))
        .merge(dashboard::router(state.clone()))
        .merge(health::router())
        .merge(metrics::router())
        .with_state(state)
}
