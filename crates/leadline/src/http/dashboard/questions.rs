//! `/questions`: what customers asked, one row per question however it was
//! worded, with how often and in which conversations; by default only those
//! the knowledge folder never answered, so the team knows what to add to it.

use super::i18n::Lang;
use super::list::when;
use super::{PageError, Session};
use crate::http::AppState;
use crate::http::api::{parse_question_cursor, question_cursor};
use axum::Router;
use axum::extract::{Extension, Query, State};
use axum::response::Html;
use axum::routing::get;
use leadline_stores::QuestionQuery;
use serde::{Deserialize, Serialize};

/// How many questions a page shows.
const LISTED: usize = 100;

pub fn router() -> Router<AppState> {
    Router::new().route("/questions", get(show))
}

#[derive(Debug, Default, Deserialize)]
struct Params {
    /// `all` for every question; anything else lists the unanswered ones.
    show: Option<String>,
    /// Where the previous page ended; one this process cannot read starts
    /// from the top.
    cursor: Option<String>,
}

#[derive(Serialize)]
struct Asker {
    /// The opaque id of the conversation's page.
    id: String,
    /// The end of the customer's number, enough to tell conversations
    /// apart in a row.
    label: String,
}

#[derive(Serialize)]
struct Row {
    question: String,
    asked: u64,
    conversations: u64,
    last_asked: String,
    answered: bool,
    askers: Vec<Asker>,
}

#[derive(Serialize)]
struct Page {
    all: bool,
    rows: Vec<Row>,
    /// The cursor of the next page, when this one is full.
    next: Option<String>,
}

/// The last four characters of a customer id, after an ellipsis.
fn label(customer: &str) -> String {
    let tail: String = customer
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("…{tail}")
}

async fn show(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Query(params): Query<Params>,
    lang: Lang,
) -> Result<Html<String>, PageError> {
    let all = params.show.as_deref() == Some("all");
    let query = QuestionQuery {
        answered: if all { None } else { Some(false) },
        limit: LISTED,
        after: params
            .cursor
            .as_deref()
            .and_then(|raw| parse_question_cursor(&state.ids, raw)),
    };
    let rows = state.store.questions(&query).await?;
    let next = match rows.last() {
        Some(last) if rows.len() == LISTED => Some(question_cursor(&state.ids, &last.cursor())),
        _ => None,
    };
    let page = Page {
        all,
        next,
        rows: rows
            .into_iter()
            .map(|row| Row {
                askers: row
                    .customers
                    .iter()
                    .map(|c| Asker {
                        id: state.ids.of(c),
                        label: label(c.as_str()),
                    })
                    .collect(),
                question: row.question,
                asked: row.asked,
                conversations: row.conversations,
                last_asked: when(row.last_asked),
                answered: row.answered,
            })
            .collect(),
    };
    state
        .dashboard
        .render("questions.html", lang, Some(&session), page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_shows_only_the_end_of_the_number() {
        assert_eq!(label("34600111234"), "…1234");
        assert_eq!(label("12"), "…12");
    }
}
