//! The local calendar: a slot is booked once, under its key once, freed
//! by a cancel, and listed by overlap.

use super::*;

pub(super) async fn a_slot_is_booked_once<B: Backend>() {
    let b = B::new().await;
    let store = b.handle().await;
    let first = call("lead-a", 1, 30);
    assert_eq!(
        store.reserve(&first).await.unwrap(),
        Reservation::Booked(first.clone())
    );
    assert_eq!(
        store.reserve(&call("lead-b", 1, 30)).await.unwrap(),
        Reservation::Taken
    );
    // Overlapping without the same start is taken too.
    let mut overlapping = call("lead-c", 1, 30);
    overlapping.start += SignedDuration::from_mins(15);
    overlapping.end += SignedDuration::from_mins(15);
    assert_eq!(
        store.reserve(&overlapping).await.unwrap(),
        Reservation::Taken
    );
    // Back to back is fine.
    let next = call("lead-d", 0, 60);
    assert_eq!(
        store.reserve(&next).await.unwrap(),
        Reservation::Booked(next.clone())
    );
}

pub(super) async fn a_booking_retried_under_its_key_books_once<B: Backend>() {
    let b = B::new().await;
    let store = b.handle().await;
    let booking = call("lead-a", 1, 30);
    store.reserve(&booking).await.unwrap();
    // The retry may carry a different time (a new pick): the key's call stands.
    let retry = call("lead-a", 3, 30);
    assert_eq!(
        store.reserve(&retry).await.unwrap(),
        Reservation::Booked(booking.clone())
    );
    let (from, to) = (booking.start - SignedDuration::from_hours(1), retry.end);
    assert_eq!(store.calls_between(from, to).await.unwrap(), vec![booking]);
}

pub(super) async fn a_cancelled_call_frees_its_slot_but_not_its_key<B: Backend>() {
    let b = B::new().await;
    let store = b.handle().await;
    let booking = call("lead-a", 1, 30);
    store.reserve(&booking).await.unwrap();
    store.cancel_call("lead-a").await.unwrap();
    store.cancel_call("lead-a").await.unwrap();
    store.cancel_call("never-booked").await.unwrap();
    assert_eq!(
        store.reserve(&booking).await.unwrap(),
        Reservation::Cancelled
    );
    let other = call("lead-b", 1, 30);
    assert_eq!(
        store.reserve(&other).await.unwrap(),
        Reservation::Booked(other.clone())
    );
}

pub(super) async fn calls_are_listed_by_the_time_they_overlap<B: Backend>() {
    let b = B::new().await;
    let store = b.handle().await;
    let (early, late) = (call("a", 1, 30), call("b", 5, 30));
    store.reserve(&late).await.unwrap();
    store.reserve(&early).await.unwrap();
    let span = |from: i64, to: i64| {
        let base = early.start - SignedDuration::from_hours(1);
        (
            base + SignedDuration::from_mins(from),
            base + SignedDuration::from_mins(to),
        )
    };
    let (from, to) = span(0, 600);
    assert_eq!(
        store.calls_between(from, to).await.unwrap(),
        vec![early.clone(), late.clone()]
    );
    // [from, to) touching a call's end or start does not overlap it.
    let (from, to) = span(90, 300);
    assert_eq!(store.calls_between(from, to).await.unwrap(), vec![]);
    let (from, to) = span(89, 301);
    assert_eq!(
        store.calls_between(from, to).await.unwrap(),
        vec![early, late]
    );
}

pub(super) async fn concurrent_picks_of_one_slot_book_it_once<B: Backend>() {
    const PICKERS: usize = 8;
    let b = B::new().await;
    let mut tasks = Vec::new();
    for n in 0..PICKERS {
        let store = b.handle().await;
        tasks.push(tokio::spawn(async move {
            store.reserve(&call(&format!("lead-{n}"), 1, 30)).await
        }));
    }
    let mut booked = 0;
    for task in tasks {
        match task.await.unwrap().expect("reserve") {
            Reservation::Booked(_) => booked += 1,
            Reservation::Taken => {}
            Reservation::Cancelled => panic!("no key was cancelled"),
        }
    }
    assert_eq!(booked, 1, "exactly one of the pickers gets the slot");
}
