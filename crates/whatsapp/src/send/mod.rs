//! Sending through the Graph API: `POST {base}/{version}/{phone_number_id}/messages`,
//! and the media API: uploading files to send, downloading what customers
//! sent.

mod download;
mod error;
mod message;
mod retry;
mod split;

pub use download::{DownloadError, MAX_MEDIA_BYTES, Media};
pub use error::{GraphError, SendError};
pub use message::{
    BUTTON_ID_MAX_CHARS, BUTTON_TITLE_MAX_CHARS, CAPTION_MAX_CHARS, INTERACTIVE_BODY_MAX_CHARS,
    LIST_BUTTON_MAX_CHARS, ListRow, ListSection, MAX_LIST_ROWS, MAX_REPLY_BUTTONS, MediaSource,
    OutboundMessage, ROW_DESCRIPTION_MAX_CHARS, ROW_ID_MAX_CHARS, ROW_TITLE_MAX_CHARS, ReplyButton,
    SECTION_TITLE_MAX_CHARS, TEMPLATE_NAME_MAX_CHARS, TEXT_MAX_CHARS,
};
pub use retry::RetryPolicy;
pub use split::split_text;

use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Where and how to reach the Graph API.
#[derive(Clone)]
pub struct ClientConfig {
    /// `https://graph.facebook.com` in production; a fake server in tests.
    pub base_url: String,
    /// `v23.0`, ...
    pub api_version: String,
    /// A system user's token with `whatsapp_business_messaging`.
    pub access_token: String,
    /// For a whole request, connect to last byte.
    pub timeout: Duration,
}

// Hand-written so the token never reaches a log through `{:?}`.
impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("api_version", &self.api_version)
            .field("access_token", &"<redacted>")
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The send client. Cheap to clone: clones share one connection pool.
#[derive(Clone)]
pub struct CloudClient {
    http: reqwest::Client,
    /// `{base}/{version}`, without a trailing slash.
    root: Arc<str>,
    /// `Bearer <token>`, marked sensitive so `reqwest` never logs it.
    authorization: HeaderValue,
}

impl fmt::Debug for CloudClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CloudClient")
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

/// A message the Graph API accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// WhatsApp's id for the message (`wamid.…`): statuses refer to it.
    pub message_id: String,
    /// The recipient's phone number as WhatsApp knows it, when returned.
    pub wa_id: Option<String>,
    /// `accepted`, `held_for_quality_assessment`, ... (templates only).
    pub message_status: Option<String>,
}

impl CloudClient {
    /// Builds the client; fails on a base URL or token that cannot be used.
    pub fn new(config: ClientConfig) -> Result<CloudClient, SendError> {
        let base = config.base_url.trim_end_matches('/');
        let version = config.api_version.trim_matches('/');
        let root = format!("{base}/{version}");
        if !(base.starts_with("https://") || base.starts_with("http://"))
            || reqwest::Url::parse(&root).is_err()
        {
            return Err(SendError::Invalid(
                "the Graph API base URL is not an http(s) URL".into(),
            ));
        }
        if version.is_empty() || version.contains(['/', '?', '#']) {
            return Err(SendError::Invalid(
                "the Graph API version must be like v23.0".into(),
            ));
        }
        let mut authorization = HeaderValue::try_from(format!("Bearer {}", config.access_token))
            .map_err(|_| {
                SendError::Invalid(
                    "the access token has characters an HTTP header cannot carry".into(),
                )
            })?;
        authorization.set_sensitive(true);
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(SendError::Transport)?;
        Ok(CloudClient {
            http,
            root: root.into(),
            authorization,
        })
    }

    /// Sends `message` from the business number `phone_number_id`.
    pub async fn send(
        &self,
        phone_number_id: &str,
        message: &OutboundMessage,
    ) -> Result<Sent, SendError> {
        #[derive(Deserialize)]
        struct Answer {
            #[serde(default)]
            contacts: Vec<AnswerContact>,
            #[serde(default)]
            messages: Vec<AnswerMessage>,
        }
        #[derive(Deserialize)]
        struct AnswerContact {
            wa_id: Option<String>,
        }
        #[derive(Deserialize)]
        struct AnswerMessage {
            id: String,
            message_status: Option<String>,
        }
        let body = self.post(phone_number_id, message).await?;
        let answer: Answer = serde_json::from_slice(&body).map_err(|_| {
            SendError::UnexpectedResponse("the send answer is not the documented JSON".into())
        })?;
        let first = answer.messages.into_iter().next().ok_or_else(|| {
            SendError::UnexpectedResponse("the send answer has no message id".into())
        })?;
        Ok(Sent {
            message_id: first.id,
            wa_id: answer.contacts.into_iter().next().and_then(|c| c.wa_id),
            message_status: first.message_status,
        })
    }

    /// Marks an inbound message (and those before it) read, and shows the
    /// typing indicator when `typing` (until the reply or 25 seconds).
    pub async fn mark_read(
        &self,
        phone_number_id: &str,
        message_id: &str,
        typing: bool,
    ) -> Result<(), SendError> {
        #[derive(Serialize)]
        struct Read<'a> {
            messaging_product: &'static str,
            status: &'static str,
            message_id: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            typing_indicator: Option<Typing>,
        }
        #[derive(Serialize)]
        struct Typing {
            #[serde(rename = "type")]
            kind: &'static str,
        }
        #[derive(Deserialize)]
        struct Answer {
            success: bool,
        }
        if message_id.trim().is_empty() {
            return Err(SendError::Invalid(
                "the message id to mark read must not be empty".into(),
            ));
        }
        let read = Read {
            messaging_product: "whatsapp",
            status: "read",
            message_id,
            typing_indicator: typing.then_some(Typing { kind: "text" }),
        };
        let body = self.post(phone_number_id, &read).await?;
        match serde_json::from_slice::<Answer>(&body) {
            Ok(Answer { success: true }) => Ok(()),
            _ => Err(SendError::UnexpectedResponse(
                "the read receipt was not acknowledged".into(),
            )),
        }
    }

    /// Uploads a file through the media API (`POST /{phone_number_id}/media`,
    /// multipart: `messaging_product=whatsapp`, `type` and `file`) and
    /// returns its media id, which messages can send by instead of a link.
    pub async fn upload_media(
        &self,
        phone_number_id: &str,
        filename: &str,
        mime_type: &str,
        bytes: Vec<u8>,
    ) -> Result<String, SendError> {
        #[derive(Deserialize)]
        struct Answer {
            id: String,
        }
        let file = reqwest::multipart::Part::bytes(bytes)
            .file_name(filename.to_owned())
            .mime_str(mime_type)
            .map_err(|_| SendError::Invalid(format!("{mime_type:?} is not a MIME type")))?;
        let form = reqwest::multipart::Form::new()
            .text("messaging_product", "whatsapp")
            .text("type", mime_type.to_owned())
            .part("file", file);
        let body = answer(self.post_to(phone_number_id, "media")?.multipart(form)).await?;
        match serde_json::from_slice::<Answer>(&body) {
            Ok(Answer { id }) if !id.trim().is_empty() => Ok(id),
            _ => Err(SendError::UnexpectedResponse(
                "the media upload answer has no media id".into(),
            )),
        }
    }

    /// An authorized POST to `{root}/{phone_number_id}/{edge}`, for a valid
    /// phone number id: what every call to a number's edges starts with.
    fn post_to(
        &self,
        phone_number_id: &str,
        edge: &str,
    ) -> Result<reqwest::RequestBuilder, SendError> {
        // The id becomes a path segment: anything but an id could reach
        // another endpoint.
        if phone_number_id.is_empty() || !phone_number_id.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(SendError::Invalid(
                "the phone number id must be the number's numeric id".into(),
            ));
        }
        let url = format!("{}/{phone_number_id}/{edge}", self.root);
        Ok(self
            .http
            .post(url)
            .header(AUTHORIZATION, self.authorization.clone()))
    }

    /// POSTs `payload` to the number's `/messages` edge; the body of a 2xx
    /// answer, or the error.
    async fn post(
        &self,
        phone_number_id: &str,
        payload: &impl Serialize,
    ) -> Result<Vec<u8>, SendError> {
        answer(self.post_to(phone_number_id, "messages")?.json(payload)).await
    }
}

/// Sends `request`; the body of a 2xx answer, or the error.
async fn answer(request: reqwest::RequestBuilder) -> Result<Vec<u8>, SendError> {
    let response = request.send().await.map_err(SendError::from_reqwest)?;
    let status = response.status();
    let body = response.bytes().await.map_err(SendError::from_reqwest)?;
    if status.is_success() {
        Ok(body.to_vec())
    } else {
        let error = SendError::from_response(status.as_u16(), &body);
        tracing::debug!(status = status.as_u16(), code = ?error.code(), "Graph API refused a request");
        Err(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(base_url: &str, api_version: &str, access_token: &str) -> ClientConfig {
        ClientConfig {
            base_url: base_url.into(),
            api_version: api_version.into(),
            access_token: access_token.into(),
            timeout: Duration::from_secs(5),
        }
    }

    #[test]
    fn the_token_never_shows_in_debug_output() {
        let config = config("https://graph.facebook.com", "v23.0", "EAAG-secret-token");
        assert!(!format!("{config:?}").contains("EAAG-secret-token"));
        let client = CloudClient::new(config).unwrap();
        assert!(!format!("{client:?}").contains("EAAG-secret-token"));
    }

    #[test]
    fn bad_settings_are_refused_at_construction() {
        for (base, version, token) in [
            ("graph.facebook.com", "v23.0", "t"),
            ("ftp://graph.facebook.com", "v23.0", "t"),
            ("https://graph.facebook.com", "", "t"),
            ("https://graph.facebook.com", "v23.0/x", "t"),
            ("https://graph.facebook.com", "v23.0", "bad\ntoken"),
        ] {
            assert!(
                matches!(
                    CloudClient::new(config(base, version, token)),
                    Err(SendError::Invalid(_))
                ),
                "{base} {version}"
            );
        }
        assert!(CloudClient::new(config("http://127.0.0.1:1/", "/v23.0/", "t")).is_ok());
    }
}
