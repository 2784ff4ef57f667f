//! The Google Calendar client against the fake Google on loopback, reached
//! through the key file's `token_uri` and the API base, as in production.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use leadline_domain::schedule::{Slot, SlotRules, free_slots};
use leadline_integrations::{BookedEvent, Booking, Calendar, CalendarError, GoogleCalendar};
use leadline_testkit::google::{FakeGoogle, TEST_CLIENT_EMAIL, TEST_PRIVATE_KEY_PEM};
use serde_json::json;
use tempfile::TempDir;

/// A group calendar id: `#` and `@` must be percent-encoded in paths.
const CALENDAR: &str = "team#sales@group.calendar.google.com";
const MX: &str = "America/Mexico_City";

struct Setup {
    google: FakeGoogle,
    calendar: GoogleCalendar,
    _dir: TempDir,
}

impl Setup {
    /// Books `slot` for lead 1 (its idempotency key `lead-1`): the booking
    /// most tests make, and make again to see it is not made twice.
    async fn book_lead_1(&self, slot: &Slot) -> Result<BookedEvent, CalendarError> {
        self.calendar.book(&booking(slot.clone(), "lead-1")).await
    }
}

async fn setup() -> Setup {
    let google = FakeGoogle::start().await;
    let dir = TempDir::new().unwrap();
    let key = google.key_file(dir.path());
    let calendar = GoogleCalendar::from_key_file(&key, CALENDAR, Some(google.base_url())).unwrap();
    Setup {
        google,
        calendar,
        _dir: dir,
    }
}

fn mexico_city() -> TimeZone {
    TimeZone::get(MX).unwrap()
}

fn at(local: &str) -> Timestamp {
    local
        .parse::<DateTime>()
        .unwrap()
        .to_zoned(mexico_city())
        .unwrap()
        .timestamp()
}

fn rules() -> SlotRules {
    SlotRules {
        time_zone: mexico_city(),
        ..SlotRules::default()
    }
}

/// The first free slot seen from Monday 1 December 2025, 08:00 in Mexico City.
async fn first_slot(calendar: &GoogleCalendar) -> leadline_domain::schedule::Slot {
    let now = at("2025-12-01T08:00");
    let busy = calendar.busy(now, now + 168.hours()).await;
    free_slots(&busy.unwrap(), now, &rules(), 1).remove(0)
}

fn booking(slot: leadline_domain::schedule::Slot, key: &str) -> Booking {
    Booking {
        slot,
        summary: "Llamada con Ana (Acme)".into(),
        description: "Budget: 5000 USD/mes\nAuthority: CEO\nNeed: CRM\nTimeline: enero".into(),
        attendee_email: Some("ana@acme.example".into()),
        idempotency_key: key.into(),
    }
}

#[tokio::test]
async fn the_token_is_fetched_once_and_reused() {
    let s = setup().await;
    let now = at("2025-12-01T08:00");
    s.calendar.busy(now, now + 1.hour()).await.unwrap();
    s.calendar.busy(now, now + 2.hours()).await.unwrap();
    let slot = first_slot(&s.calendar).await;
    s.book_lead_1(&slot).await.unwrap();
    assert_eq!(s.google.tokens_issued(), 1);
}

#[tokio::test]
async fn a_token_about_to_expire_is_renewed() {
    let s = setup().await;
    // Shorter than the refresh margin: every call needs a new token.
    s.google.set_token_lifetime(30);
    let now = at("2025-12-01T08:00");
    s.calendar.busy(now, now + 1.hour()).await.unwrap();
    s.calendar.busy(now, now + 1.hour()).await.unwrap();
    assert_eq!(s.google.tokens_issued(), 2);
}

#[tokio::test]
async fn free_slots_skip_busy_events_and_respect_hours_and_lead_time() {
    let s = setup().await;
    s.google
        .add_event(CALENDAR, at("2025-12-01T10:00"), at("2025-12-01T11:15"));
    s.google
        .add_event(CALENDAR, at("2025-12-01T12:00"), at("2025-12-01T18:00"));
    s.google.add_event(
        "someone-else@example.com",
        at("2025-12-01T11:30"),
        at("2025-12-01T12:00"),
    );
    let now = at("2025-12-01T08:00");
    let busy = s.calendar.busy(now, at("2025-12-08T08:00")).await.unwrap();
    assert_eq!(busy.len(), 2);
    let slots = free_slots(&busy, now, &rules(), 4);
    let ids: Vec<String> = slots.iter().map(|s| s.id()).collect();
    assert_eq!(
        ids,
        [
            "2025-12-01T11:30:00-06:00",
            "2025-12-02T09:00:00-06:00",
            "2025-12-02T09:30:00-06:00",
            "2025-12-02T10:00:00-06:00",
        ]
    );
}

#[tokio::test]
async fn a_booking_creates_one_event_with_time_zone_attendee_and_description() {
    let s = setup().await;
    let slot = first_slot(&s.calendar).await;
    let booked = s.book_lead_1(&slot).await.unwrap();
    assert_eq!(booked.start, slot.start.timestamp());
    assert_eq!(booked.end, slot.end.timestamp());
    let events = s.google.events();
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event.id, booked.id);
    assert_eq!(event.calendar_id, CALENDAR);
    let r = &event.resource;
    assert_eq!(
        r["start"],
        json!({ "dateTime": "2025-12-01T10:00:00-06:00", "timeZone": MX })
    );
    assert_eq!(
        r["end"],
        json!({ "dateTime": "2025-12-01T10:30:00-06:00", "timeZone": MX })
    );
    assert_eq!(r["attendees"][0]["email"], "ana@acme.example");
    assert_eq!(r["summary"], "Llamada con Ana (Acme)");
    assert!(
        r["description"]
            .as_str()
            .unwrap()
            .contains("Authority: CEO")
    );
    assert_eq!(booked.link.as_deref(), r["htmlLink"].as_str());
}

#[tokio::test]
async fn a_retried_booking_does_not_create_a_second_event() {
    let s = setup().await;
    let slot = first_slot(&s.calendar).await;
    let first = s.book_lead_1(&slot).await.unwrap();
    let again = s.book_lead_1(&slot).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(s.google.events().len(), 1);
}

#[tokio::test]
async fn a_booking_whose_answer_was_lost_is_not_booked_twice() {
    let s = setup().await;
    let slot = first_slot(&s.calendar).await;
    s.google.lose_next_insert_answer(503);
    let err = s.book_lead_1(&slot).await.unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
    let retried = s.book_lead_1(&slot).await.unwrap();
    let events = s.google.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].id, retried.id);
}

#[tokio::test]
async fn concurrent_attempts_of_one_booking_make_one_event() {
    let s = setup().await;
    let slot = first_slot(&s.calendar).await;
    let (a, b) = (booking(slot.clone(), "lead-1"), booking(slot, "lead-1"));
    let (a, b) = tokio::join!(s.calendar.book(&a), s.calendar.book(&b));
    assert_eq!(a.unwrap(), b.unwrap());
    assert_eq!(s.google.events().len(), 1);
}

#[tokio::test]
async fn a_slot_taken_between_offer_and_pick_is_slot_taken() {
    let s = setup().await;
    let slot = first_slot(&s.calendar).await;
    s.google.add_event(
        CALENDAR,
        slot.start.timestamp() + 15.minutes(),
        slot.end.timestamp() + 15.minutes(),
    );
    let err = s.book_lead_1(&slot).await.unwrap_err();
    assert!(matches!(err, CalendarError::SlotTaken), "{err:?}");
    assert!(!err.is_retryable());
    assert_eq!(s.google.events().len(), 1);
}

#[tokio::test]
async fn a_500_is_retryable_and_the_retry_books_once() {
    let s = setup().await;
    let slot = first_slot(&s.calendar).await;
    s.google.fail_next(vec![500]);
    let err = s.book_lead_1(&slot).await.unwrap_err();
    assert!(
        matches!(err, CalendarError::Status { status: 500, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());
    s.book_lead_1(&slot).await.unwrap();
    assert_eq!(s.google.events().len(), 1);
}

#[tokio::test]
async fn rate_limits_are_retryable_and_refusals_are_not() {
    let s = setup().await;
    let now = at("2025-12-01T08:00");
    s.google.fail_next(vec![429, 403]);
    let limited = s.calendar.busy(now, now + 1.hour()).await.unwrap_err();
    let refused = s.calendar.busy(now, now + 1.hour()).await.unwrap_err();
    assert!(limited.is_retryable(), "{limited:?}");
    assert!(!refused.is_retryable(), "{refused:?}");
    assert!(refused.to_string().contains("403"), "{refused}");
}

#[tokio::test]
async fn cancelling_deletes_the_event_and_is_idempotent() {
    let s = setup().await;
    let slot = first_slot(&s.calendar).await;
    let booked = s.book_lead_1(&slot).await.unwrap();
    s.calendar.cancel(&booked.id).await.unwrap();
    s.calendar.cancel(&booked.id).await.unwrap();
    assert_eq!(s.google.events()[0].status, "cancelled");
    // The time is free again, but the old key names the cancelled event.
    let again = s.book_lead_1(&slot).await;
    assert!(matches!(again, Err(CalendarError::Cancelled)), "{again:?}");
    s.calendar
        .book(&booking(slot, "lead-1-rebooked"))
        .await
        .unwrap();
}

#[tokio::test]
async fn an_unreachable_api_is_retryable() {
    let google = FakeGoogle::start().await;
    let dir = TempDir::new().unwrap();
    let key = google.key_file(dir.path());
    // Bound then dropped: nothing listens there any more.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let calendar = GoogleCalendar::from_key_file(&key, CALENDAR, Some(base)).unwrap();
    let now = at("2025-12-01T08:00");
    let err = calendar.busy(now, now + 1.hour()).await.unwrap_err();
    assert!(matches!(err, CalendarError::Unreachable(_)), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn the_token_endpoint_refuses_a_key_it_does_not_know() {
    let google = FakeGoogle::start().await;
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("other.json");
    let key = json!({
        "type": "service_account",
        "client_email": "intruder@example.iam.gserviceaccount.com",
        "private_key": TEST_PRIVATE_KEY_PEM,
        "token_uri": google.token_uri(),
    });
    std::fs::write(&path, key.to_string()).unwrap();
    let calendar = GoogleCalendar::from_key_file(&path, CALENDAR, Some(google.base_url())).unwrap();
    let now = at("2025-12-01T08:00");
    let err = calendar.busy(now, now + 1.hour()).await.unwrap_err();
    assert!(
        matches!(&err, CalendarError::Status { status: 400, message } if message.contains("Invalid issuer")),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert_eq!(google.tokens_issued(), 0);
}

#[test]
fn a_bad_key_file_names_the_file_and_the_problem() {
    let dir = TempDir::new().unwrap();
    let write = |name: &str, key: serde_json::Value| {
        let path = dir.path().join(name);
        std::fs::write(&path, key.to_string()).unwrap();
        path
    };
    let error = |path: &std::path::Path| {
        GoogleCalendar::from_key_file(path, CALENDAR, None)
            .err()
            .expect("a bad key file is refused")
            .to_string()
    };

    let no_key = write(
        "no-key.json",
        json!({ "client_email": TEST_CLIENT_EMAIL, "token_uri": "https://oauth2.googleapis.com/token" }),
    );
    let message = error(&no_key);
    assert!(message.contains("no-key.json"), "{message}");
    assert!(message.contains("missing field `private_key`"), "{message}");

    let bad_pem = write(
        "bad-pem.json",
        json!({
            "client_email": TEST_CLIENT_EMAIL,
            "private_key": "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n",
            "token_uri": "https://oauth2.googleapis.com/token",
        }),
    );
    let message = error(&bad_pem);
    assert!(
        message.contains("bad-pem.json") && message.contains("private_key"),
        "{message}"
    );

    let bad_uri = write(
        "bad-uri.json",
        json!({ "client_email": TEST_CLIENT_EMAIL, "private_key": TEST_PRIVATE_KEY_PEM, "token_uri": "oauth2" }),
    );
    let message = error(&bad_uri);
    assert!(
        message.contains("bad-uri.json") && message.contains("token_uri"),
        "{message}"
    );

    let missing = dir.path().join("missing.json");
    let message = error(&missing);
    assert!(message.contains("missing.json"), "{message}");
}

#[test]
fn a_bad_api_base_is_a_settings_error() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("key.json");
    let key = json!({
        "client_email": TEST_CLIENT_EMAIL,
        "private_key": TEST_PRIVATE_KEY_PEM,
        "token_uri": "https://oauth2.googleapis.com/token",
    });
    std::fs::write(&path, key.to_string()).unwrap();
    let err = GoogleCalendar::from_key_file(&path, CALENDAR, Some("mailto:x@y".into()))
        .err()
        .expect("a non-http base is refused");
    assert!(matches!(err, CalendarError::Config(_)), "{err:?}");
    assert!(GoogleCalendar::from_key_file(&path, CALENDAR, None).is_ok());
}
