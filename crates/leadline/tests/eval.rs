//! `leadline eval` black box: scenario files in, figures and exit code out,
//! through the real binary with the offline brain.

use std::path::PathBuf;
use std::process::{Command, Output};

/// A scenario file in its own temporary directory, removed on drop.
struct Scenarios {
    dir: PathBuf,
}

impl Scenarios {
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("leadline-eval-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self { dir }
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, text).expect("write scenario file");
        path
    }
}

impl Drop for Scenarios {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn eval(args: &[&str], files: &[PathBuf]) -> (Output, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_leadline"))
        .arg("eval")
        .args(args)
        .args(files)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .expect("run leadline eval");
    // Runs of spaces squeezed to one: tests read the table's words, not its
    // column widths.
    let stdout = String::from_utf8_lossy(&output.stdout)
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output, stdout, stderr)
}

const COOPERATIVE: &str = r#"
[[scenario]]
name = "cooperative"
language = "en"
messages = [
  "Hi, I'm Ana from Acme, we need a WhatsApp bot for our sales team",
  "Our budget is around 5k USD",
  { text = "I'm the CEO, I make the decision", delay_ms = 10 },
  "We want to start next month",
]
[scenario.expect]
stage = "scheduling"
max_messages = 4
fields = ["name", "company", "need", "budget", "authority", "timeline"]
name = "Ana"
budget_min = 5000
decision = "decision_maker"
booked = false
"#;

const HUMAN: &str = r#"
[[scenario]]
name = "human"
language = "es"
messages = ["hola", "quiero hablar con una persona", "¿hola?"]
[scenario.expect]
stage = "greeting"
handoff = "customer_asked"
"#;

#[test]
fn a_passing_scenario_exits_zero_with_its_figures() {
    let dir = Scenarios::new("pass");
    let file = dir.file("pass.toml", COOPERATIVE);
    let (output, stdout, stderr) = eval(&[], &[file]);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("1 scenarios: 1 passed, 0 failed, 0 known gaps"),
        "{stdout}"
    );
    assert!(
        stdout.contains("reached scheduling without a human 1/1 100.0 %"),
        "{stdout}"
    );
    assert!(
        stdout.contains("median customer messages to scheduling 4"),
        "{stdout}"
    );
    assert!(!stdout.contains("transcript:"), "{stdout}");
    assert!(
        stderr.is_empty(),
        "no progress bar when stderr is not a terminal: {stderr}"
    );
}

#[test]
fn a_failing_expectation_is_named_with_the_transcript_and_fails_the_run() {
    let dir = Scenarios::new("fail");
    let file = dir.file(
        "fail.toml",
        &COOPERATIVE.replace("max_messages = 4", "max_messages = 2"),
    );
    let (output, stdout, stderr) = eval(&[], &[file]);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("✗ cooperative"), "{stdout}");
    assert!(
        stdout.contains(
            "max_messages: reached scheduling after 4 customer messages, expected at most 2"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("customer> Our budget is around 5k USD"),
        "{stdout}"
    );
}

#[test]
fn a_known_gap_is_reported_but_does_not_fail_the_run() {
    let dir = Scenarios::new("gap");
    let gap = COOPERATIVE
        .replace("booked = false", "booked = true")
        .replace(
            "language = \"en\"",
            "language = \"en\"\nknown_gap = \"nothing books yet\"",
        );
    let file = dir.file("gap.toml", &gap);
    let (output, stdout, stderr) = eval(&[], &[file]);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("1 scenarios: 0 passed, 0 failed, 1 known gaps"),
        "{stdout}"
    );
    assert!(
        stdout.contains("~ cooperative") && stdout.contains("nothing books yet"),
        "{stdout}"
    );
    assert!(
        stdout.contains("booked: expected a booked call, none was booked"),
        "{stdout}"
    );
}

#[test]
fn a_stage_change_off_the_expected_path_is_a_wrong_jump() {
    let dir = Scenarios::new("jump");
    let file = dir.file(
        "jump.toml",
        &COOPERATIVE.replace(
            "booked = false",
            "booked = false\npath = [\"greeting\", \"scheduling\"]",
        ),
    );
    let (output, stdout, _) = eval(&[], &[file]);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("wrong-stage jumps 2 (in 1 scenarios)"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "unexpected stage change: greeting → qualification, qualification → scheduling"
        ),
        "{stdout}"
    );
}

#[test]
fn an_unknown_key_exits_2_naming_file_and_line() {
    let dir = Scenarios::new("bad");
    let file = dir.file(
        "bad.toml",
        "[[scenario]]\nname = \"x\"\nlanguage = \"en\"\nmessages = [\"hi\"]\n[scenario.expect]\nstage = \"greeting\"\nhandof = \"customer_asked\"\n",
    );
    let (output, stdout, stderr) = eval(&[], std::slice::from_ref(&file));
    assert_eq!(output.status.code(), Some(2), "{stdout}\n{stderr}");
    let expected = format!("{}:7: unknown field `handof`", file.display());
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(stdout.is_empty(), "nothing runs: {stdout}");
}

#[test]
fn the_json_summary_counts_a_tiny_known_set() {
    let dir = Scenarios::new("json");
    let files = [
        dir.file("cooperative.toml", COOPERATIVE),
        dir.file("human.toml", HUMAN),
    ];
    let (output, stdout, stderr) = eval(&["--json"], &files);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON report");
    let summary = &report["summary"];
    assert_eq!(summary["scenarios"], 2);
    assert_eq!(summary["passed"], 2);
    assert_eq!(summary["failed"], 0);
    assert_eq!(summary["scheduling_without_human"]["count"], 1);
    assert_eq!(summary["scheduling_without_human"]["percent"], 50.0);
    assert_eq!(summary["median_messages_to_scheduling"], 4.0);
    assert_eq!(summary["booked_without_human"]["count"], 0);
    assert_eq!(
        summary["median_messages_to_booking"],
        serde_json::Value::Null
    );
    assert_eq!(summary["handoffs"]["customer_asked"]["count"], 1);
    assert_eq!(summary["handoffs"]["unresolved"]["count"], 0);
    assert_eq!(summary["wrong_stage_jumps"], 0);
    assert_eq!(summary["languages"]["es"]["scenarios"], 1);
    assert_eq!(summary["languages"]["en"]["reached_scheduling"], 1);
    let human = &report["scenarios"][1];
    assert_eq!(human["handoff"], "customer_asked");
    let transcript = human["transcript"].as_array().expect("transcript");
    assert_eq!(
        transcript.last().map(|l| &l["speaker"]),
        Some(&serde_json::Value::from("customer")),
        "silent after the handoff: {transcript:?}"
    );
}

#[test]
fn per_field_figures_count_stated_facts_and_values_nobody_stated() {
    let dir = Scenarios::new("fields");
    // The customer names a company, but the scenario says they state
    // everything but it: the captured company counts as made up.
    let file = dir.file(
        "fields.toml",
        &COOPERATIVE.replace(
            r#"fields = ["name", "company", "need", "budget", "authority", "timeline"]"#,
            r#"fields = ["name", "need", "budget", "authority", "timeline"]
all_facts = true"#,
        ),
    );
    let (output, stdout, _) = eval(&[], &[file]);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("field company: never stated, set to \"Acme\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("stated facts captured 5/5 100.0 %"),
        "{stdout}"
    );
    assert!(
        stdout.contains("values set that were never stated 1"),
        "{stdout}"
    );
    assert!(stdout.contains("name 1 1 0 100.0 % 100.0 %"), "{stdout}");
    assert!(stdout.contains("company 0 0 1 0.0 % 0.0 %"), "{stdout}");
    assert!(
        stdout.contains("cooperative leads offered times in time 0/0"),
        "{stdout}"
    );
}

#[test]
fn every_reply_is_checked_against_the_customers_language() {
    let dir = Scenarios::new("language");
    let file = dir.file(
        "language.toml",
        &HUMAN.replace("language = \"es\"", "language = \"en\""),
    );
    let (output, stdout, _) = eval(&[], &[file]);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("reply language: the reply after customer message 1 is in es, expected en"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("replies in the customer's language 0/0"),
        "{stdout}"
    );
}

#[test]
fn a_heldout_scenario_is_measured_on_its_own_and_never_fails_the_run() {
    let dir = Scenarios::new("heldout");
    let text = format!(
        "split = \"heldout\"\n{}",
        COOPERATIVE.replace("max_messages = 4", "max_messages = 2")
    );
    let file = dir.file("heldout.toml", &text);
    let (output, stdout, stderr) = eval(&[], &[file]);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("held-out scenarios on their own:"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "held-out scenarios that fall short (counted above, not failing the run): cooperative"
        ),
        "{stdout}"
    );
    assert!(
        !stdout.contains("customer>"),
        "a held-out transcript is not shown: {stdout}"
    );
}
