//! Booking a call end to end: a lead qualifies through signed webhooks, is
//! offered free slots as a WhatsApp list on the fake Graph API, picks one,
//! and the call lands on the fake Google Calendar (or, with no Google
//! settings, on the local calendar in the store); the CRM receives the
//! lead once and the sales rep is told.

mod support;

use jiff::{SignedDuration, Timestamp};
use leadline_domain::conversation::HandoffReason;
use leadline_stores::CalendarStore;
use leadline_testkit::crm::FakeCrm;
use leadline_testkit::google::FakeGoogle;
use leadline_testkit::graph::{FakeGraph, SentMessage};
use leadline_testkit::webhook;
use serde_json::Value;
use std::time::{Duration, Instant};
use support::customer::{Customer, list_body, list_rows, store, text};
use support::{ACCESS_TOKEN, Options, QUALIFY_EN, QUALIFY_ES, TestApp};

const WAIT: Duration = Duration::from_secs(30);
const CALENDAR_ID: &str = "sales@tuvendedor24.example";
const ZONE: &str = "America/Mexico_City";
const HANDOFF_ES: &str = "Te comunico ahora mismo con una persona de nuestro equipo.";
const HANDOFF_EN: &str = "Let me connect you with one of our team members right now.";
const CRM_SECRET: &str = "crm-secret";
const REP: &str = "34600999001";

/// A server booking on the fake Google Calendar, and the fakes it talks to.
async fn google_app() -> (FakeGoogle, FakeGraph, TestApp) {
    let (google, graph) = (
        FakeGoogle::start().await,
        FakeGraph::start(ACCESS_TOKEN).await,
    );
    let app = google_app_with(&google, Options::new(&graph.base_url())).await;
    (google, graph, app)
}

async fn google_app_with(google: &FakeGoogle, options: Options) -> TestApp {
    let key_dir = tempfile::tempdir().unwrap();
    let key = google.key_file(key_dir.path());
    let app = TestApp::spawn(
        options
            .env("GOOGLE_APPLICATION_CREDENTIALS", key.to_str().unwrap())
            .env("GOOGLE_CALENDAR_ID", CALENDAR_ID)
            .env("GOOGLE_API_BASE", &google.base_url()),
    )
    .await;
    // The key is read at start.
    drop(key_dir);
    app
}

/// Handoffs go to `crm` and to the rep.
fn with_team(options: Options, crm: &FakeCrm) -> Options {
    options
        .env("LEADLINE_CRM_WEBHOOK_URL", &crm.url())
        .env("LEADLINE_CRM_WEBHOOK_SECRET", CRM_SECRET)
        .env("LEADLINE_REP_PHONE", REP)
}

/// A server booking on its local calendar (no Google), with handoffs
/// going to the CRM and the rep, and the fakes it talks to.
async fn local_calendar_app_with_team() -> (FakeGraph, FakeCrm, TestApp) {
    let (graph, crm) = (
        FakeGraph::start(ACCESS_TOKEN).await,
        FakeCrm::start(CRM_SECRET).await,
    );
    let app = TestApp::spawn(with_team(Options::new(&graph.base_url()), &crm)).await;
    (graph, crm, app)
}

/// Checks the team heard of the booking once: one signed CRM delivery of
/// the booked lead, one notice to the rep; returns the delivery's body.
async fn the_team_heard_once(
    app: &TestApp,
    crm: &FakeCrm,
    graph: &FakeGraph,
    wa_id: &str,
    start: Timestamp,
) -> Value {
    crm.wait_for(1, WAIT).await.expect("the CRM delivery");
    let deadline = Instant::now() + WAIT;
    let notice = loop {
        if let Some(notice) = graph.sent().into_iter().find(|m| m.to == REP) {
            break notice;
        }
        assert!(Instant::now() < deadline, "waiting for the rep's notice");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    app.settled(&[wa_id, REP]).await;
    let deliveries = crm.deliveries();
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    assert_eq!(graph.sent().iter().filter(|m| m.to == REP).count(), 1);
    let body = deliveries[0].body.clone();
    assert_eq!(body["event"], "lead.call_booked", "{body}");
    assert_eq!(body["whatsapp_id"], wa_id);
    assert_eq!(body["handoff"]["reason"], "flow_completed");
    let booked: Timestamp = body["call"]["start"].as_str().unwrap().parse().unwrap();
    assert_eq!(booked, start);
    let text = notice.text.unwrap_or_default();
    assert!(text.contains("Motivo: llamada agendada"), "{text}");
    body
}

/// The fake calendar's events that are not cancelled.
fn confirmed(google: &FakeGoogle) -> Vec<leadline_testkit::google::FakeEvent> {
    google
        .events()
        .into_iter()
        .filter(|e| e.status == "confirmed")
        .collect()
}

#[tokio::test]
async fn an_english_lead_picks_a_slot_from_the_list_and_the_call_is_on_google_calendar() {
    let (google, graph) = (
        FakeGoogle::start().await,
        FakeGraph::start(ACCESS_TOKEN).await,
    );
    let crm = FakeCrm::start(CRM_SECRET).await;
    let app = google_app_with(&google, with_team(Options::new(&graph.base_url()), &crm)).await;
    let mut ana = Customer::new(&app, &graph, "14155550111");

    let rows = ana.qualify(&QUALIFY_EN, "See times").await;
    // Given in passing, the address is where the invitation goes.
    ana.say("please send the invite to Ana@Acme.example", 1)
        .await;
    let replies = ana.pick(&rows[1], 2).await;

    assert!(
        text(&replies[0]).starts_with("Done! Your call with our team is booked for"),
        "{replies:?}"
    );
    assert!(text(&replies[0]).ends_with(" CST."), "{replies:?}");
    assert_eq!(text(&replies[1]), HANDOFF_EN);
    let events = confirmed(&google);
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(event.calendar_id, CALENDAR_ID);
    assert_eq!(event.start, rows[1].start());
    assert_eq!(event.end, rows[1].start() + SignedDuration::from_mins(30));
    assert_eq!(event.resource["start"]["timeZone"], ZONE);
    assert_eq!(event.resource["summary"], "Call with Ana (Acme)");
    assert_eq!(
        event.resource["attendees"][0]["email"], "ana@acme.example",
        "{}",
        event.resource
    );
    let description = event.resource["description"].as_str().unwrap();
    assert!(description.contains("Budget: "), "{description}");
    assert!(description.contains("Timeline: "), "{description}");
    let c = ana.conversation().await;
    assert_eq!(c.stage, "handoff");
    assert_eq!(
        c.handoff.map(|h| h.reason),
        Some(HandoffReason::FlowCompleted)
    );
    let lead = the_team_heard_once(&app, &crm, &graph, "14155550111", rows[1].start()).await;
    assert_eq!(lead["lead"]["name"], "Ana");
    assert_eq!(lead["lead"]["company"], "Acme");
    assert_eq!(lead["language"], "en");

    // Handed off, the bot still hears a request to cancel the call it booked.
    let replies = ana.say("I want to cancel the call", 1).await;
    assert!(
        text(&replies[0]).starts_with("Done, I cancelled your call."),
        "{replies:?}"
    );
    assert!(confirmed(&google).is_empty(), "{:?}", google.events());
    let deliveries = crm.wait_for(2, WAIT).await.expect("the cancellation");
    assert_eq!(deliveries[1].body["event"], "lead.call_cancelled");
    assert_eq!(ana.conversation().await.booked, None);
}

#[tokio::test]
async fn a_spanish_lead_books_on_the_local_calendar_by_writing_which_slot() {
    let (graph, crm, app) = local_calendar_app_with_team().await;
    let mut carlos = Customer::new(&app, &graph, "5215550112");

    let rows = carlos.qualify(&QUALIFY_ES, "Ver horarios").await;
    let replies = carlos.say("la primera", 2).await;

    assert!(
        text(&replies[0]).starts_with("¡Listo! Agendé tu llamada con nuestro equipo para el"),
        "{replies:?}"
    );
    assert_eq!(text(&replies[1]), HANDOFF_ES);
    let start = rows[0].start();
    let calls = store(&app)
        .await
        .calls_between(
            start - SignedDuration::from_hours(24),
            start + SignedDuration::from_hours(24),
        )
        .await
        .unwrap();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].start, start);
    assert_eq!(calls[0].summary, "Call with Carlos (Ferretería López)");
    assert_eq!(carlos.conversation().await.stage, "handoff");
    let lead = the_team_heard_once(&app, &crm, &graph, "5215550112", start).await;
    assert_eq!(lead["lead"]["name"], "Carlos");
    assert_eq!(lead["language"], "es");
    assert_eq!(lead["stage"], "handoff");
}

#[tokio::test]
async fn a_booked_lead_moves_the_call_and_later_cancels_it_and_the_team_hears_each_change() {
    let (graph, crm, app) = local_calendar_app_with_team().await;
    let mut carlos = Customer::new(&app, &graph, "5215550117");
    let rows = carlos.qualify(&QUALIFY_ES, "Ver horarios").await;
    carlos.pick(&rows[0], 2).await;
    let calls = async |app: &TestApp| {
        let from = rows[0].start() - SignedDuration::from_hours(24);
        store(app)
            .await
            .calls_between(from, from + SignedDuration::from_hours(24 * 30))
            .await
            .unwrap()
    };
    assert_eq!(calls(&app).await.len(), 1);

    // Anything else after the handoff is the team's: no answer.
    let id = carlos.next_id();
    app.customer_says(&carlos.wa_id, &id, "perfecto, gracias")
        .await;
    app.settled(&[&carlos.wa_id]).await;
    assert_eq!(
        graph.sent().iter().filter(|m| m.to == carlos.wa_id).count(),
        carlos.seen
    );

    let replies = carlos
        .say("me surgió algo, ¿podemos mover la llamada a otro día?", 1)
        .await;
    assert_eq!(
        list_body(&replies[0]),
        "Claro, cancelé la llamada anterior. ¿Cuál de estos horarios te queda mejor?"
    );
    let fresh = list_rows(&replies[0], "Ver horarios");
    assert!(calls(&app).await.is_empty(), "the old call is cancelled");
    let c = carlos.conversation().await;
    assert_eq!((c.stage.as_str(), c.handoff), ("scheduling", None));

    let moved = fresh.iter().find(|r| r.id != rows[0].id).unwrap();
    let replies = carlos.pick(moved, 2).await;
    assert!(text(&replies[0]).starts_with("¡Listo!"), "{replies:?}");
    let now_booked = calls(&app).await;
    assert_eq!(now_booked.len(), 1);
    assert_eq!(now_booked[0].start, moved.start());

    let replies = carlos.say("quiero cancelar la llamada", 1).await;
    assert!(
        text(&replies[0]).starts_with("Listo, cancelé tu llamada."),
        "{replies:?}"
    );
    assert!(calls(&app).await.is_empty());

    let deliveries = crm.wait_for(4, WAIT).await.expect("four CRM deliveries");
    let events: Vec<&str> = deliveries
        .iter()
        .map(|d| d.body["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "lead.call_booked",
            "lead.call_cancelled",
            "lead.call_booked",
            "lead.call_cancelled"
        ]
    );
    let told: Vec<String> = graph
        .sent()
        .into_iter()
        .filter(|m| m.to == REP)
        .filter_map(|m| m.text)
        .collect();
    assert_eq!(told.len(), 4, "{told:?}");
    assert!(
        told[1].contains("pidió cambiar la hora de la llamada"),
        "{told:?}"
    );
    assert!(told[3].contains("canceló la llamada"), "{told:?}");
}

#[tokio::test]
async fn a_slot_taken_after_the_offer_gets_an_apology_and_fresh_slots() {
    let (google, graph, app) = google_app().await;
    let mut ana = Customer::new(&app, &graph, "14155550113");
    let rows = ana.qualify(&QUALIFY_EN, "See times").await;
    // Someone else takes the first slot meanwhile.
    let taken = rows[0].start();
    google.add_event(CALENDAR_ID, taken, taken + SignedDuration::from_mins(30));

    let replies = ana.pick(&rows[0], 1).await;

    // The apology is the list's body.
    assert_eq!(
        list_body(&replies[0]),
        "Sorry, that time was just taken. These are still free:"
    );
    let fresh = list_rows(&replies[0], "See times");
    assert!(fresh.iter().all(|r| r.start() != taken), "{fresh:?}");
    assert_eq!(confirmed(&google).len(), 1, "only the other event");
    assert_eq!(ana.conversation().await.stage, "scheduling");

    // The fresh offer books.
    ana.pick(&fresh[0], 2).await;
    assert_eq!(confirmed(&google).len(), 2);
}

#[tokio::test]
async fn a_calendar_500_while_booking_is_told_and_the_retry_books_once() {
    let (google, graph, app) = google_app().await;
    let mut ana = Customer::new(&app, &graph, "14155550114");
    let rows = ana.qualify(&QUALIFY_EN, "See times").await;
    // The insert is stored but its answer is a 500.
    google.lose_next_insert_answer(500);

    let replies = ana.pick(&rows[0], 1).await;

    assert_eq!(
        list_body(&replies[0]),
        "Sorry, I couldn't book the call just now. Shall we try one of these times?"
    );
    assert_eq!(ana.conversation().await.stage, "scheduling");
    // Tapping the first list again books the same event, not a second one.
    let replies = ana.pick(&rows[0], 2).await;
    assert!(text(&replies[0]).starts_with("Done!"), "{replies:?}");
    let events = confirmed(&google);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].start, rows[0].start());
}

#[tokio::test]
async fn two_customers_picking_one_slot_at_once_book_it_once() {
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let app = TestApp::spawn(Options::new(&graph.base_url())).await;
    let mut ana = Customer::new(&app, &graph, "14155550115");
    let mut bea = Customer::new(&app, &graph, "14155550116");
    let rows = ana.qualify(&QUALIFY_EN, "See times").await;
    let same = bea.qualify(&QUALIFY_EN, "See times").await;
    assert_eq!(rows[0], same[0], "both are offered the first free slot");

    // Both picks are in the inbox before either is answered.
    let (a, b) = (ana.next_id(), bea.next_id());
    let picks = vec![
        webhook::list_reply(&ana.wa_id, &a, &rows[0].id, &rows[0].title),
        webhook::list_reply(&bea.wa_id, &b, &rows[0].id, &rows[0].title),
    ];
    let response = app.post_webhook(&webhook::notification(picks)).await;
    assert_eq!(response.status(), 200);

    // One gets the confirmation and the handoff, the other an apology with
    // fresh slots: three messages in all.
    let deadline = Instant::now() + WAIT;
    let answers = loop {
        let sent = graph.sent();
        let after = |c: &Customer<'_>| -> Vec<SentMessage> {
            let mine: Vec<SentMessage> = sent.iter().filter(|s| s.to == c.wa_id).cloned().collect();
            mine[c.seen.min(mine.len())..].to_vec()
        };
        let (to_ana, to_bea) = (after(&ana), after(&bea));
        if to_ana.len() + to_bea.len() >= 3 {
            break [to_ana, to_bea];
        }
        assert!(Instant::now() < deadline, "waiting for both answers");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let booked: Vec<&Vec<SentMessage>> = answers
        .iter()
        .filter(|replies| replies.iter().any(|r| text(r).starts_with("Done!")))
        .collect();
    assert_eq!(booked.len(), 1, "{answers:?}");
    let apologised = answers.iter().find(|r| r.len() == 1).expect("one apology");
    let fresh = list_rows(&apologised[0], "See times");
    assert!(fresh.iter().all(|r| r.id != rows[0].id), "{fresh:?}");
    let start = rows[0].start();
    let calls = store(&app)
        .await
        .calls_between(start, start + SignedDuration::from_mins(30))
        .await
        .unwrap();
    assert_eq!(calls.len(), 1, "{calls:?}");
}
