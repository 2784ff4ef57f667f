//! Downloading what customers send through the media API: `GET
//! /{version}/{media-id}` answers the file's details and a short-lived URL
//! (about five minutes), which is fetched with the same bearer token.

use super::{CloudClient, SendError, answer};
use reqwest::header::AUTHORIZATION;
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// WhatsApp's own limit on audio and video a customer can send (16 MB):
/// a sensible cap for anything Leadline downloads.
pub const MAX_MEDIA_BYTES: u64 = 16 * 1024 * 1024;

/// A downloaded media file.
#[derive(Clone, PartialEq, Eq)]
pub struct Media {
    pub bytes: Vec<u8>,
    /// As the media API reports it (`audio/ogg; codecs=opus`, ...).
    pub mime_type: Option<String>,
}

// The bytes are a customer's file: a `{:?}` shows their size, not them.
impl std::fmt::Debug for Media {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Media")
            .field("bytes", &self.bytes.len())
            .field("mime_type", &self.mime_type)
            .finish()
    }
}

/// Why a media download failed. Display never shows the access token or
/// the download URL (which works for anyone holding the token).
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// Looking the media id up failed: a bad id, an expired or unknown
    /// media (Graph keeps received media 30 days), or the Graph API down.
    #[error("cannot look up the media: {0}")]
    Lookup(#[source] SendError),
    /// The download URL did not give the file.
    #[error("cannot fetch the media: {0}")]
    Fetch(#[source] SendError),
    /// The file is larger than the caller's limit; it was not read past it.
    #[error("the media has {size} bytes or more, over the limit of {limit}")]
    TooLarge { size: u64, limit: u64 },
    /// The bytes are not the file Graph described.
    #[error("the media's SHA-256 does not match the one the Graph API gave")]
    Checksum,
}

impl CloudClient {
    /// Downloads the media `media_id` (from a webhook's `image.id`,
    /// `audio.id`, ...), refusing files over `max_bytes` before reading past
    /// the limit, and checking the SHA-256 Graph gives.
    pub async fn download_media(
        &self,
        media_id: &str,
        max_bytes: u64,
    ) -> Result<Media, DownloadError> {
        #[derive(Deserialize)]
        struct Details {
            url: String,
            mime_type: Option<String>,
            sha256: Option<String>,
            /// A string in Meta's answers, a number in some SDKs' examples.
            #[serde(default, deserialize_with = "lenient_size")]
            file_size: Option<u64>,
        }
        // The id becomes a path segment: anything but an id could reach
        // another endpoint.
        if media_id.is_empty() || !media_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(DownloadError::Lookup(SendError::Invalid(
                "a media id is alphanumeric".into(),
            )));
        }
        let lookup = self
            .http
            .get(format!("{}/{media_id}", self.root))
            .header(AUTHORIZATION, self.authorization.clone());
        let body = answer(lookup).await.map_err(DownloadError::Lookup)?;
        let details: Details = serde_json::from_slice(&body).map_err(|_| {
            DownloadError::Lookup(SendError::UnexpectedResponse(
                "the media details are not the documented JSON".into(),
            ))
        })?;
        let too_large = |size: u64| DownloadError::TooLarge {
            size,
            limit: max_bytes,
        };
        if let Some(size) = details.file_size.filter(|&s| s > max_bytes) {
            return Err(too_large(size));
        }
        if !(details.url.starts_with("https://") || details.url.starts_with("http://")) {
            return Err(DownloadError::Lookup(SendError::UnexpectedResponse(
                "the media details carry no http(s) URL".into(),
            )));
        }

        let mut response = self
            .http
            .get(&details.url)
            .header(AUTHORIZATION, self.authorization.clone())
            .send()
            .await
            .map_err(fetch_failed)?;
        let status = response.status();
        if !status.is_success() {
            return Err(DownloadError::Fetch(SendError::Http {
                status: status.as_u16(),
            }));
        }
        if let Some(length) = response.content_length().filter(|&l| l > max_bytes) {
            return Err(too_large(length));
        }
        let expected = details.file_size.or(response.content_length()).unwrap_or(0);
        let mut bytes = Vec::with_capacity(expected.min(max_bytes) as usize);
        while let Some(chunk) = response.chunk().await.map_err(fetch_failed)? {
            let size = (bytes.len() + chunk.len()) as u64;
            if size > max_bytes {
                return Err(too_large(size));
            }
            bytes.extend_from_slice(&chunk);
        }
        // Graph gives the hash as hex; anything else is not checked rather
        // than refused, so a format change does not stop every download.
        if let Some(hash) = details
            .sha256
            .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
            && !hex::encode(Sha256::digest(&bytes)).eq_ignore_ascii_case(&hash)
        {
            return Err(DownloadError::Checksum);
        }
        Ok(Media {
            bytes,
            mime_type: details.mime_type,
        })
    }
}

/// A failed fetch, without the download URL: it works for anyone holding
/// the token until it expires, and has no place in logs.
fn fetch_failed(error: reqwest::Error) -> DownloadError {
    DownloadError::Fetch(SendError::from_reqwest(error.without_url()))
}

/// `"303833"` or `303833`.
fn lenient_size<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Size {
        Number(u64),
        Text(String),
    }
    Ok(match Option::<Size>::deserialize(d)? {
        Some(Size::Number(n)) => Some(n),
        Some(Size::Text(s)) => s.trim().parse().ok(),
        None => None,
    })
}
