//! `Playbook::parse` on arbitrary text: it must return, never panic, and
//! whatever it accepts must render every stage's prompt and reply templates
//! and walk its stage machine without panicking, for an empty lead and for
//! one that knows every field.
#![no_main]

use leadline_domain::playbook::Playbook;
use leadline_domain::{FieldName, Language, Lead, fields};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

/// A lead with every field known, so templates see every value.
static FULL_LEAD: LazyLock<Lead> = LazyLock::new(|| {
    let today = jiff::civil::date(2026, 11, 25);
    let mut lead = Lead::default();
    for (field, raw) in [
        (FieldName::Name, "Ana López"),
        (FieldName::Company, "Acme"),
        (FieldName::Budget, "5k USD"),
        (FieldName::Authority, "I decide"),
        (FieldName::Need, "a CRM for the sales team"),
        (FieldName::Timeline, "next month"),
    ] {
        fields::apply(&mut lead, field, raw, today).expect("a valid seed value");
    }
    lead
});

fuzz_target!(|text: &str| {
    let Ok(playbook) = Playbook::parse(text) else {
        return;
    };
    let _ = playbook.first_stage();
    let _ = playbook.languages();
    for lead in [&Lead::default(), &*FULL_LEAD] {
        for stage in &playbook.stages {
            let after = playbook.stage_after(&stage.id, lead);
            assert!(playbook.position(&after.id).is_some(), "stage_after left the flow");
            for language in Language::ALL {
                let _ = playbook.render_prompt(stage, lead, language);
                let _ = playbook.handoff_message(language);
                for keys in stage.templates.values() {
                    for key in keys.keys() {
                        let _ = playbook.render_reply(stage, key, lead, language);
                    }
                }
            }
        }
    }
});
