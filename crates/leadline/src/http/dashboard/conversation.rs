//! `/conversations/{id}`: one conversation (its messages, what was sent
//! with its delivery status, its events) and what a person does to it:
//! take it over, reply, hand it back at a chosen stage. `{id}` is the
//! opaque id of [`super::ids`], never the customer's number.
//!
//! Every action goes through [`actions`], the code path of the admin API,
//! and answers with a redirect back to the page (so a reload does not post
//! again) carrying a notice key.

use super::events::live;
use super::i18n::Lang;
use super::list::when;
use super::{Checked, CsrfForm, PageError, Session};
use crate::http::{AppState, actions};
use axum::Router;
use axum::extract::{Extension, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::{get, post};
use leadline_domain::playbook::LeadView;
use leadline_domain::{CustomerId, Message, Speaker};
use leadline_stores::{AdminError, HumanAction, SendState};
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/conversations/{id}", get(show))
        .route("/conversations/{id}/events", get(subscribe))
        .route("/conversations/{id}/takeover", post(take_over))
        .route("/conversations/{id}/reply", post(reply))
        .route("/conversations/{id}/handback", post(hand_back))
}

fn customer(state: &AppState, id: &str) -> Result<CustomerId, PageError> {
    state.ids.customer(id).ok_or(PageError::NotFound)
}

/// The notices an action can leave, as keys of the UI's texts: nothing
/// else from the query string reaches the page.
const NOTICES: [&str; 4] = ["done", "window_closed", "bad_reply", "bad_stage"];

#[derive(Deserialize)]
struct ShowParams {
    notice: Option<String>,
}

#[derive(Serialize)]
struct Page {
    id: String,
    wa_id: String,
    profile_name: Option<String>,
    stage: String,
    lead: LeadView,
    handoff: Option<&'static str>,
    summary: String,
    messages: Vec<MessageRow>,
    sent: Vec<SentRow>,
    events: Vec<EventRow>,
    stages: Vec<String>,
    notice: Option<&'static str>,
}

#[derive(Serialize)]
struct Transcript {
    messages: Vec<MessageRow>,
}

#[derive(Serialize)]
struct MessageRow {
    /// `customer`, `agent` or `human`.
    speaker: &'static str,
    text: String,
    at: String,
}

#[derive(Serialize)]
struct SentRow {
    text: String,
    state: &'static str,
    delivery: Option<String>,
    attempts: u32,
    error: Option<String>,
}

#[derive(Serialize)]
struct EventRow {
    at: String,
    kind: String,
    /// The event's fields as `name: value`.
    detail: String,
}

async fn show(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
    Query(params): Query<ShowParams>,
    lang: Lang,
) -> Result<Html<String>, PageError> {
    let customer = customer(&state, &id)?;
    let view = state
        .store
        .conversation_view(&customer)
        .await?
        .ok_or(PageError::NotFound)?;
    let c = view.conversation;
    let Lang(language) = lang;
    let page = Page {
        id,
        wa_id: c.customer.as_str().to_owned(),
        profile_name: c.profile_name,
        stage: c.stage,
        lead: LeadView::new(&c.lead, language),
        handoff: c.handoff.map(|h| h.reason.as_str()),
        summary: c.summary.text,
        messages: message_rows(c.history),
        sent: view
            .outbox
            .into_iter()
            .map(|entry| SentRow {
                text: entry.message.body.text().to_owned(),
                state: match entry.state {
                    SendState::Pending => "pending",
                    SendState::Sent => "sent",
                    SendState::Failed => "failed",
                },
                delivery: entry
                    .delivery
                    .and_then(|d| serde_json::to_value(d).ok())
                    .and_then(|v| v.as_str().map(str::to_owned)),
                attempts: entry.attempts,
                error: entry.last_error,
            })
            .collect(),
        events: view
            .events
            .iter()
            .map(|recorded| EventRow {
                at: when(recorded.at),
                kind: recorded.event.kind().to_owned(),
                detail: detail(&recorded.event),
            })
            .collect(),
        stages: actions::hand_back_stages(&state.playbook)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        notice: params
            .notice
            .and_then(|n| NOTICES.into_iter().find(|known| *known == n)),
    };
    state
        .dashboard
        .render("conversation.html", lang, Some(&session), page)
}

fn message_rows(history: Vec<Message>) -> Vec<MessageRow> {
    history
        .into_iter()
        .map(|m| MessageRow {
            speaker: match m.speaker {
                Speaker::Customer => "customer",
                Speaker::Agent => "agent",
                Speaker::Human => "human",
            },
            text: m.text,
            at: when(m.at),
        })
        .collect()
}

/// The transcript, live: new messages of the customer, the bot or a person
/// appear while the page is open.
async fn subscribe(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    lang: Lang,
) -> Result<impl IntoResponse, PageError> {
    let customer = customer(&state, &id)?;
    let store = state.clone();
    Ok(live(state, headers, "transcript", move || {
        let (state, customer) = (store.clone(), customer.clone());
        async move {
            let conversation = state
                .store
                .load(&customer)
                .await?
                .ok_or(PageError::NotFound)?;
            let transcript = Transcript {
                messages: message_rows(conversation.history),
            };
            let Html(html) = state
                .dashboard
                .render("transcript.html", lang, None, transcript)?;
            Ok(html)
        }
    }))
}

/// An event's fields but its kind, as `name: value, ...`.
fn detail(event: &leadline_domain::events::Event) -> String {
    let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(event) else {
        return String::new();
    };
    fields
        .iter()
        .filter(|(name, _)| *name != "kind")
        .map(|(name, value)| match value {
            serde_json::Value::String(s) => format!("{name}: {s}"),
            other => format!("{name}: {other}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Applies `action` and sends the person back to the page with a notice.
async fn act(state: &AppState, id: &str, action: HumanAction) -> Result<Redirect, PageError> {
    let customer = customer(state, id)?;
    let notice = match actions::act(state, &customer, action).await {
        Ok(_) => "done",
        Err(AdminError::WindowClosed) => "window_closed",
        Err(AdminError::NotFound) => return Err(PageError::NotFound),
        Err(AdminError::Store(e)) => return Err(e.into()),
    };
    Ok(back(id, notice))
}

fn back(id: &str, notice: &str) -> Redirect {
    Redirect::to(&format!("/conversations/{id}?notice={notice}"))
}

#[derive(Deserialize)]
struct Plain {
    #[serde(default)]
    csrf: String,
}

impl CsrfForm for Plain {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

async fn take_over(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Checked(_): Checked<Plain>,
) -> Result<Redirect, PageError> {
    act(&state, &id, HumanAction::TakeOver).await
}

#[derive(Deserialize)]
struct ReplyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    text: String,
}

impl CsrfForm for ReplyForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

async fn reply(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Checked(form): Checked<ReplyForm>,
) -> Result<Redirect, PageError> {
    match actions::reply(&form.text) {
        Ok(action) => act(&state, &id, action).await,
        Err(_) => Ok(back(&id, "bad_reply")),
    }
}

#[derive(Deserialize)]
struct HandBackForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    stage: String,
}

impl CsrfForm for HandBackForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

async fn hand_back(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Checked(form): Checked<HandBackForm>,
) -> Result<Redirect, PageError> {
    match actions::hand_back(&state.playbook, &form.stage) {
        Ok(action) => act(&state, &id, action).await,
        Err(_) => Ok(back(&id, "bad_stage")),
    }
}
