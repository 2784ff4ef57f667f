//! What a playbook must hold to load: each test breaks one rule of the
//! minimal playbook and checks the refusal names its line and field.
//! Kept apart because refusals are most of the playbook's tests.

use super::*;

#[test]
fn documents_need_one_source_a_real_link_and_a_known_file_type() {
    let with = |doc: &str| {
        format!("{MINIMAL}\n[[documents]]\nid = \"prices\"\ntitle = \"Prices\"\n{doc}\n")
    };
    let p = Playbook::parse(&with(
        "url = \"https://example.com/p.pdf\"\ncaption.es = \"Precios\"",
    ))
    .unwrap();
    assert_eq!(p.documents[0].caption(Language::En), Some("Precios"));
    let p = Playbook::parse(&with("file = \"docs/prices.PDF\"")).unwrap();
    assert_eq!(
        p.documents[0].source,
        crate::documents::DocumentSource::File("docs/prices.PDF".into())
    );
    for (doc, field, problem) in [
        ("url = \"ftp://x/p.pdf\"", "documents[0].url", "http(s)"),
        (
            "file = \"prices.exe\"",
            "documents[0].file",
            "not a document",
        ),
        (
            "url = \"https://x/p.pdf\"\nfile = \"p.pdf\"",
            "documents[0]",
            "exactly one",
        ),
        ("", "documents[0]", "exactly one"),
        (
            "url = \"https://x/p.pdf\"\ncaption.fr = \"x\"",
            "documents[0].caption.fr",
            "unknown language",
        ),
    ] {
        let text = with(doc);
        let e = refused(&text);
        assert_eq!(e.field, field, "{e}");
        assert!(e.problem.contains(problem), "{e}");
        assert!(e.line >= line_of(&text, "[[documents]]"), "{e}");
    }
    // A stage that sends documents needs some to send.
    let e = refused(&MINIMAL.replacen(
        "collects = [\"name\", \"budget\"]",
        "collects = [\"name\", \"budget\"]\ntools = [\"send_document\"]",
        1,
    ));
    assert_eq!(e.field, "stages[0].tools", "{e}");
}

#[test]
fn an_unknown_next_stage_names_its_line() {
    assert_refused(
        "next = \"done\"",
        "next = \"dnoe\"",
        "next = \"dnoe\"",
        "stages[0].next",
        "no stage named \"dnoe\"",
    );
    let e = refused(&MINIMAL.replacen("next = \"done\"", "next = \"dnoe\"", 1));
    assert_eq!(
        e.to_string(),
        format!("line {}: stages[0].next: no stage named \"dnoe\"", e.line)
    );
}

#[test]
fn duplicate_stage_ids_are_refused() {
    let text = MINIMAL.replacen("id = \"done\"", "id = \"start\"", 1);
    let e = refused(&text);
    assert_eq!(
        (e.line, e.field.as_str()),
        (line_of(&text, "agent = \"DoneAgent\"") - 1, "stages[1].id"),
        "{e}"
    );
    assert!(e.problem.contains("duplicate stage \"start\""), "{e}");
}

#[test]
fn transitions_only_go_forward_or_to_a_hands_off_stage() {
    let text = MINIMAL.replacen("next = \"done\"", "next = \"start\"", 1);
    let e = refused(&text);
    assert_eq!(
        (e.line, e.field.as_str()),
        (line_of(&text, "next = \"start\""), "stages[0].next")
    );
    // A hands-off stage pointing at itself loops.
    let text = MINIMAL.replacen("hands_off = true", "hands_off = true\nnext = \"done\"", 1);
    let e = refused(&text);
    assert_eq!(
        (e.line, e.field.as_str()),
        (line_of(&text, "hands_off = true") + 1, "stages[1].next"),
        "{e}"
    );
}

#[test]
fn hands_off_stages_cannot_form_a_cycle() {
    let e = refused(&MINIMAL.replacen("hands_off = true", "hands_off = true\nnext = \"done\"", 1));
    assert_eq!(e.field, "stages[1].next");
    assert!(e.problem.contains("cycle"), "{e}");
}

#[test]
fn the_flow_must_end_in_a_hands_off_stage() {
    let text = MINIMAL.replacen("hands_off = true", "hands_off = false", 1).replacen(
        "[stages.templates.es]\nenter",
        "[stages.templates.en]\nfallback = \"?\"\n[stages.templates.es]\nfallback = \"?\"\nenter",
        1,
    );
    let e = refused(&text);
    assert_eq!(e.field, "stages[1].hands_off");
    assert_eq!(e.line, line_of(&text, "id = \"done\"") - 1);
}

#[test]
fn field_names_must_be_known() {
    assert_refused(
        "collects = [\"name\", \"budget\"]",
        "collects = [\"name\", \"bugdet\"]",
        "collects",
        "stages[0].collects[1]",
        "bugdet",
    );
}

#[test]
fn success_fields_must_be_collected_by_then() {
    assert_refused(
        "success = { fields = [\"name\", \"budget\"] }",
        "success = { fields = [\"name\", \"timeline\"] }",
        "success = { fields",
        "stages[0].success",
        "timeline is not collected",
    );
    assert_refused(
        "success = \"never\"",
        "success = \"sometimes\"",
        "success = \"sometimes\"",
        "stages[1].success",
        "expected",
    );
}

#[test]
fn templates_must_compile() {
    assert_refused(
        "fallback = \"Sorry?\"",
        "fallback = \"Sorry {% if %}\"",
        "Sorry {%",
        "stages[0].templates.en.fallback",
        "not a valid template",
    );
}

#[test]
fn templates_may_only_use_known_variables() {
    assert_refused(
        "ask_name = \"What's your name?\"",
        "ask_name = \"{{ customer.name }}?\"",
        "customer.name",
        "stages[0].templates.en.ask_name",
        "unknown variable \"customer\"",
    );
    assert_refused(
        "prompt = \"Hand over.\"",
        "prompt = \"Hand {{ secrets }}\"",
        "secrets",
        "stages[1].prompt",
        "unknown variable",
    );
}

#[test]
fn every_collected_field_has_a_question_in_every_language() {
    assert_refused(
        "ask_budget = \"What's your budget?\"\n",
        "",
        "[stages.templates.en]",
        "stages[0].templates.en.ask_budget",
        "missing",
    );
}

#[test]
fn every_stage_that_talks_has_a_fallback_in_every_language() {
    assert_refused(
        "fallback = \"Sorry?\"\n",
        "",
        "[stages.templates.en]",
        "stages[0].templates.en.fallback",
        "missing",
    );
}

#[test]
fn follow_through_durations_are_hours_minutes_or_seconds() {
    let with = |extra: &str| MINIMAL.replacen("[handoff]", &format!("{extra}\n[handoff]"), 1);
    let p = Playbook::parse(&with(
        "[scheduling]\nreminders = [\"90s\", \"24h\", \"90s\"]\n[follow_up]\nafter = \"4h\"\nmax = 2",
    ))
    .unwrap();
    assert_eq!(
        p.reminders,
        [
            std::time::Duration::from_secs(86_400),
            std::time::Duration::from_secs(90)
        ]
    );
    assert_eq!(p.follow_up.max, 2);
    assert_eq!(
        Playbook::parse(MINIMAL).unwrap().follow_up.max,
        0,
        "off unless asked for"
    );
    for (extra, field) in [
        (
            "[scheduling]\nreminders = [\"1d\"]",
            "scheduling.reminders[0]",
        ),
        (
            "[scheduling]\nreminders = [\"0s\"]",
            "scheduling.reminders[0]",
        ),
        ("[follow_up]\nafter = \"soon\"\nmax = 1", "follow_up.after"),
        ("[follow_up]\nafter = \"4h\"\nmax = 9", "follow_up.max"),
    ] {
        let e = refused(&with(extra));
        assert_eq!(e.field, field, "{e}");
    }
}

#[test]
fn intents_need_five_examples_per_language() {
    assert_refused(
        "examples.en = [\"hi\", \"hello\", \"hey\", \"good morning\", \"greetings\"]",
        "examples.en = [\"hi\", \"hello\"]",
        "examples.en",
        "intents[0].examples.en",
        "at least 5",
    );
}

#[test]
fn intent_templates_name_existing_intents() {
    assert_refused(
        "intent_hello = ",
        "intent_helo = ",
        "intent_helo",
        "stages[0].templates.es.intent_helo",
        "no intent named \"helo\"",
    );
}

#[test]
fn unknown_template_keys_are_refused() {
    assert_refused(
        "ask_name = \"¿Cómo",
        "ask_nmae = \"¿Cómo",
        "ask_nmae",
        "stages[0].templates.es.ask_nmae",
        "unknown field",
    );
    assert_refused(
        "intent_hello = ",
        "hello = ",
        "hello = ",
        "stages[0].templates.es.hello",
        "unknown template key",
    );
}

#[test]
fn the_handoff_message_exists_for_every_language_used() {
    assert_refused(
        "message.en = \"A person will take over.\"\n",
        "",
        "message.es",
        "handoff.message.en",
        "missing",
    );
}

#[test]
fn the_time_zone_must_be_a_real_one() {
    assert_refused(
        "Europe/Madrid",
        "Europe/Madird",
        "time_zone",
        "business.time_zone",
        "IANA",
    );
}

#[test]
fn scheduling_defaults_to_weekday_office_hours_in_the_business_zone() {
    let playbook = Playbook::parse(MINIMAL).unwrap();
    let rules = &playbook.scheduling;
    assert_eq!(rules.time_zone.iana_name(), Some("Europe/Madrid"));
    assert_eq!(
        (rules.slot_minutes, rules.lead_minutes, rules.horizon_days),
        (30, 120, 7)
    );
    let set = MINIMAL.replacen(
        "[handoff]",
        "[scheduling]\nhours = [{ days = [\"sat\"], from = \"10:00\", to = \"12:00\" }]\nslot_minutes = 45\n\n[handoff]",
        1,
    );
    let rules = Playbook::parse(&set).unwrap().scheduling;
    assert_eq!(rules.slot_minutes, 45);
    assert_eq!(rules.hours.len(), 1);
    assert_eq!(rules.lead_minutes, 120);
}

#[test]
fn scheduling_hours_must_end_after_they_start() {
    let text = MINIMAL.replacen(
        "[handoff]",
        "[scheduling]\nhours = [{ days = [\"mon\"], from = \"18:00\", to = \"09:00\" }]\n\n[handoff]",
        1,
    );
    let e = refused(&text);
    assert_eq!(
        (e.line, e.field.as_str()),
        (line_of(&text, "[scheduling]"), "scheduling.hours"),
        "{e}"
    );
}

#[test]
fn a_stage_that_books_calls_says_how_it_went_in_every_language() {
    let text = BUILTIN.replacen("booked = \"Done!", "# \"Done!", 1);
    let e = refused(&text);
    assert_eq!(e.field, "stages[2].templates.en.booked", "{e}");
    assert!(e.problem.contains("missing"), "{e}");
}

#[test]
fn handoff_numbers_are_in_range() {
    assert_refused(
        "unresolved_limit = 2",
        "unresolved_limit = 0",
        "unresolved_limit",
        "handoff.unresolved_limit",
        "at least 1",
    );
    assert_refused(
        "unresolved_limit = 2",
        "unresolved_limit = 2\nconfidence_threshold = 1.5",
        "confidence_threshold",
        "handoff.confidence_threshold",
        "between 0 and 1",
    );
    assert_refused(
        "confidence_from_stage = \"start\"",
        "confidence_from_stage = \"middle\"",
        "confidence_from_stage",
        "handoff.confidence_from_stage",
        "no stage",
    );
}

#[test]
fn business_facts_are_checked() {
    assert_refused(
        "currency = \"EUR\"",
        "currency = \"euros\"",
        "currency",
        "business.currency",
        "ISO 4217",
    );
    assert_refused(
        "default_language = \"es\"",
        "default_language = \"fr\"",
        "default_language",
        "business.default_language",
        "unknown language",
    );
}

#[test]
fn toml_and_shape_errors_name_line_and_field() {
    let text = MINIMAL.replacen("agent = \"DoneAgent\"\n", "", 1);
    let e = refused(&text);
    assert_eq!(
        (e.line, e.field.as_str()),
        (line_of(&text, "id = \"done\"") - 1, "stages[1]"),
        "{e}"
    );
    assert!(e.problem.contains("missing field `agent`"), "{e}");
    assert_refused(
        "hands_off = true",
        "hands_off = \"yes\"",
        "hands_off = \"yes\"",
        "stages[1].hands_off",
        "",
    );
    assert_refused(
        "hours = \"9-5\"",
        "hours = \"9-5\"\nwebsite = \"x\"",
        "website",
        "business.website",
        "unknown field",
    );
    let e = refused("[business\nname = 1");
    assert_eq!((e.line, e.field.as_str()), (1, "toml"));
}

#[test]
fn check_file_reports_io_errors() {
    let e = check_file(std::path::Path::new("/nonexistent/playbook.toml")).unwrap_err();
    assert!(e.problem.contains("cannot read"), "{e}");
    assert!(e.field.contains("playbook.toml"));
}
