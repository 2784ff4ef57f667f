//! Runs one scenario through a [`Session`] and judges it against its
//! expectations.

use super::scenario::{HandoffExpectation, Scenario};
use crate::chat::{Said, Session, SessionError};
use leadline_domain::events::Event;
use leadline_domain::language::{self, Language};
use leadline_domain::lead::DecisionPower;
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

/// What happened in one scenario and how it measured up.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub name: String,
    pub file: String,
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
    pub transcript: Vec<Line>,
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
    booked_after: Option<usize>,
    stage_changes: Vec<(String, String)>,
    replies_after_handoff: usize,
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
    for step in &scenario.messages {
        let said: Vec<Said> = step
            .texts
            .iter()
            .enumerate()
            .map(|(i, text)| Said {
                text: text.clone(),
                delay: if i == 0 { step.delay } else { Duration::ZERO },
            })
            .collect();
        for text in &step.texts {
            observed.transcript.push(Line {
                speaker: Speaker::Customer,
                text: text.clone(),
            });
        }
        sent += step.texts.len();
        let handed_off_before = observed.handoff.is_some();
        match session.turn(customer, &said).await {
            Ok(replies) => {
                if handed_off_before {
                    observed.replies_after_handoff += replies.len();
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
            }
            Ok(None) => {}
            Err(e) => {
                failures.push(format!("the pipeline failed: {e}"));
                break;
            }
        }
    }
    judge(
        scenario,
        &observed,
        final_stage.as_deref(),
        &lead,
        &mut failures,
    );
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
    Outcome {
        name: scenario.name.clone(),
        file: scenario.file.display().to_string(),
        language: scenario.language,
        known_gap: scenario.known_gap.clone(),
        failures,
        final_stage,
        reached: observed.reached,
        handoff: observed.handoff.map(|(reason, _)| reason),
        booked_after: observed.booked_after,
        wrong_jumps,
        transcript: observed.transcript,
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
            }
            Event::CallBooked { .. } if observed.booked_after.is_none() => {
                observed.booked_after = Some(sent);
            }
            _ => {}
        }
    }
    *seen_events = events.len();
    Ok(session
        .conversation(customer)
        .await?
        .map(|c| (c.stage, c.lead)))
}

fn judge(
    scenario: &Scenario,
    observed: &Observed,
    final_stage: Option<&str>,
    lead: &Lead,
    failures: &mut Vec<String>,
) {
    let expect = &scenario.expect;
    if let Some(stage) = &expect.stage
        && final_stage != Some(stage.as_str())
    {
        failures.push(format!(
            "stage: expected {stage}, ended in {}",
            final_stage.unwrap_or("no conversation")
        ));
    }
    for field in &expect.fields {
        if !lead.has(*field) {
            failures.push(format!("field {field}: expected it known, it is not"));
        }
    }
    for field in &expect.absent {
        if lead.has(*field) {
            failures.push(format!("field {field}: expected it unknown, it was set"));
        }
    }
    check_value(
        failures,
        "name",
        expect.name.as_deref(),
        lead.name.as_deref(),
    );
    check_value(
        failures,
        "company",
        expect.company.as_deref(),
        lead.company.as_deref(),
    );
    let budget = lead.budget.as_ref();
    check_value(
        failures,
        "budget_min",
        expect.budget_min,
        budget.and_then(|b| b.min),
    );
    check_value(
        failures,
        "budget_max",
        expect.budget_max,
        budget.and_then(|b| b.max),
    );
    check_value(
        failures,
        "currency",
        expect.currency.as_deref(),
        budget.and_then(|b| b.currency.as_deref()),
    );
    check_value(
        failures,
        "decision",
        expect.decision.map(power_name),
        lead.authority.as_ref().map(|a| power_name(a.power)),
    );

    let actual = observed.handoff.map(|(reason, _)| reason);
    match (expect.handoff, actual) {
        (HandoffExpectation::None, Some(reason)) => failures.push(format!(
            "handoff: expected none, handed off ({})",
            reason.as_str()
        )),
        (HandoffExpectation::Reason(wanted), None) => failures.push(format!(
            "handoff: expected {}, the bot never handed off",
            wanted.as_str()
        )),
        (HandoffExpectation::Reason(wanted), Some(reason)) if wanted != reason => {
            failures.push(format!(
                "handoff: expected {}, handed off for {}",
                wanted.as_str(),
                reason.as_str()
            ))
        }
        _ => {}
    }
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
    let wanted = expect.reply_language.unwrap_or(scenario.language);
    let last = observed
        .transcript
        .iter()
        .rev()
        .filter(|l| l.speaker == Speaker::Agent)
        .find_map(|l| language::detect(&l.text));
    if let Some(language) = last
        && language != wanted
    {
        failures.push(format!(
            "reply_language: expected the last reply in {}, it is in {}",
            wanted.code(),
            language.code()
        ));
    }
    if expect.silent_after_handoff && observed.replies_after_handoff > 0 {
        failures.push(format!(
            "silent_after_handoff: the bot sent {} replies after handing off",
            observed.replies_after_handoff
        ));
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
