//! What the model sees: the agent's prompt, the lead so far, the rolling
//! summary of everything older than the window, and the last
//! [`WINDOW`] messages. The prompt's size stays flat however long the
//! conversation gets.

use crate::brain::TurnContext;
use crate::conversation::Speaker;
use serde::{Deserialize, Serialize};

/// Messages the model sees verbatim; older ones reach it through the summary.
pub const WINDOW: usize = 6;

/// One chat message of a prompt, in the roles every chat model knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromptMessage {
    pub role: PromptRole,
    pub content: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PromptRole {
    System,
    User,
    Assistant,
}

impl PromptRole {
    pub fn as_str(self) -> &'static str {
        match self {
            PromptRole::System => "system",
            PromptRole::User => "user",
            PromptRole::Assistant => "assistant",
        }
    }
}

/// The prompt for one turn: one system message (agent prompt, lead, summary)
/// followed by the window's messages.
pub fn prompt_messages(ctx: &TurnContext<'_>) -> Vec<PromptMessage> {
    let lead = serde_json::to_string(ctx.lead).unwrap_or_default();
    let mut system = format!("{}\n\nLead so far (JSON): {lead}", ctx.system_prompt.trim());
    if !ctx.summary.is_empty() {
        system.push_str("\n\nSummary of the earlier conversation: ");
        system.push_str(ctx.summary);
    }
    let mut messages = Vec::with_capacity(ctx.recent.len() + 1);
    messages.push(PromptMessage {
        role: PromptRole::System,
        content: system,
    });
    messages.extend(ctx.recent.iter().map(|m| PromptMessage {
        role: match m.speaker {
            Speaker::Customer => PromptRole::User,
            Speaker::Agent | Speaker::Human => PromptRole::Assistant,
        },
        content: m.text.clone(),
    }));
    messages
}
