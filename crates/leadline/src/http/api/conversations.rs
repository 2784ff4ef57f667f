//! One conversation (`GET /api/conversations/{wa_id}`: transcript, what was
//! sent with its delivery status, events) and what a person does to it:
//! take it over, reply, hand it back.

use super::{ActedJson, ApiError, LeadJson};
use crate::http::AppState;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::response::Json;
use axum::routing::{get, post};
use jiff::Timestamp;
use leadline_domain::conversation::{Message, Summary};
use leadline_domain::{CustomerId, DeliveryState};
use leadline_stores::{HumanAction, OutboxEntry, RecordedEvent, SendState};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// WhatsApp's limit on a text message's body.
const MAX_TEXT: usize = 4096;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/conversations/{wa_id}", get(show))
        .route("/conversations/{wa_id}/takeover", post(take_over))
        .route("/conversations/{wa_id}/reply", post(reply))
        .route("/conversations/{wa_id}/handback", post(hand_back))
}

/// A `wa_id` that is not a customer id cannot name a conversation.
fn customer(wa_id: &str) -> Result<CustomerId, ApiError> {
    CustomerId::parse(wa_id).map_err(|_| ApiError::NotFound)
}

#[derive(Debug, Serialize)]
struct ConversationJson<'a> {
    #[serde(flatten)]
    lead: LeadJson<'a>,
    /// What the older messages said, once they are summarised.
    summary: &'a Summary,
    /// The messages not yet summarised, oldest first; inbound ones carry
    /// their WhatsApp id.
    messages: &'a [Message],
    /// Everything sent to the customer, oldest first, with its delivery.
    sent: Vec<SentJson<'a>>,
    events: Vec<EventJson<'a>>,
}

#[derive(Debug, Serialize)]
struct SentJson<'a> {
    text: &'a str,
    state: &'static str,
    attempts: u32,
    /// The id Graph gave it, once sent.
    wa_id: Option<&'a str>,
    /// The furthest status Meta reported: sent, delivered, read, failed.
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

async fn show(
    State(state): State<AppState>,
    Path(wa_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let customer = customer(&wa_id)?;
    let view = state
        .store
        .conversation_view(&customer)
        .await?
        .ok_or(ApiError::NotFound)?;
    let json = ConversationJson {
        lead: LeadJson::new(&view.conversation, None),
        summary: &view.conversation.summary,
        messages: &view.conversation.history,
        sent: view.outbox.iter().map(SentJson::new).collect(),
        events: view.events.iter().map(EventJson::new).collect(),
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

/// Applies `action`, wakes the engine for what it left to do, and answers
/// with the conversation as it is now.
async fn act(state: &AppState, wa_id: &str, action: HumanAction) -> Result<Json<Value>, ApiError> {
    let customer = customer(wa_id)?;
    let conversation = state
        .store
        .act(&customer, &action, Timestamp::now())
        .await?;
    let name = match &action {
        HumanAction::TakeOver => "take_over",
        HumanAction::Reply { .. } => "reply",
        HumanAction::HandBack { .. } => "hand_back",
    };
    tracing::info!(customer = %customer, action = name, "a person acted on a conversation");
    if let Some(engine) = &state.engine {
        match action {
            HumanAction::Reply { .. } => engine.outbox_changed(),
            // Messages that arrived while it was handed off may wait for
            // the bot again.
            HumanAction::HandBack { .. } => engine.inbox_changed(),
            HumanAction::TakeOver => {}
        }
    }
    to_json(&ActedJson {
        lead: LeadJson::new(&conversation, None),
        messages: &conversation.history,
    })
}

async fn take_over(
    State(state): State<AppState>,
    Path(wa_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    act(&state, &wa_id, HumanAction::TakeOver).await
}

#[derive(Debug, Deserialize)]
struct ReplyBody {
    text: String,
}

async fn reply(
    State(state): State<AppState>,
    Path(wa_id): Path<String>,
    body: Result<Json<ReplyBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(ReplyBody { text }) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let text = text.trim();
    if text.is_empty() {
        return Err(ApiError::BadRequest("text: empty".to_owned()));
    }
    if text.chars().count() > MAX_TEXT {
        return Err(ApiError::BadRequest(format!(
            "text: longer than WhatsApp's {MAX_TEXT} characters"
        )));
    }
    let action = HumanAction::Reply {
        text: text.to_owned(),
    };
    act(&state, &wa_id, action).await
}

#[derive(Debug, Deserialize)]
struct HandBackBody {
    stage: String,
}

/// Only a stage of the playbook where the bot talks: handing back at a
/// handoff stage would leave nobody answering.
async fn hand_back(
    State(state): State<AppState>,
    Path(wa_id): Path<String>,
    body: Result<Json<HandBackBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(HandBackBody { stage }) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    if state.playbook.stage(&stage).is_none_or(|s| s.hands_off) {
        let stages: Vec<&str> = state
            .playbook
            .stages
            .iter()
            .filter(|s| !s.hands_off)
            .map(|s| s.id.as_str())
            .collect();
        return Err(ApiError::BadRequest(format!(
            "stage: {stage:?} is not one of the playbook's stages: {}",
            stages.join(", ")
        )));
    }
    act(&state, &wa_id, HumanAction::HandBack { stage }).await
}
