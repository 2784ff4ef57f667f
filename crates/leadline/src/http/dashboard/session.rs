//! Who is logged in to the dashboard, and who may try to.
//!
//! Sessions live in this process's memory, with an expiry: a restart logs
//! everyone out, and several dashboard processes behind one load balancer
//! need sticky sessions. That is fine for the handful of people of a sales
//! team, and keeps session ids out of the database.

use super::PageError;
use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use ring::rand::{SecureRandom, SystemRandom};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "leadline_session";
/// How long a login lasts: a working day, then log in again.
pub const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);
/// Login attempts allowed per peer address per [`LOGIN_WINDOW`].
const LOGIN_ATTEMPTS: u32 = 5;
const LOGIN_WINDOW: Duration = Duration::from_secs(60);
/// Past this many tracked addresses, stale ones are dropped.
const TRACKED_PEERS: usize = 1024;

/// A logged-in person: the token their forms must carry.
#[derive(Debug, Clone)]
pub struct Session {
    pub csrf: String,
    expires: Instant,
}

impl Session {
    /// Whether a form's token is this session's, compared in constant time.
    pub fn accepts(&self, csrf: &str) -> bool {
        bool::from(csrf.as_bytes().ct_eq(self.csrf.as_bytes()))
    }
}

#[derive(Debug, Default)]
pub struct Sessions {
    live: Mutex<HashMap<String, Session>>,
    attempts: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl Sessions {
    /// 32 bytes from the operating system's CSPRNG, in hex: a session id
    /// or a form token nobody can guess. It fails only if the OS has no
    /// randomness to give, and then nothing guessable is handed out.
    pub fn token(&self) -> Result<String, PageError> {
        let mut bytes = [0u8; 32];
        SystemRandom::new().fill(&mut bytes).map_err(|_| {
            tracing::error!("the operating system's random number generator failed");
            PageError::Internal
        })?;
        Ok(hex::encode(bytes))
    }

    /// Opens a session; answers its id.
    pub fn open(&self) -> Result<String, PageError> {
        let id = self.token()?;
        let session = Session {
            csrf: self.token()?,
            expires: Instant::now() + SESSION_TTL,
        };
        let mut live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        live.retain(|_, s| s.expires > now);
        live.insert(id.clone(), session);
        Ok(id)
    }

    /// The live session the request's cookie names, if any.
    pub fn find(&self, headers: &HeaderMap) -> Option<Session> {
        let id = cookie(headers, SESSION_COOKIE)?;
        let live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        live.get(id).filter(|s| s.expires > Instant::now()).cloned()
    }

    pub fn close(&self, headers: &HeaderMap) {
        if let Some(id) = cookie(headers, SESSION_COOKIE) {
            let mut live = self.live.lock().unwrap_or_else(|e| e.into_inner());
            live.remove(id);
        }
    }

    /// Counts a login attempt from `peer`; `false` once it made too many
    /// within the window.
    pub fn may_try_login(&self, peer: IpAddr) -> bool {
        let now = Instant::now();
        let mut attempts = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
        if attempts.len() > TRACKED_PEERS {
            attempts.retain(|_, (since, _)| now.duration_since(*since) < LOGIN_WINDOW);
        }
        let (since, count) = attempts.entry(peer).or_insert((now, 0));
        if now.duration_since(*since) >= LOGIN_WINDOW {
            *since = now;
            *count = 0;
        }
        *count += 1;
        *count <= LOGIN_ATTEMPTS
    }
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
    fn a_session_is_found_by_its_cookie_and_gone_once_closed() {
        let sessions = Sessions::default();
        let id = sessions.open().expect("a session");
        assert_eq!(id.len(), 64);
        let mut headers = HeaderMap::new();
        let value = format!("lang=es; {SESSION_COOKIE}={id}");
        headers.insert(COOKIE, HeaderValue::from_str(&value).expect("a header"));
        let session = sessions.find(&headers).expect("a live session");
        assert!(session.accepts(&session.csrf.clone()));
        assert!(!session.accepts("forged"));
        sessions.close(&headers);
        assert!(sessions.find(&headers).is_none());
    }

    #[test]
    fn a_peer_gets_five_login_attempts_a_minute() {
        let sessions = Sessions::default();
        let peer: IpAddr = [127, 0, 0, 1].into();
        for _ in 0..LOGIN_ATTEMPTS {
            assert!(sessions.may_try_login(peer));
        }
        assert!(!sessions.may_try_login(peer));
        assert!(sessions.may_try_login([127, 0, 0, 2].into()));
    }
}
