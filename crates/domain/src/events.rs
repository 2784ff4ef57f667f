//! What happened during a turn, for the event log, the dashboard and evals.

use crate::brain::ModelUsage;
use crate::conversation::HandoffReason;
use crate::lead::FieldName;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// The brain's reading of the turn.
    TurnDecided {
        brain: String,
        intent: Option<String>,
        confidence: f32,
        resolved: bool,
        prompt_tokens: usize,
        #[serde(default)]
        usage: ModelUsage,
    },
    FieldSet {
        field: FieldName,
    },
    /// The customer corrected a value: `replaced` is the old one, as the
    /// lead's JSON had it, so what was corrected is never lost.
    FieldCorrected {
        field: FieldName,
        replaced: serde_json::Value,
    },
    /// A value the brain proposed that nothing the customer wrote supports
    /// (a name nobody gave): dropped.
    FieldUngrounded {
        field: FieldName,
    },
    /// A proposed value that did not parse; the lead keeps its old value.
    FieldRejected {
        field: FieldName,
        reason: String,
    },
    StageChanged {
        from: String,
        to: String,
    },
    ToolCalled {
        name: String,
        ok: bool,
    },
    /// A tool put a call on the calendar: `slot` is its start (RFC 3339),
    /// `event_id` the calendar's id for it.
    CallBooked {
        slot: Option<String>,
        event_id: Option<String>,
    },
    /// The customer asked to move or cancel the call booked earlier, and
    /// the calendar cancelled it.
    CallCancelled {
        slot: String,
        event_id: String,
    },
    HandedOff {
        reason: HandoffReason,
    },
    /// A question the customer asked that the knowledge folder may answer,
    /// and how the reply answered it. `passages` are the ids it was
    /// answered from.
    QuestionAsked {
        question: String,
        grounded: Grounded,
        #[serde(default)]
        passages: Vec<String>,
    },
    /// The brain failed; the turn was handed off instead.
    BrainFailed {
        brain: String,
        error: String,
    },
    /// The customer asked for no more messages, and was told they will
    /// get none.
    OptedOut,
    /// The customer who had opted out asked for messages again.
    OptedIn,
    /// The customer was reminded of the call starting at `slot` (RFC 3339),
    /// as a template when their 24-hour window had closed.
    ReminderSent {
        slot: String,
        template: bool,
    },
    /// The `n`th nudge of a lead who went quiet.
    FollowedUp {
        n: u32,
    },
    /// The customer wrote again after being nudged.
    FollowUpAnswered,
}

impl Event {
    /// The `kind` tag, for indexing.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::TurnDecided { .. } => "turn_decided",
            Event::FieldSet { .. } => "field_set",
            Event::FieldCorrected { .. } => "field_corrected",
            Event::FieldUngrounded { .. } => "field_ungrounded",
            Event::FieldRejected { .. } => "field_rejected",
            Event::StageChanged { .. } => "stage_changed",
            Event::ToolCalled { .. } => "tool_called",
            Event::CallBooked { .. } => "call_booked",
            Event::CallCancelled { .. } => "call_cancelled",
            Event::HandedOff { .. } => "handed_off",
            Event::QuestionAsked { .. } => "question_asked",
            Event::BrainFailed { .. } => "brain_failed",
            Event::OptedOut => "opted_out",
            Event::OptedIn => "opted_in",
            Event::ReminderSent { .. } => "reminder_sent",
            Event::FollowedUp { .. } => "followed_up",
            Event::FollowUpAnswered => "follow_up_answered",
        }
    }
}

/// How a customer's question was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grounded {
    /// From passages of the knowledge folder.
    Yes,
    /// Not answered: the customer was told the team will check, and the
    /// question waits for the team (`GET /api/questions`).
    No,
    /// The brain's reply stated what nothing supports and was replaced by
    /// the honest answer; the question waits for the team too.
    Replaced,
}

impl Grounded {
    pub fn as_str(self) -> &'static str {
        match self {
            Grounded::Yes => "yes",
            Grounded::No => "no",
            Grounded::Replaced => "replaced",
        }
    }
}

/// What groups the same question asked in different ways for the team's
/// list: folded to lower case without accents, inner whitespace collapsed,
/// and the question and exclamation marks around it dropped ("¿Se
/// integran con  Tiendanube?" and "se integran con tiendanube" are one
/// question). Computed once here and stored beside the event, so every
/// store groups alike.
pub fn question_key(question: &str) -> String {
    let folded = crate::language::fold(question);
    let words: Vec<&str> = folded.split_whitespace().collect();
    words
        .join(" ")
        .trim_matches(|c: char| matches!(c, '?' | '¿' | '!' | '¡') || c.is_whitespace())
        .to_owned()
}

impl Event {
    /// The [`question_key`] of a question, stored beside the event; `None`
    /// for every other event.
    pub fn question_key(&self) -> Option<String> {
        match self {
            Event::QuestionAsked { question, .. } => Some(question_key(question)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_question_asked_in_different_ways_has_one_key() {
        let key = question_key("¿se integran con tiendanube?");
        for asked in [
            "¿Se integran con Tiendanube?",
            "  se  integran con\tTIENDANUBE ??",
            "¡¿Sé integran con tiendanube?!",
        ] {
            assert_eq!(question_key(asked), key, "{asked:?}");
        }
        assert_eq!(key, "se integran con tiendanube");
        assert_eq!(question_key("Do you have parking?"), "do you have parking");
        assert_eq!(question_key(" ¿? "), "");
        assert_eq!(question_key(""), "");
        assert_ne!(question_key("¿y el plan 2?"), question_key("¿y el plan 3?"));
    }
}
