//! `/events`: server-sent events that keep the conversation list live.
//!
//! Each connected client polls the store's lead list once a second and is
//! sent the rendered rows when they changed. Polling the store, rather than
//! listening to this process's engine, sees conversations that any process
//! wrote (an ingress and workers elsewhere on one PostgreSQL database), and
//! costs nothing while no dashboard is open: the loop runs only while a
//! client is connected, and ends when its session does.

use super::PageError;
use super::i18n::Lang;
use super::list::rendered_rows;
use crate::http::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use futures_util::stream;
use std::convert::Infallible;
use std::time::Duration;

/// How often a connected client's list is checked for changes.
const POLL: Duration = Duration::from_secs(1);

pub fn router() -> Router<AppState> {
    Router::new().route("/events", get(subscribe))
}

struct Poll {
    state: AppState,
    headers: HeaderMap,
    lang: Lang,
    last: Option<String>,
}

async fn subscribe(
    State(state): State<AppState>,
    headers: HeaderMap,
    lang: Lang,
) -> impl IntoResponse {
    let poll = Poll {
        state,
        headers,
        lang,
        last: None,
    };
    let changes = stream::unfold(poll, |mut poll| async move {
        loop {
            tokio::time::sleep(POLL).await;
            // Logged out (or expired) meanwhile: stop.
            poll.state.dashboard.sessions.find(&poll.headers)?;
            match rendered_rows(&poll.state, poll.lang).await {
                Ok(rows) if poll.last.as_ref() != Some(&rows) => {
                    let event = Event::default().event("rows").data(&rows);
                    poll.last = Some(rows);
                    return Some((Ok::<_, Infallible>(event), poll));
                }
                Ok(_) => {}
                // Logged where it happened; the client keeps its rows.
                Err(PageError::Unavailable | PageError::Internal) => {}
                Err(PageError::NotFound | PageError::Forbidden) => return None,
            }
        }
    });
    Sse::new(changes).keep_alive(KeepAlive::default())
}
