//! Booking a call: a qualified lead books a slot of the clock's week, the
//! rep hears of it once, and a slot taken meanwhile is not booked twice.

use super::*;

#[tokio::test]
async fn a_qualified_lead_books_a_slot_of_the_clocks_week_and_the_rep_hears_once() {
    let rep = customer("34600999001");
    let mut h = Harness::with(Setup {
        side_effects: SideEffects {
            rep: Some(RepContact {
                phone: rep.clone(),
                template: None,
            }),
            ..SideEffects::default()
        },
        ..Setup::default()
    })
    .await;
    let ana = customer("14155550107");
    let mut offer = Vec::new();
    for line in QUALIFY_EN {
        offer = h.say(&ana, line).await;
    }
    let Some(OutgoingBody::List { rows, .. }) = offer.last().map(|m| &m.body) else {
        panic!("no list of slots: {offer:?}");
    };
    // Slots follow the clock: the first is after the clock's now.
    let first: Timestamp = rows[0].id.parse().expect("a slot id is its start");
    assert!(first > h.time.now(), "{rows:?}");
    let row = rows[1].clone();
    h.pick(&ana, &row).await;
    let replies = h.outlet.sent_to(&ana);
    let booked = replies
        .iter()
        .map(text_of)
        .find(|t| t.starts_with("Done! Your call with our team is booked for"));
    assert!(booked.is_some(), "{replies:?}");
    let start: Timestamp = row.id.parse().expect("a slot id");
    let calls = h
        .store
        .calls_between(start, start + jiff::SignedDuration::from_hours(1))
        .await
        .expect("calls");
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].start, start);
    let conversation = h.store.load(&ana).await.expect("load").expect("saved");
    assert_eq!(conversation.stage, "handoff");
    assert_eq!(h.outlet.sent_to(&rep).len(), 1, "the rep is told once");

    // Handed off: what the customer writes now is the team's.
    assert!(h.say(&ana, "perfect, thanks").await.is_empty());
    h.stop().await;
}

#[tokio::test]
async fn a_slot_taken_meanwhile_is_not_double_booked() {
    let mut h = Harness::start().await;
    let ana = customer("14155550108");
    let mut offer = Vec::new();
    for line in QUALIFY_EN {
        offer = h.say(&ana, line).await;
    }
    let Some(OutgoingBody::List { rows, .. }) = offer.last().map(|m| &m.body) else {
        panic!("no list of slots: {offer:?}");
    };
    let row = rows[0].clone();
    let start: Timestamp = row.id.parse().expect("a slot id");
    // Someone else books that time between the offer and the pick.
    let other = CalendarCall {
        key: "call-other".to_owned(),
        start,
        end: start + jiff::SignedDuration::from_mins(30),
        summary: "Call with someone else".to_owned(),
        description: String::new(),
        attendee: None,
    };
    assert!(matches!(
        h.store.reserve(&other).await.expect("reserve"),
        Reservation::Booked(_)
    ));
    h.pick(&ana, &row).await;
    let calls = h
        .store
        .calls_between(start, start + jiff::SignedDuration::from_hours(1))
        .await
        .expect("calls");
    assert_eq!(calls, vec![other], "the slot stays the other's");
    let conversation = h.store.load(&ana).await.expect("load").expect("saved");
    assert_eq!(conversation.stage, "scheduling", "still to be booked");
    h.stop().await;
}
