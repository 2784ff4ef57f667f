//! `GET /api/questions`: what customers asked, one row per question however
//! it was worded, the most recently asked first; `answered=false` lists
//! those the knowledge folder never answered, which the team should add
//! to it.

use super::{ApiError, ErrorJson, next_cursor, page_limit};
use crate::http::{AppState, OpaqueIds};
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use jiff::Timestamp;
use leadline_stores::{QuestionCursor, QuestionQuery, QuestionRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A page when the caller does not say.
const DEFAULT_LIMIT: usize = 50;
/// The largest page: each row reads its askers too.
const MAX_LIMIT: usize = 200;

pub fn router() -> Router<AppState> {
    Router::new().route("/questions", get(list))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct Params {
    /// `false`: only questions the knowledge folder never answered;
    /// `true`: only those it answered at least once; absent: all.
    answered: Option<String>,
    /// At most this many (1 to 200, 50 when not said).
    limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

impl Params {
    fn query(&self, ids: &OpaqueIds) -> Result<QuestionQuery, ApiError> {
        let answered = match self.answered.as_deref().map(str::trim) {
            None | Some("") => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(raw) => {
                return Err(ApiError::BadRequest(format!(
                    "answered: {raw:?} is neither true nor false"
                )));
            }
        };
        let limit = page_limit(self.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
        let after = match self.cursor.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(parse_cursor(ids, raw).ok_or_else(|| {
                ApiError::BadRequest("cursor: not a cursor from a previous page".to_owned())
            })?),
        };
        Ok(QuestionQuery {
            answered,
            limit,
            after,
        })
    }
}

/// A cursor is `<last asked ms>.<question key>` sealed: the key is what a
/// customer wrote, which may hold anything (a phone number, a name), and
/// it travels in a URL.
pub(crate) fn cursor_of(ids: &OpaqueIds, cursor: &QuestionCursor) -> String {
    ids.seal_text(&format!(
        "{}.{}",
        cursor.last_asked.as_millisecond(),
        cursor.key
    ))
}

pub(crate) fn parse_cursor(ids: &OpaqueIds, raw: &str) -> Option<QuestionCursor> {
    let plain = ids.open_text(raw)?;
    let (ms, key) = plain.split_once('.')?;
    let last_asked = Timestamp::from_millisecond(ms.parse().ok()?).ok()?;
    Some(QuestionCursor {
        last_asked,
        key: key.to_owned(),
    })
}

/// One question, however many ways and times it was asked.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct QuestionJson<'a> {
    /// As the customer who asked it last wrote it.
    question: &'a str,
    /// How many times it was asked.
    asked: u64,
    /// In how many conversations.
    conversations: u64,
    #[schema(value_type = String, format = DateTime)]
    last_asked: Timestamp,
    /// Whether the knowledge folder ever answered it.
    answered: bool,
    /// The opaque ids of the latest conversations that asked it (at most
    /// 5, the most recent first), for `/api/conversations/{id}`.
    conversation_ids: Vec<String>,
}

/// One page of questions, and the cursor of the next when the page is full.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct PageJson<'a> {
    questions: Vec<QuestionJson<'a>>,
    next_cursor: Option<String>,
}

impl<'a> PageJson<'a> {
    fn new(ids: &OpaqueIds, rows: &'a [QuestionRow], limit: usize) -> Self {
        let next_cursor = next_cursor(rows, limit, |row| cursor_of(ids, &row.cursor()));
        Self {
            questions: rows
                .iter()
                .map(|row| QuestionJson {
                    question: &row.question,
                    asked: row.asked,
                    conversations: row.conversations,
                    last_asked: row.last_asked,
                    answered: row.answered,
                    conversation_ids: row.customers.iter().map(|c| ids.of(c)).collect(),
                })
                .collect(),
            next_cursor,
        }
    }
}

/// The questions customers asked, the most recently asked first.
#[utoipa::path(get, path = "/api/questions", params(Params), responses(
    (status = 200, body = PageJson),
    (status = 400, body = ErrorJson),
    (status = 401, body = ErrorJson),
))]
pub(super) async fn list(
    State(state): State<AppState>,
    Query(params): Query<Params>,
) -> Result<Response, ApiError> {
    let query = params.query(&state.ids)?;
    let rows = state.store.questions(&query).await?;
    Ok(Json(PageJson::new(&state.ids, &rows, query.limit)).into_response())
}
