//! Several processes on one fresh PostgreSQL database, black box: the real
//! binary as one ingress (`LEADLINE_ROLE=ingress`) and two workers
//! (`serve --role worker`), replies to a fake Graph API. Every delivery is
//! posted twice and out of order, one worker is killed with SIGKILL midway,
//! and then what the fake accepted, tied to the store's outbox keys, must
//! show every message answered once, in order per customer, none lost.

mod support;

use leadline_stores::postgres::PgStore;
use leadline_testkit::graph::FakeGraph;
use leadline_testkit::postgres::TestDatabase;
use leadline_testkit::webhook;
use std::time::{Duration, Instant};
use support::delivery::{self, Plan, setting};
use support::{ACCESS_TOKEN, Options, TestApp};

const CUSTOMERS: usize = 300;
/// Messages by default; `LEADLINE_MULTIPROCESS_MESSAGES` overrides it.
const MESSAGES: usize = 2000;
/// The whole run (excluding start-up) must end within this.
const RUN_LIMIT: Duration = Duration::from_secs(100);
/// Short leases, so the killed worker's turns and sends are taken over
/// within the run.
const LEASE_MS: &str = "2000";
const SEND_LEASE_MS: &str = "3000";
/// Sends each worker has on the wire at once: the most a SIGKILL can leave
/// accepted by Graph but unrecorded.
const SEND_CONCURRENCY: usize = 8;

fn worker(graph: &FakeGraph, db: &TestDatabase) -> Options {
    Options::new(&graph.base_url())
        .arg("--role")
        .arg("worker")
        .env("DATABASE_URL", db.url())
        .env("LEADLINE_WORKERS", "8")
        .env("LEADLINE_SEND_CONCURRENCY", &SEND_CONCURRENCY.to_string())
        .env("LEADLINE_LEASE_MS", LEASE_MS)
        .env("LEADLINE_SEND_LEASE_MS", SEND_LEASE_MS)
        .env("RUST_LOG", "warn")
}

fn ingress(graph: &FakeGraph, db: &TestDatabase) -> Options {
    Options::new(&graph.base_url())
        .env("LEADLINE_ROLE", "ingress")
        .env("DATABASE_URL", db.url())
        .env("RUST_LOG", "warn")
}

/// 1 ingress + 2 workers; `LEADLINE_MULTIPROCESS_MESSAGES` (default 2,000)
/// messages from up to 300 customers, each its own turn, each delivery
/// twice (see [`delivery::deliver`]; seed: `LEADLINE_MULTIPROCESS_SEED`),
/// every reply sent before the next round. A worker is SIGKILLed after a
/// third of the replies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_one_killed_answer_every_message_once_and_in_order() {
    let total = setting("LEADLINE_MULTIPROCESS_MESSAGES", MESSAGES).max(1);
    let seed = setting("LEADLINE_MULTIPROCESS_SEED", 5) as u64;
    let customers = CUSTOMERS.min(total);
    let messages = delivery::messages(total, customers);

    let db = TestDatabase::create().await;
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let ingress = TestApp::spawn(ingress(&graph, &db)).await;
    let mut victim = Some(TestApp::spawn(worker(&graph, &db)).await);
    let _survivor = TestApp::spawn(worker(&graph, &db)).await;
    let store = PgStore::connect(db.url()).await.expect("connect the store");

    let started = Instant::now();
    let mut kill = Kill {
        after_replies: total / 3,
        accepted_before: None,
    };
    let plan = Plan {
        copies: 2,
        seed,
        drain_each_round: true,
        limit: RUN_LIMIT,
    };
    delivery::deliver(&ingress, &store, &messages, &plan, || {
        kill.check(&mut victim, &graph);
    })
    .await;
    let Some(killed_at) = kill.accepted_before else {
        panic!(
            "the run ended before {} replies: no worker was killed",
            kill.after_replies
        )
    };

    let report = delivery::ledger(&store, &messages, &graph, killed_at).await;
    eprintln!(
        "{total} messages from {customers} customers (seed {seed}): {} replies accepted by Graph, \
         {} resent after the SIGKILL, in {:?}",
        report.accepted,
        report.resent,
        started.elapsed()
    );
    // The killed worker can have had at most its sends on the wire.
    report.assert_clean("sigkill of a worker under load", SEND_CONCURRENCY);
}

/// Kills the victim once the fake Graph API accepted enough replies.
struct Kill {
    after_replies: usize,
    /// How many replies the fake had accepted once the victim was dead.
    accepted_before: Option<usize>,
}

impl Kill {
    fn check(&mut self, victim: &mut Option<TestApp>, graph: &FakeGraph) {
        if victim.is_some() && graph.sent().len() >= self.after_replies {
            // Dropping a TestApp kills it with SIGKILL and reaps it.
            drop(victim.take());
            self.accepted_before = Some(graph.sent().len());
        }
    }
}

/// The halves split the work: the ingress takes the webhook and answers
/// nothing, the worker has no webhook and answers; both stop cleanly on
/// SIGTERM.
#[tokio::test]
async fn an_ingress_takes_webhooks_and_a_worker_answers_them() {
    let db = TestDatabase::create().await;
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let mut ingress = TestApp::spawn(ingress(&graph, &db)).await;
    ingress
        .customer_says("5215550999", "wamid.mp.roles", "Hola")
        .await;
    assert_eq!(
        db.count("SELECT count(*) FROM inbox WHERE acked_at IS NULL")
            .await,
        1,
        "the ingress enqueued the message and did not answer it"
    );

    let mut worker = TestApp::spawn(worker(&graph, &db)).await;
    let sent = graph.wait_for_sent(1, Duration::from_secs(30)).await;
    assert_eq!(sent[0].to, "5215550999");
    assert_eq!(
        worker
            .post_webhook(&webhook::notification(vec![]))
            .await
            .status(),
        404,
        "a worker takes no webhooks"
    );
    for app in [&ingress, &worker] {
        for probe in ["/healthz", "/readyz", "/metrics"] {
            assert_eq!(app.get(probe).await.status(), 200, "{probe}");
        }
    }
    let turns = |text: String| text.contains("leadline_turns_total");
    assert!(!turns(ingress.get("/metrics").await.text().await.unwrap()));
    assert!(turns(worker.get("/metrics").await.text().await.unwrap()));

    assert!(worker.terminate().await.success(), "worker exit status");
    assert!(ingress.terminate().await.success(), "ingress exit status");
}
