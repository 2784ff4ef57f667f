//! What a loaded playbook does: the stage a lead reaches, and its prompts,
//! replies and handoff message rendered over a lead. Kept apart from the
//! refusals, which test loading.

use super::*;

#[test]
fn stage_after_follows_field_criteria_only() {
    let p = Playbook::parse(MINIMAL).unwrap();
    assert_eq!(p.stage_after("start", &Lead::default()).id, "start");
    assert_eq!(p.stage_after("start", &ana(false)).id, "start");
    assert_eq!(p.stage_after("start", &ana(true)).id, "done");
    assert_eq!(p.stage_after("nowhere", &Lead::default()).id, "start");
    assert_eq!(p.stage_after("done", &ana(true)).id, "done");

    let b = Playbook::builtin();
    let mut lead = ana(true);
    lead.need = Some("more sales".parse().unwrap());
    assert_eq!(b.stage_after("greeting", &lead).id, "qualification");
    lead.authority = Some("decido yo".parse().unwrap());
    lead.timeline = Some(crate::lead::Timeline::Asap);
    // BANT complete: on to scheduling, which waits for a booked call.
    assert_eq!(b.stage_after("greeting", &lead).id, "scheduling");
    assert_eq!(b.stage_after("scheduling", &lead).id, "scheduling");
}

#[test]
fn replies_render_over_the_lead_and_fall_back_to_the_default_language() {
    let p = Playbook::parse(MINIMAL).unwrap();
    let start = p.first_stage();
    assert_eq!(
        p.render_reply(start, "ask_budget", &ana(false), Language::Es)
            .as_deref(),
        Some("¿Cuánto quieres invertir, Ana?")
    );
    assert_eq!(
        p.render_reply(start, "ask_budget", &Lead::default(), Language::Es)
            .as_deref(),
        Some("¿Cuánto quieres invertir?")
    );
    // No English `intent_hello`: the default language answers.
    assert_eq!(
        p.render_reply(start, "intent_hello", &ana(false), Language::En)
            .as_deref(),
        Some("¡Hola!")
    );
    assert_eq!(
        p.render_reply(start, "enter", &ana(false), Language::En),
        None
    );
    let done = p.stage("done").unwrap();
    assert_eq!(
        p.render_reply(done, "enter", &ana(true), Language::Es)
            .as_deref(),
        Some("¡Gracias, Ana! Tu presupuesto: 5.000 EUR.")
    );
}

#[test]
fn prompts_render_what_is_missing() {
    let p = Playbook::parse(MINIMAL).unwrap();
    let prompt = p.render_prompt(p.first_stage(), &ana(false), Language::Es);
    assert_eq!(prompt, "Ask for budget. Known: Ana.");
    // The built-in prompts leave the lead and the language to the
    // server's part of the prompt: they read the same on every turn of
    // every conversation, for prompt caches.
    let b = Playbook::builtin();
    for stage in b.stages.iter().filter(|s| !s.hands_off) {
        let prompt = b.render_prompt(stage, &Lead::default(), Language::En);
        assert_eq!(prompt, b.render_prompt(stage, &ana(true), Language::Es));
        assert!(prompt.contains("TuVendedor24"));
        assert!(!prompt.contains("{{"));
    }
}

#[test]
fn the_handoff_message_falls_back_to_the_default_language() {
    let text = MINIMAL
        .replacen("message.en = \"A person will take over.\"\n", "", 1)
        .replacen("[stages.templates.en]", "[stages.templates.es_unused]", 1);
    // Dropping English templates too would leave "es_unused": refused as a language.
    assert!(Playbook::parse(&text).is_err());
    let p = Playbook::parse(MINIMAL).unwrap();
    assert_eq!(p.handoff_message(Language::En), "A person will take over.");
}
