//! The documents a turn sends (`send_document`): each once per
//! conversation unless asked again, and the one a customer asked for when
//! the brain forgot the tool. Kept apart because documents go out beside
//! the replies, not in them.

use super::{Agent, TurnOutcome};
use crate::brain::Turn;
use crate::conversation::{Conversation, Speaker};
use crate::documents::{self, ASK_DOCUMENT, SEND_DOCUMENT};
use crate::reading;
use crate::tools::{ToolBox, ToolCallRecord, ToolOutcome};
use jiff::Timestamp;

impl Agent {
    /// The documents the turn's `send_document` calls picked, each once.
    /// One already sent in this conversation goes again only when the turn
    /// reads as the customer asking for a document: a brain offering it
    /// again on its own is not heard.
    pub(super) fn send_documents(
        &self,
        conversation: &mut Conversation,
        calls: &[ToolCallRecord],
        intent: Option<&str>,
        now: Timestamp,
        outcome: &mut TurnOutcome,
    ) {
        let asked = intent == Some(ASK_DOCUMENT);
        let picked = calls
            .iter()
            .filter(|c| c.name == SEND_DOCUMENT)
            .filter_map(|c| match &c.result {
                Ok(ToolOutcome::DocumentSent { document, .. }) => Some(document.as_str()),
                _ => None,
            });
        for id in picked {
            let Some(document) = documents::find(&self.playbook.documents, Some(id), None) else {
                continue;
            };
            let this_turn = outcome.documents.iter().any(|d| d.id == document.id);
            let before = conversation.documents_sent.contains(&document.id);
            if this_turn || (before && !asked) {
                continue;
            }
            if !before {
                conversation.documents_sent.push(document.id.clone());
            }
            // The model sees what it sent, as it sees a customer's files.
            let text = format!("[document: {}]", document.title);
            conversation.push(Speaker::Agent, text, now, None);
            outcome.documents.push(document.send(conversation.language));
        }
    }

    /// A brain that read a request for a document but sent none (a small
    /// model says "I'll send it now" and asks for no tool): the server
    /// sends the one the customer's words name, through the stage's tool.
    pub(super) async fn send_asked_document(&self, turn: &Turn, tools: &ToolBox<'_>, words: &str) {
        let offered = tools.tools().any(|t| t.name() == SEND_DOCUMENT);
        // Read from the customer's words too: a model that says "here is
        // our brochure" without asking for the tool must not leave the
        // customer without it.
        let asked = turn.intent.as_deref() == Some(ASK_DOCUMENT)
            || (reading::asks_to_be_sent(words)
                && documents::find(&self.playbook.documents, None, Some(words)).is_some());
        if !asked || !offered || tools.calls().iter().any(|c| c.name == SEND_DOCUMENT) {
            return;
        }
        // The toolbox records the call; an unknown document is its error.
        let _ = tools
            .call(SEND_DOCUMENT, &serde_json::json!({ "query": words }))
            .await;
    }
}
