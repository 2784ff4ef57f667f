//! Judging a finished run against the scenario's expectations: the stage
//! reached, the handoff, each lead field's value and the path through the
//! stages. Apart from the run, which only plays and observes.

use super::Observed;
use super::outcome::FieldScore;
use crate::eval::scenario::{BudgetKind, Expect, HandoffExpectation, Scenario, TimelineKind};
use leadline_domain::language;
use leadline_domain::lead::{Budget, DecisionPower, FieldName, Timeline};
use leadline_domain::playbook::Playbook;
use leadline_domain::{HandoffReason, Lead};

pub(super) fn judge(
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

pub(super) fn handoff_failure(
    expected: HandoffExpectation,
    actual: Option<HandoffReason>,
) -> Option<String> {
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
pub(super) fn score_fields(
    expect: &Expect,
    lead: &Lead,
    failures: &mut Vec<String>,
) -> Vec<FieldScore> {
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
        FieldName::Name => same_text(&mut failures, "name", &expect.name, lead.name.as_deref()),
        FieldName::Company => same_text(
            &mut failures,
            "company",
            &expect.company,
            lead.company.as_deref(),
        ),
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
                authority.and_then(|a| a.role()),
            );
            check_value(
                &mut failures,
                "decision",
                expect.decision.map(power_name),
                authority.map(|a| power_name(a.power())),
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
                Timeline::By(_) => TimelineKind::By,
                Timeline::Undecided => TimelineKind::Undecided,
            }),
        ),
        FieldName::Email => check_value(
            &mut failures,
            "email",
            expect.email.as_deref().map(str::to_lowercase),
            lead.email.as_deref().map(str::to_owned),
        ),
    }
    failures
}

fn budget_failures(failures: &mut Vec<String>, expect: &Expect, budget: &Budget) {
    check_value(failures, "budget_min", expect.budget_min, budget.min());
    check_value(failures, "budget_max", expect.budget_max, budget.max());
    let kind = match (budget.min(), budget.max()) {
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
        budget.period(),
    );
    check_value(
        failures,
        "currency",
        expect.currency.as_deref(),
        budget.currency().map(|c| c.code()),
    );
    check_value(
        failures,
        "currency_assumed",
        expect.currency_assumed,
        Some(budget.currency_assumed()),
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
    actual: Option<&str>,
) {
    if let Some(expected) = expected
        && actual.map(fold) != Some(fold(expected))
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
pub(super) fn wrong_jumps(
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
