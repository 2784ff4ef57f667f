//! `/conversations/{id}`: one conversation (its messages, what was sent
//! with its delivery status, its CRM deliveries and notices to the sales
//! rep, its events) and what a person does to it: take it over, reply,
//! hand it back at a chosen stage, retry a dead CRM delivery, erase the
//! customer's data (a form whose checkbox must be ticked, so no click
//! erases by accident). `{id}` is the opaque id of [`super::ids`], never
//! the customer's number.
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
use leadline_domain::{Conversation, CustomerId, Language, Message, Speaker};
use leadline_stores::{AdminError, EffectEntry, HumanAction, OutboxEntry, SendState};
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/conversations/{id}", get(show))
        .route("/conversations/{id}/events", get(subscribe))
        .route("/conversations/{id}/takeover", post(take_over))
        .route("/conversations/{id}/reply", post(reply))
        .route("/conversations/{id}/handback", post(hand_back))
        .route(
            "/conversations/{id}/effects/{effect}/retry",
            post(retry_effect),
        )
        .route("/conversations/{id}/erase", post(erase))
}

fn customer(state: &AppState, id: &str) -> Result<CustomerId, PageError> {
    state.ids.customer(id).ok_or(PageError::NotFound)
}

/// The notices an action can leave, as keys of the UI's texts: nothing
/// else from the query string reaches the page.
const NOTICES: [&str; 7] = [
    "done",
    "window_closed",
    "bad_reply",
    "bad_stage",
    "retried",
    "not_dead",
    "confirm_erase",
];

#[derive(Deserialize)]
struct ShowParams {
    notice: Option<String>,
}

#[derive(Serialize)]
struct Page {
    wa_id: String,
    profile_name: Option<String>,
    summary: String,
    stages: Vec<String>,
    notice: Option<&'static str>,
    #[serde(flatten)]
    parts: Parts,
}

/// What the page's live parts show (its panel, transcript and activity),
/// rendered whole at first and again whenever one of them changes.
#[derive(Serialize)]
struct Parts {
    id: String,
    stage: String,
    lead: LeadView,
    handoff: Option<&'static str>,
    /// When the customer opted out: the reply form warns.
    opted_out_at: Option<String>,
    messages: Vec<MessageRow>,
    sent: Vec<SentRow>,
    effects: Vec<EffectRow>,
    events: Vec<EventRow>,
}

/// The templates of the live parts, by the event that carries each.
const LIVE_PARTS: [(&str, &str); 3] = [
    ("panel", "panel.html"),
    ("transcript", "transcript.html"),
    ("activity", "activity.html"),
];

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

/// A CRM delivery, a notice to the sales rep, a reminder or a nudge, and
/// how it went.
#[derive(Serialize)]
struct EffectRow {
    id: i64,
    /// `crm`, `notify_rep`, `reminder` or `follow_up`.
    kind: &'static str,
    /// `pending`, `done` or `dead`.
    state: &'static str,
    attempts: u32,
    error: Option<String>,
    /// When it finished, or was recorded while it has not.
    at: String,
}

#[derive(Serialize)]
struct EventRow {
    at: String,
    kind: String,
    /// The event's fields as `name: value`.
    detail: String,
}

/// The conversation's live parts, and the conversation they were read
/// from; [`PageError::NotFound`] if there is none.
async fn parts(
    state: &AppState,
    id: &str,
    customer: &CustomerId,
    language: Language,
) -> Result<(Parts, Conversation), PageError> {
    let view = state
        .store
        .conversation_view(customer)
        .await?
        .ok_or(PageError::NotFound)?;
    let c = view.conversation;
    let parts = Parts {
        id: id.to_owned(),
        stage: c.stage.clone(),
        lead: LeadView::new(&c.lead, language),
        handoff: c.handoff.as_ref().map(|h| h.reason.as_str()),
        opted_out_at: c.opted_out_at.map(when),
        messages: message_rows(&c.history),
        sent: view.outbox.into_iter().map(sent_row).collect(),
        effects: view.effects.into_iter().map(effect_row).collect(),
        events: view
            .events
            .iter()
            .map(|recorded| EventRow {
                at: when(recorded.at),
                kind: recorded.event.kind().to_owned(),
                detail: detail(&recorded.event),
            })
            .collect(),
    };
    Ok((parts, c))
}

fn sent_row(entry: OutboxEntry) -> SentRow {
    SentRow {
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
    }
}

fn effect_row(entry: EffectEntry) -> EffectRow {
    EffectRow {
        id: entry.id,
        kind: entry.effect.action.kind(),
        state: entry.state.as_str(),
        attempts: entry.attempts,
        error: entry.last_error,
        at: when(entry.finished_at.unwrap_or(entry.created_at)),
    }
}

async fn show(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
    Query(params): Query<ShowParams>,
    lang: Lang,
) -> Result<Html<String>, PageError> {
    let customer = customer(&state, &id)?;
    let Lang(language) = lang;
    let (parts, c) = parts(&state, &id, &customer, language).await?;
    let page = Page {
        wa_id: c.customer.as_str().to_owned(),
        profile_name: c.profile_name,
        summary: c.summary.text,
        stages: actions::hand_back_stages(&state.playbook)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        notice: params
            .notice
            .and_then(|n| NOTICES.into_iter().find(|known| *known == n)),
        parts,
    };
    state
        .dashboard
        .render("conversation.html", lang, Some(&session), page)
}

fn message_rows(history: &[Message]) -> Vec<MessageRow> {
    history
        .iter()
        .map(|m| MessageRow {
            speaker: match m.speaker {
                Speaker::Customer => "customer",
                Speaker::Agent => "agent",
                Speaker::Human => "human",
            },
            text: m.text.clone(),
            at: when(m.at),
        })
        .collect()
}

/// The page, live: new messages of the customer, the bot or a person, the
/// stage and lead fields, sends and their delivery, CRM deliveries and
/// events appear while the page is open.
async fn subscribe(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
    headers: HeaderMap,
    lang: Lang,
) -> Result<impl IntoResponse, PageError> {
    let customer = customer(&state, &id)?;
    let store = state.clone();
    Ok(live(state, headers, move || {
        let (state, id, customer, session) =
            (store.clone(), id.clone(), customer.clone(), session.clone());
        async move {
            let Lang(language) = lang;
            let (parts, _) = parts(&state, &id, &customer, language).await?;
            LIVE_PARTS
                .into_iter()
                .map(|(event, template)| {
                    let Html(html) =
                        state
                            .dashboard
                            .render(template, lang, Some(&session), &parts)?;
                    Ok((event, html))
                })
                .collect()
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

/// Sends a dead CRM delivery or notice again (the CRM is back, the
/// template approved), if it is this conversation's.
async fn retry_effect(
    State(state): State<AppState>,
    Path((id, effect)): Path<(String, i64)>,
    Checked(_): Checked<Plain>,
) -> Result<Redirect, PageError> {
    let customer = customer(&state, &id)?;
    let notice = if actions::retry_effect(&state, effect, Some(&customer)).await? {
        "retried"
    } else {
        "not_dead"
    };
    Ok(back(&id, notice))
}

#[derive(Deserialize)]
struct EraseForm {
    #[serde(default)]
    csrf: String,
    /// The ticked confirmation box sends `yes`; an unticked one nothing.
    #[serde(default)]
    confirm: String,
}

impl CsrfForm for EraseForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Erases the customer's data once the person confirmed it, and goes back
/// to the list, where the conversation no longer is.
async fn erase(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Checked(form): Checked<EraseForm>,
) -> Result<Redirect, PageError> {
    let customer = customer(&state, &id)?;
    if form.confirm != "yes" {
        return Ok(back(&id, "confirm_erase"));
    }
    if !actions::erase(&state, &customer).await? {
        return Err(PageError::NotFound);
    }
    Ok(Redirect::to("/?notice=erased"))
}
