//! Server-sent events that keep pages live: `/events` the conversation
//! list, `/conversations/{id}/events` a conversation's transcript.
//!
//! Each connected client polls the store once a second and is sent the
//! rendered part when it changed. Polling the store, rather than
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

/// The conversation list, live.
async fn subscribe(
    State(state): State<AppState>,
    headers: HeaderMap,
    lang: Lang,
) -> impl IntoResponse {
    let rows = state.clone();
    live(state, headers, "rows", move || {
        let state = rows.clone();
        async move { rendered_rows(&state, lang).await }
    })
}

struct Poll<F> {
    state: AppState,
    headers: HeaderMap,
    render: F,
    last: Option<String>,
}

/// Sends what `render` renders as an `event` whenever it changes, checked
/// once a second, for as long as the session lasts (a page gone away ends
/// the stream when its connection closes). A store error keeps what the
/// page shows; a conversation no longer there ends the stream.
pub(super) fn live<F, Fut>(
    state: AppState,
    headers: HeaderMap,
    event: &'static str,
    render: F,
) -> impl IntoResponse
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = Result<String, PageError>> + Send,
{
    let poll = Poll {
        state,
        headers,
        render,
        last: None,
    };
    let changes = stream::unfold(poll, move |mut poll| async move {
        loop {
            tokio::time::sleep(POLL).await;
            // Logged out (or expired) meanwhile: stop.
            poll.state.dashboard.sessions.find(&poll.headers)?;
            match (poll.render)().await {
                Ok(html) if poll.last.as_ref() != Some(&html) => {
                    let sent = Event::default().event(event).data(&html);
                    poll.last = Some(html);
                    return Some((Ok::<_, Infallible>(sent), poll));
                }
                Ok(_) => {}
                // Logged where it happened; the client keeps what it shows.
                Err(PageError::Unavailable | PageError::Internal) => {}
                Err(PageError::NotFound | PageError::Forbidden) => return None,
            }
        }
    });
    Sse::new(changes).keep_alive(KeepAlive::default())
}
