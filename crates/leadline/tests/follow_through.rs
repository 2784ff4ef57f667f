//! Follow-through, black box, on second-scale playbook durations: a
//! customer who opts out ("baja", "STOP") gets nothing automated again (no
//! reply, nudge or reminder), across a restart, until they opt back in; a
//! quiet lead is nudged; a booked call is reminded of once, across a
//! restart, and a moved one never.

mod support;

use jiff::Timestamp;
use leadline_domain::CustomerId;
use leadline_domain::playbook::BUILTIN;
use leadline_stores::{EffectQuery, EffectState, Effects};
use leadline_testkit::crm::FakeCrm;
use leadline_testkit::graph::FakeGraph;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::customer::{Customer, list_rows, store, text};
use support::dashboard::Session;
use support::{ACCESS_TOKEN, ADMIN_TOKEN, Options, TestApp};

const WAIT: Duration = Duration::from_secs(30);
const CRM_SECRET: &str = "crm-secret";

/// The built-in playbook with a nudge `after` a silence, calls bookable
/// any minute of any day from a minute ahead, and a reminder a minute
/// before each call.
fn playbook(dir: &Path, after: &str) -> PathBuf {
    let text = BUILTIN
        .replacen(r#"after = "4h""#, &format!("after = {after:?}"), 1)
        .replacen(
            r#"hours = [{ days = ["mon", "tue", "wed", "thu", "fri"], from = "09:00", to = "18:00" }]"#,
            r#"hours = [{ days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from = "00:00", to = "23:59" }]"#,
            1,
        )
        .replacen("slot_minutes = 30", "slot_minutes = 1", 1)
        .replacen("lead_minutes = 120", "lead_minutes = 1", 1)
        .replacen(r#"reminders = ["24h", "1h"]"#, r#"reminders = ["60s"]"#, 1);
    assert!(text.contains(r#"reminders = ["60s"]"#) && text.contains("slot_minutes = 1"));
    let path = dir.join("playbook.toml");
    std::fs::write(&path, text).expect("write the playbook");
    path
}

/// The fake Graph API and CRM, and Leadline on [`playbook`] with a nudge
/// `after` a silence (the folder holds the playbook).
async fn started(after: &str) -> (FakeGraph, FakeCrm, tempfile::TempDir, TestApp) {
    let (graph, crm) = (
        FakeGraph::start(ACCESS_TOKEN).await,
        FakeCrm::start(CRM_SECRET).await,
    );
    let dir = tempfile::tempdir().expect("a temporary directory");
    let playbook = playbook(dir.path(), after);
    let app = TestApp::spawn(
        Options::new(&graph.base_url())
            .env("LEADLINE_PLAYBOOK", playbook.to_str().unwrap())
            .env("LEADLINE_ADMIN_TOKEN", ADMIN_TOKEN)
            .env("LEADLINE_CRM_WEBHOOK_URL", &crm.url())
            .env("LEADLINE_CRM_WEBHOOK_SECRET", CRM_SECRET),
    )
    .await;
    (graph, crm, dir, app)
}

/// Waits until every effect of `wa_id` due by now (CRM deliveries,
/// nudges, reminders) was carried out or found no longer to apply.
async fn follow_through_done(app: &TestApp, wa_id: &str) {
    let store = store(app).await;
    let customer = CustomerId::parse(wa_id).unwrap();
    let deadline = Instant::now() + Duration::from_secs(150);
    loop {
        let pending = store
            .effect_entries(&EffectQuery {
                state: Some(EffectState::Pending),
                customer: Some(customer.clone()),
                limit: 100,
                ..EffectQuery::default()
            })
            .await
            .expect("effects");
        let now = Timestamp::now();
        let due: Vec<_> = pending
            .iter()
            .filter(|e| e.effect.not_before.is_none_or(|at| at <= now))
            .collect();
        if due.is_empty() {
            app.settled(&[wa_id]).await;
            return;
        }
        assert!(Instant::now() < deadline, "effects still due: {due:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Sleeps until `at` has passed.
async fn wait_past(at: Timestamp) {
    let left = Timestamp::now().duration_until(at);
    if let Ok(left) = Duration::try_from(left) {
        tokio::time::sleep(left + Duration::from_millis(100)).await;
    }
}

fn sent_to(graph: &FakeGraph, wa_id: &str) -> Vec<String> {
    graph
        .sent()
        .into_iter()
        .filter(|m| m.to == wa_id)
        .map(|m| text(&m).to_owned())
        .collect()
}

#[tokio::test]
async fn after_baja_nothing_reaches_the_customer_even_across_a_restart_until_alta() {
    let (graph, crm, _dir, mut app) = started("3s").await;
    let wa_id = "5215550170";
    let mut ana = Customer::new(&app, &graph, wa_id);
    let nudge_due = Timestamp::now() + jiff::SignedDuration::from_secs(3);
    let asked = ana.say("hola, buenas", 1).await;
    assert!(text(&asked[0]).contains('?'), "a nudge is due in 3 s");
    let confirmed = ana.say("BAJA", 1).await;
    assert!(text(&confirmed[0]).contains("ALTA"), "{confirmed:?}");
    let count = sent_to(&graph, wa_id).len();
    let delivered = crm.wait_for(1, WAIT).await.expect("the CRM hears of it");
    assert_eq!(delivered[0].body["event"], "lead.opted_out");
    assert!(delivered[0].body["opted_out_at"].is_string());

    drop(ana);
    app.kill_and_restart(&[]).await;
    let mut ana = Customer::new(&app, &graph, wa_id);
    ana.next_id();
    ana.next_id();
    for text in ["hola?", "cuánto cuesta?", "quiero hablar con alguien"] {
        let id = ana.next_id();
        app.customer_says(wa_id, &id, text).await;
    }
    // The nudge the first message set comes due, and is dropped.
    wait_past(nudge_due + jiff::SignedDuration::from_secs(1)).await;
    follow_through_done(&app, wa_id).await;
    assert_eq!(
        sent_to(&graph, wa_id).len(),
        count,
        "{:?}",
        sent_to(&graph, wa_id)
    );
    let leads = app.admin_get("/api/leads").await;
    let row = leads["leads"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["wa_id"] == wa_id))
        .cloned()
        .unwrap_or_else(|| panic!("{leads}"));
    assert!(row["opted_out_at"].is_string(), "{row}");
    // The dashboard says so in the list, and warns on the page where a
    // person could still reply.
    let dashboard = Session::start(&app).await;
    let (_, list) = dashboard.get("/?lang=en").await;
    assert!(list.contains("Opted out"), "{list}");
    let page = dashboard.first_conversation().await;
    let (_, html) = dashboard.get(&page).await;
    assert!(
        html.contains(r#"id="opted-out""#) && html.contains("goes against their wish"),
        "{html}"
    );

    ana.seen = count;
    let back = ana.say("ALTA", 1).await;
    assert!(text(&back[0]).contains('?'), "welcomed back: {back:?}");
    let answered = ana.say("me llamo Ana", 1).await;
    assert!(!answered.is_empty());
    let delivered = crm.wait_for(2, WAIT).await.expect("the CRM hears of it");
    assert_eq!(delivered[1].body["event"], "lead.opted_in");
    assert!(delivered[1].body["opted_out_at"].is_null());
    let row = app.admin_get("/api/leads").await["leads"][0].clone();
    assert!(row["opted_out_at"].is_null(), "{row}");
}

#[tokio::test]
async fn an_english_stop_is_honoured_and_a_quiet_lead_who_came_back_is_nudged() {
    let (graph, _crm, _dir, app) = started("2s").await;
    let wa_id = "14155550171";
    let mut sam = Customer::new(&app, &graph, wa_id);
    let nudge_due = Timestamp::now() + jiff::SignedDuration::from_secs(2);
    sam.say("Hi there", 1).await;
    let confirmed = sam.say("STOP", 1).await;
    assert!(
        text(&confirmed[0]).starts_with("Done: you won't get any more messages"),
        "{confirmed:?}"
    );
    let id = sam.next_id();
    app.customer_says(wa_id, &id, "hello?").await;
    wait_past(nudge_due + jiff::SignedDuration::from_secs(1)).await;
    follow_through_done(&app, wa_id).await;
    assert_eq!(sent_to(&graph, wa_id).len(), 2);

    let back = sam.say("START", 1).await;
    assert!(text(&back[0]).starts_with("Welcome back!"), "{back:?}");
    // Quiet now: 2 s later, one nudge that names what is missing.
    let nudge = sam.receive(1).await;
    assert!(text(&nudge[0]).starts_with("Still there? "), "{nudge:?}");
    follow_through_done(&app, wa_id).await;
    assert_eq!(sent_to(&graph, wa_id).len(), 4, "one nudge per silence");
}

#[tokio::test]
async fn a_booked_call_is_reminded_of_once_across_a_restart_and_a_moved_one_never() {
    let (graph, _crm, _dir, mut app) = started("4h").await;
    let (ana_id, bea_id) = ("14155550172", "14155550173");
    let qualify = |name: &'static str| {
        [
            format!("Hi, I'm {name} from Acme, we need a WhatsApp bot for our sales team"),
            "Our budget is around 5k USD".to_owned(),
            "I'm the CEO, I make the decision".to_owned(),
            "We want to start next month".to_owned(),
        ]
    };
    // Ana books the second slot offered (two or three minutes ahead): its
    // reminder is due a minute before.
    let mut ana = Customer::new(&app, &graph, ana_id);
    let lines = qualify("Ana");
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let rows = ana.qualify(&lines, "See times").await;
    let ana_call = rows[1].start();
    ana.pick(&rows[1], 2).await;
    // Bea books the third and moves it at once.
    let mut bea = Customer::new(&app, &graph, bea_id);
    let lines = qualify("Bea");
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let rows = bea.qualify(&lines, "See times").await;
    let bea_call = rows[2].start();
    bea.pick(&rows[2], 2).await;
    let moved = bea
        .say("something came up, can we reschedule the call?", 1)
        .await;
    list_rows(&moved[0], "See times");

    drop((ana, bea));
    app.kill_and_restart(&[]).await;
    // Both reminders' times pass (a minute before each call).
    let due = bea_call.max(ana_call) - jiff::SignedDuration::from_secs(55);
    let deadline = Instant::now() + Duration::from_secs(300);
    while Timestamp::now() < due {
        assert!(Instant::now() < deadline, "calls booked too far ahead");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    follow_through_done(&app, ana_id).await;
    follow_through_done(&app, bea_id).await;
    let reminders = |wa_id: &str| {
        sent_to(&graph, wa_id)
            .into_iter()
            .filter(|t| t.starts_with("A reminder of your call"))
            .collect::<Vec<_>>()
    };
    assert_eq!(reminders(ana_id).len(), 1, "{:?}", sent_to(&graph, ana_id));
    assert!(
        reminders(bea_id).is_empty(),
        "{:?}",
        sent_to(&graph, bea_id)
    );
}
