//! The stage machine: the conversation's stage, and how a turn moves it
//! along the playbook's transitions. Kept apart so the only way a stage
//! changes after a turn reads in one place.

use super::{Agent, TurnOutcome};
use crate::conversation::Conversation;
use crate::events::Event;
use crate::playbook::{Stage, Success};
use crate::tools::ToolCallRecord;

impl Agent {
    /// The conversation's stage; the first for a stage the playbook no
    /// longer has (a turn moves such a conversation there too).
    pub(super) fn stage_of(&self, conversation: &Conversation) -> &Stage {
        self.playbook
            .stage(&conversation.stage)
            .unwrap_or_else(|| self.playbook.first_stage())
    }

    /// Whether `stage` is `milestone` or later in the flow.
    pub(super) fn reached(&self, stage: &str, milestone: &str) -> bool {
        let position = |id: &str| self.playbook.stages.iter().position(|s| s.id == id);
        matches!((position(stage), position(milestone)), (Some(s), Some(m)) if s >= m)
    }

    /// Moves the stage along the playbook's transitions, one stage at a
    /// time, as far as the lead's fields and the turn's tool outcomes allow.
    pub(super) fn advance<'p>(
        &'p self,
        conversation: &mut Conversation,
        calls: &[ToolCallRecord],
        outcome: &mut TurnOutcome,
    ) -> &'p Stage {
        let playbook = &*self.playbook;
        let mut stage = playbook
            .stage(&conversation.stage)
            .unwrap_or_else(|| playbook.first_stage());
        let deferred = conversation.deferred();
        while !stage.hands_off {
            let done = match &stage.success {
                Success::Fields(fields) => fields
                    .iter()
                    .all(|f| conversation.lead.has(*f) || deferred.contains(f)),
                Success::Outcome(wanted) => reported(calls, wanted),
                Success::Never => false,
            };
            let Some(next) = stage
                .next
                .as_deref()
                .and_then(|id| playbook.stage(id))
                .filter(|_| done)
            else {
                break;
            };
            outcome.events.push(Event::StageChanged {
                from: stage.id.clone(),
                to: next.id.clone(),
            });
            stage = next;
        }
        conversation.stage = stage.id.clone();
        stage
    }
}

/// Whether a tool called during the turn reported `wanted` as its outcome
/// (`call_booked`: see [`ToolOutcome::name`](crate::tools::ToolOutcome::name)).
fn reported(calls: &[ToolCallRecord], wanted: &str) -> bool {
    calls
        .iter()
        .any(|call| call.result.as_ref().is_ok_and(|r| r.name() == wanted))
}
