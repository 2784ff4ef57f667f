//! `parse_notification` on arbitrary bytes: it must return, never panic,
//! and whatever it accepts must walk cleanly through the accessors.
#![no_main]

use leadline_whatsapp::webhook::parse_notification;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(notification) = parse_notification(body) {
        for event in notification.messages() {
            let _ = (
                event.message.sender(),
                event.message.kind.type_name(),
                event.message.kind.media(),
            );
            let _ = event.contact.and_then(|c| c.name());
        }
        for event in notification.statuses() {
            let _ = (event.status.recipient(), event.status.status.as_str());
        }
        let _ = notification.other_changes().count();
    }
});
