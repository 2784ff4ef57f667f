//! `GET /api/handoffs`: the conversations waiting for a person, most
//! recently active first.

use super::leads::{ListParams, PageJson};
use super::{ApiError, ErrorJson};
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
#[utoipa::path(get, path = "/api/handoffs", params(ListParams), responses(
    (status = 200, body = PageJson),
    (status = 400, body = ErrorJson),
    (status = 401, body = ErrorJson),
))]
pub(super) async fn inbox(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<Response, ApiError> {
    let query = LeadQuery {
        handed_off: true,
        ..params.query(&state.ids)?
    };
    let rows = state.store.leads(&query).await?;
    Ok(Json(PageJson::new(&state.ids, &rows, query.limit)).into_response())
}
