//! Whole-pipeline benchmarks on the real release binary (`leadline serve`
//! with its embedded SQLite store), driven over loopback with testkit's
//! fake Graph API and fake OpenAI-compatible model. Every run is bounded
//! in messages and in time, and prints its figures; nothing is asserted.
//!
//! ```text
//! cargo bench -p leadline --bench pipeline -- e2e [MESSAGES]
//! cargo bench -p leadline --bench pipeline -- latency [SECONDS] [RATE] [MODEL_MS] [WORKERS]
//! cargo bench -p leadline --bench pipeline -- memory [MESSAGES] [CONVERSATIONS]
//! ```
//!
//! See bench/README.md for what each measures.

#[path = "../tests/support/mod.rs"]
mod support;

use leadline_stores::sqlite::SqliteStore;
use leadline_testkit::graph::FakeGraph;
use leadline_testkit::openai::{FakeOpenAi, FakeReply};
use leadline_testkit::webhook;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use support::delivery::{self, Plan};
use support::{ACCESS_TOKEN, Options, TestApp};

/// Messages per webhook when posting a load up front.
const BATCH: usize = 50;
/// No run waits longer than this for its replies.
const LIMIT: Duration = Duration::from_secs(1800);

fn arg(args: &[String], at: usize, default: u64) -> u64 {
    args.get(at).and_then(|a| a.parse().ok()).unwrap_or(default)
}

fn main() {
    // `cargo bench` passes `--bench` after the user's arguments.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match args.first().map(String::as_str) {
        Some("e2e") => runtime.block_on(e2e(arg(&args, 1, 20_000) as usize)),
        Some("latency") => runtime.block_on(latency(
            arg(&args, 1, 30),
            arg(&args, 2, 100),
            arg(&args, 3, 700),
            arg(&args, 4, 256),
        )),
        Some("memory") => runtime.block_on(memory(
            arg(&args, 1, 1_000_000) as usize,
            arg(&args, 2, 100_000) as usize,
        )),
        _ => {
            eprintln!(
                "usage: cargo bench -p leadline --bench pipeline -- e2e [MESSAGES] | latency [SECONDS] [RATE] [MODEL_MS] [WORKERS] | memory [MESSAGES] [CONVERSATIONS]"
            );
            std::process::exit(2);
        }
    }
}

/// A distinct customer per index.
fn wa_id(i: usize) -> String {
    format!("1555{i:07}")
}

/// Replies/s with the local brain, the fake Graph API answering each send
/// in 50 ms: `messages` messages from as many customers (a customer's
/// replies go out one after another, so one each keeps the figure about
/// the server), posted up front in webhooks of 50.
async fn e2e(messages: usize) {
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    graph.set_latency(Duration::from_millis(50));
    let app = TestApp::spawn(
        Options::new(&graph.base_url())
            .env("RUST_LOG", "warn")
            // 50 ms a send: 1,000 replies/s needs at least 50 on the wire.
            .env("LEADLINE_SEND_CONCURRENCY", "256"),
    )
    .await;
    let started = Instant::now();
    for (n, chunk) in (0..messages).collect::<Vec<_>>().chunks(BATCH).enumerate() {
        let batch = chunk
            .iter()
            .map(|&i| webhook::text(&wa_id(i), &format!("wamid.e2e.{i}"), "Hola, buenas tardes"))
            .collect();
        let response = app.post_webhook(&webhook::notification(batch)).await;
        assert_eq!(response.status(), 200, "webhook {n}");
    }
    let posted = started.elapsed();
    let sent = graph.wait_for_sent(messages, LIMIT).await;
    let elapsed = started.elapsed();
    let last = sent.last().map_or(elapsed, |s| s.accepted_at - started);
    println!(
        "e2e: {messages} messages posted in {posted:.2?}; {} replies in {last:.2?}: {:.0} replies/s",
        sent.len(),
        sent.len() as f64 / last.as_secs_f64()
    );
}

/// Webhook-to-send latency at a steady `rate` messages/s for `seconds`,
/// each from a new customer, with a fake model answering every call in
/// `model_ms` (the OpenAI-compatible brain, one call per turn). A turn
/// holds one of `workers` for the model's whole latency: at 100 messages/s
/// and 700 ms, 70 turns are in flight, more than the default 64 workers.
async fn latency(seconds: u64, rate: u64, model_ms: u64, workers: u64) {
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let model = FakeOpenAi::start().await;
    let delay = Duration::from_millis(model_ms);
    model.set_default(move |_| {
        let answer = FakeReply::Json(json!({
            "reply": "¡Hola! ¿Cómo te llamas?",
            "language": "es",
            "intent": "greet",
            "fields": [],
            "confidence": 0.9,
            "resolved": true
        }));
        FakeReply::Delay(delay, Box::new(answer))
    });
    let app = TestApp::spawn(
        Options::new(&graph.base_url())
            .env("RUST_LOG", "warn")
            .env("LEADLINE_WORKERS", &workers.to_string())
            .env("LEADLINE_BRAIN", "openai")
            .env("OPENAI_BASE_URL", &model.base_url())
            .env("OPENAI_API_KEY", "sk-bench"),
    )
    .await;
    let total = (seconds * rate) as usize;
    let mut posted = Vec::with_capacity(total);
    let mut tick = tokio::time::interval(Duration::from_secs(1) / rate as u32);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    for i in 0..total {
        tick.tick().await;
        posted.push(Instant::now());
        app.customer_says(&wa_id(i), &format!("wamid.lat.{i}"), "Hola, buenas tardes")
            .await;
    }
    let sent = graph.wait_for_sent(total, LIMIT).await;
    let mut latencies: Vec<Duration> = sent
        .iter()
        .filter_map(|s| {
            let i: usize = s.to.strip_prefix("1555")?.parse().ok()?;
            Some(s.accepted_at - posted[i])
        })
        .collect();
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    println!(
        "latency: {total} messages at {rate}/s, model {model_ms} ms, {workers} workers: p50 {:.1?} p95 {:.1?} p99 {:.1?} max {:.1?} ({} model calls)",
        at(0.50),
        at(0.95),
        at(0.99),
        latencies[latencies.len() - 1],
        model.requests().len()
    );
}

/// The server's RSS, sampled every second from /proc, while `messages`
/// messages flow through `conversations` conversations (one message per
/// conversation per round, each round answered before the next).
async fn memory(messages: usize, conversations: usize) {
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let app = TestApp::spawn(Options::new(&graph.base_url()).env("RUST_LOG", "warn")).await;
    let url = format!("sqlite://{}", app.db_dir.join("leadline.db").display());
    let store = SqliteStore::open(&url)
        .await
        .expect("open the server's store");
    let pid = app.pid();
    let done = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let sampler = tokio::spawn({
        let done = done.clone();
        async move {
            let mut samples: Vec<(Duration, Rss)> = Vec::new();
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            while !done.load(Ordering::Relaxed) && started.elapsed() < LIMIT {
                tick.tick().await;
                if let Some(rss) = Rss::of(pid) {
                    samples.push((started.elapsed(), rss));
                }
            }
            samples
        }
    });
    let plan = Plan {
        copies: 1,
        seed: 1,
        drain_each_round: false,
        limit: LIMIT,
    };
    let all = delivery::messages(messages, conversations);
    delivery::deliver(&app, &store, &all, &plan, || {}).await;
    done.store(true, Ordering::Relaxed);
    let samples = sampler.await.expect("the sampler");
    let elapsed = started.elapsed();
    let max = samples.iter().map(|s| s.1.total).max().unwrap_or(0);
    println!(
        "memory: {messages} messages through {conversations} conversations in {elapsed:.1?} \
         ({} sends); RSS max {} MiB",
        graph.requests(),
        max / 1024
    );
    // Ten points along the run, to see whether it stays flat, and which
    // kind of memory grows: the heap (anonymous), file pages mapped (SQLite's
    // mmap) or shared memory (the WAL index).
    let step = (samples.len() / 10).max(1);
    for (at, rss) in samples.iter().step_by(step).chain(samples.last()) {
        println!(
            "  t={:>6.0?}  RSS {:>4} MiB  (anon {:>4}, file {:>4}, shmem {:>4})",
            at,
            rss.total / 1024,
            rss.anon / 1024,
            rss.file / 1024,
            rss.shmem / 1024
        );
    }
}

/// A process's resident memory, in KiB, from `/proc/PID/status`.
#[derive(Debug, Clone, Copy)]
struct Rss {
    total: u64,
    anon: u64,
    file: u64,
    shmem: u64,
}

impl Rss {
    fn of(pid: u32) -> Option<Rss> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let field = |name: &str| -> Option<u64> {
            let line = status.lines().find(|l| l.starts_with(name))?;
            line.split_whitespace().nth(1)?.parse().ok()
        };
        Some(Rss {
            total: field("VmRSS:")?,
            anon: field("RssAnon:")?,
            file: field("RssFile:")?,
            shmem: field("RssShmem:")?,
        })
    }
}
