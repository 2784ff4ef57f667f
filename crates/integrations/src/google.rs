//! Google Calendar through a service account: an OAuth2 token from a signed
//! JWT, `freeBusy` for busy times, `events.insert` / `events.get` /
//! `events.delete` for bookings.
//!
//! The JWT is signed with `ring` directly rather than through a JWT or auth
//! crate: `jsonwebtoken` 10+ signs RSA only with aws-lc-rs or the RustCrypto
//! `rsa` crate (RUSTSEC-2023-0071, unfixed), 9.x (the last on ring) is
//! affected by GHSA-h395-gr6q-cpjc, and `gcp_auth` brings a second HTTP
//! stack with native-certs. An RS256 JWT is three base64url segments and one
//! `ring` signature; ring is already in the tree through rustls.

use crate::calendar::{BookedEvent, Booking, Calendar, CalendarError};
use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::Timestamp;
use leadline_domain::schedule::Interval;
use reqwest::{Method, StatusCode, Url};
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use rustls_pki_types::PrivatePkcs8KeyDer;
use rustls_pki_types::pem::PemObject;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// Where the Calendar API lives unless `GOOGLE_API_BASE` says otherwise.
pub const DEFAULT_API_BASE: &str = "https://www.googleapis.com";
const SCOPE: &str = "https://www.googleapis.com/auth/calendar";
const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// Google accepts assertions valid for at most an hour.
const ASSERTION_SECONDS: i64 = 3600;
/// A token is renewed this long before it expires, so a request never
/// reaches Google with a token that expires on the way.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);
const TIMEOUT: Duration = Duration::from_secs(30);

/// The fields of a service-account key file this client uses.
#[derive(Deserialize)]
struct KeyFile {
    client_email: String,
    private_key: String,
    token_uri: String,
}

struct CachedToken {
    value: String,
    refresh_at: Instant,
}

/// One Google calendar, reached as a service account that the calendar is
/// shared with ("Make changes to events").
pub struct GoogleCalendar {
    http: reqwest::Client,
    api_base: Url,
    calendar_id: String,
    client_email: String,
    token_uri: Url,
    key: RsaKeyPair,
    rng: SystemRandom,
    /// Held across a token fetch so concurrent calls wait for one fetch
    /// instead of each starting their own.
    token: Mutex<Option<CachedToken>>,
}

impl GoogleCalendar {
    /// Reads a service-account key file (`GOOGLE_APPLICATION_CREDENTIALS`)
    /// for `calendar_id`; `api_base` defaults to [`DEFAULT_API_BASE`].
    pub fn from_key_file(
        path: impl AsRef<Path>,
        calendar_id: impl Into<String>,
        api_base: Option<String>,
    ) -> Result<Self, CalendarError> {
        let path = path.as_ref();
        let key_error = |reason: String| CalendarError::KeyFile {
            path: path.to_owned(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| key_error(e.to_string()))?;
        let file: KeyFile = serde_json::from_str(&text).map_err(|e| key_error(e.to_string()))?;
        let der = PrivatePkcs8KeyDer::from_pem_slice(file.private_key.as_bytes())
            .map_err(|e| key_error(format!("private_key is not a PKCS#8 PEM key ({e})")))?;
        let key = RsaKeyPair::from_pkcs8(der.secret_pkcs8_der())
            .map_err(|e| key_error(format!("private_key is not a usable RSA key ({e})")))?;
        let token_uri = http_url(&file.token_uri)
            .map_err(|reason| key_error(format!("token_uri: {reason}")))?;
        let api_base = api_base.as_deref().unwrap_or(DEFAULT_API_BASE);
        let api_base = http_url(api_base)
            .map_err(|reason| CalendarError::Config(format!("GOOGLE_API_BASE: {reason}")))?;
        let calendar_id = calendar_id.into();
        if calendar_id.is_empty() {
            return Err(CalendarError::Config("GOOGLE_CALENDAR_ID is empty".into()));
        }
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| CalendarError::Config(format!("HTTP client: {e}")))?;
        Ok(GoogleCalendar {
            http,
            api_base,
            calendar_id,
            client_email: file.client_email,
            token_uri,
            key,
            rng: SystemRandom::new(),
            token: Mutex::new(None),
        })
    }

    /// A valid access token: the cached one, or a new one from the key's
    /// `token_uri`.
    async fn access_token(&self) -> Result<String, CalendarError> {
        let mut cached = self.token.lock().await;
        if let Some(token) = cached.as_ref()
            && Instant::now() < token.refresh_at
        {
            return Ok(token.value.clone());
        }
        let assertion = self.assertion(Timestamp::now().as_second())?;
        let response = self
            .http
            .post(self.token_uri.clone())
            .form(&[("grant_type", GRANT_TYPE), ("assertion", &assertion)])
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        let body = response.bytes().await.map_err(unreachable)?;
        if !status.is_success() {
            return Err(CalendarError::Status {
                status: status.as_u16(),
                message: format!("token endpoint: {}", error_message(&body)),
            });
        }
        #[derive(Deserialize)]
        struct TokenResponse {
            access_token: String,
            expires_in: u64,
        }
        let token: TokenResponse = serde_json::from_slice(&body)
            .map_err(|e| CalendarError::InvalidResponse(format!("token endpoint: {e}")))?;
        let lifetime = Duration::from_secs(token.expires_in).saturating_sub(REFRESH_MARGIN);
        *cached = Some(CachedToken {
            value: token.access_token.clone(),
            refresh_at: Instant::now() + lifetime,
        });
        tracing::debug!(
            expires_in = token.expires_in,
            "fetched a Google access token"
        );
        Ok(token.access_token)
    }

    /// The signed JWT the token endpoint exchanges for an access token
    /// (RFC 7523, RS256).
    fn assertion(&self, now: i64) -> Result<String, CalendarError> {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
        let claims = json!({
            "iss": self.client_email,
            "scope": SCOPE,
            "aud": self.token_uri.as_str(),
            "iat": now,
            "exp": now + ASSERTION_SECONDS,
        });
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        let message = format!("{header}.{claims}");
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &self.rng,
                message.as_bytes(),
                &mut signature,
            )
            .map_err(|_| CalendarError::Signing)?;
        Ok(format!("{message}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }

    /// `{api_base}/calendar/v3/{segments…}`, each segment percent-encoded
    /// (calendar ids hold `@` and `#`).
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.api_base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty()
                .extend(["calendar", "v3"])
                .extend(segments);
        }
        url
    }

    fn event_url(&self, event_id: &str) -> Url {
        self.url(&["calendars", &self.calendar_id, "events", event_id])
    }

    /// One authorised request: the status and body, whatever the status.
    async fn call(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Vec<u8>), CalendarError> {
        let token = self.access_token().await?;
        let mut request = self.http.request(method, url).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(unreachable)?;
        let status = response.status();
        let body = response.bytes().await.map_err(unreachable)?.to_vec();
        if status == StatusCode::UNAUTHORIZED {
            // Revoked or expired early: the next call fetches a new token.
            *self.token.lock().await = None;
        }
        Ok((status, body))
    }

    /// The event with `event_id`, or `None` when there is none.
    async fn get_event(&self, event_id: &str) -> Result<Option<Event>, CalendarError> {
        let (status, body) = self
            .call(Method::GET, self.event_url(event_id), None)
            .await?;
        match status {
            StatusCode::NOT_FOUND | StatusCode::GONE => Ok(None),
            s if s.is_success() => parse(&body).map(Some),
            s => Err(status_error(s, &body)),
        }
    }
}

#[async_trait]
impl Calendar for GoogleCalendar {
    async fn busy(&self, from: Timestamp, to: Timestamp) -> Result<Vec<Interval>, CalendarError> {
        let request = json!({
            "timeMin": from.to_string(),
            "timeMax": to.to_string(),
            "timeZone": "UTC",
            "items": [{ "id": self.calendar_id }],
        });
        let (status, body) = self
            .call(Method::POST, self.url(&["freeBusy"]), Some(&request))
            .await?;
        if !status.is_success() {
            return Err(status_error(status, &body));
        }
        let mut answer: FreeBusy = parse(&body)?;
        let calendar = answer.calendars.remove(&self.calendar_id).ok_or_else(|| {
            CalendarError::InvalidResponse("freeBusy did not answer for the calendar".into())
        })?;
        if let Some(error) = calendar.errors.into_iter().next() {
            return Err(CalendarError::FreeBusy {
                reason: error.reason,
            });
        }
        Ok(calendar
            .busy
            .into_iter()
            .map(|p| Interval {
                start: p.start,
                end: p.end,
            })
            .collect())
    }

    async fn book(&self, booking: &Booking) -> Result<BookedEvent, CalendarError> {
        let event_id = event_id(&booking.idempotency_key);
        if let Some(event) = self.get_event(&event_id).await? {
            return event.booked();
        }
        let (start, end) = (&booking.slot.start, &booking.slot.end);
        let busy = self.busy(start.timestamp(), end.timestamp()).await?;
        if busy
            .iter()
            .any(|b| b.start < end.timestamp() && start.timestamp() < b.end)
        {
            // A concurrent attempt with the same key may be what fills it.
            return match self.get_event(&event_id).await? {
                Some(event) => event.booked(),
                None => Err(CalendarError::SlotTaken),
            };
        }
        let time = |at: &jiff::Zoned| {
            let mut time = json!({
                "dateTime": at.timestamp().display_with_offset(at.offset()).to_string(),
            });
            if let Some(zone) = at.time_zone().iana_name() {
                time["timeZone"] = json!(zone);
            }
            time
        };
        let mut event = json!({
            "id": event_id,
            "summary": booking.summary,
            "description": booking.description,
            "start": time(start),
            "end": time(end),
        });
        if let Some(email) = &booking.attendee_email {
            event["attendees"] = json!([{ "email": email }]);
        }
        let url = self.url(&["calendars", &self.calendar_id, "events"]);
        let (status, body) = self.call(Method::POST, url, Some(&event)).await?;
        if status == StatusCode::CONFLICT {
            // A previous attempt got through: the event is there already.
            tracing::info!(event_id, "calendar event already booked");
            return match self.get_event(&event_id).await? {
                Some(event) => event.booked(),
                None => Err(status_error(status, &body)),
            };
        }
        if !status.is_success() {
            return Err(status_error(status, &body));
        }
        let booked = parse::<Event>(&body)?.booked()?;
        tracing::info!(event_id, "booked a calendar event");
        Ok(booked)
    }

    async fn cancel(&self, event_id: &str) -> Result<(), CalendarError> {
        let (status, body) = self
            .call(Method::DELETE, self.event_url(event_id), None)
            .await?;
        match status {
            StatusCode::NOT_FOUND | StatusCode::GONE => Ok(()),
            s if s.is_success() => {
                tracing::info!(event_id, "cancelled a calendar event");
                Ok(())
            }
            s => Err(status_error(s, &body)),
        }
    }
}

/// The event id for an idempotency key: hex of its SHA-256, which is in
/// Google's base32hex alphabet (`0-9a-v`) and 64 characters long (5–1024).
fn event_id(idempotency_key: &str) -> String {
    hex::encode(Sha256::digest(idempotency_key.as_bytes()))
}

#[derive(Deserialize)]
struct FreeBusy {
    calendars: HashMap<String, FreeBusyCalendar>,
}

#[derive(Deserialize)]
struct FreeBusyCalendar {
    #[serde(default)]
    busy: Vec<Period>,
    #[serde(default)]
    errors: Vec<FreeBusyError>,
}

#[derive(Deserialize)]
struct Period {
    start: Timestamp,
    end: Timestamp,
}

#[derive(Deserialize)]
struct FreeBusyError {
    reason: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Event {
    id: String,
    #[serde(default)]
    status: Option<String>,
    html_link: Option<String>,
    start: EventTime,
    end: EventTime,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventTime {
    date_time: Option<Timestamp>,
}

impl Event {
    fn booked(self) -> Result<BookedEvent, CalendarError> {
        if self.status.as_deref() == Some("cancelled") {
            return Err(CalendarError::Cancelled);
        }
        let (Some(start), Some(end)) = (self.start.date_time, self.end.date_time) else {
            return Err(CalendarError::InvalidResponse(
                "event without start/end dateTime".into(),
            ));
        };
        Ok(BookedEvent {
            id: self.id,
            start,
            end,
            link: self.html_link,
        })
    }
}

fn http_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("{text:?} is not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(format!("{text:?} is not an http(s) URL"));
    }
    Ok(url)
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, CalendarError> {
    serde_json::from_slice(body).map_err(|e| CalendarError::InvalidResponse(e.to_string()))
}

fn unreachable(error: reqwest::Error) -> CalendarError {
    CalendarError::Unreachable(error.to_string())
}

fn status_error(status: StatusCode, body: &[u8]) -> CalendarError {
    CalendarError::Status {
        status: status.as_u16(),
        message: error_message(body),
    }
}

/// The message of a Google error body: the API's
/// `{"error":{"message":..}}` or OAuth's `{"error":..,"error_description":..}`.
fn error_message(body: &[u8]) -> String {
    let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let message = value["error"]["message"]
        .as_str()
        .or_else(|| value["error_description"].as_str())
        .or_else(|| value["error"].as_str());
    match message {
        Some(message) => message.to_owned(),
        None => String::from_utf8_lossy(body).chars().take(200).collect(),
    }
}
