//! The one call to the brain a turn makes, and the event that records
//! its reading of the turn. Kept apart so what the brain is shown (the
//! prompt, the lead, the summary, the context window) reads in one place.

use super::{Agent, TurnOutcome};
use crate::answers::Question;
use crate::brain::{BrainError, Turn, TurnContext};
use crate::context::WINDOW;
use crate::conversation::Conversation;
use crate::events::Event;
use crate::playbook::Stage;
use crate::tools::ToolBox;
use jiff::civil::Date;

impl Agent {
    /// One brain call over the agent's prompt, the lead, the summary and
    /// the context window (widened to the whole burst if it is longer).
    pub(super) async fn decide(
        &self,
        conversation: &Conversation,
        stage: &Stage,
        burst_len: usize,
        today: Date,
        questions: &[Question],
        tools: &ToolBox<'_>,
    ) -> Result<Turn, BrainError> {
        let system_prompt =
            self.playbook
                .render_prompt(stage, &conversation.lead, conversation.language);
        let history = &conversation.history;
        let recent = &history[history.len().saturating_sub(WINDOW.max(burst_len))..];
        let deferred = conversation.deferred();
        let ctx = TurnContext {
            playbook: &self.playbook,
            stage,
            language: conversation.language,
            lead: &conversation.lead,
            summary: &conversation.summary.text,
            recent,
            burst_len,
            system_prompt: &system_prompt,
            today,
            deferred: &deferred,
            questions,
        };
        self.brain.decide(&ctx, tools).await
    }

    /// The brain's reading of the turn and what it cost, for the event log.
    pub(super) fn record_decision(&self, turn: &Turn, outcome: &mut TurnOutcome) {
        outcome.prompt_tokens = turn.prompt_tokens;
        outcome.events.push(Event::TurnDecided {
            brain: self.brain.name().to_owned(),
            intent: turn.intent.clone(),
            confidence: turn.confidence,
            resolved: turn.resolved,
            prompt_tokens: turn.prompt_tokens,
            usage: turn.usage,
        });
    }
}
