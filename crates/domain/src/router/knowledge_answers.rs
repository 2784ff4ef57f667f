//! The customer's questions answered from the knowledge folder: whether a
//! reply is grounded in the passages the brain cites, and the honest
//! answer that replaces one stating what nothing supports. Kept apart
//! because it judges the brain's reply, not the lead.

use super::{Agent, TurnOutcome};
use crate::answers::{self, Question};
use crate::brain::Turn;
use crate::conversation::Conversation;
use crate::events::{Event, Grounded};
use crate::playbook::{LeadView, Stage};

/// How a turn's answers to the customer's questions came out.
#[derive(Debug, Default)]
pub(super) struct Answers {
    /// The customer asked something the knowledge folder may answer.
    pub(super) asked: bool,
    /// The reply states what nothing supports: the honest answer goes
    /// instead.
    pub(super) replace: bool,
    /// A question was left for the team.
    pub(super) unanswered: bool,
}

impl Agent {
    /// Whether the turn answered the burst's questions from the knowledge
    /// folder, recorded per question: answered from the passages the brain
    /// names, left for the team, or replaced because the reply states a
    /// number, a day or a yes/no that neither those passages, the
    /// playbook's business facts and replies, nor the customer's own words
    /// support.
    pub(super) fn judge_answers(
        &self,
        conversation: &Conversation,
        questions: &[Question],
        turn: &Turn,
        words: &str,
        outcome: &mut TurnOutcome,
    ) -> Answers {
        if questions.is_empty() {
            return Answers::default();
        }
        let found = |id: &String| {
            questions
                .iter()
                .flat_map(|q| &q.passages)
                .find(|f| &f.id == id)
        };
        let cited: Vec<&answers::Found> = turn.sources.iter().filter_map(found).collect();
        let language = conversation.language;
        let lead =
            serde_json::to_string(&LeadView::new(&conversation.lead, language)).unwrap_or_default();
        let mut support = self.playbook.own_words(Some(language));
        support.extend([words, lead.as_str()]);
        support.extend(cited.iter().map(|f| f.body.as_str()));
        let claims = answers::unsupported(&turn.reply, &support.join("\n"), !cited.is_empty());
        let replace = !claims.is_empty();
        let mut unanswered = false;
        for question in questions {
            let passages: Vec<String> = cited
                .iter()
                .filter(|f| question.passages.iter().any(|p| p.id == f.id))
                .map(|f| f.id.clone())
                .collect();
            let grounded = if replace {
                Grounded::Replaced
            } else if passages.is_empty() {
                Grounded::No
            } else {
                Grounded::Yes
            };
            unanswered |= grounded != Grounded::Yes;
            outcome.events.push(Event::QuestionAsked {
                question: question.text.clone(),
                grounded,
                passages,
            });
        }
        Answers {
            asked: true,
            replace,
            unanswered,
        }
    }

    /// What replaces a reply that stated what nothing supports: the honest
    /// answer, then the stage's next question.
    pub(super) fn honest_reply(&self, conversation: &Conversation, stage: &Stage) -> String {
        let honest = self
            .playbook
            .no_answer(stage, &conversation.lead, conversation.language);
        self.followed_by_next_ask(conversation, stage, honest)
    }
}
