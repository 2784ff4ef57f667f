//! Runs one scenario through a [`Session`] and judges it against its
//! expectations.

mod judge;
mod outcome;

use judge::{handoff_failure, judge, score_fields, wrong_jumps};
use outcome::{KnowledgeScore, Line, ReplyLanguages};
pub use outcome::{Outcome, Speaker, TurnCost};

use super::scenario::{Expect, Scenario};
use crate::chat::{Said, Session, SessionError};
use leadline_domain::answers;
use leadline_domain::events::{Event, Grounded};
use leadline_domain::language::{self, Language};
use leadline_domain::playbook::Playbook;
use leadline_domain::{CustomerId, HandoffReason, Lead};
use leadline_stores::sqlite::SqliteStore;
use leadline_stores::{AdminStore, OutgoingBody, StoreError};
use std::time::Duration;

/// What the run observed, step by step.
#[derive(Default)]
struct Observed {
    transcript: Vec<Line>,
    reached: Vec<(String, usize)>,
    handoff: Option<(HandoffReason, usize)>,
    /// The playbook's handoff stage, once handed off for any reason: a
    /// conversation with the team is in it, whatever stage its lead is at.
    handed_to: Option<String>,
    booked_after: Option<usize>,
    /// Customer messages sent when call times were first offered.
    offered_after: Option<usize>,
    stage_changes: Vec<(String, String)>,
    replies_after_handoff: usize,
    reply_languages: ReplyLanguages,
    /// Each reply in the wrong language, said plainly.
    language_failures: Vec<String>,
    turns: Vec<TurnCost>,
    /// How each question was answered, in order.
    grounded: Vec<Grounded>,
    /// Questions recorded by the turn just observed.
    asked_this_turn: bool,
    /// Each reply that states what nothing supports, said plainly.
    invented: Vec<String>,
    /// The booked call's date and time as replies tell it, in both
    /// languages: what the calendar gave, not a claim.
    booked_as_said: String,
    answer_turns: usize,
    followed: usize,
}

/// Plays `scenario` as `customer` through `session`, whose store is `store`.
pub async fn run(
    session: &Session,
    store: &SqliteStore,
    scenario: &Scenario,
    customer: &CustomerId,
) -> Outcome {
    let mut observed = Observed::default();
    let mut failures = Vec::new();
    let playbook = session.playbook();
    observed
        .reached
        .push((playbook.first_stage().id.clone(), 0));
    let mut sent = 0;
    let mut seen_events = 0;
    let mut lead = Lead::default();
    let mut final_stage = None;
    let mut speaking = scenario.language;
    // What a reply may state: the folder, the playbook and, as the
    // conversation goes, the customer's own words.
    let mut support = scenario
        .expect
        .asks_questions()
        .then(|| known_facts(session));
    for step in &scenario.messages {
        speaking = step.language.unwrap_or(speaking);
        let said: Vec<Said> = step
            .texts
            .iter()
            .enumerate()
            .map(|(i, text)| Said {
                text: text.clone(),
                delay: if i == 0 { step.delay } else { Duration::ZERO },
                profile_name: scenario.profile_name.clone(),
            })
            .collect();
        if let Some(support) = &mut support {
            for text in &step.texts {
                support.push('\n');
                support.push_str(text);
            }
        }
        for text in &step.texts {
            observed.transcript.push(Line {
                speaker: Speaker::Customer,
                text: text.clone(),
            });
        }
        sent += step.texts.len();
        let handed_off_before = observed.handoff.is_some();
        let replies_from = observed.transcript.len();
        match session.turn(customer, &said).await {
            Ok(replies) => {
                if handed_off_before {
                    observed.replies_after_handoff += replies.len();
                }
                for reply in &replies {
                    observed.check_language(reply, speaking, sent);
                }
                observed
                    .transcript
                    .extend(replies.into_iter().map(|text| Line {
                        speaker: Speaker::Agent,
                        text,
                    }));
            }
            Err(e) => {
                failures.push(format!("the pipeline failed: {e}"));
                break;
            }
        }
        let step_replies = observed.transcript.len() - replies_from;
        match observe(
            session,
            store,
            customer,
            &mut seen_events,
            sent,
            &mut observed,
        )
        .await
        {
            Ok(Some((stage, now_lead))) => {
                final_stage = Some(stage);
                lead = now_lead;
                if let Some(support) = &support {
                    let replies = &observed.transcript[replies_from..replies_from + step_replies];
                    let replies: Vec<String> = replies.iter().map(|l| l.text.clone()).collect();
                    observed.judge_answers(&replies, support, sent);
                }
            }
            Ok(None) => {}
            Err(e) => {
                failures.push(format!("the pipeline failed: {e}"));
                break;
            }
        }
    }
    judge(scenario, &observed, final_stage.as_deref(), &mut failures);
    let fields = score_fields(&scenario.expect, &lead, &mut failures);
    let offered_in_time = scenario.expect.offered_within.map(|within| {
        let in_time = observed.offered_after.is_some_and(|after| after <= within);
        if !in_time {
            failures.push(match observed.offered_after {
                Some(after) => format!(
                    "offered_within: call times offered after {after} customer messages, expected within {within}"
                ),
                None => format!(
                    "offered_within: call times never offered (expected within {within} customer messages)"
                ),
            });
        }
        in_time
    });
    if let Some(expected) = &scenario.expect.documents {
        match documents_sent(store, playbook, customer).await {
            Ok(sent) => {
                let mut expected = expected.clone();
                expected.sort();
                if sent != expected {
                    failures.push(format!(
                        "documents: expected [{}], sent [{}]",
                        expected.join(", "),
                        sent.join(", ")
                    ));
                }
            }
            Err(e) => failures.push(format!("the pipeline failed: {e}")),
        }
    }
    let wrong_jumps = wrong_jumps(scenario, playbook, &observed.stage_changes);
    if !wrong_jumps.is_empty() {
        failures.push(format!(
            "unexpected stage change: {}",
            wrong_jumps.join(", ")
        ));
    }
    let knowledge = scenario
        .expect
        .asks_questions()
        .then(|| judge_knowledge(&scenario.expect, &observed, &mut failures));
    let handoff = observed.handoff.map(|(reason, _)| reason);
    Outcome {
        name: scenario.name.clone(),
        file: scenario.file.display().to_string(),
        split: scenario.split,
        language: scenario.language,
        known_gap: scenario.known_gap.clone(),
        failures,
        final_stage,
        reached: observed.reached,
        handoff,
        booked_after: observed.booked_after,
        wrong_jumps,
        fields,
        handoff_right: handoff_failure(scenario.expect.handoff, handoff).is_none(),
        reply_languages: observed.reply_languages,
        offered_in_time,
        turns: observed.turns,
        knowledge,
        transcript: observed.transcript,
    }
}

/// Every fact a reply may state without making it up: the knowledge
/// folder's passages, the business's facts and the playbook's replies.
fn known_facts(session: &Session) -> String {
    let knowledge = session.knowledge();
    let mut facts: Vec<String> = knowledge
        .passages()
        .iter()
        .map(|p| format!("{}\n{}", p.title, p.body))
        .collect();
    facts.extend(
        session
            .playbook()
            .own_words(None)
            .into_iter()
            .map(str::to_owned),
    );
    facts.join("\n")
}

/// Checks `answer_contains` and `unanswered` and scores the questions.
fn judge_knowledge(
    expect: &Expect,
    observed: &Observed,
    failures: &mut Vec<String>,
) -> KnowledgeScore {
    let replies: Vec<String> = observed
        .transcript
        .iter()
        .filter(|l| l.speaker == Speaker::Agent)
        .map(|l| language::fold(&l.text))
        .collect();
    let missing: Vec<&String> = expect
        .answer_contains
        .iter()
        .filter(|word| {
            let word = language::fold(word);
            !replies.iter().any(|r| r.contains(&word))
        })
        .collect();
    for word in &missing {
        failures.push(format!("answer_contains: no reply says {word:?}"));
    }
    let left_for_team = observed.grounded.iter().any(|g| *g != Grounded::Yes);
    if expect.unanswered && !left_for_team {
        failures.push(
            "unanswered: the question was not left for the team (answered from a passage, or not read as a question)"
                .to_owned(),
        );
    }
    failures.extend(observed.invented.iter().cloned());
    KnowledgeScore {
        answered: (!expect.answer_contains.is_empty()).then_some(missing.is_empty()),
        left_for_team: expect.unanswered.then_some(left_for_team),
        invented: observed.invented.len(),
        answer_turns: observed.answer_turns,
        followed: observed.followed,
    }
}

/// The ids of the playbook's documents sent to `customer`, sorted: each
/// document message recorded for them, told apart by where its bytes are.
async fn documents_sent(
    store: &SqliteStore,
    playbook: &Playbook,
    customer: &CustomerId,
) -> Result<Vec<String>, StoreError> {
    let entries = store.outbox_entries(customer).await?;
    let mut sent: Vec<String> = playbook
        .documents
        .iter()
        .filter(|document| {
            entries.iter().any(|entry| {
                matches!(&entry.message.body, OutgoingBody::Document { source, .. } if *source == document.source)
            })
        })
        .map(|document| document.id.clone())
        .collect();
    sent.sort();
    Ok(sent)
}

/// Takes in the events of the turn just answered; returns the stage and
/// lead as they now stand.
async fn observe(
    session: &Session,
    store: &SqliteStore,
    customer: &CustomerId,
    seen_events: &mut usize,
    sent: usize,
    observed: &mut Observed,
) -> Result<Option<(String, Lead)>, SessionError> {
    let events = store.events(customer).await?;
    for recorded in events.iter().skip(*seen_events) {
        match &recorded.event {
            Event::StageChanged { from, to } => {
                observed.stage_changes.push((from.clone(), to.clone()));
                if !observed.reached.iter().any(|(s, _)| s == to) {
                    observed.reached.push((to.clone(), sent));
                }
            }
            Event::HandedOff { reason } if observed.handoff.is_none() => {
                observed.handoff = Some((*reason, sent));
                let playbook = session.playbook();
                if let Some(stage) = playbook.stages.iter().find(|s| s.hands_off) {
                    if !observed.reached.iter().any(|(s, _)| *s == stage.id) {
                        observed.reached.push((stage.id.clone(), sent));
                    }
                    observed.handed_to = Some(stage.id.clone());
                }
            }
            Event::CallBooked { slot, .. } if observed.booked_after.is_none() => {
                observed.booked_after = Some(sent);
                let rules = &session.playbook().scheduling;
                if let Some(slot) = slot.as_deref().and_then(|id| rules.slot_of(id)) {
                    for language in [Language::Es, Language::En] {
                        observed.booked_as_said += &slot.description(language);
                        observed.booked_as_said.push('\n');
                    }
                }
            }
            Event::QuestionAsked { grounded, .. } => {
                observed.grounded.push(*grounded);
                observed.asked_this_turn = true;
            }
            Event::TurnDecided {
                prompt_tokens,
                usage,
                ..
            } => observed.turns.push(TurnCost {
                prompt_tokens: *prompt_tokens,
                usage: *usage,
            }),
            _ => {}
        }
    }
    *seen_events = events.len();
    let Some(conversation) = session.conversation(customer).await? else {
        return Ok(None);
    };
    if !conversation.offered.is_empty() && observed.offered_after.is_none() {
        observed.offered_after = Some(sent);
    }
    Ok(Some((conversation.stage, conversation.lead)))
}

impl Observed {
    /// Scores the replies to one customer step: a reply stating what
    /// `support` does not is invented; a turn that took a question goes on
    /// with the stage when a reply asks something or offers times.
    fn judge_answers(&mut self, replies: &[String], support: &str, sent: usize) {
        for reply in replies {
            // The slot list the outlet renders under a reply states times
            // the calendar gave, not facts.
            let said = reply.split("\n[").next().unwrap_or(reply);
            let support = format!("{support}\n{}", self.booked_as_said);
            let claims = answers::unsupported(said, &support, true);
            if !claims.is_empty() {
                self.invented.push(format!(
                    "invented: the reply after customer message {sent} states {} that nothing supports",
                    claims.join(", ")
                ));
            }
        }
        if std::mem::take(&mut self.asked_this_turn) {
            self.answer_turns += 1;
            if replies.iter().any(|r| r.contains('?') || r.contains("\n[")) {
                self.followed += 1;
            }
        }
    }

    /// Counts `reply` as in `wanted` or not; a reply too short to tell
    /// ("OK 👍") is not counted.
    fn check_language(&mut self, reply: &str, wanted: Language, sent: usize) {
        let Some(language) = language::detect(reply) else {
            return;
        };
        self.reply_languages.checked += 1;
        if language != wanted {
            self.reply_languages.wrong += 1;
            self.language_failures.push(format!(
                "reply language: the reply after customer message {sent} is in {}, expected {}",
                language.code(),
                wanted.code()
            ));
        }
    }
}
