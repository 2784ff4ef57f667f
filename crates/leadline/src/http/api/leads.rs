//! `GET /api/leads` (filtered, searched, paged) and `GET /api/leads.csv`
//! (every matching lead, for a spreadsheet or a CRM import).

use super::{ApiError, ErrorJson, LeadJson, next_cursor, page_limit};
use crate::http::AppState;
use crate::http::OpaqueIds;
use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use futures_util::StreamExt;
use jiff::Timestamp;
use leadline_domain::conversation::HandoffReason;
use leadline_domain::lead::{Authority, Budget, Lead, Timeline};
use leadline_stores::{LeadCursor, LeadQuery, LeadRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A page when the caller does not say.
const DEFAULT_LIMIT: usize = 50;
/// The largest page: a bound on what one request loads.
const MAX_LIMIT: usize = 500;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/leads", get(list))
        .route("/leads.csv", get(export))
}

/// The query string of the lists.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ListParams {
    /// A playbook stage, such as `qualification`.
    stage: Option<String>,
    /// A handoff reason, such as `customer_asked`.
    handoff: Option<String>,
    /// Only leads active since this RFC 3339 time.
    since: Option<String>,
    /// Searched in the name, company and WhatsApp profile name.
    q: Option<String>,
    /// At most this many (1 to 500, 50 when not said).
    limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

impl ListParams {
    /// The store query these parameters ask for; a value that does not
    /// parse is the caller's mistake, named in the error.
    pub(super) fn query(&self, ids: &OpaqueIds) -> Result<LeadQuery, ApiError> {
        let handoff = match non_empty(&self.handoff) {
            None => None,
            Some(raw) => Some(handoff_reason(raw)?.as_str().to_owned()),
        };
        let updated_since = match non_empty(&self.since) {
            None => None,
            Some(raw) => Some(raw.parse::<Timestamp>().map_err(|_| {
                ApiError::BadRequest(format!(
                    "since: {raw:?} is not an RFC 3339 time such as 2025-01-31T09:00:00Z"
                ))
            })?),
        };
        let limit = page_limit(self.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
        Ok(LeadQuery {
            stage: non_empty(&self.stage).map(str::to_owned),
            handoff,
            handed_off: false,
            updated_since,
            search: non_empty(&self.q).map(str::to_owned),
            limit,
            after: non_empty(&self.cursor)
                .map(|raw| parse_cursor(ids, raw))
                .transpose()?,
        })
    }
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn handoff_reason(raw: &str) -> Result<HandoffReason, ApiError> {
    serde_json::from_value(serde_json::Value::String(raw.to_owned()))
        .map_err(|_| ApiError::BadRequest(format!("handoff: {raw:?} is not a handoff reason")))
}

/// What cursors are sealed for: a cursor opens as nothing else.
const CURSOR: &[u8] = b"leadline lead cursor v1";

/// A cursor is the last row's `updated_at` (milliseconds, 8 bytes) and
/// customer id, sealed like the opaque ids: it travels in a URL, so it
/// must not name the customer, and a forged one must not be taken.
pub(super) fn cursor_of(ids: &OpaqueIds, cursor: &LeadCursor) -> String {
    let mut plain = cursor.updated_at.as_millisecond().to_be_bytes().to_vec();
    plain.extend_from_slice(cursor.customer.as_str().as_bytes());
    ids.seal(CURSOR, &plain)
}

fn parse_cursor(ids: &OpaqueIds, raw: &str) -> Result<LeadCursor, ApiError> {
    let bad = || ApiError::BadRequest("cursor: not a cursor from a previous page".to_owned());
    let plain = ids.open(CURSOR, raw).ok_or_else(bad)?;
    let (ms, customer) = plain.split_at_checked(8).ok_or_else(bad)?;
    let updated_at = <[u8; 8]>::try_from(ms)
        .ok()
        .and_then(|ms| Timestamp::from_millisecond(i64::from_be_bytes(ms)).ok())
        .ok_or_else(bad)?;
    let customer = std::str::from_utf8(customer)
        .ok()
        .and_then(|c| leadline_domain::CustomerId::parse(c).ok())
        .ok_or_else(bad)?;
    Ok(LeadCursor {
        updated_at,
        customer,
    })
}

/// One page of leads, and the cursor of the next when the page is full.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct PageJson<'a> {
    leads: Vec<LeadJson<'a>>,
    next_cursor: Option<String>,
}

impl<'a> PageJson<'a> {
    pub(super) fn new(ids: &OpaqueIds, rows: &'a [LeadRow], limit: usize) -> Self {
        let next_cursor = next_cursor(rows, limit, |row| cursor_of(ids, &row.cursor()));
        Self {
            leads: rows.iter().map(|row| LeadJson::of_row(ids, row)).collect(),
            next_cursor,
        }
    }
}

/// Conversations matching the filters, most recently active first.
#[utoipa::path(get, path = "/api/leads", params(ListParams), responses(
    (status = 200, body = PageJson),
    (status = 400, body = ErrorJson),
    (status = 401, body = ErrorJson),
))]
pub(super) async fn list(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<Response, ApiError> {
    let query = params.query(&state.ids)?;
    let rows = state.store.leads(&query).await?;
    Ok(Json(PageJson::new(&state.ids, &rows, query.limit)).into_response())
}

/// Every lead matching the filters, up to `limit` when given (any number
/// then, not only a page's), one row each. The rows are streamed as they
/// are read from the store a page at a time, so an export of any size
/// holds one page in memory. A store failure midway cuts the download
/// short (the status was sent), which the client sees as an error.
#[utoipa::path(get, path = "/api/leads.csv", params(ListParams), responses(
    (status = 200, description = "One row per lead", content_type = "text/csv", body = String),
    (status = 400, body = ErrorJson),
    (status = 401, body = ErrorJson),
))]
pub(super) async fn export(
    State(state): State<AppState>,
    Query(mut params): Query<ListParams>,
) -> Result<Response, ApiError> {
    let total = match params.limit.take() {
        None => usize::MAX,
        Some(0) => return Err(ApiError::BadRequest("limit must be at least 1".to_owned())),
        Some(n) => n,
    };
    let query = LeadQuery {
        limit: MAX_LIMIT.min(total),
        after: None,
        ..params.query(&state.ids)?
    };
    let header = csv_bytes(|writer| writer.write_record(HEADER))?;
    let first = futures_util::stream::once(async move { Ok::<_, ApiError>(header) });
    let rows = futures_util::stream::try_unfold(
        (state, query, total),
        |(state, mut query, left)| async move {
            if left == 0 {
                return Ok(None);
            }
            query.limit = query.limit.min(left);
            let rows = state.store.leads(&query).await.map_err(|e| {
                tracing::error!(error = %e, "the CSV export stopped: the store failed");
                ApiError::from(e)
            })?;
            let chunk = csv_bytes(|writer| {
                rows.iter()
                    .try_for_each(|row| writer.write_record(record(row)))
            })?;
            let left = match rows.last() {
                Some(last) if rows.len() == query.limit => {
                    query.after = Some(last.cursor());
                    left - rows.len()
                }
                _ => 0,
            };
            Ok(Some((chunk, (state, query, left))))
        },
    );
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8"),
            (CONTENT_DISPOSITION, "attachment; filename=\"leads.csv\""),
        ],
        Body::from_stream(first.chain(rows)),
    )
        .into_response())
}

/// Rows written by `write` as CSV bytes.
fn csv_bytes(
    write: impl FnOnce(&mut csv::Writer<Vec<u8>>) -> csv::Result<()>,
) -> Result<Vec<u8>, ApiError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    write(&mut writer).map_err(csv_error)?;
    writer.into_inner().map_err(|e| csv_error(e.into_error()))
}

fn csv_error(e: impl std::fmt::Display) -> ApiError {
    tracing::error!(error = %e, "cannot write the CSV export");
    ApiError::Internal
}

const HEADER: [&str; 16] = [
    "wa_id",
    "profile_name",
    "name",
    "company",
    "budget_min",
    "budget_max",
    "currency",
    "role",
    "decision_power",
    "need",
    "timeline",
    "email",
    "stage",
    "handoff_reason",
    "started_at",
    "updated_at",
];

fn record(row: &LeadRow) -> [String; 16] {
    let c = &row.conversation;
    let Lead {
        name,
        company,
        budget,
        authority,
        need,
        timeline,
        email,
    } = &c.lead;
    let text = |v: Option<&str>| cell(v.unwrap_or_default());
    let number = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_default();
    [
        c.customer.as_str().to_owned(),
        text(c.profile_name.as_deref()),
        text(name.as_deref()),
        text(company.as_deref()),
        number(budget.as_ref().and_then(Budget::min)),
        number(budget.as_ref().and_then(Budget::max)),
        text(budget.as_ref().and_then(Budget::currency).map(|c| c.code())),
        text(authority.as_ref().and_then(Authority::role)),
        authority
            .as_ref()
            .and_then(|a| serde_json::to_value(a.power()).ok())
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        text(need.as_deref()),
        match timeline {
            None => String::new(),
            Some(Timeline::Asap) => "asap".to_owned(),
            Some(Timeline::Undecided) => "undecided".to_owned(),
            Some(Timeline::By(deadline)) => deadline.date().to_string(),
        },
        text(email.as_deref()),
        cell(&c.stage),
        c.handoff
            .as_ref()
            .map(|h| h.reason.as_str().to_owned())
            .unwrap_or_default(),
        c.started_at.to_string(),
        row.updated_at.to_string(),
    ]
}

/// What a customer wrote, made safe for a spreadsheet: a cell starting
/// with `=`, `+`, `-`, `@` or a control character would run as a formula
/// in Excel or LibreOffice (CSV injection), so it gets a leading `'`.
/// Quoting itself is the `csv` crate's.
fn cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_plain_text_kept() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("Acme, \"Tools\""), "Acme, \"Tools\"");
    }

    #[test]
    fn a_cursor_reads_back_and_garbage_is_refused() {
        let cursor = LeadCursor {
            updated_at: Timestamp::from_millisecond(1_700_000_000_123).expect("a time"),
            customer: leadline_domain::CustomerId::parse("34600111234").expect("an id"),
        };
        let ids = OpaqueIds::derive(b"token");
        assert_eq!(
            parse_cursor(&ids, &cursor_of(&ids, &cursor)).expect("a cursor"),
            cursor
        );
        let sealed = cursor_of(&ids, &cursor);
        assert!(!sealed.contains("600111234") && !sealed.contains("1700000000123"));
        let forged = format!("1700000000123.{}", ids.of(&cursor.customer));
        let mut tampered = sealed.clone().into_bytes();
        tampered[20] = if tampered[20] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).expect("ASCII");
        for garbage in [
            "",
            "12",
            "x.34600111234",
            forged.as_str(),
            tampered.as_str(),
            // An opaque id is sealed for another purpose.
            ids.of(&cursor.customer).as_str(),
        ] {
            assert!(parse_cursor(&ids, garbage).is_err(), "{garbage:?}");
        }
        let other = OpaqueIds::derive(b"another token");
        assert!(parse_cursor(&other, &sealed).is_err());
    }
}
