//! The playbook's tests: the built-in playbook, and the small valid
//! playbook (with its helpers) that the topic modules below break or
//! render. Kept out of `playbook/mod.rs` so the types read on their own.

use super::*;

mod flow_and_rendering;
mod validation;

/// A small valid playbook the failing cases below break one rule at a time.
const MINIMAL: &str = r#"
[business]
name = "Acme"
offer = "anvils"
hours = "9-5"
time_zone = "Europe/Madrid"
currency = "EUR"
default_language = "es"

[handoff]
unresolved_limit = 2
confidence_from_stage = "start"
message.es = "Te paso con una persona."
message.en = "A person will take over."

[[stages]]
id = "start"
agent = "StartAgent"
prompt = "Ask for {{ missing | join(', ') }}. Known: {{ lead.name }}."
collects = ["name", "budget"]
success = { fields = ["name", "budget"] }
next = "done"

[stages.templates.es]
ask_name = "¿Cómo te llamas?"
ask_budget = "¿Cuánto quieres invertir{% if lead.name %}, {{ lead.name }}{% endif %}?"
intent_hello = "¡Hola!"
fallback = "¿Perdón?"

[stages.templates.en]
ask_name = "What's your name?"
ask_budget = "What's your budget?"
fallback = "Sorry?"

[[stages]]
id = "done"
agent = "DoneAgent"
prompt = "Hand over."
success = "never"
hands_off = true

[stages.templates.es]
enter = "¡Gracias, {{ lead.name }}! Tu presupuesto: {{ lead.budget }}."

[[intents]]
id = "hello"
examples.es = ["hola", "buenas", "qué tal", "buen día", "saludos"]
examples.en = ["hi", "hello", "hey", "good morning", "greetings"]
"#;

fn refused(text: &str) -> PlaybookError {
    match Playbook::parse(text) {
        Ok(_) => panic!("the playbook should have been refused"),
        Err(e) => e,
    }
}

/// The 1-based line of the first line containing `marker`.
fn line_of(text: &str, marker: &str) -> usize {
    1 + text
        .lines()
        .position(|l| l.contains(marker))
        .expect("marker is in the text")
}

/// Replaces `from` (which must occur) and checks the refusal names the
/// line holding `marker` and the expected field.
fn assert_refused(from: &str, to: &str, marker: &str, field: &str, problem: &str) {
    assert!(
        MINIMAL.contains(from),
        "{from:?} is not in the minimal playbook"
    );
    let text = MINIMAL.replacen(from, to, 1);
    let e = refused(&text);
    assert_eq!(
        (e.line, e.field.as_str()),
        (line_of(&text, marker), field),
        "{e}"
    );
    assert!(e.problem.contains(problem), "{e}");
}

fn ana(budget: bool) -> Lead {
    Lead {
        name: Some("Ana".parse().unwrap()),
        budget: budget.then(|| "5000 EUR".parse().unwrap()),
        ..Lead::default()
    }
}

#[test]
fn the_builtin_playbook_is_valid() {
    let p = Playbook::builtin();
    let ids: Vec<&str> = p.stages.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["greeting", "qualification", "scheduling", "handoff"]);
    assert_eq!(p.business.time_zone, "America/Mexico_City");
    assert_eq!(p.handoff.confidence_threshold, 0.7);
    assert_eq!(p.handoff.unresolved_limit, 3);
    assert_eq!(
        p.handoff_message(Language::Es),
        "Te comunico ahora mismo con una persona de nuestro equipo."
    );
    assert_eq!(
        p.handoff_message(Language::En),
        "Let me connect you with one of our team members right now."
    );
    assert!(p.intent("ask_human").is_some_and(|i| i.hands_off));
    // What the classifier learns from; opting out and in are read from
    // phrases, built in and the playbook's.
    for intent in p.brain_intents() {
        for lang in Language::ALL {
            assert!(intent.examples[&lang].len() >= 8, "{} {lang:?}", intent.id);
        }
    }
    assert!(p.opt_out.said_in("ya no me manden mensajes").is_some());
    assert_eq!(
        p.reminders,
        [
            std::time::Duration::from_secs(86_400),
            std::time::Duration::from_secs(3_600)
        ]
    );
    assert_eq!(
        p.follow_up,
        FollowUpPolicy {
            after: std::time::Duration::from_secs(4 * 3_600),
            max: 1
        }
    );
    assert_eq!(
        p.stage("scheduling").map(|s| &s.success),
        Some(&Success::Outcome("call_booked".into()))
    );
}

#[test]
fn the_builtin_playbook_answers_voice_notes_and_files_in_every_stage_and_language() {
    let p = Playbook::builtin();
    for stage in p.stages.iter().filter(|s| !s.hands_off) {
        for lang in Language::ALL {
            for key in [VOICE_NOTE, MEDIA_RECEIVED] {
                let text = p.render_reply(stage, key, &Lead::default(), lang);
                assert!(
                    text.is_some_and(|t| !t.is_empty()),
                    "{} {lang:?} {key}",
                    stage.id
                );
            }
        }
    }
}

#[test]
fn the_minimal_playbook_is_valid() {
    let p = Playbook::parse(MINIMAL).unwrap();
    assert_eq!(p.business.currency.map(|c| c.code()), Some("EUR"));
    assert_eq!(p.handoff.confidence_threshold, 0.7);
    assert_eq!(p.languages(), [Language::Es, Language::En]);
}
