//! What the engine sends unasked: reminders of a booked call (never of a
//! moved one) and nudges to a quiet lead, within the window and never
//! after an opt-out.

use super::*;

/// Qualifies `customer` and books the second slot offered; its start.
async fn book(h: &mut Harness, customer: &CustomerId) -> Timestamp {
    let mut offer = Vec::new();
    for line in QUALIFY_EN {
        offer = h.say(customer, line).await;
    }
    let Some(OutgoingBody::List { rows, .. }) = offer.last().map(|m| &m.body) else {
        panic!("no list of slots: {offer:?}");
    };
    let row = rows[1].clone();
    h.pick(customer, &row).await;
    row.id.parse().expect("a slot id is its start")
}

fn reminders(sent: &[OutgoingMessage]) -> Vec<&str> {
    sent.iter()
        .map(text_of)
        .filter(|t| t.starts_with("A reminder of your call"))
        .collect()
}

#[tokio::test]
async fn a_booked_call_is_reminded_of_once_an_hour_before_even_across_a_restart() {
    let mut h = Harness::start().await;
    let ana = customer("14155550121");
    let start = book(&mut h, &ana).await;
    // Booked hours ahead: the 24-hour reminder's time has passed, so only
    // the hour's is set.
    let reminder_at = start - jiff::SignedDuration::from_hours(1);
    let wait = h.time.now().duration_until(reminder_at);
    let early = Duration::try_from(wait - jiff::SignedDuration::from_mins(1)).unwrap();
    h.time.advance(early);
    h.settled(&ana).await;
    assert!(
        reminders(&h.outlet.sent_to(&ana)).is_empty(),
        "not before its time"
    );

    h.restart().await;
    h.time.advance(Duration::from_secs(61));
    h.settled(&ana).await;
    let sent = h.outlet.sent_to(&ana);
    assert_eq!(reminders(&sent).len(), 1, "{sent:?}");
    let when = Playbook::builtin()
        .scheduling
        .slot_of(&start.to_string())
        .expect("a slot")
        .description(leadline_domain::Language::En);
    assert_eq!(
        reminders(&sent)[0],
        format!("A reminder of your call with our team: {when}.")
    );

    h.restart().await;
    h.time.advance(Duration::from_secs(3 * 3600));
    h.settled(&ana).await;
    assert_eq!(reminders(&h.outlet.sent_to(&ana)).len(), 1, "once");
    let view = h.store.events(&ana).await.expect("events");
    assert!(view.iter().any(|e| matches!(
        e.event,
        leadline_domain::events::Event::ReminderSent {
            template: false,
            ..
        }
    )));
    h.stop().await;
}

#[tokio::test]
async fn a_moved_call_is_never_reminded_of() {
    let mut h = Harness::start().await;
    let ana = customer("14155550122");
    let start = book(&mut h, &ana).await;
    let moved = h.say(&ana, "so sorry, I can't make it").await;
    assert!(
        moved
            .iter()
            .any(|m| matches!(m.body, OutgoingBody::List { .. })),
        "fresh slots: {moved:?}"
    );
    let conversation = h.store.load(&ana).await.expect("load").expect("saved");
    assert!(conversation.booked.is_none(), "the old call is cancelled");
    h.time
        .advance(Duration::try_from(h.time.now().duration_until(start)).unwrap());
    h.settled(&ana).await;
    assert!(
        reminders(&h.outlet.sent_to(&ana)).is_empty(),
        "{:?}",
        h.outlet.sent_to(&ana)
    );
    h.stop().await;
}

#[tokio::test]
async fn a_quiet_lead_is_nudged_once_per_silence_and_never_after_an_opt_out() {
    let mut h = Harness::start().await;
    let ana = customer("14155550123");
    let asked = h.say(&ana, "Hi there").await;
    assert!(text_of(asked.last().unwrap()).contains('?'), "{asked:?}");
    h.time.advance(Duration::from_secs(4 * 3600 - 60));
    h.settled(&ana).await;
    assert_eq!(
        h.outlet.sent_to(&ana).len(),
        asked.len(),
        "not before 4 hours"
    );

    h.time.advance(Duration::from_secs(60));
    h.settled(&ana).await;
    let sent = h.outlet.sent_to(&ana);
    assert_eq!(sent.len(), asked.len() + 1, "{sent:?}");
    let nudge = text_of(sent.last().unwrap());
    assert!(nudge.starts_with("Still there? "), "{nudge}");
    assert!(nudge.contains("name"), "names what is missing: {nudge}");

    h.time.advance(Duration::from_secs(8 * 3600));
    h.settled(&ana).await;
    assert_eq!(h.outlet.sent_to(&ana).len(), sent.len(), "max = 1");

    // A reply ends the silence; the next silence gets its own nudge.
    h.say(&ana, "sorry, I'm Ana from Acme").await;
    let before = h.outlet.sent_to(&ana).len();
    h.time.advance(Duration::from_secs(4 * 3600));
    h.settled(&ana).await;
    assert_eq!(h.outlet.sent_to(&ana).len(), before + 1);
    let events = h.store.events(&ana).await.expect("events");
    use leadline_domain::events::Event;
    assert!(events.iter().any(|e| e.event == Event::FollowUpAnswered));
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e.event, Event::FollowedUp { n: 1 }))
            .count(),
        2
    );

    // Opted out: the nudge set by the turn before never goes.
    let bob = customer("14155550124");
    h.say(&bob, "Hi there").await;
    let confirmed = h.say(&bob, "STOP").await;
    assert_eq!(confirmed.len(), 1);
    assert!(text_of(&confirmed[0]).contains("START"), "{confirmed:?}");
    let count = h.outlet.sent_to(&bob).len();
    h.time.advance(Duration::from_secs(24 * 3600));
    h.settled(&bob).await;
    assert!(
        h.say(&bob, "hello?").await.is_empty(),
        "silent while opted out"
    );
    assert_eq!(h.outlet.sent_to(&bob).len(), count);
    h.stop().await;
}

#[tokio::test]
async fn a_nudge_waits_for_the_window_and_is_not_sent_once_it_has_closed() {
    let mut h = Harness::start().await;
    let ana = customer("14155550125");
    let asked = h.say(&ana, "Hi there").await;
    // The engine was down for a day: the nudge's time came and went with
    // the customer's 24-hour window.
    h.stop_for(Duration::from_secs(25 * 3600)).await;
    h.settled(&ana).await;
    assert_eq!(h.outlet.sent_to(&ana).len(), asked.len());
    let events = h.store.events(&ana).await.expect("events");
    assert!(
        !events
            .iter()
            .any(|e| matches!(e.event, leadline_domain::events::Event::FollowedUp { .. }))
    );
    h.stop().await;
}
