//! `GET /api/handoffs`: the conversations waiting for a person, most
//! recently active first.

use super::ApiError;
use super::leads::{ListParams, PageJson};
use crate::http::AppState;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use leadline_stores::LeadQuery;

pub fn router() -> Router<AppState> {
    Router::new().route("/handoffs", get(inbox))
}

/// Takes the filters of `/api/leads` (say, `handoff=customer_asked`).
async fn inbox(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<Response, ApiError> {
    let query = LeadQuery {
        handed_off: true,
        ..params.query()?
    };
    let rows = state.store.leads(&query).await?;
    Ok(Json(PageJson::new(&rows, query.limit)).into_response())
}
