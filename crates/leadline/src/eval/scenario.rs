//! Scenario files: scripted customer conversations and what a good sales
//! agent should achieve in them (the format is documented in
//! `evals/README.md`). Parsed strictly: an unknown key is an error naming
//! the file and the line.

use leadline_domain::HandoffReason;
use leadline_domain::Language;
use leadline_domain::lead::{BudgetPeriod, DecisionPower, FieldName};
use leadline_domain::playbook::Playbook;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The longest pause a step may ask for: evals run in CI, and no
/// expectation depends on a longer wait.
const MAX_DELAY_MS: u64 = 10_000;

/// Why scenario files were refused.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("{}: cannot read", file.display())]
    Read {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Bad TOML or a key or value the format does not have.
    #[error("{}:{line}: {message}", file.display())]
    Syntax {
        file: PathBuf,
        line: usize,
        message: String,
    },
    /// Well-formed, but it names something the playbook does not have or
    /// contradicts itself.
    #[error("{}: scenario `{scenario}`: {problem}", file.display())]
    Invalid {
        file: PathBuf,
        scenario: String,
        problem: String,
    },
    #[error("no scenarios in {}", file.display())]
    Empty { file: PathBuf },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    #[serde(default)]
    split: Split,
    /// The playbook the file's scenarios run on, relative to the file
    /// (its `knowledge` folder comes with it); the configured one when
    /// not given.
    #[serde(default)]
    playbook: Option<PathBuf>,
    scenario: Vec<Scenario>,
}

/// Which set a file's scenarios belong to: the held-out ones were written
/// before the work they measure and are never tuned on, so their figures
/// are shown on their own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    #[default]
    Tuning,
    Heldout,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    /// The language the customer starts in.
    pub language: Language,
    /// The customer's WhatsApp profile name, carried by every message.
    #[serde(default)]
    pub profile_name: Option<String>,
    /// Why the agent is known to fall short here today: still run and
    /// reported, but a failure does not fail the run.
    #[serde(default)]
    pub known_gap: Option<String>,
    /// Names of the subsets the scenario belongs to (`leadline eval --tag`),
    /// e.g. the fixed subset run against a real model.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The customer's turns, in order; each is answered before the next.
    pub messages: Vec<Step>,
    pub expect: Expect,
    #[serde(skip)]
    pub file: PathBuf,
    #[serde(skip)]
    pub split: Split,
    /// The file's `playbook`, as a path from where `leadline eval` runs.
    #[serde(skip)]
    pub playbook: Option<PathBuf>,
}

/// One customer turn: one message, or a burst sent together before the
/// agent answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub texts: Vec<String>,
    /// Silence before the step is sent.
    pub delay: Duration,
    /// The language the customer switches to with this step, if they do.
    pub language: Option<Language>,
}

/// The table form of a step.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepTable {
    text: Option<String>,
    burst: Option<Vec<String>>,
    #[serde(default)]
    delay_ms: u64,
    language: Option<Language>,
}

impl StepTable {
    fn into_step(self) -> Result<Step, String> {
        let texts = match (self.text, self.burst) {
            (Some(text), None) => vec![text],
            (None, Some(burst)) if burst.len() >= 2 => burst,
            (None, Some(_)) => return Err("a burst has at least two messages".into()),
            _ => return Err("a step has exactly one of `text` or `burst`".into()),
        };
        if texts.iter().any(|t| t.trim().is_empty()) {
            return Err("a message cannot be empty".into());
        }
        if self.delay_ms > MAX_DELAY_MS {
            return Err(format!("delay_ms is at most {MAX_DELAY_MS}"));
        }
        Ok(Step {
            texts,
            delay: Duration::from_millis(self.delay_ms),
            language: self.language,
        })
    }
}

/// A step is a string or a `{ text | burst, delay_ms }` table; serde's
/// untagged enums would hide which key was wrong, hence the visitor.
impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StepVisitor;
        impl<'de> Visitor<'de> for StepVisitor {
            type Value = Step;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a message, or a table with `text` or `burst` and `delay_ms`")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Step, E> {
                if text.trim().is_empty() {
                    return Err(E::custom("a message cannot be empty"));
                }
                Ok(Step {
                    texts: vec![text.to_owned()],
                    delay: Duration::ZERO,
                    language: None,
                })
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Step, A::Error> {
                StepTable::deserialize(de::value::MapAccessDeserializer::new(map))?
                    .into_step()
                    .map_err(de::Error::custom)
            }
        }
        deserializer.deserialize_any(StepVisitor)
    }
}

/// What should have happened by the end of the conversation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The stage the conversation ends in.
    pub stage: Option<String>,
    /// Fields that must be known at the end.
    #[serde(default)]
    pub fields: Vec<FieldName>,
    /// Fields that must still be unknown (nothing was made up).
    #[serde(default)]
    pub absent: Vec<FieldName>,
    /// `fields` (with the fields the value keys name) is every fact the
    /// customer states: any other field set was made up.
    #[serde(default)]
    pub all_facts: bool,
    /// Compared ignoring case, as are `company` and `role`.
    pub name: Option<String>,
    pub company: Option<String>,
    /// Words the stored need contains, case and accents ignored.
    #[serde(default)]
    pub need_mentions: Vec<String>,
    pub budget_min: Option<u64>,
    pub budget_max: Option<u64>,
    pub budget_kind: Option<BudgetKind>,
    pub budget_period: Option<BudgetPeriod>,
    pub currency: Option<String>,
    pub currency_assumed: Option<bool>,
    pub role: Option<String>,
    pub decision: Option<DecisionPower>,
    pub timeline: Option<TimelineKind>,
    pub email: Option<String>,
    /// A cooperative lead: call times were offered within this many
    /// customer messages.
    pub offered_within: Option<usize>,
    /// `false` (the default) or the reason of the first handoff.
    #[serde(default)]
    pub handoff: HandoffExpectation,
    /// Whether a call was booked (`book_call` reported success).
    pub booked: Option<bool>,
    /// `stage` is reached within this many customer messages.
    pub max_messages: Option<usize>,
    /// After a handoff the bot says nothing more.
    #[serde(default = "yes")]
    pub silent_after_handoff: bool,
    /// The stages the conversation may pass through, in order; by default
    /// the playbook's own order. Any other stage change is a wrong-stage jump.
    pub path: Option<Vec<String>>,
    /// The playbook's documents sent by the end, by id, in any order
    /// (`[]`: none was sent); not checked when not given.
    pub documents: Option<Vec<String>>,
    /// Words an agent reply must contain (case and accents ignored): the
    /// customer's question answered from the knowledge folder.
    #[serde(default)]
    pub answer_contains: Vec<String>,
    /// The folder cannot answer the customer's question: it is left for
    /// the team (recorded as unanswered) and the customer told so.
    #[serde(default)]
    pub unanswered: bool,
}

fn yes() -> bool {
    true
}

/// The shape of a budget: which of its bounds the customer gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetKind {
    /// One figure ("5k", "around 800"): min = max.
    Amount,
    /// "between 3 and 5 thousand": min < max.
    Range,
    /// "up to 3k", "como máximo 2 mil": a max and no min.
    UpTo,
    /// "at least 1k": a min and no max.
    AtLeast,
}

/// The kind of a timeline, the part of it that does not depend on the day
/// the eval runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    Asap,
    By,
    Undecided,
}

impl Expect {
    /// Whether the scenario measures questions answered from knowledge.
    pub fn asks_questions(&self) -> bool {
        !self.answer_contains.is_empty() || self.unanswered
    }

    /// Whether the customer states `field`: it is expected known, or a
    /// value of it is given.
    pub fn states(&self, field: FieldName) -> bool {
        self.fields.contains(&field)
            || match field {
                FieldName::Name => self.name.is_some(),
                FieldName::Company => self.company.is_some(),
                FieldName::Budget => {
                    self.budget_min.is_some()
                        || self.budget_max.is_some()
                        || self.budget_kind.is_some()
                        || self.budget_period.is_some()
                        || self.currency.is_some()
                        || self.currency_assumed.is_some()
                }
                FieldName::Authority => self.role.is_some() || self.decision.is_some(),
                FieldName::Need => !self.need_mentions.is_empty(),
                FieldName::Timeline => self.timeline.is_some(),
                FieldName::Email => self.email.is_some(),
            }
    }

    /// Whether a value set for `field` was made up: the customer never
    /// stated it.
    pub fn forbids(&self, field: FieldName) -> bool {
        self.absent.contains(&field) || (self.all_facts && !self.states(field))
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HandoffExpectation {
    #[default]
    None,
    Reason(HandoffReason),
}

impl<'de> Deserialize<'de> for HandoffExpectation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Flag(bool),
            Reason(String),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Flag(false) => Ok(Self::None),
            Raw::Flag(true) => Err(de::Error::custom(
                "say which handoff: customer_asked, low_confidence, unresolved or flow_completed",
            )),
            Raw::Reason(reason) => {
                HandoffReason::deserialize(de::value::StrDeserializer::<D::Error>::new(&reason))
                    .map(Self::Reason)
            }
        }
    }
}

/// Reads every scenario of `files`; scenario names are unique across
/// files. Each is checked against its playbook with [`check`].
pub fn load(files: &[PathBuf]) -> Result<Vec<Scenario>, ScenarioError> {
    let mut scenarios = Vec::new();
    let mut names = HashSet::new();
    for file in files {
        let text = std::fs::read_to_string(file).map_err(|source| ScenarioError::Read {
            file: file.clone(),
            source,
        })?;
        for mut scenario in parse(file, &text)? {
            scenario.file = file.clone();
            scenario.playbook = scenario
                .playbook
                .take()
                .map(|p| file.parent().unwrap_or(Path::new("")).join(p));
            if !names.insert(scenario.name.clone()) {
                return Err(invalid(&scenario, "the name is used by another scenario"));
            }
            scenarios.push(scenario);
        }
    }
    Ok(scenarios)
}

/// Checks `scenarios` against the playbook they run on.
pub fn check<'a>(
    scenarios: impl IntoIterator<Item = &'a Scenario>,
    playbook: &Playbook,
) -> Result<(), ScenarioError> {
    scenarios
        .into_iter()
        .try_for_each(|s| validate(s, playbook))
}

/// Parses one file's text; errors carry the line of the offending key.
pub fn parse(file: &Path, text: &str) -> Result<Vec<Scenario>, ScenarioError> {
    let mut parsed: ScenarioFile = toml::from_str(text).map_err(|e| ScenarioError::Syntax {
        file: file.to_owned(),
        line: e.span().map_or(1, |span| line_of(text, span.start)),
        message: e.message().trim().to_owned(),
    })?;
    if parsed.scenario.is_empty() {
        return Err(ScenarioError::Empty {
            file: file.to_owned(),
        });
    }
    for scenario in &mut parsed.scenario {
        scenario.split = parsed.split;
        scenario.playbook.clone_from(&parsed.playbook);
    }
    Ok(parsed.scenario)
}

fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn invalid(scenario: &Scenario, problem: impl Into<String>) -> ScenarioError {
    ScenarioError::Invalid {
        file: scenario.file.clone(),
        scenario: scenario.name.clone(),
        problem: problem.into(),
    }
}

fn validate(scenario: &Scenario, playbook: &Playbook) -> Result<(), ScenarioError> {
    if scenario.name.trim().is_empty() {
        return Err(invalid(scenario, "the name is empty"));
    }
    if scenario.messages.is_empty() {
        return Err(invalid(scenario, "no messages"));
    }
    let expect = &scenario.expect;
    let stages = expect.stage.iter().chain(expect.path.iter().flatten());
    for stage in stages {
        if playbook.stage(stage).is_none() {
            return Err(invalid(
                scenario,
                format!("the playbook has no stage `{stage}`"),
            ));
        }
    }
    for document in expect.documents.iter().flatten() {
        if !playbook.documents.iter().any(|d| &d.id == document) {
            return Err(invalid(
                scenario,
                format!("the playbook has no document `{document}`"),
            ));
        }
    }
    if expect.max_messages.is_some() && expect.stage.is_none() {
        return Err(invalid(
            scenario,
            "max_messages needs the `stage` it counts to",
        ));
    }
    if let (Some(min), Some(max)) = (expect.budget_min, expect.budget_max)
        && min > max
    {
        return Err(invalid(scenario, "budget_min is above budget_max"));
    }
    if let Some(both) = expect.absent.iter().find(|f| expect.states(**f)) {
        return Err(invalid(
            scenario,
            format!("`{both}` is in absent but expected known"),
        ));
    }
    if expect.answer_contains.iter().any(|w| w.trim().is_empty()) {
        return Err(invalid(scenario, "answer_contains has an empty word"));
    }
    if expect.offered_within == Some(0) {
        return Err(invalid(scenario, "offered_within counts from 1"));
    }
    if let Some(profile) = &scenario.profile_name
        && profile.trim().is_empty()
    {
        return Err(invalid(scenario, "profile_name is empty"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_one(text: &str) -> Result<Vec<Scenario>, ScenarioError> {
        parse(Path::new("x.toml"), text)
    }

    #[test]
    fn a_string_is_a_message_and_a_table_a_burst_or_a_delayed_message() {
        let scenarios = parse_one(
            r#"
[[scenario]]
name = "s"
language = "en"
messages = ["hi", { burst = ["a", "b"] }, { text = "c", delay_ms = 20 }]
expect = { stage = "greeting", handoff = "customer_asked" }
"#,
        )
        .unwrap();
        let steps = &scenarios[0].messages;
        assert_eq!(steps[0].texts, ["hi"]);
        assert_eq!(steps[1].texts, ["a", "b"]);
        assert_eq!(steps[2].delay, Duration::from_millis(20));
        assert_eq!(
            scenarios[0].expect.handoff,
            HandoffExpectation::Reason(HandoffReason::CustomerAsked)
        );
        assert!(scenarios[0].expect.silent_after_handoff);
    }

    #[test]
    fn the_per_field_keys_say_what_was_stated_and_what_would_be_made_up() {
        let scenarios = parse_one(
            r#"
split = "heldout"

[[scenario]]
name = "s"
language = "es"
profile_name = "Andrea Vidal"
messages = ["hola", { text = "hi", language = "en" }]

[scenario.expect]
fields = ["need"]
all_facts = true
budget_max = 3000
budget_kind = "up_to"
budget_period = "year"
currency_assumed = true
role = "CTO"
timeline = "asap"
offered_within = 6
"#,
        )
        .unwrap();
        let scenario = &scenarios[0];
        assert_eq!(scenario.split, Split::Heldout);
        assert_eq!(scenario.profile_name.as_deref(), Some("Andrea Vidal"));
        assert_eq!(scenario.messages[0].language, None);
        assert_eq!(scenario.messages[1].language, Some(Language::En));
        let expect = &scenario.expect;
        assert_eq!(expect.budget_kind, Some(BudgetKind::UpTo));
        assert_eq!(expect.budget_period, Some(BudgetPeriod::Year));
        assert_eq!(expect.timeline, Some(TimelineKind::Asap));
        for stated in [
            FieldName::Need,
            FieldName::Budget,
            FieldName::Authority,
            FieldName::Timeline,
        ] {
            assert!(expect.states(stated) && !expect.forbids(stated), "{stated}");
        }
        for unstated in [FieldName::Name, FieldName::Company, FieldName::Email] {
            assert!(
                !expect.states(unstated) && expect.forbids(unstated),
                "{unstated}"
            );
        }
    }

    #[test]
    fn without_all_facts_only_absent_fields_count_as_made_up() {
        let scenarios = parse_one(
            "[[scenario]]\nname = \"s\"\nlanguage = \"en\"\nmessages = [\"a\"]\nexpect = { absent = [\"budget\"] }\n",
        )
        .unwrap();
        let expect = &scenarios[0].expect;
        assert_eq!(scenarios[0].split, Split::Tuning);
        assert!(expect.forbids(FieldName::Budget));
        assert!(!expect.forbids(FieldName::Name));
    }

    #[test]
    fn a_field_both_stated_and_absent_is_refused() {
        let mut scenario = parse_one(
            "[[scenario]]\nname = \"s\"\nlanguage = \"en\"\nmessages = [\"a\"]\nexpect = { absent = [\"budget\"], budget_min = 5 }\n",
        )
        .unwrap()
        .remove(0);
        scenario.file = PathBuf::from("x.toml");
        let err = validate(&scenario, &Playbook::builtin()).unwrap_err();
        assert!(err.to_string().contains("`budget` is in absent"), "{err}");
    }

    #[test]
    fn an_unknown_key_names_its_line() {
        let err = parse_one(
            "[[scenario]]\nname = \"s\"\nlanguage = \"es\"\nmessages = [\"hola\"]\n\n[scenario.expect]\nstage = \"greeting\"\nstag = \"x\"\n",
        )
        .unwrap_err();
        let shown = err.to_string();
        assert!(shown.starts_with("x.toml:8: "), "{shown}");
        assert!(shown.contains("stag"), "{shown}");
    }

    #[test]
    fn a_step_with_both_text_and_burst_is_refused() {
        let err = parse_one(
            "[[scenario]]\nname = \"s\"\nlanguage = \"es\"\nmessages = [\n  { text = \"a\", burst = [\"b\", \"c\"] },\n]\nexpect = {}\n",
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("x.toml:5: "), "{err}");
    }

    #[test]
    fn handoff_true_is_refused_for_not_naming_the_reason() {
        let err = parse_one(
            "[[scenario]]\nname = \"s\"\nlanguage = \"es\"\nmessages = [\"a\"]\nexpect = { handoff = true }\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("say which handoff"), "{err}");
    }

    #[test]
    fn stages_are_checked_against_the_playbook() {
        let mut scenario = parse_one(
            "[[scenario]]\nname = \"s\"\nlanguage = \"es\"\nmessages = [\"a\"]\nexpect = { stage = \"closing\" }\n",
        )
        .unwrap()
        .remove(0);
        scenario.file = PathBuf::from("x.toml");
        let err = validate(&scenario, &Playbook::builtin()).unwrap_err();
        assert!(err.to_string().contains("no stage `closing`"), "{err}");
    }

    #[test]
    fn documents_are_checked_against_the_playbook() {
        let with = |documents: &str| {
            let mut scenario = parse_one(&format!(
                "[[scenario]]\nname = \"s\"\nlanguage = \"en\"\nmessages = [\"a\"]\nexpect = {{ documents = {documents} }}\n"
            ))
            .unwrap()
            .remove(0);
            scenario.file = PathBuf::from("x.toml");
            validate(&scenario, &Playbook::builtin())
        };
        assert!(with("[]").is_ok());
        assert!(with("[\"brochure\", \"price_list\"]").is_ok());
        let err = with("[\"menu\"]").unwrap_err();
        assert!(err.to_string().contains("no document `menu`"), "{err}");
    }
}
