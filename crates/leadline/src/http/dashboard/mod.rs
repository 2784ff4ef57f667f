//! The operator dashboard: server-rendered pages for the sales team, in
//! Spanish and English, behind a login with the admin token. Templates,
//! style and the one small script are compiled into the binary (no CDN, no
//! build step). One module per page or resource, each with its `router()`.
//!
//! Every page is rendered by minijinja with HTML auto-escaping (templates
//! end in `.html`), so whatever a customer wrote shows as text. Pages are
//! sent with a strict Content-Security-Policy on top: scripts and styles
//! only from this site, never inline.

mod assets;
mod conversation;
mod events;
mod funnel;
mod i18n;
mod list;
mod login;
mod questions;
mod session;

use super::AppState;
use super::StoreFailure;
use axum::Router;
use axum::extract::{Form, FromRequest, Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use i18n::Lang;
use leadline_domain::Language;
use leadline_stores::StoreError;
use minijinja::{Environment, Value, context};
use serde::Serialize;
use serde::de::DeserializeOwned;
pub use session::Session;

/// What the dashboard keeps besides the application's state.
#[derive(Debug)]
pub struct Dashboard {
    templates: Environment<'static>,
}

impl Dashboard {
    /// The compiled templates; fails only if a template is broken (which
    /// the tests would catch first).
    pub fn new() -> Result<Self, String> {
        let mut templates = Environment::new();
        templates.set_formatter(|out, state, value| match value.as_str() {
            Some(text) if !value.is_safe() && text.contains(is_bidi_control) => {
                minijinja::escape_formatter(out, state, &Value::from(show_bidi(text)))
            }
            _ => minijinja::escape_formatter(out, state, value),
        });
        for (name, source) in TEMPLATES {
            templates
                .add_template(name, source)
                .map_err(|e| format!("dashboard template {name}: {e}"))?;
        }
        Ok(Self { templates })
    }

    /// Renders template `name` in `lang` with `page`'s fields, the UI's
    /// texts (`t`) and the session's form token (`csrf`), if any.
    fn render(
        &self,
        name: &str,
        lang: Lang,
        session: Option<&Session>,
        page: impl Serialize,
    ) -> Result<Html<String>, PageError> {
        let Lang(language) = lang;
        let template = self.templates.get_template(name).map_err(render_error)?;
        let html = template
            .render(context! {
                t => i18n::texts(language),
                lang => language.code(),
                other_lang => other(language).code(),
                csrf => session.map(|s| s.csrf.as_str()),
                ..Value::from_serialize(page)
            })
            .map_err(render_error)?;
        Ok(Html(html))
    }
}

/// Unicode's bidirectional controls (embeddings, overrides, isolates,
/// marks): in a customer's name they could make the page show text other
/// than what is stored (`\u{202E}` turns "evil.exe" around).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with each bidirectional control shown as its code (`[U+202E]`).
fn show_bidi(text: &str) -> String {
    let mut shown = String::with_capacity(text.len());
    for c in text.chars() {
        if is_bidi_control(c) {
            shown.push_str(&format!("[U+{:04X}]", u32::from(c)));
        } else {
            shown.push(c);
        }
    }
    shown
}

fn other(language: Language) -> Language {
    match language {
        Language::Es => Language::En,
        Language::En => Language::Es,
    }
}

fn render_error(e: minijinja::Error) -> PageError {
    tracing::error!(error = %e, "cannot render a dashboard page");
    PageError::Internal
}

const TEMPLATES: [(&str, &str); 10] = [
    ("base.html", include_str!("templates/base.html")),
    ("login.html", include_str!("templates/login.html")),
    ("list.html", include_str!("templates/list.html")),
    ("rows.html", include_str!("templates/rows.html")),
    (
        "conversation.html",
        include_str!("templates/conversation.html"),
    ),
    ("funnel.html", include_str!("templates/funnel.html")),
    ("questions.html", include_str!("templates/questions.html")),
    ("transcript.html", include_str!("templates/transcript.html")),
    ("panel.html", include_str!("templates/panel.html")),
    ("activity.html", include_str!("templates/activity.html")),
];

/// Every dashboard route. Pages other than the login and the static files
/// need a session: without one a GET is sent to `/login`, anything else
/// refused.
pub fn router(state: AppState) -> Router<AppState> {
    let private = Router::new()
        .merge(list::router())
        .merge(events::router())
        .merge(conversation::router())
        .merge(funnel::router())
        .merge(questions::router())
        .merge(login::logout_router())
        .layer(middleware::from_fn_with_state(state, require_session));
    Router::new()
        .merge(private)
        .merge(login::router())
        .merge(assets::router())
        .layer(middleware::from_fn(i18n::remember))
        .layer(middleware::from_fn(protect))
}

async fn require_session(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    match session::find(&state, request.headers()).await {
        Ok(Some(session)) => {
            request.extensions_mut().insert(session);
            next.run(request).await
        }
        Ok(None) if request.method() == Method::GET => Redirect::to("/login").into_response(),
        Ok(None) => PageError::Forbidden.into_response(),
        Err(e) => e.into_response(),
    }
}

/// What every dashboard answer carries: no inline or foreign scripts and
/// styles, no framing, no referrer (opaque ids stay on this site), no
/// caching of pages with customer data.
async fn protect(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers
        .entry(CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// A form that carries the session's CSRF token in its `csrf` field.
pub trait CsrfForm: DeserializeOwned + Send {
    fn csrf(&self) -> &str;
}

/// A posted form whose `csrf` field matched the session's token (compared
/// in constant time); anything else is refused with 403.
pub struct Checked<T>(pub T);

impl<T: CsrfForm> FromRequest<AppState> for Checked<T> {
    type Rejection = PageError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, PageError> {
        let session = request
            .extensions()
            .get::<Session>()
            .cloned()
            .ok_or(PageError::Forbidden)?;
        let Form(form) = Form::<T>::from_request(request, state)
            .await
            .map_err(|_| PageError::Forbidden)?;
        if !session.accepts(form.csrf()) {
            return Err(PageError::Forbidden);
        }
        Ok(Checked(form))
    }
}

/// Why a page could not be shown. The body is bilingual: the error may
/// come before the language is known.
#[derive(Debug)]
pub enum PageError {
    NotFound,
    /// No session, or a form without its session's token.
    Forbidden,
    Unavailable,
    Internal,
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        match StoreFailure::of(&e, "dashboard") {
            StoreFailure::Unavailable => PageError::Unavailable,
            StoreFailure::Internal => PageError::Internal,
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, text) = match self {
            PageError::NotFound => (StatusCode::NOT_FOUND, "Not found · No encontrado"),
            PageError::Forbidden => (
                StatusCode::FORBIDDEN,
                "The form expired or you are logged out: reload the page · El formulario caducó o cerraste sesión: recarga la página",
            ),
            PageError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "The store is unavailable: try again shortly · El almacenamiento no está disponible: inténtalo en un momento",
            ),
            PageError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong · Algo salió mal",
            ),
        };
        let body = format!(
            "<!doctype html><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <link rel=\"stylesheet\" href=\"/static/dashboard.css\"><title>Leadline</title>\
             <main class=\"narrow\"><h1>Leadline</h1><p class=\"notice\">{text}</p><p><a href=\"/\">←</a></p></main>"
        );
        (status, Html(body)).into_response()
    }
}
