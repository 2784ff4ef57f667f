//! Where replies go: the Graph API in production, the terminal for
//! `leadline chat`.

use async_trait::async_trait;
use leadline_domain::documents::{DocumentSource, mime_type};
use leadline_stores::{OutgoingBody, OutgoingMessage};
use leadline_whatsapp::send::{
    CloudClient, ListRow, ListSection, MediaSource, OutboundMessage, SendError,
};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

#[async_trait]
pub trait Outlet: Send + Sync {
    /// Delivers one message; returns WhatsApp's id for it.
    async fn send(&self, message: &OutgoingMessage) -> Result<String, SendError>;

    /// Marks an inbound message read and shows the typing indicator.
    async fn mark_read(&self, business_number_id: &str, message_id: &str) -> Result<(), SendError>;
}

/// Sends through Meta's Cloud API.
pub struct GraphOutlet {
    client: CloudClient,
    /// Media ids of the document files uploaded, by business number, path
    /// and modification time: each file is uploaded once and sent by id,
    /// and again after it changes. Kept in memory only: a restart uploads
    /// again, which is harmless (Meta keeps each upload 30 days).
    uploaded: Mutex<HashMap<(String, String, SystemTime), String>>,
}

impl GraphOutlet {
    pub fn new(client: CloudClient) -> Self {
        Self {
            client,
            uploaded: Mutex::default(),
        }
    }

    /// Where WhatsApp gets a document: its link, or the media id of the
    /// file, uploaded on first use.
    async fn media(&self, from: &str, source: &DocumentSource) -> Result<MediaSource, SendError> {
        let path = match source {
            DocumentSource::Url(link) => return Ok(MediaSource::Link(link.clone())),
            DocumentSource::File(path) => path,
        };
        let unreadable =
            |e: std::io::Error| SendError::Invalid(format!("cannot read document {path:?}: {e}"));
        let modified = tokio::fs::metadata(path)
            .await
            .and_then(|m| m.modified())
            .map_err(unreadable)?;
        let key = (from.to_owned(), path.clone(), modified);
        if let Some(id) = self.cache().get(&key) {
            return Ok(MediaSource::Id(id.clone()));
        }
        let mime = mime_type(path).ok_or_else(|| {
            SendError::Invalid(format!("{path:?} is not a document type WhatsApp takes"))
        })?;
        let bytes = tokio::fs::read(path).await.map_err(unreadable)?;
        let name = std::path::Path::new(path)
            .file_name()
            .map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned());
        let id = self.client.upload_media(from, &name, mime, bytes).await?;
        self.cache().insert(key, id.clone());
        Ok(MediaSource::Id(id))
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String, SystemTime), String>> {
        self.uploaded.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl Outlet for GraphOutlet {
    async fn send(&self, message: &OutgoingMessage) -> Result<String, SendError> {
        let outbound = match &message.body {
            OutgoingBody::Text { body } => OutboundMessage::text(message.to.as_str(), body)?,
            OutgoingBody::List { body, button, rows } => {
                let rows = rows
                    .iter()
                    .map(|row| ListRow {
                        id: row.id.clone(),
                        title: row.title.clone(),
                        description: row.description.clone(),
                    })
                    .collect();
                let section = ListSection { title: None, rows };
                OutboundMessage::list(message.to.as_str(), body, button, vec![section])?
            }
            OutgoingBody::Document {
                source,
                filename,
                caption,
            } => {
                let media = self.media(&message.business_number_id, source).await?;
                OutboundMessage::document(
                    message.to.as_str(),
                    media,
                    filename.as_deref(),
                    caption.as_deref(),
                )?
            }
            OutgoingBody::Template {
                name,
                language,
                parameters,
            } => {
                let components = (!parameters.is_empty()).then(|| {
                    let parameters: Vec<_> = parameters
                        .iter()
                        .map(|text| serde_json::json!({ "type": "text", "text": text }))
                        .collect();
                    serde_json::json!([{ "type": "body", "parameters": parameters }])
                });
                OutboundMessage::template(message.to.as_str(), name, language, components)?
            }
        };
        // Meta echoes the outbox key in the message's statuses: should this
        // process die before recording the send, the status records it,
        // and nobody sends it again.
        let outbound = outbound.with_callback_data(&message.key)?;
        let sent = self
            .client
            .send(&message.business_number_id, &outbound)
            .await?;
        Ok(sent.message_id)
    }

    async fn mark_read(&self, business_number_id: &str, message_id: &str) -> Result<(), SendError> {
        self.client
            .mark_read(business_number_id, message_id, true)
            .await
    }
}
