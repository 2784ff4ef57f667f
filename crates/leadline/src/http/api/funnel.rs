//! `GET /api/funnel`: how many conversations got how far, why they were
//! handed off, and how fast the bot answered (see [`Funnel`] for what each
//! figure counts).

use super::{ApiError, ErrorJson};
use crate::http::{AppState, actions};
use axum::Router;
use axum::extract::State;
use axum::response::Json;
use axum::routing::get;

use leadline_stores::Funnel;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new().route("/funnel", get(show))
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct FunnelJson {
    conversations: u64,
    qualified: u64,
    booked: u64,
    /// Conversations handed to a person, by reason.
    handed_off: BTreeMap<String, u64>,
    /// Conversations whose quiet lead was nudged, and of those whose lead
    /// wrote again after it.
    nudged: u64,
    answered_after_nudge: u64,
    /// Conversations reminded of a booked call.
    reminded: u64,
    /// Conversations whose customer opted out of messages.
    opted_out: u64,
    /// Over the last 7 days' bookings.
    median_messages_to_booking: Option<f64>,
    /// Over the last 7 days' replies.
    p95_reply_latency_ms: Option<u64>,
}

impl From<Funnel> for FunnelJson {
    fn from(f: Funnel) -> Self {
        Self {
            conversations: f.conversations,
            qualified: f.qualified,
            booked: f.booked,
            handed_off: f.handed_off.into_iter().collect(),
            nudged: f.nudged,
            answered_after_nudge: f.answered_after_nudge,
            reminded: f.reminded,
            opted_out: f.opted_out,
            median_messages_to_booking: f.median_messages_to_booking,
            p95_reply_latency_ms: f.p95_reply_latency_ms,
        }
    }
}

#[utoipa::path(get, path = "/api/funnel", responses(
    (status = 200, body = FunnelJson),
    (status = 401, body = ErrorJson),
))]
pub(super) async fn show(State(state): State<AppState>) -> Result<Json<FunnelJson>, ApiError> {
    let query = actions::funnel_query(&state.playbook, state.clock.now());
    Ok(Json(state.store.funnel(&query).await?.into()))
}
