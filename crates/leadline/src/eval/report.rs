//! The figures of an eval run and how they are shown: a table for people,
//! JSON for tools.

use super::run::{Outcome, Speaker, TurnCost};
use super::scenario::Split;
use leadline_domain::HandoffReason;
use leadline_domain::lead::FieldName;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Every handoff reason, so the table shows the ones that never happened too.
const REASONS: [HandoffReason; 5] = [
    HandoffReason::CustomerAsked,
    HandoffReason::LowConfidence,
    HandoffReason::Unresolved,
    HandoffReason::FlowCompleted,
    HandoffReason::BrainUnavailable,
];

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Ratio {
    pub count: usize,
    pub of: usize,
    pub percent: f64,
}

impl Ratio {
    fn new(count: usize, of: usize) -> Self {
        let percent = if of == 0 {
            0.0
        } else {
            count as f64 * 100.0 / of as f64
        };
        Self { count, of, percent }
    }
}

/// How one lead field was read over a run: of the values stated, how many
/// were captured right (recall); of the values set, how many were right
/// (precision).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct FieldFigures {
    pub stated: usize,
    pub right: usize,
    pub made_up: usize,
}

impl FieldFigures {
    pub fn recall(&self) -> Ratio {
        Ratio::new(self.right, self.stated)
    }

    pub fn precision(&self) -> Ratio {
        Ratio::new(self.right, self.right + self.made_up)
    }

    fn add(&mut self, other: &FieldFigures) {
        self.stated += other.stated;
        self.right += other.right;
        self.made_up += other.made_up;
    }
}

/// What a good sales rep is measured by, over the scenarios that say.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Understanding {
    pub fields: BTreeMap<FieldName, FieldFigures>,
    /// Every field together: stated facts captured, values made up.
    pub facts: FieldFigures,
    pub handoff_decisions_right: Ratio,
    pub replies_in_language: Ratio,
    /// Cooperative leads (`offered_within`) offered times in time.
    pub cooperative_offered_times: Ratio,
    /// Questions answered from the knowledge folder, over the scenarios
    /// that ask them; `None` when none does.
    pub knowledge: Option<KnowledgeFigures>,
}

/// How customers' questions were answered (issue 16's measures).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KnowledgeFigures {
    pub scenarios: usize,
    /// `answer_contains` held: answered right.
    pub answered_right: Ratio,
    /// `unanswered` held: left for the team, honestly.
    pub left_for_team: Ratio,
    /// Replies that state what nothing supports.
    pub invented: usize,
    /// Replies to a question that went on with the stage.
    pub followed: Ratio,
}

impl KnowledgeFigures {
    fn new(outcomes: &[Outcome]) -> Option<Self> {
        let scores: Vec<_> = outcomes.iter().filter_map(|o| o.knowledge).collect();
        if scores.is_empty() {
            return None;
        }
        let held = |flags: Vec<bool>| Ratio::new(flags.iter().filter(|&&f| f).count(), flags.len());
        Some(Self {
            scenarios: scores.len(),
            answered_right: held(scores.iter().filter_map(|k| k.answered).collect()),
            left_for_team: held(scores.iter().filter_map(|k| k.left_for_team).collect()),
            invented: scores.iter().map(|k| k.invented).sum(),
            followed: Ratio::new(
                scores.iter().map(|k| k.followed).sum(),
                scores.iter().map(|k| k.answer_turns).sum(),
            ),
        })
    }
}

impl Understanding {
    fn new(outcomes: &[Outcome]) -> Self {
        let mut fields: BTreeMap<FieldName, FieldFigures> = BTreeMap::new();
        for score in outcomes.iter().flat_map(|o| &o.fields) {
            let figures = fields.entry(score.field).or_default();
            figures.stated += usize::from(score.stated);
            figures.right += usize::from(score.right);
            figures.made_up += usize::from(score.made_up);
        }
        let mut facts = FieldFigures::default();
        for figures in fields.values() {
            facts.add(figures);
        }
        let checked: usize = outcomes.iter().map(|o| o.reply_languages.checked).sum();
        let wrong: usize = outcomes.iter().map(|o| o.reply_languages.wrong).sum();
        let cooperative: Vec<bool> = outcomes.iter().filter_map(|o| o.offered_in_time).collect();
        Self {
            fields,
            facts,
            handoff_decisions_right: Ratio::new(
                outcomes.iter().filter(|o| o.handoff_right).count(),
                outcomes.len(),
            ),
            replies_in_language: Ratio::new(checked - wrong, checked),
            cooperative_offered_times: Ratio::new(
                cooperative.iter().filter(|&&in_time| in_time).count(),
                cooperative.len(),
            ),
            knowledge: KnowledgeFigures::new(outcomes),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LanguageFigures {
    pub scenarios: usize,
    pub passed: usize,
    pub failed: usize,
    pub known_gaps: usize,
    pub reached_scheduling: usize,
}

/// The outcome figures over every scenario run (known gaps included: they
/// are conversations the agent had).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub scenarios: usize,
    pub passed: usize,
    /// Failed and not marked as a known gap: these fail the run.
    pub failed: usize,
    /// Failed and marked as a known gap.
    pub known_gaps: usize,
    /// Marked as a known gap but passing: the mark can go.
    pub known_gaps_passing: usize,
    /// The playbook stage that books calls, if it has one.
    pub scheduling_stage: Option<String>,
    pub booked_without_human: Ratio,
    pub scheduling_without_human: Ratio,
    pub median_messages_to_scheduling: Option<f64>,
    pub median_messages_to_booking: Option<f64>,
    pub handoffs: BTreeMap<&'static str, Ratio>,
    pub wrong_stage_jumps: usize,
    pub scenarios_with_wrong_jumps: usize,
    pub languages: BTreeMap<&'static str, LanguageFigures>,
    pub understanding: Understanding,
    pub turns: TurnFigures,
}

/// What the brain's decisions cost, per turn a model answered.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TurnFigures {
    /// Brain decisions in all.
    pub decisions: usize,
    /// Decisions a model answered itself.
    pub model_turns: usize,
    /// HTTP calls those turns made (a tool result to word or a repair adds one).
    pub model_calls: usize,
    /// Turns whose first answer was unusable and was asked again.
    pub repaired: usize,
    /// Turns the fallback brain answered because the model failed.
    pub fell_back: usize,
    pub prompt_tokens: Option<Spread>,
    pub cached_tokens: Option<Spread>,
    pub generated_tokens: Option<Spread>,
    pub millis: Option<Spread>,
}

/// The median and the 95th percentile of a figure (nearest rank).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    pub p50: u64,
    pub p95: u64,
    pub max: u64,
}

impl Spread {
    fn of(mut values: Vec<u64>) -> Option<Spread> {
        values.sort_unstable();
        let rank = |p: f64| {
            let index = ((p * values.len() as f64).ceil() as usize).max(1) - 1;
            values[index.min(values.len() - 1)]
        };
        (!values.is_empty()).then(|| Spread {
            p50: rank(0.50),
            p95: rank(0.95),
            max: values[values.len() - 1],
        })
    }
}

impl TurnFigures {
    fn new(outcomes: &[Outcome]) -> Self {
        let decisions: Vec<&TurnCost> = outcomes.iter().flat_map(|o| &o.turns).collect();
        let model: Vec<&&TurnCost> = decisions
            .iter()
            .filter(|t| t.usage.calls > 0 && !t.usage.fell_back)
            .collect();
        let spread = |pick: fn(&TurnCost) -> Option<u64>| {
            Spread::of(model.iter().filter_map(|t| pick(t)).collect())
        };
        Self {
            decisions: decisions.len(),
            model_turns: model.len(),
            model_calls: model.iter().map(|t| t.usage.calls as usize).sum(),
            repaired: model.iter().filter(|t| t.usage.repaired).count(),
            fell_back: decisions.iter().filter(|t| t.usage.fell_back).count(),
            prompt_tokens: spread(|t| Some(t.prompt_tokens as u64)),
            cached_tokens: spread(|t| t.usage.cached_tokens.map(|n| n as u64)),
            generated_tokens: spread(|t| t.usage.generated_tokens.map(|n| n as u64)),
            millis: spread(|t| t.usage.millis),
        }
    }
}

impl Summary {
    pub fn new(outcomes: &[Outcome], scheduling_stage: Option<&str>) -> Self {
        let n = outcomes.len();
        let failed_hard = |o: &Outcome| !o.passed() && o.known_gap.is_none();
        let to_scheduling: Vec<usize> = scheduling_stage
            .map(|stage| {
                outcomes
                    .iter()
                    .filter_map(|o| o.reached_after(stage))
                    .collect()
            })
            .unwrap_or_default();
        let to_booking: Vec<usize> = outcomes.iter().filter_map(|o| o.booked_after).collect();
        let handoffs = REASONS
            .iter()
            .map(|&reason| {
                let count = outcomes
                    .iter()
                    .filter(|o| o.handoff == Some(reason))
                    .count();
                (reason.as_str(), Ratio::new(count, n))
            })
            .collect();
        let mut languages: BTreeMap<&'static str, LanguageFigures> = BTreeMap::new();
        for o in outcomes {
            let figures = languages.entry(o.language.code()).or_default();
            figures.scenarios += 1;
            if o.passed() {
                figures.passed += 1;
            } else if o.known_gap.is_some() {
                figures.known_gaps += 1;
            } else {
                figures.failed += 1;
            }
            if scheduling_stage.is_some_and(|s| o.reached_after(s).is_some()) {
                figures.reached_scheduling += 1;
            }
        }
        Self {
            scenarios: n,
            passed: outcomes.iter().filter(|o| o.passed()).count(),
            failed: outcomes.iter().filter(|o| failed_hard(o)).count(),
            known_gaps: outcomes
                .iter()
                .filter(|o| !o.passed() && o.known_gap.is_some())
                .count(),
            known_gaps_passing: outcomes
                .iter()
                .filter(|o| o.passed() && o.known_gap.is_some())
                .count(),
            scheduling_stage: scheduling_stage.map(str::to_owned),
            booked_without_human: Ratio::new(to_booking.len(), n),
            scheduling_without_human: Ratio::new(to_scheduling.len(), n),
            median_messages_to_scheduling: median(to_scheduling),
            median_messages_to_booking: median(to_booking),
            handoffs,
            wrong_stage_jumps: outcomes.iter().map(|o| o.wrong_jumps.len()).sum(),
            scenarios_with_wrong_jumps: outcomes
                .iter()
                .filter(|o| !o.wrong_jumps.is_empty())
                .count(),
            languages,
            understanding: Understanding::new(outcomes),
            turns: TurnFigures::new(outcomes),
        }
    }
}

fn median(mut values: Vec<usize>) -> Option<f64> {
    values.sort_unstable();
    let mid = values.len() / 2;
    match values.len() {
        0 => None,
        len if len % 2 == 1 => Some(values[mid] as f64),
        _ => Some((values[mid - 1] + values[mid]) as f64 / 2.0),
    }
}

#[derive(Serialize)]
pub struct Report<'a> {
    pub summary: &'a Summary,
    /// The same figures over the held-out scenarios alone.
    pub heldout: Option<&'a Summary>,
    pub scenarios: &'a [Outcome],
}

/// The summary table (and the held-out scenarios' on their own), then each
/// known gap and each failure with its transcript. A held-out scenario's
/// failures are named but its transcript is not shown: reading it is how a
/// held-out set turns into a tuning set (`--json` has everything).
pub fn table(summary: &Summary, heldout: Option<&Summary>, outcomes: &[Outcome]) -> String {
    let mut out = figures(summary);
    if let Some(heldout) = heldout {
        let _ = writeln!(out, "\nheld-out scenarios on their own:\n");
        out.push_str(&figures(heldout));
    }
    let gaps: Vec<&Outcome> = outcomes.iter().filter(|o| o.known_gap.is_some()).collect();
    if !gaps.is_empty() {
        let _ = writeln!(out, "\nknown gaps (run, reported, not failing the run):");
        for o in gaps {
            let why = o.known_gap.as_deref().unwrap_or_default();
            if o.passed() {
                let _ = writeln!(
                    out,
                    "  ~ {} ({}): passes now; remove known_gap",
                    o.name, o.file
                );
                continue;
            }
            let _ = writeln!(out, "  ~ {} ({}): {why}", o.name, o.file);
            for failure in &o.failures {
                let _ = writeln!(out, "      {failure}");
            }
        }
    }
    let short: Vec<&str> = outcomes
        .iter()
        .filter(|o| o.split == Split::Heldout && !o.passed() && o.known_gap.is_none())
        .map(|o| o.name.as_str())
        .collect();
    if !short.is_empty() {
        let _ = writeln!(
            out,
            "\nheld-out scenarios that fall short (counted above, not failing the run): {}",
            short.join(", ")
        );
    }
    let failed: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.split == Split::Tuning && !o.passed() && o.known_gap.is_none())
        .collect();
    if !failed.is_empty() {
        let _ = writeln!(out, "\nfailed:");
        for o in failed {
            let _ = writeln!(out, "  ✗ {} ({})", o.name, o.file);
            for failure in &o.failures {
                let _ = writeln!(out, "      {failure}");
            }
            let _ = writeln!(out, "    transcript:");
            for line in &o.transcript {
                let who = match line.speaker {
                    Speaker::Customer => "customer",
                    Speaker::Agent => "   agent",
                };
                let _ = writeln!(out, "      {who}> {}", line.text);
            }
        }
    }
    out
}

/// One summary's figures.
fn figures(summary: &Summary) -> String {
    let mut out = String::new();
    let ratio = |r: &Ratio| format!("{:>3}/{:<3} {:>5.1} %", r.count, r.of, r.percent);
    let messages = |m: Option<f64>| m.map_or("-".to_owned(), |m| format!("{m}"));
    let scheduling = summary.scheduling_stage.as_deref().unwrap_or("scheduling");
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "{} scenarios: {} passed, {} failed, {} known gaps",
        summary.scenarios, summary.passed, summary.failed, summary.known_gaps
    );
    let _ = writeln!(out);
    let rows = [
        (
            "booked call without a human".to_owned(),
            ratio(&summary.booked_without_human),
        ),
        (
            format!("reached {scheduling} without a human"),
            ratio(&summary.scheduling_without_human),
        ),
        (
            format!("median customer messages to {scheduling}"),
            messages(summary.median_messages_to_scheduling),
        ),
        (
            "median customer messages to booking".to_owned(),
            messages(summary.median_messages_to_booking),
        ),
    ];
    for (label, value) in rows {
        let _ = writeln!(out, "  {label:<42} {value}");
    }
    for (reason, r) in &summary.handoffs {
        let _ = writeln!(out, "  {:<42} {}", format!("handoff: {reason}"), ratio(r));
    }
    let _ = writeln!(
        out,
        "  {:<42} {} (in {} scenarios)",
        "wrong-stage jumps", summary.wrong_stage_jumps, summary.scenarios_with_wrong_jumps
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "  language  scenarios  passed  failed  known gaps  reached {scheduling}"
    );
    for (language, f) in &summary.languages {
        let _ = writeln!(
            out,
            "  {language:<8}  {:>9}  {:>6}  {:>6}  {:>10}  {:>8}",
            f.scenarios, f.passed, f.failed, f.known_gaps, f.reached_scheduling
        );
    }
    let u = &summary.understanding;
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "  {:<42} {}",
        "stated facts captured",
        ratio(&u.facts.recall())
    );
    let _ = writeln!(
        out,
        "  {:<42} {}",
        "values set that were never stated", u.facts.made_up
    );
    let _ = writeln!(
        out,
        "  {:<42} {}",
        "right handoff decisions",
        ratio(&u.handoff_decisions_right)
    );
    let _ = writeln!(
        out,
        "  {:<42} {}",
        "replies in the customer's language",
        ratio(&u.replies_in_language)
    );
    let _ = writeln!(
        out,
        "  {:<42} {}",
        "cooperative leads offered times in time",
        ratio(&u.cooperative_offered_times)
    );
    if let Some(k) = &u.knowledge {
        let _ = writeln!(out);
        let rows = [
            ("questions answered right", ratio(&k.answered_right)),
            (
                "unanswerable ones left for the team",
                ratio(&k.left_for_team),
            ),
            (
                "replies stating what nothing supports",
                k.invented.to_string(),
            ),
            (
                "answers followed by the stage's question",
                ratio(&k.followed),
            ),
        ];
        let _ = writeln!(out, "  questions asked ({} scenarios)", k.scenarios);
        for (label, value) in rows {
            let _ = writeln!(out, "  {label:<42} {value}");
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "  field      stated  right  made up  recall     precision"
    );
    for (field, f) in &u.fields {
        let _ = writeln!(
            out,
            "  {:<9}  {:>6}  {:>5}  {:>7}  {:>7.1} %  {:>7.1} %",
            field.as_str(),
            f.stated,
            f.right,
            f.made_up,
            f.recall().percent,
            f.precision().percent
        );
    }
    let t = &summary.turns;
    if t.model_turns + t.fell_back > 0 {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "  model turns: {} of {} decisions, {} calls, {} repaired, {} fell back to the local brain",
            t.model_turns, t.decisions, t.model_calls, t.repaired, t.fell_back
        );
        let rows = [
            ("prompt tokens", t.prompt_tokens),
            ("cached prompt tokens", t.cached_tokens),
            ("generated tokens", t.generated_tokens),
            ("model time per turn (ms)", t.millis),
        ];
        let _ = writeln!(
            out,
            "  {:<26} {:>7} {:>7} {:>7}",
            "per turn", "p50", "p95", "max"
        );
        for (label, spread) in rows {
            match spread {
                Some(s) => {
                    let _ = writeln!(out, "  {label:<26} {:>7} {:>7} {:>7}", s.p50, s.p95, s.max);
                }
                None => {
                    let _ = writeln!(out, "  {label:<26} {:>7}", "-");
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![5, 1, 3]), Some(3.0));
        assert_eq!(median(vec![4, 1, 3, 2]), Some(2.5));
    }

    #[test]
    fn spreads_are_nearest_rank_percentiles() {
        assert_eq!(Spread::of(vec![]), None);
        let one = Spread::of(vec![7]).unwrap();
        assert_eq!((one.p50, one.p95, one.max), (7, 7, 7));
        let hundred = Spread::of((1..=100).rev().collect()).unwrap();
        assert_eq!((hundred.p50, hundred.p95, hundred.max), (50, 95, 100));
    }
}
