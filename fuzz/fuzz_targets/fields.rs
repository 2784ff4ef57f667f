//! Field extraction on arbitrary text: every parser (through `apply`) and
//! `find` must return, never panic, and every snippet `find` cuts out must
//! be accepted by its field's own parser (as `find` promises).
#![no_main]

use leadline_domain::{FieldName, Lead, fields};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u8, u16, &str)| {
    let (expecting, days, text) = input;
    let expecting = FieldName::ALL.get(usize::from(expecting)).copied();
    // Any day from 2000 on: relative timelines ("next month", "fin de año")
    // are anchored on it, month and year ends included.
    let today = jiff::civil::date(2000, 1, 1)
        .checked_add(jiff::Span::new().days(i64::from(days)))
        .expect("within jiff's range");

    let mut lead = Lead::default();
    for field in FieldName::ALL {
        if fields::apply(&mut lead, field, text, today).is_ok() {
            assert!(lead.has(field), "{field} accepted but not stored");
        }
    }

    for (field, snippet) in fields::find(text, expecting, today) {
        let mut lead = Lead::default();
        if let Err(e) = fields::apply(&mut lead, field, &snippet, today) {
            panic!("find cut out {snippet:?} for {field} but apply refused it: {e}");
        }
    }
});
