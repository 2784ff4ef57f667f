//! The rolling summary: which messages have left the context window and
//! when to fold them into the summary, off the reply's critical path.
//! Kept apart because it runs after the turn is saved, not in it.

use super::Agent;
use crate::brain::{BrainError, SummaryRequest};
use crate::context::WINDOW;
use crate::conversation::{Conversation, Message, Summary};
use crate::customer::CustomerId;
use crate::language::Language;
use crate::lead::Lead;

/// Messages that left the context window, to fold into the rolling summary
/// off the reply's critical path.
#[derive(Debug, Clone)]
pub struct SummaryJob {
    pub customer: CustomerId,
    pub language: Language,
    pub lead: Lead,
    pub previous: String,
    pub leaving: Vec<Message>,
}

impl SummaryJob {
    /// The `seq` the resulting summary reaches.
    pub fn through_seq(&self) -> u64 {
        self.leaving.last().map_or(0, |m| m.seq)
    }
}

impl Agent {
    /// Folds a job's messages into the rolling summary.
    pub async fn summarize(&self, job: &SummaryJob) -> Result<Summary, BrainError> {
        let text = self
            .brain
            .summarize(&SummaryRequest {
                playbook: &self.playbook,
                language: job.language,
                lead: &job.lead,
                previous: &job.previous,
                leaving: &job.leaving,
            })
            .await?;
        Ok(Summary {
            text,
            through_seq: job.through_seq(),
        })
    }

    /// A summary update once [`WINDOW`] more messages have left the window
    /// since the last request; it covers every message outside the window
    /// the stored summary does not, so a failed update is caught up by the
    /// next one.
    pub(super) fn summary_job(&self, conversation: &mut Conversation) -> Option<SummaryJob> {
        let history = &conversation.history;
        let outside = &history[..history.len().saturating_sub(WINDOW)];
        let leaving: Vec<Message> = outside
            .iter()
            .filter(|m| m.seq > conversation.summary.through_seq)
            .cloned()
            .collect();
        let fresh = leaving
            .iter()
            .filter(|m| m.seq > conversation.summary_requested_through)
            .count();
        if fresh < WINDOW {
            return None;
        }
        let job = SummaryJob {
            customer: conversation.customer.clone(),
            language: conversation.language,
            lead: conversation.lead.clone(),
            previous: conversation.summary.text.clone(),
            leaving,
        };
        conversation.summary_requested_through = job.through_seq();
        Some(job)
    }
}
