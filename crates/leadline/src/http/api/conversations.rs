//! One conversation (`GET /api/conversations/{id}`: transcript, what was
//! sent with its delivery status, events) and what a person does to it:
//! take it over, reply, hand it back, erase it.

use super::effects::{EffectJson, effect_json};
use super::{ActedJson, ApiError, ErrorJson, LeadJson};
use crate::http::{AppState, actions};
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Json;
use axum::routing::{get, post};
use jiff::Timestamp;
use leadline_domain::conversation::{Message, Summary};
use leadline_domain::{CustomerId, DeliveryState};
use leadline_stores::{HumanAction, OutboxEntry, RecordedEvent, SendState};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/conversations/{id}", get(show).delete(erase))
        .route("/conversations/{id}/takeover", post(take_over))
        .route("/conversations/{id}/reply", post(reply))
        .route("/conversations/{id}/handback", post(hand_back))
}

/// The customer an opaque id (a lead's `id`) names; anything else names
/// no conversation.
fn customer(state: &AppState, id: &str) -> Result<CustomerId, ApiError> {
    state.ids.customer(id).ok_or(ApiError::NotFound)
}

#[derive(Debug, Serialize, ToSchema)]
struct ConversationJson<'a> {
    #[serde(flatten)]
    lead: LeadJson<'a>,
    /// What the older messages said, once they are summarised.
    #[schema(value_type = Object)]
    summary: &'a Summary,
    /// The messages not yet summarised, oldest first; inbound ones carry
    /// their WhatsApp id.
    #[schema(value_type = Vec<Object>)]
    messages: &'a [Message],
    /// Everything sent to the customer, oldest first, with its delivery.
    sent: Vec<SentJson<'a>>,
    /// Stage changes, fields set, tool calls, handoffs: `{"at", "kind", ...}`.
    #[schema(value_type = Vec<Object>)]
    events: Vec<EventJson<'a>>,
    /// Its CRM deliveries and notices to the sales rep, newest first.
    effects: Vec<EffectJson>,
}

#[derive(Debug, Serialize, ToSchema)]
struct SentJson<'a> {
    text: &'a str,
    state: &'static str,
    attempts: u32,
    /// The id Graph gave it, once sent.
    wa_id: Option<&'a str>,
    /// The furthest status Meta reported: sent, delivered, read, failed.
    #[schema(value_type = Option<String>)]
    delivery: Option<DeliveryState>,
    error: Option<&'a str>,
}

impl<'a> SentJson<'a> {
    fn new(entry: &'a OutboxEntry) -> Self {
        Self {
            text: entry.message.body.text(),
            state: match entry.state {
                SendState::Pending => "pending",
                SendState::Sent => "sent",
                SendState::Failed => "failed",
            },
            attempts: entry.attempts,
            wa_id: entry.wa_message_id.as_deref(),
            delivery: entry.delivery,
            error: entry.last_error.as_deref(),
        }
    }
}

#[derive(Debug, Serialize)]
struct EventJson<'a> {
    at: Timestamp,
    #[serde(flatten)]
    event: &'a leadline_domain::events::Event,
}

impl<'a> EventJson<'a> {
    fn new(recorded: &'a RecordedEvent) -> Self {
        Self {
            at: recorded.at,
            event: &recorded.event,
        }
    }
}

#[utoipa::path(get, path = "/api/conversations/{id}", params(("id" = String, Path, description = "The conversation's opaque id (a lead's `id`)")), responses(
    (status = 200, body = ConversationJson),
    (status = 401, body = ErrorJson),
    (status = 404, body = ErrorJson),
))]
pub(super) async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let customer = customer(&state, &id)?;
    let view = state
        .store
        .conversation_view(&customer)
        .await?
        .ok_or(ApiError::NotFound)?;
    let json = ConversationJson {
        lead: LeadJson::new(&state.ids, &view.conversation, None),
        summary: &view.conversation.summary,
        messages: &view.conversation.history,
        sent: view.outbox.iter().map(SentJson::new).collect(),
        events: view.events.iter().map(EventJson::new).collect(),
        effects: view
            .effects
            .into_iter()
            .map(|e| effect_json(&state, e))
            .collect(),
    };
    to_json(&json)
}

/// Built as a [`Value`] so the borrowed views can be returned.
fn to_json(value: &impl Serialize) -> Result<Json<Value>, ApiError> {
    serde_json::to_value(value).map(Json).map_err(|e| {
        tracing::error!(error = %e, "cannot encode an admin API answer");
        ApiError::Internal
    })
}

/// Applies `action` and answers with the conversation as it is now.
async fn act(state: &AppState, id: &str, action: HumanAction) -> Result<Json<Value>, ApiError> {
    let customer = customer(state, id)?;
    let conversation = actions::act(state, &customer, action).await?;
    to_json(&ActedJson {
        lead: LeadJson::new(&state.ids, &conversation, None),
        messages: &conversation.history,
    })
}

/// The bot goes silent until the conversation is handed back.
#[utoipa::path(post, path = "/api/conversations/{id}/takeover", params(("id" = String, Path, description = "The conversation's opaque id (a lead's `id`)")), responses(
    (status = 200, body = ActedJson),
    (status = 401, body = ErrorJson),
    (status = 404, body = ErrorJson),
))]
pub(super) async fn take_over(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    act(&state, &id, HumanAction::TakeOver).await
}

#[derive(Debug, Deserialize, ToSchema)]
pub(super) struct ReplyBody {
    text: String,
}

/// Sent to the customer through the Graph API; takes the conversation over.
#[utoipa::path(post, path = "/api/conversations/{id}/reply", params(("id" = String, Path, description = "The conversation's opaque id (a lead's `id`)")), request_body = ReplyBody, responses(
    (status = 200, body = ActedJson),
    (status = 400, body = ErrorJson),
    (status = 401, body = ErrorJson),
    (status = 404, body = ErrorJson),
    (status = 409, description = "The 24-hour window has closed", body = ErrorJson),
))]
pub(super) async fn reply(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Json<ReplyBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(ReplyBody { text }) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let action = actions::reply(&text).map_err(ApiError::BadRequest)?;
    act(&state, &id, action).await
}

#[derive(Debug, Deserialize, ToSchema)]
pub(super) struct HandBackBody {
    stage: String,
}

/// Only a stage of the playbook where the bot talks: handing back at a
/// handoff stage would leave nobody answering.
#[utoipa::path(post, path = "/api/conversations/{id}/handback", params(("id" = String, Path, description = "The conversation's opaque id (a lead's `id`)")), request_body = HandBackBody, responses(
    (status = 200, body = ActedJson),
    (status = 400, body = ErrorJson),
    (status = 401, body = ErrorJson),
    (status = 404, body = ErrorJson),
))]
pub(super) async fn hand_back(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Json<HandBackBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(HandBackBody { stage }) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let action = actions::hand_back(&state.playbook, &stage).map_err(ApiError::BadRequest)?;
    act(&state, &id, action).await
}

/// Erases everything kept about the customer in every store: the
/// conversation, lead, transcript, events, sent messages and their
/// statuses, effects, booked calls on the local calendar, and the dedup
/// records of their messages. The funnel keeps anonymous counts; a CRM
/// webhook, when configured, gets `lead.erased` with the lead's `lead_id`
/// only. A later message from the same number starts a new conversation.
#[utoipa::path(delete, path = "/api/conversations/{id}", params(("id" = String, Path, description = "The conversation's opaque id (a lead's `id`)")), responses(
    (status = 204, description = "Erased"),
    (status = 401, body = ErrorJson),
    (status = 404, body = ErrorJson),
))]
pub(super) async fn erase(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let customer = customer(&state, &id)?;
    if actions::erase(&state, &customer).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}
