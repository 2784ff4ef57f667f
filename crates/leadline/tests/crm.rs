//! Handoffs reach the team through the effects outbox: the lead POSTed to
//! the CRM webhook (signed, idempotent, retried while the CRM is down,
//! dead-lettered and retried by a person through the admin API or the
//! conversation's page) and the sales rep told on WhatsApp (by template
//! when their window is closed).

mod support;

use leadline_testkit::crm::FakeCrm;
use leadline_testkit::graph::{FakeGraph, SentMessage};
use serde_json::Value;
use std::time::{Duration, Instant};
use support::dashboard::Session;
use support::{ACCESS_TOKEN, ADMIN_TOKEN, Options, TestApp, conversation_path};

const WAIT: Duration = Duration::from_secs(30);
const SECRET: &str = "crm-test-secret";
const REP: &str = "34600999000";
const ASK_HUMAN: &str = "quiero hablar con una persona";

/// A server that delivers to `crm` (signed with `secret`) and tells the rep.
async fn team_app(graph: &FakeGraph, crm: &FakeCrm, secret: &str, env: &[(&str, &str)]) -> TestApp {
    let mut options = Options::new(&graph.base_url())
        .env("LEADLINE_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("LEADLINE_CRM_WEBHOOK_URL", &crm.url())
        .env("LEADLINE_CRM_WEBHOOK_SECRET", secret)
        .env("LEADLINE_CRM_RETRY_MS", "200")
        .env("LEADLINE_REP_PHONE", &format!("+{REP}"))
        .env("LEADLINE_PUBLIC_URL", "https://leads.example.com");
    for (name, value) in env {
        options = options.env(name, value);
    }
    TestApp::spawn(options).await
}

async fn until<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(Instant::now() < deadline, "waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn to_rep(graph: &FakeGraph) -> Vec<SentMessage> {
    graph.sent().into_iter().filter(|m| m.to == REP).collect()
}

async fn api(app: &TestApp, method: reqwest::Method, path: &str) -> (u16, Value) {
    let (status, body) = app.admin(method, path, None).await;
    (status.as_u16(), body)
}

#[tokio::test]
async fn a_handoff_while_the_crm_is_down_is_delivered_once_when_it_returns() {
    let (graph, crm) = (
        FakeGraph::start(ACCESS_TOKEN).await,
        FakeCrm::start(SECRET).await,
    );
    let app = team_app(&graph, &crm, SECRET, &[]).await;
    crm.set_down(true);

    app.customer_says("5215550140", "wamid.crm.1", ASK_HUMAN)
        .await;
    until("the CRM to refuse a few attempts", async || {
        (crm.refused_while_down() >= 3).then_some(())
    })
    .await;
    crm.set_down(false);
    let delivered = crm.wait_for(1, WAIT).await.expect("a delivery");
    // Nothing more comes: the retries stop once one got through (the
    // effect is done, nothing waits in the store).
    app.settled(&["5215550140"]).await;
    assert_eq!(crm.deliveries().len(), 1, "{:?}", crm.deliveries());
    assert_eq!(crm.bad_signatures(), 0);

    let lead = &delivered[0];
    assert_eq!(lead.idempotency_key, "crm:wamid.crm.1");
    assert_eq!(lead.body["idempotency_key"], "crm:wamid.crm.1");
    assert_eq!(lead.body["event"], "lead.handed_off");
    assert_eq!(lead.body["whatsapp_id"], "5215550140");
    assert_eq!(lead.body["handoff"]["reason"], "customer_asked");
    assert_eq!(lead.body["call"], Value::Null);
    assert_eq!(lead.body["sent_at"], lead.timestamp);
    let url = lead.body["conversation_url"].as_str().unwrap();
    assert!(
        url.starts_with("https://leads.example.com/conversations/") && !url.contains("5215550140"),
        "{url}"
    );

    // The rep was told, in the team's language, with the link.
    let notice = until("the rep's notice", async || to_rep(&graph).pop()).await;
    let text = notice.text.unwrap();
    assert!(
        text.contains("Motivo: pidió hablar con una persona"),
        "{text}"
    );
    assert!(text.contains(ASK_HUMAN) && text.contains(url), "{text}");
    let (status, page) = api(&app, reqwest::Method::GET, "/api/effects?state=done").await;
    assert_eq!(status, 200, "{page}");
    let kinds: Vec<&str> = page["effects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 2, "{page}");
    assert!(
        kinds.contains(&"crm") && kinds.contains(&"notify_rep"),
        "{page}"
    );
}

#[tokio::test]
async fn what_the_rep_writes_to_the_business_number_is_not_taken_for_a_lead() {
    let (graph, crm) = (
        FakeGraph::start(ACCESS_TOKEN).await,
        FakeCrm::start(SECRET).await,
    );
    let app = team_app(&graph, &crm, SECRET, &[]).await;
    app.customer_says("5215550145", "wamid.crm.6", ASK_HUMAN)
        .await;
    until("the rep's notice", async || to_rep(&graph).pop()).await;

    // The rep answers on WhatsApp, which opens their 24-hour window.
    app.customer_says(REP, "wamid.rep.1", "ok, lo tomo yo")
        .await;
    app.settled(&[REP]).await;
    assert_eq!(to_rep(&graph).len(), 1, "the bot answered the rep");
    let (status, page) = api(&app, reqwest::Method::GET, "/api/leads").await;
    assert_eq!(status, 200);
    let leads: Vec<&str> = page["leads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["wa_id"].as_str().unwrap())
        .collect();
    assert_eq!(leads, ["5215550145"], "{page}");
}

#[tokio::test]
async fn a_delivery_that_keeps_failing_is_dead_lettered_and_a_person_can_retry_it() {
    let (graph, crm) = (
        FakeGraph::start(ACCESS_TOKEN).await,
        FakeCrm::start(SECRET).await,
    );
    let app = team_app(&graph, &crm, SECRET, &[("LEADLINE_CRM_MAX_ATTEMPTS", "2")]).await;
    crm.set_down(true);
    app.customer_says("5215550141", "wamid.crm.2", ASK_HUMAN)
        .await;

    let dead = until("the dead letter", async || {
        let (_, page) = api(&app, reqwest::Method::GET, "/api/effects?state=dead").await;
        page["effects"].as_array().and_then(|e| e.first().cloned())
    })
    .await;
    assert_eq!(dead["kind"], "crm");
    assert_eq!(dead["key"], "crm:wamid.crm.2");
    assert_eq!(dead["attempts"], 2);
    assert!(
        dead["last_error"].as_str().unwrap().contains("HTTP 503"),
        "{dead}"
    );
    assert_eq!(crm.refused_while_down(), 2);
    assert!(crm.deliveries().is_empty());

    crm.set_down(false);
    let id = dead["id"].as_i64().unwrap();
    let retry = format!("/api/effects/{id}/retry");
    let (status, _) = api(&app, reqwest::Method::POST, &retry).await;
    assert_eq!(status, 202);
    let delivered = crm.wait_for(1, WAIT).await.expect("the retried delivery");
    assert_eq!(delivered[0].idempotency_key, "crm:wamid.crm.2");
    // It is no longer dead: a second retry is refused, an unknown id too.
    let (status, body) = api(&app, reqwest::Method::POST, &retry).await;
    assert_eq!(status, 409, "{body}");
    let (status, _) = api(&app, reqwest::Method::POST, "/api/effects/999999/retry").await;
    assert_eq!(status, 404);
    let (status, _) = api(&app, reqwest::Method::GET, "/api/effects?state=lost").await;
    assert_eq!(status, 400);
}

/// What the team sees of it: the conversation's page and API answer list
/// its own effects, and the page retries a dead one.
#[tokio::test]
async fn a_dead_delivery_is_shown_on_its_conversation_page_and_retried_from_there() {
    let (graph, crm) = (
        FakeGraph::start(ACCESS_TOKEN).await,
        FakeCrm::start(SECRET).await,
    );
    let app = team_app(&graph, &crm, SECRET, &[("LEADLINE_CRM_MAX_ATTEMPTS", "1")]).await;
    crm.set_down(true);
    app.customer_says("5215550145", "wamid.crm.6", ASK_HUMAN)
        .await;
    app.customer_says("5215550146", "wamid.crm.7", "hola").await;
    let api_path = conversation_path("5215550145", "");
    let dead = until("the dead letter", async || {
        let (_, view) = api(&app, reqwest::Method::GET, &api_path).await;
        view["effects"]
            .as_array()?
            .iter()
            .find(|e| e["kind"] == "crm" && e["state"] == "dead")
            .cloned()
    })
    .await;
    let id = dead["id"].as_i64().unwrap();
    let opaque = api_path.trim_start_matches("/api/conversations/");
    let (_, listed) = api(
        &app,
        reqwest::Method::GET,
        &format!("/api/effects?conversation={opaque}"),
    )
    .await;
    assert!(
        listed["effects"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["conversation"] == opaque),
        "{listed}"
    );
    let (status, _) = api(&app, reqwest::Method::GET, "/api/effects?conversation=nope").await;
    assert_eq!(status, 404);

    let session = Session::start(&app).await;
    let page = api_path.trim_start_matches("/api");
    let (status, html) = session.get(page).await;
    assert_eq!(status, 200, "{html}");
    let retry = format!("{page}/effects/{id}/retry");
    assert!(
        html.contains("Record sent to the CRM") && html.contains("HTTP 503"),
        "{html}"
    );
    assert!(html.contains(&format!("action=\"{retry}\"")), "{html}");

    // Another conversation's page cannot retry it.
    let elsewhere = conversation_path("5215550146", "");
    let elsewhere = elsewhere.trim_start_matches("/api");
    let refused = session
        .post(
            &format!("{elsewhere}/effects/{id}/retry"),
            &[("csrf", &session.csrf)],
        )
        .await;
    assert!(
        refused.headers()["location"]
            .to_str()
            .unwrap()
            .ends_with("notice=not_dead")
    );
    crm.set_down(false);
    let retried = session.post(&retry, &[("csrf", &session.csrf)]).await;
    assert_eq!(retried.status(), 303);
    assert!(
        retried.headers()["location"]
            .to_str()
            .unwrap()
            .ends_with("notice=retried")
    );
    let delivered = crm.wait_for(1, WAIT).await.expect("the retried delivery");
    assert_eq!(delivered[0].idempotency_key, "crm:wamid.crm.6");
    let html = until("the page to show it done", async || {
        let (_, html) = session.get(page).await;
        html.contains("class=\"effect-done\"").then_some(html)
    })
    .await;
    assert!(!html.contains(&retry), "{html}");
}

#[tokio::test]
async fn a_refused_delivery_is_dead_lettered_at_once() {
    let (graph, crm) = (
        FakeGraph::start(ACCESS_TOKEN).await,
        FakeCrm::start(SECRET).await,
    );
    // Signed with the wrong secret: the CRM answers 401, which no retry fixes.
    let app = team_app(&graph, &crm, "not-the-secret", &[]).await;
    app.customer_says("5215550142", "wamid.crm.3", ASK_HUMAN)
        .await;

    let dead = until("the dead letter", async || {
        let (_, page) = api(&app, reqwest::Method::GET, "/api/effects?state=dead").await;
        page["effects"].as_array().and_then(|e| e.first().cloned())
    })
    .await;
    assert_eq!(dead["attempts"], 1);
    assert!(
        dead["last_error"].as_str().unwrap().contains("HTTP 401"),
        "{dead}"
    );
    assert_eq!(crm.bad_signatures(), 1);
}

#[tokio::test]
async fn outside_the_reps_window_the_notice_goes_as_the_configured_template() {
    let (graph, crm) = (
        FakeGraph::start(ACCESS_TOKEN).await,
        FakeCrm::start(SECRET).await,
    );
    graph.close_window(REP);
    let app = team_app(
        &graph,
        &crm,
        SECRET,
        &[
            ("LEADLINE_REP_TEMPLATE", "lead_handoff"),
            ("LEADLINE_REP_TEMPLATE_LANGUAGE", "es_MX"),
        ],
    )
    .await;
    app.customer_says(
        "5215550143",
        "wamid.crm.4",
        "hi, can I talk to a human please",
    )
    .await;

    let notice = until("the rep's template", async || to_rep(&graph).pop()).await;
    let template = &notice.body["template"];
    assert_eq!(notice.body["type"], "template", "{}", notice.body);
    assert_eq!(template["name"], "lead_handoff");
    assert_eq!(template["language"]["code"], "es_MX");
    let parameters: Vec<&str> = template["components"][0]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert_eq!(parameters.len(), 3, "{template}");
    assert_eq!(
        parameters[0], "Test Customer",
        "the WhatsApp profile's name"
    );
    assert_eq!(parameters[1], "pidió hablar con una persona");
    assert!(parameters[2].starts_with("https://leads.example.com/conversations/"));
}

#[tokio::test]
async fn outside_the_reps_window_without_a_template_the_notice_is_dead_lettered_saying_why() {
    let (graph, crm) = (
        FakeGraph::start(ACCESS_TOKEN).await,
        FakeCrm::start(SECRET).await,
    );
    graph.close_window(REP);
    let app = team_app(&graph, &crm, SECRET, &[]).await;
    app.customer_says("5215550144", "wamid.crm.5", ASK_HUMAN)
        .await;

    let dead = until("the dead notice", async || {
        let (_, page) = api(&app, reqwest::Method::GET, "/api/effects?state=dead").await;
        page["effects"].as_array().and_then(|e| e.first().cloned())
    })
    .await;
    assert_eq!(dead["kind"], "notify_rep");
    let error = dead["last_error"].as_str().unwrap();
    assert!(
        error.contains("131047") && error.contains("LEADLINE_REP_TEMPLATE"),
        "{error}"
    );
    // The CRM got the lead all the same.
    crm.wait_for(1, WAIT).await.expect("the CRM delivery");
}
