//! `/login` (the admin token in, a session cookie out) and `/logout`.
//!
//! The login form has no session to tie a CSRF token to yet, so it uses a
//! double-submit token: a random value in an HttpOnly, SameSite=Strict
//! cookie and the same value in the form; another site can do neither.

use super::i18n::Lang;
use super::session::{self, SESSION_COOKIE, SESSION_TTL, cookie, set_cookie};
use super::{Checked, CsrfForm, PageError};
use crate::http::AppState;
use crate::http::client::{self, Client};
use axum::Router;
use axum::extract::{Form, State};
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use subtle::ConstantTimeEq;

const LOGIN_COOKIE: &str = "leadline_login";
/// How long a login form stays good.
const LOGIN_FORM_TTL: Duration = Duration::from_secs(3600);

pub fn router() -> Router<AppState> {
    Router::new().route("/login", get(form).post(log_in))
}

/// Needs a session (the caller's router checks it).
pub fn logout_router() -> Router<AppState> {
    Router::new().route("/logout", post(log_out))
}

#[derive(Serialize)]
struct LoginPage<'a> {
    /// Whether an admin token is set at all.
    configured: bool,
    /// The key of the text explaining a refusal.
    error: Option<&'a str>,
    login_csrf: Option<String>,
}

/// Renders the login page with a fresh double-submit token.
fn page(state: &AppState, lang: Lang, status: StatusCode, error: Option<&str>) -> Response {
    let configured = state.admin_token.is_some();
    let token = match configured.then(session::token).transpose() {
        Ok(token) => token,
        Err(e) => return e.into_response(),
    };
    let html = state.dashboard.render(
        "login.html",
        lang,
        None,
        LoginPage {
            configured,
            error,
            login_csrf: token.clone(),
        },
    );
    match (html, token) {
        (Ok(html), Some(token)) => (
            status,
            AppendHeaders([(SET_COOKIE, set_cookie(LOGIN_COOKIE, &token, LOGIN_FORM_TTL))]),
            html,
        )
            .into_response(),
        (Ok(html), None) => (status, html).into_response(),
        (Err(e), _) => e.into_response(),
    }
}

async fn form(State(state): State<AppState>, lang: Lang) -> Response {
    page(&state, lang, StatusCode::OK, None)
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    csrf: String,
}

/// Wrong tokens are counted per client address (behind a trusted proxy,
/// the address it names) with the admin API's, and answered 429 past the
/// limit; the right token always logs in ([`client::failed`]).
async fn log_in(
    State(state): State<AppState>,
    client: Client,
    lang: Lang,
    headers: HeaderMap,
    Form(login): Form<LoginForm>,
) -> Response {
    let Some(expected) = &state.admin_token else {
        return page(&state, lang, StatusCode::UNAUTHORIZED, None);
    };
    let double_submitted = cookie(&headers, LOGIN_COOKIE)
        .is_some_and(|c| !c.is_empty() && bool::from(c.as_bytes().ct_eq(login.csrf.as_bytes())));
    if !double_submitted {
        return page(&state, lang, StatusCode::FORBIDDEN, Some("expired_form"));
    }
    // The same constant-time comparison as the API's bearer token.
    if !bool::from(
        login
            .token
            .trim()
            .as_bytes()
            .ct_eq(expected.expose().as_bytes()),
    ) {
        return match client::failed(&state, &client, "dashboard login").await {
            Ok(false) => page(&state, lang, StatusCode::UNAUTHORIZED, Some("wrong_token")),
            Ok(true) => {
                let mut response = page(
                    &state,
                    lang,
                    StatusCode::TOO_MANY_REQUESTS,
                    Some("too_many"),
                );
                response
                    .headers_mut()
                    .insert(RETRY_AFTER, client::retry_after());
                response
            }
            Err(e) => PageError::from(e).into_response(),
        };
    }
    let id = match session::open(&state).await {
        Ok(id) => id,
        Err(e) => return e.into_response(),
    };
    tracing::info!("dashboard: logged in");
    (
        AppendHeaders([
            (SET_COOKIE, set_cookie(SESSION_COOKIE, &id, SESSION_TTL)),
            (SET_COOKIE, set_cookie(LOGIN_COOKIE, "", Duration::ZERO)),
        ]),
        Redirect::to("/"),
    )
        .into_response()
}

#[derive(Deserialize)]
struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

impl CsrfForm for LogoutForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

async fn log_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    Checked(_): Checked<LogoutForm>,
) -> Result<Response, PageError> {
    session::close(&state, &headers).await?;
    Ok((
        AppendHeaders([(SET_COOKIE, set_cookie(SESSION_COOKIE, "", Duration::ZERO))]),
        Redirect::to("/login"),
    )
        .into_response())
}
