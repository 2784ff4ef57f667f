//! What one scenario's run reports: the transcript, the scores of the lead's
//! fields, the replies' languages, the knowledge answers and the cost of each
//! turn. Apart from the run so the report reads its shapes in one place.

use crate::eval::scenario::Split;
use leadline_domain::HandoffReason;
use leadline_domain::brain::ModelUsage;
use leadline_domain::language::Language;
use leadline_domain::lead::FieldName;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    Customer,
    Agent,
}

#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub speaker: Speaker,
    pub text: String,
}

/// How one lead field came out against what the customer stated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FieldScore {
    pub field: FieldName,
    /// The customer stated it.
    pub stated: bool,
    /// The lead has a value for it at the end.
    pub captured: bool,
    /// The value is the one stated (only when stated and captured).
    pub right: bool,
    /// The value counts as made up: the customer did not state it, or it
    /// is not what they said.
    pub made_up: bool,
}

/// The replies whose language was checked and those in the wrong one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReplyLanguages {
    pub checked: usize,
    pub wrong: usize,
}

/// What happened in one scenario and how it measured up.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub name: String,
    pub file: String,
    pub split: Split,
    pub language: Language,
    pub known_gap: Option<String>,
    /// Each expectation that was not met, said plainly.
    pub failures: Vec<String>,
    pub final_stage: Option<String>,
    /// Customer messages sent when each stage was first reached.
    pub reached: Vec<(String, usize)>,
    pub handoff: Option<HandoffReason>,
    /// Customer messages sent when the call was booked.
    pub booked_after: Option<usize>,
    /// Stage changes the scenario did not expect, as `from → to`.
    pub wrong_jumps: Vec<String>,
    /// Every lead field the scenario says something about.
    pub fields: Vec<FieldScore>,
    /// Whether the handoff (or its absence) was the one expected.
    pub handoff_right: bool,
    pub reply_languages: ReplyLanguages,
    /// For a cooperative lead (`offered_within`): times were offered in
    /// time.
    pub offered_in_time: Option<bool>,
    /// What each brain decision cost, in order.
    pub turns: Vec<TurnCost>,
    /// How the customer's questions were answered, for a scenario that
    /// measures it (`answer_contains`, `unanswered`).
    pub knowledge: Option<KnowledgeScore>,
    pub transcript: Vec<Line>,
}

/// How one scenario's questions were answered from the knowledge folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KnowledgeScore {
    /// `answer_contains` held: the answer was found and said.
    pub answered: Option<bool>,
    /// `unanswered` held: the question was left for the team.
    pub left_for_team: Option<bool>,
    /// Replies stating a number, day or month that neither the folder,
    /// the playbook nor the customer's own words hold.
    pub invented: usize,
    /// Turns that answered (or honestly did not answer) a question, and
    /// those of them whose reply went on with the stage (asked the next
    /// thing or offered times).
    pub answer_turns: usize,
    pub followed: usize,
}

/// One brain decision's cost, from its `TurnDecided` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TurnCost {
    pub prompt_tokens: usize,
    #[serde(flatten)]
    pub usage: ModelUsage,
}

impl Outcome {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    /// Customer messages it took to first reach `stage`. A handed-off
    /// conversation moves no further, so a stage reached is one reached
    /// without a person.
    pub fn reached_after(&self, stage: &str) -> Option<usize> {
        self.reached
            .iter()
            .find(|(s, _)| s == stage)
            .map(|&(_, n)| n)
    }
}
