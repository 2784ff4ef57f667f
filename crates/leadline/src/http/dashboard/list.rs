//! `/`: the conversations, most recently active first, with their stage,
//! what is known of the lead and why they were handed off. The rows are
//! kept live by `/events`. After an erasure it says so (`?notice=erased`).

use super::i18n::Lang;
use super::{PageError, Session};
use crate::http::AppState;
use axum::Router;
use axum::extract::{Extension, Query, State};
use axum::response::Html;
use axum::routing::get;
use jiff::Timestamp;
use leadline_domain::playbook::LeadView;
use leadline_stores::LeadQuery;
use serde::{Deserialize, Serialize};

/// How many conversations the list shows.
const LISTED: usize = 100;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(show))
}

#[derive(Serialize)]
struct Row {
    /// The opaque id of the conversation's page.
    id: String,
    wa_id: String,
    profile_name: Option<String>,
    stage: String,
    lead: LeadView,
    handoff: Option<&'static str>,
    /// The customer asked for no more messages.
    opted_out: bool,
    updated: String,
}

#[derive(Serialize)]
struct Rows {
    rows: Vec<Row>,
    /// A key of the UI's texts; only [`NOTICES`] reach the page.
    notice: Option<&'static str>,
}

/// The notices the list shows, as keys of the UI's texts.
const NOTICES: [&str; 1] = ["erased"];

#[derive(Deserialize)]
struct ShowParams {
    notice: Option<String>,
}

/// A time as the dashboard prints it: UTC to the minute.
pub fn when(at: Timestamp) -> String {
    at.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

/// The newest conversations as template data.
async fn rows(state: &AppState, lang: Lang) -> Result<Rows, PageError> {
    let query = LeadQuery {
        limit: LISTED,
        ..LeadQuery::default()
    };
    let rows = state.store.leads(&query).await?;
    let Lang(language) = lang;
    Ok(Rows {
        rows: rows
            .into_iter()
            .map(|row| {
                let c = row.conversation;
                Row {
                    id: state.ids.of(&c.customer),
                    wa_id: c.customer.as_str().to_owned(),
                    profile_name: c.profile_name,
                    stage: c.stage,
                    lead: LeadView::new(&c.lead, language),
                    handoff: c.handoff.map(|h| h.reason.as_str()),
                    opted_out: c.opted_out_at.is_some(),
                    updated: when(row.updated_at),
                }
            })
            .collect(),
        notice: None,
    })
}

/// The rows alone, as `/events` sends them.
pub async fn rendered_rows(state: &AppState, lang: Lang) -> Result<String, PageError> {
    let rows = rows(state, lang).await?;
    let Html(html) = state.dashboard.render("rows.html", lang, None, rows)?;
    Ok(html)
}

async fn show(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Query(params): Query<ShowParams>,
    lang: Lang,
) -> Result<Html<String>, PageError> {
    let mut rows = rows(&state, lang).await?;
    rows.notice = params
        .notice
        .and_then(|n| NOTICES.into_iter().find(|known| *known == n));
    state
        .dashboard
        .render("list.html", lang, Some(&session), rows)
}
