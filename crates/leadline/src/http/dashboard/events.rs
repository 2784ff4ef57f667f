//! Server-sent events that keep pages live: `/events` the conversation
//! list, `/conversations/{id}/events` a conversation's panel, transcript
//! and activity.
//!
//! Each connected client polls the store once a second and is sent each
//! rendered part that changed. Polling the store, rather than
//! listening to this process's engine, sees conversations that any process
//! wrote (an ingress and workers elsewhere on one PostgreSQL database), and
//! costs nothing while no dashboard is open: the loop runs only while a
//! client is connected, and ends when its session does.

use super::PageError;
use super::i18n::Lang;
use super::list::rendered_rows;
use super::session;
use crate::http::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use futures_util::{StreamExt, stream};
use std::collections::HashMap;
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
    live(state, headers, move || {
        let state = rows.clone();
        async move { Ok(vec![("rows", rendered_rows(&state, lang).await?)]) }
    })
}

/// A page's live parts as rendered now: each part's event name and HTML.
pub(super) type Parts = Vec<(&'static str, String)>;

struct Poll<F> {
    state: AppState,
    headers: HeaderMap,
    render: F,
    /// What each part last sent.
    last: HashMap<&'static str, String>,
}

/// Sends each part `render` renders as an event of its name whenever it
/// changed, checked once a second, for as long as the session lasts (a
/// page gone away ends the stream when its connection closes). A store
/// error keeps what the page shows; a conversation no longer there ends
/// the stream.
pub(super) fn live<F, Fut>(state: AppState, headers: HeaderMap, render: F) -> impl IntoResponse
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = Result<Parts, PageError>> + Send,
{
    let poll = Poll {
        state,
        headers,
        render,
        last: HashMap::new(),
    };
    let changes = stream::unfold(poll, move |mut poll| async move {
        loop {
            tokio::time::sleep(POLL).await;
            // Logged out (or expired) meanwhile: stop. A store that
            // cannot say keeps the stream, as it keeps the page.
            if let Ok(None) = session::find(&poll.state, &poll.headers).await {
                return None;
            }
            match (poll.render)().await {
                Ok(parts) => {
                    let mut changed = Vec::new();
                    for (name, html) in parts {
                        if poll.last.get(name) != Some(&html) {
                            changed.push(Ok::<_, Infallible>(
                                Event::default().event(name).data(&html),
                            ));
                            poll.last.insert(name, html);
                        }
                    }
                    if !changed.is_empty() {
                        return Some((stream::iter(changed), poll));
                    }
                }
                // Logged where it happened; the client keeps what it shows.
                Err(PageError::Unavailable | PageError::Internal) => {}
                Err(PageError::NotFound | PageError::Forbidden) => return None,
            }
        }
    });
    Sse::new(changes.flatten()).keep_alive(KeepAlive::default())
}
