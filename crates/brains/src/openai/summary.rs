//! The rolling summary: the conversation's older messages folded into a
//! short text in its language, by one plain completion. Apart from the
//! turn, which has a schema, tools and repairs.

use super::wire::{ChatMessage, ChatRequest};
use super::{Kind, OpenAiBrain, first_message};
use leadline_domain::brain::{BrainError, SummaryRequest};
use leadline_domain::conversation::Speaker;

/// Target length of the rolling summary.
const SUMMARY_WORDS: usize = 150;

impl OpenAiBrain {
    pub(super) async fn summary(&self, req: &SummaryRequest<'_>) -> Result<String, BrainError> {
        let instruction = format!(
            "Update this running summary of a sales conversation. Keep it under {SUMMARY_WORDS} words. Keep facts \
             (lead fields, requests, promises), drop chit-chat. Write it in the conversation's language ({}). \
             Answer with the updated summary only.",
            req.language.code()
        );
        let mut transcript = String::from("Summary so far: ");
        transcript.push_str(if req.previous.trim().is_empty() {
            "(none yet)"
        } else {
            req.previous.trim()
        });
        transcript.push_str("\n\nNew messages:");
        for m in req.leaving {
            let who = match m.speaker {
                Speaker::Customer => "Customer",
                Speaker::Agent => "Agent",
                Speaker::Human => "Sales rep",
            };
            transcript.push_str(&format!("\n{who}: {}", m.text));
        }
        let messages = [
            ChatMessage::System {
                content: instruction,
            },
            ChatMessage::User {
                content: transcript,
            },
        ];
        let request = ChatRequest {
            model: &self.config.model,
            messages: &messages,
            response_format: None,
            tools: &[],
            tool_choice: None,
            max_tokens: self.config.max_tokens,
        };
        let message = first_message(self.complete(Kind::Summary, &request).await?)?;
        let text = message
            .content
            .as_deref()
            .map(str::trim)
            .unwrap_or_default();
        if text.is_empty() {
            return Err(BrainError::Malformed("the summary is empty".to_owned()));
        }
        tracing::info!(model = %self.config.model, words = text.split_whitespace().count(), "model updated the summary");
        Ok(text.to_owned())
    }
}
