//! Where replies go: the Graph API in production, the terminal for
//! `leadline chat`.

use async_trait::async_trait;
use leadline_stores::{OutgoingBody, OutgoingMessage};
use leadline_whatsapp::send::{CloudClient, ListRow, ListSection, OutboundMessage, SendError};

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
}

impl GraphOutlet {
    pub fn new(client: CloudClient) -> Self {
        Self { client }
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
