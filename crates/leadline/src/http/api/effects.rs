//! `GET /api/effects`: what turns set off besides replies (CRM deliveries,
//! the rep's notices) and how each went, newest first; `?state=dead` is
//! the dead-letter list. `POST /api/effects/{id}/retry` sends a dead one
//! again once its cause is fixed (the CRM is back, the template approved).

use super::{ApiError, ErrorJson, next_cursor, page_limit};
use crate::http::{AppState, actions};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Json;
use axum::routing::{get, post};
use jiff::Timestamp;
use leadline_stores::{EffectEntry, EffectQuery, EffectState};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 500;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/effects", get(list))
        .route("/effects/{id}/retry", post(retry))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct EffectParams {
    /// `pending`, `done` or `dead`; all when not said.
    state: Option<String>,
    /// Only this conversation's (its opaque id).
    conversation: Option<String>,
    /// At most this many (1 to 500, 50 when not said).
    limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    cursor: Option<i64>,
}

/// One effect and how it went. The lead's data stays in the store: this
/// says what it was for and which conversation, by opaque id.
#[derive(Debug, Serialize, ToSchema)]
pub struct EffectJson {
    pub id: i64,
    /// `crm` or `notify_rep`.
    pub kind: &'static str,
    /// The receiver's idempotency key.
    pub key: String,
    /// The conversation's opaque id, for `/api/conversations/{id}`.
    pub conversation: String,
    /// `pending`, `done` or `dead`.
    pub state: &'static str,
    pub attempts: u32,
    pub last_error: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<Timestamp>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EffectPageJson {
    pub effects: Vec<EffectJson>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<i64>,
}

pub(super) fn effect_json(state: &AppState, entry: EffectEntry) -> EffectJson {
    EffectJson {
        id: entry.id,
        kind: entry.effect.action.kind(),
        conversation: state.ids.of(&entry.effect.customer),
        key: entry.effect.key,
        state: entry.state.as_str(),
        attempts: entry.attempts,
        last_error: entry.last_error,
        created_at: entry.created_at,
        finished_at: entry.finished_at,
    }
}

#[utoipa::path(get, path = "/api/effects", params(EffectParams), responses(
    (status = 200, body = EffectPageJson),
    (status = 400, body = ErrorJson),
    (status = 401, body = ErrorJson),
    (status = 404, description = "No such conversation", body = ErrorJson),
))]
pub(super) async fn list(
    State(state): State<AppState>,
    Query(params): Query<EffectParams>,
) -> Result<Json<EffectPageJson>, ApiError> {
    let filter = match params.state.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(EffectState::parse(raw).ok_or_else(|| {
            ApiError::BadRequest(format!("state: {raw:?} is not pending, done or dead"))
        })?),
    };
    let limit = page_limit(params.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    let customer = match params.conversation.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(id) => Some(state.ids.customer(id).ok_or(ApiError::NotFound)?),
    };
    let entries = state
        .store
        .effect_entries(&EffectQuery {
            state: filter,
            customer,
            before: params.cursor,
            limit,
        })
        .await?;
    let next_cursor = next_cursor(&entries, limit, |e| e.id);
    let effects = entries
        .into_iter()
        .map(|e| effect_json(&state, e))
        .collect();
    Ok(Json(EffectPageJson {
        effects,
        next_cursor,
    }))
}

/// Makes a dead effect due again at once, with a fresh count of attempts.
#[utoipa::path(post, path = "/api/effects/{id}/retry", params(("id" = i64, Path)), responses(
    (status = 202, description = "Due again; the dispatcher takes it at once"),
    (status = 401, body = ErrorJson),
    (status = 404, body = ErrorJson),
    (status = 409, body = ErrorJson),
))]
pub(super) async fn retry(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<axum::http::StatusCode, ApiError> {
    if actions::retry_effect(&state, id, None).await? {
        return Ok(axum::http::StatusCode::ACCEPTED);
    }
    // Tell a wrong id from one that is not dead, for the person asking.
    let known = state
        .store
        .effect_entries(&EffectQuery {
            before: Some(id.saturating_add(1)),
            limit: 1,
            ..EffectQuery::default()
        })
        .await?
        .first()
        .is_some_and(|e| e.id == id);
    Err(if known {
        ApiError::NotDead(id)
    } else {
        ApiError::NoEffect(id)
    })
}
