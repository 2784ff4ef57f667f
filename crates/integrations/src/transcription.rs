//! Speech to text through an OpenAI-compatible `POST {base}/audio/transcriptions`
//! (OpenAI, Groq, a local whisper.cpp or vLLM server...): a multipart form
//! with the audio as `file` and the `model`, answered `{"text": ...}`.
//!
//! Customers in many markets would rather talk than type; a voice note made
//! text is read by the agent like anything they wrote.

use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde::Deserialize;
use std::fmt;
use std::time::Duration;

/// Where and how to transcribe.
#[derive(Clone)]
pub struct TranscriberConfig {
    /// `https://api.openai.com/v1` or any compatible base, without
    /// `/audio/transcriptions`.
    pub base_url: String,
    /// Sent as `Authorization: Bearer`; local servers often need none.
    pub api_key: Option<String>,
    /// `whisper-1`, `gpt-4o-mini-transcribe`, `whisper-large-v3`, ...
    pub model: String,
    /// For a whole request, connect to last byte.
    pub timeout: Duration,
}

// Hand-written so the key never reaches a log through `{:?}`.
impl fmt::Debug for TranscriberConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TranscriberConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("model", &self.model)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Why a transcription failed. Display shows neither the key nor the audio.
#[derive(Debug, thiserror::Error)]
pub enum TranscriptionError {
    /// A setting the client cannot use, or audio it cannot send.
    #[error("invalid transcription request: {0}")]
    Invalid(String),
    #[error("the transcription endpoint did not answer in time")]
    Timeout,
    #[error("cannot reach the transcription endpoint: {0}")]
    Transport(#[source] reqwest::Error),
    /// An error status; `message` is the error envelope's, when it has one.
    #[error("the transcription endpoint answered HTTP {status}{}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Status {
        status: u16,
        message: Option<String>,
    },
    #[error("unexpected answer from the transcription endpoint: {0}")]
    UnexpectedResponse(String),
}

impl TranscriptionError {
    /// Whether the same request may succeed later: the endpoint's own
    /// failures (5xx, 429) and the network's, not a refused request.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Status { status, .. } => *status >= 500 || *status == 429,
            Self::Timeout | Self::Transport(_) => true,
            Self::Invalid(_) | Self::UnexpectedResponse(_) => false,
        }
    }

    fn from_reqwest(error: reqwest::Error) -> Self {
        if error.is_timeout() {
            Self::Timeout
        } else {
            Self::Transport(error)
        }
    }
}

/// The transcription client. Cheap to clone: clones share one connection
/// pool.
#[derive(Clone)]
pub struct Transcriber {
    http: reqwest::Client,
    url: String,
    /// `Bearer <key>`, marked sensitive so `reqwest` never logs it.
    authorization: Option<HeaderValue>,
    model: String,
}

impl fmt::Debug for Transcriber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transcriber")
            .field("url", &self.url)
            .field("model", &self.model)
            .finish_non_exhaustive()
    }
}

impl Transcriber {
    /// Builds the client; fails on a base URL, key or model it cannot use.
    pub fn new(config: TranscriberConfig) -> Result<Self, TranscriptionError> {
        let base = config.base_url.trim_end_matches('/');
        let url = format!("{base}/audio/transcriptions");
        if !(base.starts_with("https://") || base.starts_with("http://"))
            || reqwest::Url::parse(&url).is_err()
        {
            return Err(TranscriptionError::Invalid(
                "the transcription base URL is not an http(s) URL".into(),
            ));
        }
        if config.model.trim().is_empty() {
            return Err(TranscriptionError::Invalid(
                "the transcription model must be named".into(),
            ));
        }
        let authorization = match config.api_key.filter(|k| !k.is_empty()) {
            None => None,
            Some(key) => {
                let mut value = HeaderValue::try_from(format!("Bearer {key}")).map_err(|_| {
                    TranscriptionError::Invalid(
                        "the API key has characters an HTTP header cannot carry".into(),
                    )
                })?;
                value.set_sensitive(true);
                Some(value)
            }
        };
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(TranscriptionError::Transport)?;
        Ok(Self {
            http,
            url,
            authorization,
            model: config.model,
        })
    }

    /// The text spoken in `audio` (of MIME type `mime_type`, as WhatsApp
    /// reported it), trimmed; empty when nothing was said.
    pub async fn transcribe(
        &self,
        audio: Vec<u8>,
        mime_type: &str,
    ) -> Result<String, TranscriptionError> {
        #[derive(Deserialize)]
        struct Answer {
            text: String,
        }
        #[derive(Deserialize)]
        struct ErrorBody {
            error: ErrorFields,
        }
        #[derive(Deserialize)]
        struct ErrorFields {
            message: Option<String>,
        }
        // Parameters like `codecs=opus` are not part of the type.
        let essence = mime_type.split(';').next().unwrap_or_default().trim();
        let file = reqwest::multipart::Part::bytes(audio)
            .file_name(file_name(essence))
            .mime_str(essence)
            .map_err(|_| TranscriptionError::Invalid(format!("{essence:?} is not a MIME type")))?;
        let form = reqwest::multipart::Form::new()
            .part("file", file)
            .text("model", self.model.clone())
            .text("response_format", "json");
        let mut request = self.http.post(&self.url).multipart(form);
        if let Some(authorization) = &self.authorization {
            request = request.header(AUTHORIZATION, authorization.clone());
        }
        let response = request
            .send()
            .await
            .map_err(TranscriptionError::from_reqwest)?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(TranscriptionError::from_reqwest)?;
        if !status.is_success() {
            let message = serde_json::from_slice::<ErrorBody>(&body)
                .ok()
                .and_then(|b| b.error.message);
            return Err(TranscriptionError::Status {
                status: status.as_u16(),
                message,
            });
        }
        let answer: Answer = serde_json::from_slice(&body).map_err(|_| {
            TranscriptionError::UnexpectedResponse("not the documented {\"text\": ...}".into())
        })?;
        Ok(answer.text.trim().to_owned())
    }
}

/// A file name whose extension names the format: OpenAI tells formats apart
/// by it (flac, mp3, mp4, mpeg, mpga, m4a, ogg, wav, webm). WhatsApp voice
/// notes are `audio/ogg` (Opus).
fn file_name(mime_type: &str) -> String {
    let extension = match mime_type {
        "audio/ogg" | "audio/opus" | "application/ogg" => "ogg",
        "audio/mpeg" | "audio/mp3" => "mp3",
        "audio/mp4" | "audio/m4a" | "audio/x-m4a" => "m4a",
        "audio/aac" => "aac",
        "audio/amr" => "amr",
        "audio/wav" | "audio/x-wav" | "audio/wave" => "wav",
        "audio/webm" => "webm",
        "audio/flac" | "audio/x-flac" => "flac",
        other => other
            .rsplit('/')
            .next()
            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric()))
            .unwrap_or("ogg"),
    };
    format!("voice-note.{extension}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(base_url: &str, key: Option<&str>, model: &str) -> TranscriberConfig {
        TranscriberConfig {
            base_url: base_url.into(),
            api_key: key.map(str::to_owned),
            model: model.into(),
            timeout: Duration::from_secs(5),
        }
    }

    #[test]
    fn file_names_carry_the_extension_openai_reads_the_format_from() {
        assert_eq!(file_name("audio/ogg"), "voice-note.ogg");
        assert_eq!(file_name("audio/mpeg"), "voice-note.mp3");
        assert_eq!(file_name("audio/mp4"), "voice-note.m4a");
        assert_eq!(file_name("audio/x-whatever"), "voice-note.ogg");
    }

    #[test]
    fn bad_settings_are_refused_and_the_key_never_prints() {
        for (base, key, model) in [
            ("api.openai.com/v1", None, "whisper-1"),
            ("https://api.openai.com/v1", None, " "),
            ("https://api.openai.com/v1", Some("bad\nkey"), "whisper-1"),
        ] {
            assert!(matches!(
                Transcriber::new(config(base, key, model)),
                Err(TranscriptionError::Invalid(_))
            ));
        }
        let config = config("https://api.openai.com/v1/", Some("sk-secret"), "whisper-1");
        assert!(!format!("{config:?}").contains("sk-secret"));
        let client = Transcriber::new(config).unwrap();
        assert!(!format!("{client:?}").contains("sk-secret"));
        assert_eq!(client.url, "https://api.openai.com/v1/audio/transcriptions");
    }
}
