//! Voice notes made text before a turn: downloaded through the Graph media
//! API and transcribed by an OpenAI-compatible endpoint, so the agent reads
//! what the customer said as if they had written it.
//!
//! A voice note that cannot be transcribed (no transcriber configured, the
//! download or the endpoint failing, silence) reaches the turn as it came,
//! and the router asks the customer to write instead: nothing is lost, and
//! nobody waits for a retry.

use leadline_domain::InboundMessage;
use leadline_domain::inbound::Content;
use leadline_integrations::{Transcriber, TranscriptionError};
use leadline_whatsapp::send::{CloudClient, DownloadError, MAX_MEDIA_BYTES};
use std::borrow::Cow;
use std::time::Instant;
use tokio::time::Instant as Deadline;

/// Downloads and transcribes voice notes.
pub struct VoiceNotes {
    graph: CloudClient,
    transcriber: Transcriber,
}

/// Why a voice note stayed unheard.
#[derive(Debug, thiserror::Error)]
enum Unheard {
    #[error(transparent)]
    Download(#[from] DownloadError),
    #[error(transparent)]
    Transcription(#[from] TranscriptionError),
    #[error("the transcript is empty")]
    Silent,
    #[error("no time left in the turn's lease")]
    OutOfTime,
}

impl VoiceNotes {
    /// Downloads with `graph` (its access token reads the media API) and
    /// transcribes with `transcriber`.
    pub fn new(graph: CloudClient, transcriber: Transcriber) -> Self {
        Self { graph, transcriber }
    }

    /// `messages` with a transcript on every voice note that could be
    /// transcribed by `deadline`; borrowed unchanged when there is none.
    ///
    /// One attempt each, with a single retry of a transcription that failed
    /// on the endpoint's side (5xx, 429, timeout, connection): the turn
    /// holds the conversation's lease meanwhile and the customer is
    /// waiting, while a failure costs them only the request to write.
    pub(crate) async fn transcribe<'m>(
        &self,
        messages: &'m [InboundMessage],
        deadline: Deadline,
    ) -> Cow<'m, [InboundMessage]> {
        if !messages.iter().any(|m| m.content.is_untranscribed_audio()) {
            return Cow::Borrowed(messages);
        }
        let mut messages = messages.to_vec();
        for message in &mut messages {
            if !message.content.is_untranscribed_audio() {
                continue;
            }
            let Content::Media {
                media_id,
                mime_type,
                transcript,
                ..
            } = &mut message.content
            else {
                continue;
            };
            let started = Instant::now();
            let heard =
                tokio::time::timeout_at(deadline, self.hear(media_id, mime_type.as_deref()))
                    .await
                    .unwrap_or(Err(Unheard::OutOfTime));
            let outcome = match heard {
                Ok(text) => {
                    *transcript = Some(text);
                    "ok"
                }
                Err(e) => {
                    tracing::warn!(customer = %message.customer, error = %e, "voice note not transcribed; the customer is asked to write");
                    if matches!(e, Unheard::Silent) {
                        "empty"
                    } else {
                        "failed"
                    }
                }
            };
            metrics::counter!("leadline_transcriptions_total", "outcome" => outcome).increment(1);
            metrics::histogram!("leadline_transcription_seconds")
                .record(started.elapsed().as_secs_f64());
        }
        Cow::Owned(messages)
    }

    async fn hear(&self, media_id: &str, mime_type: Option<&str>) -> Result<String, Unheard> {
        let media = self.graph.download_media(media_id, MAX_MEDIA_BYTES).await?;
        // WhatsApp voice notes are Ogg Opus when nothing says otherwise.
        let mime_type = media
            .mime_type
            .as_deref()
            .or(mime_type)
            .unwrap_or("audio/ogg")
            .to_owned();
        let text = match self
            .transcriber
            .transcribe(media.bytes.clone(), &mime_type)
            .await
        {
            Err(e) if e.is_retryable() => {
                tracing::debug!(error = %e, "transcription failed; trying once more");
                self.transcriber.transcribe(media.bytes, &mime_type).await?
            }
            answer => answer?,
        };
        if text.is_empty() {
            return Err(Unheard::Silent);
        }
        Ok(text)
    }
}
