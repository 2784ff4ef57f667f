//! The real binary on PostgreSQL (`DATABASE_URL=postgres://...`), black box:
//! a fresh database per test, signed webhooks in, replies out to a fake
//! Graph API; and an outage between Leadline and PostgreSQL, played by a
//! proxy the test cuts.

mod support;

use leadline_testkit::graph::FakeGraph;
use leadline_testkit::postgres::TestDatabase;
use leadline_testkit::proxy::TcpProxy;
use leadline_testkit::webhook;
use std::time::{Duration, Instant};
use support::{ACCESS_TOKEN, Options, TestApp, scenarios};

const WAIT: Duration = Duration::from_secs(30);

async fn app_on(db: &TestDatabase, graph: &FakeGraph) -> TestApp {
    TestApp::spawn(Options::new(&graph.base_url()).env("DATABASE_URL", db.url())).await
}

#[tokio::test]
async fn a_text_gets_exactly_one_reply() {
    let db = TestDatabase::create().await;
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let app = app_on(&db, &graph).await;
    app.customer_says("5215550101", "wamid.pg.hello", "Hola, buenas tardes")
        .await;
    let sent = graph.wait_for_sent(1, WAIT).await;
    assert_eq!(sent[0].to, "5215550101");
    assert!(!sent[0].text.as_deref().unwrap_or_default().is_empty());
    assert_eq!(app.settled(&["5215550101"]).await.len(), 1);
    assert_eq!(graph.sent().len(), 1);
}

#[tokio::test]
async fn the_same_delivery_three_times_gets_one_reply() {
    let db = TestDatabase::create().await;
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let app = app_on(&db, &graph).await;
    let payload = webhook::notification(vec![webhook::text("5215550102", "wamid.pg.dup", "hola")]);
    for _ in 0..3 {
        assert_eq!(app.post_webhook(&payload).await.status(), 200);
    }
    graph.wait_for_sent(1, WAIT).await;
    // A later message of the same customer is answered after everything
    // before it, so once its reply is out the count is final.
    app.customer_says("5215550102", "wamid.pg.dup2", "me llamo Ana")
        .await;
    graph.wait_for_sent(2, WAIT).await;
    assert_eq!(app.settled(&["5215550102"]).await.len(), 2);
    assert_eq!(graph.sent().len(), 2);
}

#[tokio::test]
async fn a_batch_from_40_customers_answers_40_conversations() {
    let db = TestDatabase::create().await;
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let app = app_on(&db, &graph).await;
    scenarios::a_batch_answers_each_customer_once(&app, &graph, "52155520", "wamid.pg.batch", 40)
        .await;
}

#[tokio::test]
async fn a_process_killed_before_the_turn_answers_once_after_restart() {
    let db = TestDatabase::create().await;
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    scenarios::killed_before_the_turn_answers_once(
        Options::new(&graph.base_url()).env("DATABASE_URL", db.url()),
        &graph,
        "5215550103",
        ["wamid.pg.crash1", "wamid.pg.crash2"],
    )
    .await;
}

/// Retries `post` the way Meta retries a delivery that got no 200, until
/// one does.
async fn until_accepted(app: &TestApp, payload: &serde_json::Value) {
    let deadline = Instant::now() + WAIT;
    loop {
        if app.post_webhook(payload).await.status() == 200 {
            return;
        }
        assert!(Instant::now() < deadline, "the webhook never recovered");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_database_outage_answers_503_and_passes_without_a_restart() {
    let db = TestDatabase::create().await;
    let proxy = TcpProxy::start(db.server()).await;
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let app = TestApp::spawn(
        Options::new(&graph.base_url()).env("DATABASE_URL", &db.url_through(proxy.addr())),
    )
    .await;
    app.customer_says("5215550104", "wamid.pg.before", "hola")
        .await;
    // Cut only once the send is recorded: an outcome lost to the outage is
    // sent again when its lease runs out (at least once), which is the
    // sender's business, not this test's.
    until(|| async { db.count(SENT).await == 1 }).await;

    proxy.cut();
    let during = webhook::notification(vec![webhook::text(
        "5215550105",
        "wamid.pg.during",
        "¿hay alguien?",
    )]);
    assert_eq!(
        app.post_webhook(&during).await.status(),
        503,
        "never 200 without a durable write"
    );
    assert_eq!(app.get("/readyz").await.status(), 503);

    proxy.restore();
    until_accepted(&app, &during).await;
    assert_eq!(app.get("/readyz").await.status(), 200);
    graph.wait_for_sent(2, WAIT).await;
    // The delivery answered before the cut is still known: a retry of it
    // is dropped, and the next message of that customer is answered.
    app.customer_says("5215550104", "wamid.pg.before", "hola")
        .await;
    app.customer_says("5215550104", "wamid.pg.after", "soy Ana")
        .await;
    graph.wait_for_sent(3, WAIT).await;
    until(|| async { db.count(SENT).await == 3 }).await;
    let mut to: Vec<String> = graph.sent().into_iter().map(|s| s.to).collect();
    to.sort();
    // For scripts/faults: three messages, before, during and after the cut
    // (two from one customer, one from the other).
    let answered: usize = [("5215550104", 2), ("5215550105", 1)]
        .iter()
        .map(|(wa_id, said)| to.iter().filter(|t| t == wa_id).count().min(*said))
        .sum();
    eprintln!(
        "postgresql cut mid-run: sent 3 / answered {answered} / duplicated {} / lost {}",
        to.len() - answered,
        3 - answered
    );
    assert_eq!(to, ["5215550104", "5215550104", "5215550105"]);
    assert_eq!(
        db.count("SELECT count(*) FROM inbox WHERE acked_at IS NULL")
            .await,
        0
    );
}

const SENT: &str = "SELECT count(*) FROM outbox WHERE state = 'sent'";

/// Waits for `condition`, for at most [`WAIT`].
async fn until<F, Fut>(condition: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + WAIT;
    while !condition().await {
        assert!(Instant::now() < deadline, "not reached within {WAIT:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
