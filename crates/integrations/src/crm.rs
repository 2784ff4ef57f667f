//! The CRM webhook: a lead POSTed as JSON to `LEADLINE_CRM_WEBHOOK_URL`,
//! signed so the receiver can tell it came from Leadline.
//!
//! Each request carries:
//! - `X-Leadline-Signature: sha256=<hex>`: HMAC-SHA256 of the exact body
//!   under `LEADLINE_CRM_WEBHOOK_SECRET` (the scheme of Meta's own
//!   `X-Hub-Signature-256`, so receivers can reuse their check);
//! - `X-Leadline-Timestamp`: Unix seconds of this attempt, also inside the
//!   signed body as `sent_at`, so a receiver can refuse stale replays;
//! - `Idempotency-Key`: the same on every attempt at one delivery, so a
//!   retried delivery that did arrive is recognised.

use leadline_domain::CustomerId;
use reqwest::{StatusCode, Url};
use ring::rand::SystemRandom;
use ring::{hkdf, hmac};
use serde_json::Value;
use std::time::Duration;

pub const SIGNATURE_HEADER: &str = "x-leadline-signature";
pub const TIMESTAMP_HEADER: &str = "x-leadline-timestamp";
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// A CRM that answers slower than this is treated as down this time.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Why a delivery failed, and whether trying again may help.
#[derive(Debug, thiserror::Error)]
pub enum CrmError {
    /// Down, slow, overloaded or rate limiting: try again later.
    #[error("the CRM webhook is unavailable: {0}")]
    Unavailable(String),
    /// The receiver refused this delivery for good (4xx other than 408 and
    /// 429): repeating it would be refused again.
    #[error("the CRM webhook refused the lead: HTTP {status}")]
    Refused { status: u16 },
}

impl CrmError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, CrmError::Unavailable(_))
    }
}

/// The CRM's name for a lead, `lead_id`: a keyed one-way digest of the
/// customer id (HMAC-SHA256, truncated to 128 bits), so the CRM can match
/// every delivery about one lead, the erasure's included, while
/// `lead.erased` names nobody: without the key the number cannot be
/// recovered by trying every phone number.
pub struct LeadIds {
    key: hmac::Key,
}

impl std::fmt::Debug for LeadIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LeadIds(…)")
    }
}

impl LeadIds {
    /// A key derived from `secret` (HKDF): the same in every process and
    /// across restarts given the same secret.
    pub fn derive(secret: &[u8]) -> Self {
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"leadline lead ids v1").extract(secret);
        let key = prk
            .expand(&[b"hmac-sha256"], hmac::HMAC_SHA256)
            .map(hmac::Key::from)
            // HKDF-SHA256 fails only for outputs longer than 255 blocks.
            .unwrap_or_else(|_| unreachable!("a 32-byte HKDF output"));
        Self { key }
    }

    /// A fresh random key, for a deployment without any secret to derive
    /// one from; `None` if the operating system's CSPRNG fails.
    pub fn generate() -> Option<Self> {
        hmac::Key::generate(hmac::HMAC_SHA256, &SystemRandom::new())
            .ok()
            .map(|key| Self { key })
    }

    /// `lead-` and 32 hex digits; also a valid [`CustomerId`], which is how
    /// an erasure's effect is filed without naming the customer.
    pub fn of(&self, customer: &CustomerId) -> String {
        let tag = hmac::sign(&self.key, customer.as_str().as_bytes());
        format!("lead-{}", hex::encode(&tag.as_ref()[..16]))
    }
}

/// Posts leads to one CRM webhook.
pub struct CrmWebhook {
    http: reqwest::Client,
    url: Url,
    key: Option<hmac::Key>,
    lead_ids: LeadIds,
}

impl CrmWebhook {
    /// `secret` unset sends unsigned requests (the receiver decides whether
    /// it accepts them; the settings warn). `lead_ids` names the leads.
    pub fn new(url: Url, secret: Option<&[u8]>, lead_ids: LeadIds) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .user_agent(concat!("leadline/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            url,
            key: secret.map(|s| hmac::Key::new(hmac::HMAC_SHA256, s)),
            lead_ids,
        })
    }

    /// The CRM's name for the lead of `customer` (see [`LeadIds`]).
    pub fn lead_id(&self, customer: &CustomerId) -> String {
        self.lead_ids.of(customer)
    }

    /// Delivers `body` (a JSON object) under `idempotency_key`, stamped
    /// with this attempt's time.
    pub async fn deliver(&self, idempotency_key: &str, body: &Value) -> Result<(), CrmError> {
        let sent_at = jiff::Timestamp::now().as_second();
        let mut body = body.clone();
        if let Some(object) = body.as_object_mut() {
            object.insert("sent_at".to_owned(), sent_at.into());
        }
        // A `Value` always serializes.
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let mut request = self
            .http
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(TIMESTAMP_HEADER, sent_at.to_string())
            .header(IDEMPOTENCY_HEADER, idempotency_key);
        if let Some(key) = &self.key {
            request = request.header(SIGNATURE_HEADER, signature(key, &bytes));
        }
        let response = request
            .body(bytes)
            .send()
            .await
            // The error names the URL, never the secret (a header).
            .map_err(|e| CrmError::Unavailable(e.without_url().to_string()))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        if status.is_server_error()
            || status == StatusCode::TOO_MANY_REQUESTS
            || status == StatusCode::REQUEST_TIMEOUT
        {
            return Err(CrmError::Unavailable(format!("HTTP {}", status.as_u16())));
        }
        Err(CrmError::Refused {
            status: status.as_u16(),
        })
    }
}

/// `sha256=<hex>` of the HMAC-SHA256 of `body`.
pub fn signature(key: &hmac::Key, body: &[u8]) -> String {
    format!("sha256={}", hex::encode(hmac::sign(key, body).as_ref()))
}

/// Checks a signature header against `body` in constant time: what a
/// receiver does (the fake CRM of the tests, or a receiver in Rust).
pub fn verify(secret: &[u8], body: &[u8], header: &str) -> bool {
    let Some(hex_digest) = header.strip_prefix("sha256=") else {
        return false;
    };
    let Ok(digest) = hex::decode(hex_digest) else {
        return false;
    };
    hmac::verify(&hmac::Key::new(hmac::HMAC_SHA256, secret), body, &digest).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lead_id_is_stable_per_key_and_names_nobody() {
        let customer = CustomerId::parse("34600111234").expect("a customer");
        let ids = LeadIds::derive(b"s3cret");
        let id = ids.of(&customer);
        assert_eq!(id, LeadIds::derive(b"s3cret").of(&customer));
        assert_ne!(id, LeadIds::derive(b"other").of(&customer));
        assert_ne!(
            id,
            ids.of(&CustomerId::parse("34600111235").expect("a customer"))
        );
        assert_eq!(id.len(), 5 + 32);
        assert!(!id.contains("34600111234"));
        assert_eq!(
            CustomerId::parse(&id).map(|c| c.as_str().to_owned()),
            Ok(id)
        );
    }

    #[test]
    fn a_signature_verifies_only_over_its_own_body_and_secret() {
        let key = hmac::Key::new(hmac::HMAC_SHA256, b"s3cret");
        let header = signature(&key, b"{\"a\":1}");
        assert!(header.starts_with("sha256=") && header.len() == 7 + 64);
        assert!(verify(b"s3cret", b"{\"a\":1}", &header));
        assert!(!verify(b"s3cret", b"{\"a\":2}", &header));
        assert!(!verify(b"other", b"{\"a\":1}", &header));
        assert!(!verify(b"s3cret", b"{\"a\":1}", &header[7..]));
        assert!(!verify(b"s3cret", b"{\"a\":1}", "sha256=zz"));
    }

    /// RFC 4231 test case 2: the header is plain HMAC-SHA256 in hex.
    #[test]
    fn the_signature_is_standard_hmac_sha256() {
        let key = hmac::Key::new(hmac::HMAC_SHA256, b"Jefe");
        assert_eq!(
            signature(&key, b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
