//! The admin API under `/api`: JSON for the sales team's tools, behind the
//! bearer token `LEADLINE_ADMIN_TOKEN`. One module per resource, each with
//! its `router()`; one error type ([`ApiError`]) for all of them.

mod conversations;
mod effects;
mod error;
mod funnel;
mod handoffs;
mod leads;
mod openapi;
mod questions;

use super::AppState;
use super::client::{self, Client};
use crate::http::OpaqueIds;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::{self, Next};
use axum::response::Response;
pub use error::{ApiError, ErrorJson};
use jiff::Timestamp;
use leadline_domain::conversation::{Handoff, Message};
use leadline_domain::{Conversation, Lead};
use leadline_stores::LeadRow;
pub(crate) use questions::{cursor_of as question_cursor, parse_cursor as parse_question_cursor};
use serde::Serialize;
use subtle::ConstantTimeEq;
use utoipa::ToSchema;

/// A page's size: `requested`, or `default` when the caller does not say;
/// refused outside `1..=max`. One rule, one message, for every paged list.
pub(super) fn page_limit(
    requested: Option<usize>,
    default: usize,
    max: usize,
) -> Result<usize, ApiError> {
    match requested {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::BadRequest(format!(
            "limit must be between 1 and {max}"
        ))),
    }
}

/// The cursor of the page after `rows`, made by `cursor` from the last
/// row: only a full page can have more after it. One rule for every paged
/// list, so none of them answers a cursor to an empty page.
pub(super) fn next_cursor<T, C>(
    rows: &[T],
    limit: usize,
    cursor: impl FnOnce(&T) -> C,
) -> Option<C> {
    if rows.len() == limit {
        rows.last().map(cursor)
    } else {
        None
    }
}

/// Every `/api` route, refused without the admin token.
pub fn router(state: AppState) -> Router<AppState> {
    let api = Router::new()
        .merge(leads::router())
        .merge(conversations::router())
        .merge(handoffs::router())
        .merge(effects::router())
        .merge(funnel::router())
        .merge(questions::router())
        .merge(openapi::router())
        .layer(middleware::from_fn_with_state(state, require_token));
    Router::new().nest("/api", api)
}

/// Lets a request through only with `Authorization: Bearer <token>`. The
/// comparison takes the same time whatever bytes match, so the token
/// cannot be guessed byte by byte from response times (its length is not
/// secret). Wrong tokens are counted per client, and answered 429 past the
/// limit ([`client::failed`]).
async fn require_token(
    State(state): State<AppState>,
    client: Client,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let Some(expected) = &state.admin_token else {
        return Err(ApiError::NotConfigured);
    };
    let given = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        // The scheme is case-insensitive (RFC 9110 §11.1).
        .and_then(|(scheme, token)| scheme.eq_ignore_ascii_case("bearer").then_some(token));
    match given {
        Some(token) if bool::from(token.as_bytes().ct_eq(expected.expose().as_bytes())) => {
            Ok(next.run(request).await)
        }
        Some(_) if client::failed(&state, &client, "admin token").await? => {
            Err(ApiError::TooManyFailures)
        }
        _ => Err(ApiError::Unauthorized),
    }
}

/// A conversation as listed: who, where in the playbook, what is known.
/// The customer's number is in clear in the body (the sales team calls
/// it); URLs name the conversation by `id`, which does not reveal it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadJson<'a> {
    /// The conversation's opaque id, for `/api/conversations/{id}`.
    pub id: String,
    pub wa_id: &'a str,
    pub profile_name: Option<&'a str>,
    pub stage: &'a str,
    /// `{"reason": "customer_asked", "at": "..."}` while handed off.
    #[schema(value_type = Option<Object>)]
    pub handoff: Option<&'a Handoff>,
    /// name, company, budget, authority, need, timeline.
    #[schema(value_type = Object)]
    pub lead: &'a Lead,
    pub unresolved: u32,
    #[schema(value_type = String, format = DateTime)]
    pub started_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub last_customer_at: Timestamp,
    /// When the customer asked for no more messages (null while they
    /// get them): nothing automated reaches them, and a person's reply
    /// goes against their wish.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub opted_out_at: Option<Timestamp>,
    /// When a turn or a person last changed it (absent right after an
    /// action, which returns the conversation as it is now).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub updated_at: Option<Timestamp>,
}

impl<'a> LeadJson<'a> {
    pub fn new(
        ids: &OpaqueIds,
        conversation: &'a Conversation,
        updated_at: Option<Timestamp>,
    ) -> Self {
        Self {
            id: ids.of(&conversation.customer),
            wa_id: conversation.customer.as_str(),
            profile_name: conversation.profile_name.as_deref(),
            stage: &conversation.stage,
            handoff: conversation.handoff.as_ref(),
            lead: &conversation.lead,
            unresolved: conversation.unresolved,
            started_at: conversation.started_at,
            last_customer_at: conversation.last_customer_at,
            opted_out_at: conversation.opted_out_at,
            updated_at,
        }
    }

    pub fn of_row(ids: &OpaqueIds, row: &'a LeadRow) -> Self {
        Self::new(ids, &row.conversation, Some(row.updated_at))
    }
}

/// A conversation after a person's action, with its recent messages.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActedJson<'a> {
    #[serde(flatten)]
    pub lead: LeadJson<'a>,
    #[schema(value_type = Vec<Object>)]
    pub messages: &'a [Message],
}
