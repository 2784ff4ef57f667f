//! `verify_signature` on an arbitrary header and body: it must never panic,
//! must refuse what it was not given a real signature for, and must accept
//! the signature `sign` makes for the same body.
#![no_main]

use leadline_whatsapp::signature::{sign, verify_signature};
use libfuzzer_sys::fuzz_target;

const SECRET: &[u8] = b"fuzz-app-secret";

fuzz_target!(|input: (Option<&str>, &[u8])| {
    let (header, body) = input;
    let real = sign(SECRET, body);
    let verdict = verify_signature(SECRET, header, body);
    // The header names the algorithm in lower case; the hex digits may be
    // of either case.
    let is_real = header
        .and_then(|h| h.trim().strip_prefix("sha256="))
        .is_some_and(|digits| digits.eq_ignore_ascii_case(&real["sha256=".len()..]));
    assert_eq!(verdict.is_ok(), is_real, "header {header:?}");
    assert!(verify_signature(SECRET, Some(&real), body).is_ok());
});
