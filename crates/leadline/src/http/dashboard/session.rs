//! Who is logged in to the dashboard, and who may try to.
//!
//! Sessions and login attempts are kept by the store: every process
//! behind a load balancer knows a login and counts an attempt, and a
//! restart logs nobody out. The store holds a SHA-256 digest of each
//! session id, never the id the browser carries.

use super::PageError;
use crate::http::AppState;
use axum::http::HeaderMap;
use axum::http::header::COOKIE;

use leadline_stores::LoginSession;
use ring::digest::{SHA256, digest};
use ring::rand::{SecureRandom, SystemRandom};
use std::time::Duration;
use subtle::ConstantTimeEq;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "leadline_session";
/// How long a login lasts: a working day, then log in again.
pub const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);

/// A logged-in person: the token their forms must carry.
#[derive(Debug, Clone)]
pub struct Session {
    pub csrf: String,
}

impl Session {
    /// Whether a form's token is this session's, compared in constant time.
    pub fn accepts(&self, csrf: &str) -> bool {
        bool::from(csrf.as_bytes().ct_eq(self.csrf.as_bytes()))
    }
}

/// 32 bytes from the operating system's CSPRNG, in hex: a session id or a
/// form token nobody can guess. It fails only if the OS has no randomness
/// to give, and then nothing guessable is handed out.
pub fn token() -> Result<String, PageError> {
    let mut bytes = [0u8; 32];
    SystemRandom::new().fill(&mut bytes).map_err(|_| {
        tracing::error!("the operating system's random number generator failed");
        PageError::Internal
    })?;
    Ok(hex::encode(bytes))
}

/// What the store keeps a session under: a digest of its id, so that
/// reading the table gives no way in.
fn stored_key(id: &str) -> String {
    hex::encode(digest(&SHA256, id.as_bytes()))
}

/// Opens a session; answers its id, for the cookie.
pub async fn open(state: &AppState) -> Result<String, PageError> {
    let id = token()?;
    let session = LoginSession {
        csrf: token()?,
        expires: state.clock.now() + SESSION_TTL,
    };
    state.store.open_session(&stored_key(&id), &session).await?;
    Ok(id)
}

/// The live session the request's cookie names, if any.
pub async fn find(state: &AppState, headers: &HeaderMap) -> Result<Option<Session>, PageError> {
    let Some(id) = cookie(headers, SESSION_COOKIE).filter(|id| !id.is_empty()) else {
        return Ok(None);
    };
    let stored = state
        .store
        .session(&stored_key(id), state.clock.now())
        .await?;
    Ok(stored.map(|s| Session { csrf: s.csrf }))
}

pub async fn close(state: &AppState, headers: &HeaderMap) -> Result<(), PageError> {
    if let Some(id) = cookie(headers, SESSION_COOKIE) {
        state.store.close_session(&stored_key(id)).await?;
    }
    Ok(())
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A `Set-Cookie` value the page's scripts cannot read, sent back only to
/// this site's own pages (no cross-site request carries it).
pub fn set_cookie(name: &str, value: &str, max_age: Duration) -> String {
    format!(
        "{name}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}",
        max_age.as_secs()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn a_cookie_is_found_among_others_by_its_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("lang=es; leadline_session=abc"),
        );
        headers.append(COOKIE, HeaderValue::from_static("other=1"));
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, "other"), Some("1"));
        assert_eq!(cookie(&headers, "leadline"), None);
    }

    #[test]
    fn the_stored_key_is_a_digest_not_the_id() {
        let id = token().expect("a token");
        assert_eq!(id.len(), 64);
        let key = stored_key(&id);
        assert_eq!(key.len(), 64);
        assert_ne!(key, id);
        assert_eq!(key, stored_key(&id));
    }

    #[test]
    fn a_form_token_is_accepted_only_when_it_matches() {
        let session = Session {
            csrf: token().expect("a token"),
        };
        assert!(session.accepts(&session.csrf.clone()));
        assert!(!session.accepts("forged"));
        assert!(!session.accepts(""));
    }
}
