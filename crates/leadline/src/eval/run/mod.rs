//! Runs one scenario through a [`Session`] and judges it against its
//! expectations.

use super::scenario::{BudgetKind, Expect, HandoffExpectation, Scenario, Split, TimelineKind};
use crate::chat::{Said, Session, SessionError};
use leadline_domain::answers;
use leadline_domain::brain::ModelUsage;
use leadline_domain::events::{Event, Grounded};
use leadline_domain::language::{self, Language};
use leadline_domain::lead::{Budget, DecisionPower, FieldName, Timeline};
use leadline_domain::playbook::Playbook;
use leadline_domain::{CustomerId, HandoffReason, Lead};
use leadline_stores::sqlite::SqliteStore;
use leadline_stores::{AdminStore, OutgoingBody, StoreError};
use serde::Serialize;
use std::time::Duration;

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

fn judge(
    scenario: &Scenario,
    observed: &Observed,
    final_stage: Option<&str>,
    failures: &mut Vec<String>,
) {
    let expect = &scenario.expect;
    if let Some(stage) = &expect.stage
        && final_stage != Some(stage.as_str())
        && observed.handed_to.as_ref() != Some(stage)
    {
        failures.push(format!(
            "stage: expected {stage}, ended in {}",
            final_stage.unwrap_or("no conversation")
        ));
    }
    let actual = observed.handoff.map(|(reason, _)| reason);
    failures.extend(handoff_failure(expect.handoff, actual));
    if let Some(booked) = expect.booked
        && booked != observed.booked_after.is_some()
    {
        failures.push(if booked {
            "booked: expected a booked call, none was booked".to_owned()
        } else {
            "booked: expected no booking, a call was booked".to_owned()
        });
    }
    if let (Some(max), Some(stage)) = (expect.max_messages, &expect.stage) {
        match observed.reached.iter().find(|(s, _)| s == stage) {
            Some(&(_, after)) if after > max => failures.push(format!(
                "max_messages: reached {stage} after {after} customer messages, expected at most {max}"
            )),
            None => failures.push(format!(
                "max_messages: never reached {stage} (expected within {max} customer messages)"
            )),
            _ => {}
        }
    }
    failures.extend(observed.language_failures.iter().cloned());
    if expect.silent_after_handoff && observed.replies_after_handoff > 0 {
        failures.push(format!(
            "silent_after_handoff: the bot sent {} replies after handing off",
            observed.replies_after_handoff
        ));
    }
}

fn handoff_failure(expected: HandoffExpectation, actual: Option<HandoffReason>) -> Option<String> {
    match (expected, actual) {
        (HandoffExpectation::None, Some(reason)) => Some(format!(
            "handoff: expected none, handed off ({})",
            reason.as_str()
        )),
        (HandoffExpectation::Reason(wanted), None) => Some(format!(
            "handoff: expected {}, the bot never handed off",
            wanted.as_str()
        )),
        (HandoffExpectation::Reason(wanted), Some(reason)) if wanted != reason => Some(format!(
            "handoff: expected {}, handed off for {}",
            wanted.as_str(),
            reason.as_str()
        )),
        _ => None,
    }
}

/// Scores every field the scenario says something about, adding a failure
/// for each one missed, wrong or made up.
fn score_fields(expect: &Expect, lead: &Lead, failures: &mut Vec<String>) -> Vec<FieldScore> {
    let mut scores = Vec::new();
    for field in FieldName::ALL {
        let stated = expect.states(field);
        let captured = lead.has(field);
        if !stated && !expect.forbids(field) {
            continue;
        }
        let wrong = if stated && captured {
            value_failures(expect, lead, field)
        } else {
            Vec::new()
        };
        let right = stated && captured && wrong.is_empty();
        let made_up = captured && !right;
        if stated && !captured {
            failures.push(format!("field {field}: stated, not captured"));
        } else if !stated && captured {
            failures.push(format!(
                "field {field}: never stated, set to {}",
                shown(lead, field)
            ));
        }
        failures.extend(wrong);
        scores.push(FieldScore {
            field,
            stated,
            captured,
            right,
            made_up,
        });
    }
    scores
}

/// How the value of `field` differs from what the scenario expects.
fn value_failures(expect: &Expect, lead: &Lead, field: FieldName) -> Vec<String> {
    let mut failures = Vec::new();
    match field {
        FieldName::Name => same_text(&mut failures, "name", &expect.name, &lead.name),
        FieldName::Company => same_text(&mut failures, "company", &expect.company, &lead.company),
        FieldName::Budget => {
            if let Some(budget) = &lead.budget {
                budget_failures(&mut failures, expect, budget);
            }
        }
        FieldName::Authority => {
            let authority = lead.authority.as_ref();
            same_text(
                &mut failures,
                "role",
                &expect.role,
                &authority.and_then(|a| a.role.clone()),
            );
            check_value(
                &mut failures,
                "decision",
                expect.decision.map(power_name),
                authority.map(|a| power_name(a.power)),
            );
        }
        FieldName::Need => {
            let need = lead.need.as_deref().map(fold).unwrap_or_default();
            for word in &expect.need_mentions {
                if !need.contains(&fold(word)) {
                    failures.push(format!(
                        "need: expected it to mention {word:?}, it is {:?}",
                        lead.need.as_deref().unwrap_or_default()
                    ));
                }
            }
        }
        FieldName::Timeline => check_value(
            &mut failures,
            "timeline",
            expect.timeline,
            lead.timeline.as_ref().map(|t| match t {
                Timeline::Asap => TimelineKind::Asap,
                Timeline::By { .. } => TimelineKind::By,
                Timeline::Undecided => TimelineKind::Undecided,
            }),
        ),
        FieldName::Email => check_value(
            &mut failures,
            "email",
            expect.email.as_deref().map(str::to_lowercase),
            lead.email.clone(),
        ),
    }
    failures
}

fn budget_failures(failures: &mut Vec<String>, expect: &Expect, budget: &Budget) {
    check_value(failures, "budget_min", expect.budget_min, budget.min);
    check_value(failures, "budget_max", expect.budget_max, budget.max);
    let kind = match (budget.min, budget.max) {
        (Some(min), Some(max)) if min == max => Some(BudgetKind::Amount),
        (Some(_), Some(_)) => Some(BudgetKind::Range),
        (None, Some(_)) => Some(BudgetKind::UpTo),
        (Some(_), None) => Some(BudgetKind::AtLeast),
        (None, None) => None,
    };
    check_value(failures, "budget_kind", expect.budget_kind, kind);
    check_value(
        failures,
        "budget_period",
        expect.budget_period,
        budget.period,
    );
    check_value(
        failures,
        "currency",
        expect.currency.as_deref(),
        budget.currency.as_deref(),
    );
    check_value(
        failures,
        "currency_assumed",
        expect.currency_assumed,
        Some(budget.currency_assumed),
    );
}

/// `field`'s value as the failure message shows it.
fn shown(lead: &Lead, field: FieldName) -> String {
    let value = match field {
        FieldName::Name => serde_json::to_string(&lead.name),
        FieldName::Company => serde_json::to_string(&lead.company),
        FieldName::Budget => serde_json::to_string(&lead.budget),
        FieldName::Authority => serde_json::to_string(&lead.authority),
        FieldName::Need => serde_json::to_string(&lead.need),
        FieldName::Timeline => serde_json::to_string(&lead.timeline),
        FieldName::Email => serde_json::to_string(&lead.email),
    };
    value.unwrap_or_default()
}

/// Text compared as people read it: case, accents and spacing aside.
fn fold(text: &str) -> String {
    language::fold(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn same_text(
    failures: &mut Vec<String>,
    what: &str,
    expected: &Option<String>,
    actual: &Option<String>,
) {
    if let Some(expected) = expected
        && actual.as_deref().map(fold) != Some(fold(expected))
    {
        match actual {
            Some(actual) => failures.push(format!("{what}: expected {expected:?}, got {actual:?}")),
            None => failures.push(format!("{what}: expected {expected:?}, it is unknown")),
        }
    }
}

/// The scenario file's spelling of a decision power.
fn power_name(power: DecisionPower) -> &'static str {
    match power {
        DecisionPower::DecisionMaker => "decision_maker",
        DecisionPower::NeedsApproval => "needs_approval",
        DecisionPower::Unknown => "unknown",
    }
}

fn check_value<T: PartialEq + std::fmt::Debug>(
    failures: &mut Vec<String>,
    what: &str,
    expected: Option<T>,
    actual: Option<T>,
) {
    if let Some(expected) = expected
        && actual.as_ref() != Some(&expected)
    {
        match actual {
            Some(actual) => failures.push(format!("{what}: expected {expected:?}, got {actual:?}")),
            None => failures.push(format!("{what}: expected {expected:?}, it is unknown")),
        }
    }
}

/// The stage changes that leave the expected path: the scenario's `path`,
/// or the playbook's order of stages.
fn wrong_jumps(
    scenario: &Scenario,
    playbook: &Playbook,
    changes: &[(String, String)],
) -> Vec<String> {
    let path: Vec<&str> = match &scenario.expect.path {
        Some(path) => path.iter().map(String::as_str).collect(),
        None => playbook.stages.iter().map(|s| s.id.as_str()).collect(),
    };
    let position = |id: &str| path.iter().position(|s| *s == id);
    changes
        .iter()
        .filter(|(from, to)| match (position(from), position(to)) {
            (Some(f), Some(t)) => t != f + 1,
            _ => true,
        })
        .map(|(from, to)| format!("{from} → {to}"))
        .collect()
}
