//! Reading a customer message before fields are written, on arbitrary
//! text: every reader returns, never panics, and what `statements` keeps
//! are sentences of the message itself, so no field can be read from words
//! the customer did not write.
#![no_main]

use leadline_domain::{fields, reading};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    for line in reading::statements(text).lines() {
        assert!(text.contains(line), "{line:?} is not part of the message");
    }
    let _ = reading::asks_for_person(text);
    let _ = reading::speaks_of_others(text);
    let _ = reading::correction(text);
    if let Some(name) = fields::parse_profile_name(text) {
        assert!(!name.is_empty());
    }
});
