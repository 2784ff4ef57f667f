//! Fault scenarios on the real binary with its embedded SQLite store: every
//! message delivered three times out of order, a Graph API failing 30% of
//! sends, an LLM endpoint timing out, failing and answering malformed JSON.
//! Each prints `sent / answered / duplicated / lost` and fails on any loss
//! or duplicate. They run at a small size with the other tests;
//! `scripts/faults` runs them at full size (`LEADLINE_FAULTS_MESSAGES`).
//! The worker SIGKILL and the PostgreSQL cut are in `multiprocess.rs` and
//! `postgres.rs`.

mod support;

use leadline_stores::sqlite::SqliteStore;
use leadline_testkit::graph::{Failure, FakeGraph};
use leadline_testkit::openai::{FakeOpenAi, FakeReply};
use serde_json::json;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use support::delivery::{self, Message, Plan, setting};
use support::{ACCESS_TOKEN, Options, TestApp};

/// Messages per scenario by default: cheap enough for every test run.
const MESSAGES: usize = 500;
/// Every customer says this many messages, one turn each.
const ROUNDS: usize = 5;
/// The whole run must end within this (the full size included).
const RUN_LIMIT: Duration = Duration::from_secs(900);

/// The run's messages: `LEADLINE_FAULTS_MESSAGES` (default `default`) from
/// a fifth as many customers, at most 1,000.
fn run_messages(default: usize, rounds: usize) -> Vec<Message> {
    let total = setting("LEADLINE_FAULTS_MESSAGES", default).max(1);
    let customers = (total / rounds).clamp(1, 1000);
    delivery::messages(total, customers)
}

/// The seed of every random draw: `LEADLINE_FAULTS_SEED` (default 8).
fn seed() -> u64 {
    setting("LEADLINE_FAULTS_SEED", 8) as u64
}

/// The server's own store file, opened beside it to follow and check the run.
async fn store_of(app: &TestApp) -> SqliteStore {
    let url = format!("sqlite://{}", app.db_dir.join("leadline.db").display());
    SqliteStore::open(&url)
        .await
        .expect("open the server's store")
}

/// Posts `messages` three times each, out of order, and checks the outcome.
async fn run(scenario: &str, app: &TestApp, graph: &FakeGraph, messages: &[Message]) {
    let store = store_of(app).await;
    let plan = Plan {
        copies: 3,
        seed: seed(),
        drain_each_round: false,
        limit: RUN_LIMIT,
    };
    let started = Instant::now();
    delivery::deliver(app, &store, messages, &plan, || {}).await;
    let report = delivery::ledger(&store, messages, graph, 0).await;
    eprintln!(
        "{scenario}: {} deliveries, {} sends attempted, {} accepted, in {:.1?}",
        messages.len() * plan.copies,
        graph.requests(),
        report.accepted,
        started.elapsed()
    );
    report.assert_clean(scenario, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_message_delivered_three_times_out_of_order_is_answered_once() {
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let app = TestApp::spawn(Options::new(&graph.base_url()).env("RUST_LOG", "warn")).await;
    let messages = run_messages(MESSAGES, ROUNDS);
    run("redelivered 3x out of order", &app, &graph, &messages).await;
}

/// 30% of send attempts fail: 500 and 503 (Graph's codes 1 and 2), 429
/// (130429, throughput) and 131056 (the pair rate limit: retried no sooner
/// than 6 s).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graph_api_failing_30_percent_of_sends_loses_and_repeats_nothing() {
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    graph.fail_randomly(
        0.3,
        vec![
            Failure {
                status: 500,
                code: 1,
            },
            Failure {
                status: 503,
                code: 2,
            },
            Failure {
                status: 429,
                code: 130_429,
            },
            Failure {
                status: 400,
                code: 131_056,
            },
        ],
        seed(),
    );
    let app = TestApp::spawn(Options::new(&graph.base_url()).env("RUST_LOG", "error")).await;
    let messages = run_messages(MESSAGES, ROUNDS);
    run("graph api 30% 5xx/429/131056", &app, &graph, &messages).await;
}

/// The model's answers, drawn at random per call: 5% never come (the
/// brain's 20 s timeout), 10% are a 500, 10% malformed JSON, 5% a 429, the
/// rest a valid structured answer. The local brain answers whatever the
/// model could not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_llm_timing_out_failing_and_babbling_still_answers_every_message_once() {
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let model = FakeOpenAi::start().await;
    let rng = Mutex::new(fastrand::Rng::with_seed(seed()));
    model.set_default(move |request| {
        let draw = rng.lock().unwrap_or_else(|e| e.into_inner()).u32(0..100);
        let answer = if request.get("response_format").is_some() {
            FakeReply::Json(json!({
                "reply": "Thanks! Tell me more about your team.",
                "intent": null,
                "fields": [],
                "confidence": 0.9,
                "resolved": true
            }))
        } else {
            FakeReply::Raw("The customer is exploring the offer.".to_owned())
        };
        match draw {
            0..5 => FakeReply::Hang,
            5..15 => FakeReply::Status(500),
            15..25 => FakeReply::Raw("{\"reply\": \"Thanks! Tell me".to_owned()),
            25..30 => FakeReply::RateLimited {
                retry_after_secs: 1,
            },
            _ => answer,
        }
    });
    let app = TestApp::spawn(
        Options::new(&graph.base_url())
            .env("LEADLINE_BRAIN", "openai")
            .env("OPENAI_BASE_URL", &model.base_url())
            .env("OPENAI_API_KEY", "sk-test")
            .env("RUST_LOG", "error"),
    )
    .await;
    // Two turns per customer: each round waits for its slowest turn, a
    // timed-out call or three.
    let messages = run_messages(MESSAGES / 5, 2);
    run("llm timeouts/5xx/malformed json", &app, &graph, &messages).await;
    eprintln!(
        "llm timeouts/5xx/malformed json: {} model calls",
        model.requests().len()
    );
}
