//! The one seam to language models. A brain reads a turn's context and
//! returns everything the server needs in one answer: the reply, proposed
//! field values, the intent, its confidence and the tools it called.
//! It proposes; the router (see [`crate::router`]) decides.

use crate::answers::Question;
use crate::conversation::Message;
use crate::language::Language;
use crate::lead::{FieldName, Lead};
use crate::playbook::{Playbook, Stage};
use crate::tools::ToolBox;
use async_trait::async_trait;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// What a brain sees for one turn.
#[derive(Debug, Clone, Copy)]
pub struct TurnContext<'a> {
    pub playbook: &'a Playbook,
    pub stage: &'a Stage,
    /// The language to answer in: the server read it from the customer's
    /// words (see `router`), so a brain never decides it.
    pub language: Language,
    pub lead: &'a Lead,
    /// The rolling summary of everything older than `recent`.
    pub summary: &'a str,
    /// The last messages of the conversation, oldest first: the context
    /// window (6 messages), widened when this turn's burst alone is longer.
    pub recent: &'a [Message],
    /// How many messages at the end of `recent` are this turn's burst.
    pub burst_len: usize,
    /// The stage's system prompt, rendered over the lead and the business.
    pub system_prompt: &'a str,
    /// Today in the business's time zone, for relative timelines.
    pub today: Date,
    /// Fields asked for too often without an answer: not asked again, and
    /// the flow moves on without them.
    pub deferred: &'a [FieldName],
    /// What the burst asks that the business's knowledge may answer, each
    /// question with the passages found for it.
    pub questions: &'a [Question],
}

impl TurnContext<'_> {
    /// This turn's customer messages, oldest first.
    pub fn burst(&self) -> &[Message] {
        &self.recent[self.recent.len() - self.burst_len..]
    }
}

/// A brain's answer for one turn. The tools it called are not part of it:
/// the [`ToolBox`] it called them through keeps that record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    /// The reply to send, in the language of [`TurnContext::language`].
    pub reply: String,
    /// One of the playbook's intent ids, if any matched.
    pub intent: Option<String>,
    /// Proposed field values, as text; the server parses and validates them.
    pub fields: Vec<(FieldName, String)>,
    /// The field the reply asks for, if it asks for one: the server counts
    /// the asks, so a field is not asked forever.
    #[serde(default)]
    pub asks: Option<FieldName>,
    /// 0.0 to 1.0: how sure the brain is it understood the customer.
    pub confidence: f32,
    /// Whether the customer's messages were understood and answered.
    pub resolved: bool,
    /// The ids of the passages (of [`TurnContext::questions`]) the reply
    /// answers from: none when it answers no question from them.
    #[serde(default)]
    pub sources: Vec<String>,
    /// Tokens of the prompt the brain sent (or would send) to a model.
    pub prompt_tokens: usize,
    /// What the turn took at a model provider.
    #[serde(default)]
    pub usage: ModelUsage,
}

/// What answering one turn took at a model provider: empty for a brain
/// that calls none. For the event log, metrics and `leadline eval`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelUsage {
    /// HTTP calls to the provider: a tool result to word or a repair adds one.
    pub calls: u32,
    /// Tokens the model wrote, over those calls.
    pub generated_tokens: Option<usize>,
    /// Tokens of the first call's prompt the provider's prompt cache served.
    pub cached_tokens: Option<usize>,
    /// The first answer was unusable and the model was asked once more.
    pub repaired: bool,
    /// The primary brain failed and the fallback brain answered.
    pub fell_back: bool,
    /// How long the brain took over the turn, in milliseconds (recorded by
    /// brains that call a model: the local brain's cost is benchmarked).
    pub millis: Option<u64>,
}

/// What a background summary update reads.
#[derive(Debug, Clone, Copy)]
pub struct SummaryRequest<'a> {
    pub playbook: &'a Playbook,
    pub language: Language,
    pub lead: &'a Lead,
    /// The summary so far (empty at first).
    pub previous: &'a str,
    /// The messages that left the context window since `previous`.
    pub leaving: &'a [Message],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrainError {
    /// The provider could not be reached, timed out or kept failing.
    #[error("model provider unavailable: {0}")]
    Unavailable(String),
    /// The provider answered something that is not a valid turn.
    #[error("model answer not usable: {0}")]
    Malformed(String),
    /// The provider refused the request for good (auth, bad request).
    #[error("model provider refused the request: {0}")]
    Refused(String),
}

#[async_trait]
pub trait Brain: Send + Sync {
    /// A short name for logs and metrics ("local", "openai").
    fn name(&self) -> &'static str;

    /// Decides one turn. May call the tools in `tools` and see their results
    /// before answering.
    async fn decide(&self, ctx: &TurnContext<'_>, tools: &ToolBox<'_>) -> Result<Turn, BrainError>;

    /// Folds the messages that left the window into the rolling summary.
    async fn summarize(&self, req: &SummaryRequest<'_>) -> Result<String, BrainError>;
}
