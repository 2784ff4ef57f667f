//! Several processes on one fresh PostgreSQL database, alone or with Redis
//! keeping conversations and the inbox, black box: the real binary as one
//! ingress (`LEADLINE_ROLE=ingress`) and two workers (`serve --role
//! worker`), replies to a fake Graph API. Every delivery is posted twice and
//! out of order, one worker is killed with SIGKILL midway, and then what the
//! fake accepted, tied to the store's outbox keys, must show every message
//! answered once, in order per customer, none lost. The same check follows
//! a Redis restart and a PostgreSQL outage under one running process.

mod support;

use leadline_domain::customer::CustomerId;
use leadline_stores::Store;
use leadline_stores::postgres::PgStore;
use leadline_stores::redis::RedisStore;
use leadline_testkit::graph::FakeGraph;
use leadline_testkit::postgres::TestDatabase;
use leadline_testkit::proxy::TcpProxy;
use leadline_testkit::redis::{PrivateRedis, TestRedis};
use leadline_testkit::webhook;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::dashboard::{Session, client, try_login};
use support::delivery::{self, Plan, setting};
use support::{ACCESS_TOKEN, ADMIN_TOKEN, APP_SECRET, Options, TestApp};

const CUSTOMERS: usize = 300;
/// Messages by default; `LEADLINE_MULTIPROCESS_MESSAGES` overrides it.
const MESSAGES: usize = 2000;
/// Messages per webhook delivery in the outage test.
const BATCH: usize = 20;
/// The whole run (excluding start-up) must end within this.
const RUN_LIMIT: Duration = Duration::from_secs(100);
/// One webhook delivery must be answered within this.
const POST_LIMIT: Duration = Duration::from_secs(10);
/// Short leases, so the killed worker's turns and sends are taken over
/// within the run.
const LEASE_MS: &str = "2000";
const SEND_LEASE_MS: &str = "3000";
/// Sends each worker has on the wire at once: how many a SIGKILL can leave
/// accepted by Graph but unrecorded.
const SEND_CONCURRENCY: usize = 8;

/// Where the processes keep their state: PostgreSQL alone, or Redis for
/// conversations and the inbox next to it.
struct Deployment {
    db: TestDatabase,
    redis: Option<TestRedis>,
}

impl Deployment {
    async fn postgres() -> Self {
        Self {
            db: TestDatabase::create().await,
            redis: None,
        }
    }

    fn name(&self) -> &'static str {
        match self.redis {
            None => "PostgreSQL",
            Some(_) => "Redis + PostgreSQL",
        }
    }

    async fn redis_and_postgres() -> Self {
        Self {
            db: TestDatabase::create().await,
            redis: Some(TestRedis::create()),
        }
    }

    fn options(&self, graph: &FakeGraph) -> Options {
        let options = Options::new(&graph.base_url())
            .env("DATABASE_URL", self.db.url())
            .env("RUST_LOG", "warn");
        match &self.redis {
            None => options,
            Some(redis) => options
                .env("REDIS_URL", redis.url())
                .env("LEADLINE_REDIS_PREFIX", redis.prefix()),
        }
    }

    /// The store as the processes see it, to watch the run and check it.
    async fn store(&self) -> Arc<dyn Store> {
        let records = PgStore::connect(self.db.url()).await.expect("connect");
        match &self.redis {
            None => Arc::new(records),
            Some(redis) => Arc::new(
                RedisStore::connect(redis.url(), redis.prefix(), records)
                    .await
                    .expect("connect"),
            ),
        }
    }
}

fn worker(deployment: &Deployment, graph: &FakeGraph) -> Options {
    deployment
        .options(graph)
        .arg("--role")
        .arg("worker")
        .env("LEADLINE_WORKERS", "8")
        .env("LEADLINE_SEND_CONCURRENCY", &SEND_CONCURRENCY.to_string())
        .env("LEADLINE_LEASE_MS", LEASE_MS)
        .env("LEADLINE_SEND_LEASE_MS", SEND_LEASE_MS)
}

fn ingress(deployment: &Deployment, graph: &FakeGraph) -> Options {
    deployment.options(graph).env("LEADLINE_ROLE", "ingress")
}

/// 1 ingress + 2 workers; `LEADLINE_MULTIPROCESS_MESSAGES` (default 2,000)
/// messages from up to 300 customers, each its own turn: the customers'
/// n-th messages are posted once every (n-1)-th is answered, each delivery
/// twice, shuffled across batches (seed: `LEADLINE_MULTIPROCESS_SEED`), the
/// second copy sometimes only after the first was answered, as Meta's
/// retries come. A worker is SIGKILLed after a third of the replies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgresql_two_workers_one_killed_answer_every_message_once_and_in_order() {
    two_workers_one_killed(Deployment::postgres().await).await;
}

/// The same on Redis (conversations, inbox) and PostgreSQL (records).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_redis_two_workers_one_killed_answer_every_message_once_and_in_order() {
    two_workers_one_killed(Deployment::redis_and_postgres().await).await;
}

async fn two_workers_one_killed(deployment: Deployment) {
    let total = setting("LEADLINE_MULTIPROCESS_MESSAGES", MESSAGES).max(1);
    let seed = setting("LEADLINE_MULTIPROCESS_SEED", 5) as u64;
    let customers = CUSTOMERS.min(total);
    let messages = delivery::messages(total, customers);

    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let store = deployment.store().await;
    let ingress = TestApp::spawn(ingress(&deployment, &graph)).await;
    // Meta reports each send back with its outbox key: what closes the
    // window where a worker dies between Graph's answer and recording it.
    graph.report_statuses_to(&format!("{}/webhook", ingress.base_url), APP_SECRET);
    let mut victim = Some(TestApp::spawn(worker(&deployment, &graph)).await);
    let _survivor = TestApp::spawn(worker(&deployment, &graph)).await;

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
    delivery::deliver(&ingress, store.as_ref(), &messages, &plan, || {
        kill.check(&mut victim, &graph);
    })
    .await;
    let Some(killed_at) = kill.accepted_before else {
        panic!(
            "the run ended before {} replies: no worker was killed",
            kill.after_replies
        )
    };

    let report = delivery::ledger(store.as_ref(), &messages, &graph, killed_at).await;
    eprintln!(
        "{total} messages from {customers} customers (seed {seed}, {}): {} replies accepted \
         by Graph, in {:?}",
        deployment.name(),
        report.accepted,
        started.elapsed()
    );
    // Not one resend: the killed worker's sends Graph accepted are recorded
    // from their statuses.
    report.assert_clean(
        &format!("sigkill of a worker under load ({})", deployment.name()),
        0,
    );
}

/// Kills the victim once the fake Graph API accepted enough replies.
struct Kill {
    after_replies: usize,
    /// How many replies the fake had accepted once the victim was dead.
    accepted_before: Option<usize>,
}

impl Kill {
    fn check(&mut self, victim: &mut Option<TestApp>, graph: &FakeGraph) {
        if victim.is_some() && graph.sent_count() >= self.after_replies {
            // Dropping a TestApp kills it with SIGKILL and reaps it.
            drop(victim.take());
            self.accepted_before = Some(graph.sent_count());
        }
    }
}

/// The halves split the work: the ingress takes the webhook and answers
/// nothing, the worker has no webhook and answers; both stop cleanly on
/// SIGTERM.
#[tokio::test]
async fn an_ingress_takes_webhooks_and_a_worker_answers_them() {
    let deployment = Deployment::postgres().await;
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let mut ingress = TestApp::spawn(ingress(&deployment, &graph)).await;
    ingress
        .customer_says("5215550999", "wamid.mp.roles", "Hola")
        .await;
    assert_eq!(
        deployment.store().await.depth().await.expect("depth"),
        1,
        "the ingress enqueued the message and did not answer it"
    );

    let mut worker = TestApp::spawn(worker(&deployment, &graph)).await;
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

/// Two processes behind one load balancer, without sticky sessions: a
/// login at one is good at the other, logging out at one ends it at both,
/// and wrong logins are counted across both.
#[tokio::test]
async fn a_dashboard_login_and_its_attempts_count_at_every_process() {
    let deployment = Deployment::postgres().await;
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let dashboard = || ingress(&deployment, &graph).env("LEADLINE_ADMIN_TOKEN", ADMIN_TOKEN);
    let one = TestApp::spawn(dashboard()).await;
    let other = TestApp::spawn(dashboard()).await;

    let at_one = Session::start(&one).await;
    let at_other = at_one.at(&other);
    let (status, html) = at_other.get("/").await;
    assert_eq!(status, 200, "{html}");
    let out = at_other.post("/logout", &[("csrf", &at_other.csrf)]).await;
    assert_eq!(out.status(), 303);
    assert_eq!(at_one.get("/").await.0, 303, "logged out at both");

    // Ten wrong tokens, at either process, and the eleventh is refused at
    // both; the right one still logs in.
    let http = client();
    for attempt in 1..=10 {
        let app = if attempt % 2 == 0 { &one } else { &other };
        let status = try_login(app, &http, "guess").await.status();
        assert_eq!(status, 401, "attempt {attempt}");
    }
    assert_eq!(try_login(&one, &http, "guess").await.status(), 429);
    assert_eq!(try_login(&other, &http, "guess").await.status(), 429);
    assert_eq!(try_login(&other, &http, ADMIN_TOKEN).await.status(), 303);
}

/// One process on a private Redis (append-only, fsynced) and PostgreSQL
/// behind a proxy the test controls; 60 customers write 5 messages each,
/// every delivery retried until it gets a 200, as Meta does. Redis is
/// killed and restarted during one round (webhooks get 503 meanwhile),
/// PostgreSQL cut off for seconds during two others (webhooks still get
/// 200: the messages wait in Redis); Leadline is not restarted. Every
/// message must be answered once, in order, none lost, no reply sent twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restart_and_a_postgresql_outage_lose_and_repeat_nothing() {
    const OUTAGE_CUSTOMERS: usize = 60;
    const ROUNDS: usize = 5;
    let db = TestDatabase::create().await;
    let proxy = TcpProxy::start(db.server()).await;
    let mut redis = PrivateRedis::start();
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let app = TestApp::spawn(
        Options::new(&graph.base_url())
            .env("DATABASE_URL", &db.url_through(proxy.addr()))
            .env("REDIS_URL", &redis.url())
            .env("LEADLINE_LEASE_MS", LEASE_MS)
            .env("RUST_LOG", "warn"),
    )
    .await;
    let records = PgStore::connect(db.url()).await.expect("connect");
    let store = RedisStore::connect(&redis.url(), "leadline", records)
        .await
        .expect("connect");

    let messages = delivery::messages(OUTAGE_CUSTOMERS * ROUNDS, OUTAGE_CUSTOMERS);
    let started = Instant::now();
    let mut refused = 0;
    let mut redis_down = false;
    for round in 0..ROUNDS {
        let deliveries: Vec<delivery::Message> = messages
            .iter()
            .copied()
            .filter(|m| m.seq == round)
            .collect();
        for (n, batch) in deliveries.chunks(BATCH).enumerate() {
            if n == 1 && round == 1 {
                redis.stop();
                redis_down = true;
            }
            if n == 1 && (round == 2 || round == 3) {
                proxy.cut();
                tokio::time::sleep(Duration::from_secs(3)).await;
            }
            if n == 2 && round == 2 {
                proxy.restore();
            }
            if n == 1 && round == 3 {
                proxy.restore();
            }
            let payload = webhook::notification(batch.iter().map(|m| m.payload()).collect());
            loop {
                let status =
                    match tokio::time::timeout(POST_LIMIT, app.post_webhook(&payload)).await {
                        Ok(response) => response.status().as_u16(),
                        Err(_) => 0,
                    };
                if status == 200 {
                    break;
                }
                assert!(
                    status == 503 || status == 0,
                    "round {round}: a webhook got {status}, not 200 or 503"
                );
                refused += 1;
                if redis_down && refused >= 3 {
                    redis.restart();
                    redis_down = false;
                }
                assert!(
                    started.elapsed() < RUN_LIMIT,
                    "round {round}: webhooks still refused after {RUN_LIMIT:?}"
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
        delivery::wait_settled(&store, true, started, RUN_LIMIT, &mut || {}, || {
            format!("round {round}")
        })
        .await;
    }
    assert!(refused > 0, "no webhook was refused: no outage was seen");
    let report = delivery::ledger(&store, &messages, &graph, 0).await;
    eprintln!(
        "{} messages from {OUTAGE_CUSTOMERS} customers across a Redis restart and two PostgreSQL \
         outages: {refused} deliveries refused with 503 and retried, in {:?}",
        messages.len(),
        started.elapsed()
    );
    report.assert_clean("redis restart and postgresql cut mid-run", 0);
}

/// Benchmark, not a test (`bench/README.md`): replies/s with 1 and then 2
/// worker processes on Redis + PostgreSQL with the local brain. The inbox
/// is filled first (`LEADLINE_BENCH_MESSAGES` first messages, default
/// 6,000, one per customer, each its own turn), then the workers start; the
/// rate is measured between 10% and 90% of the replies, the steady part.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: bench/README.md runs it"]
async fn scale_out_bench() {
    let total = setting("LEADLINE_BENCH_MESSAGES", 6000).max(10);
    let mut rates = Vec::new();
    for workers in [1, 2] {
        let deployment = Deployment::redis_and_postgres().await;
        let graph = FakeGraph::start(ACCESS_TOKEN).await;
        let store = deployment.store().await;
        for chunk in (0..total).collect::<Vec<_>>().chunks(500) {
            let batch = leadline_stores::InboxBatch {
                messages: chunk.iter().map(|&n| bench_message(n)).collect(),
                statuses: Vec::new(),
            };
            store.enqueue(batch).await.expect("enqueue");
        }
        let started = Instant::now();
        let mut apps = Vec::new();
        for _ in 0..workers {
            apps.push(
                TestApp::spawn(worker(&deployment, &graph).env("LEADLINE_WORKERS", "32")).await,
            );
        }
        let (low, high) = (total / 10, total * 9 / 10);
        let mut low_at = None;
        let mut cpu_at_low = HashMap::new();
        let high_at = loop {
            let sent = graph.sent_count();
            if low_at.is_none() && sent >= low {
                low_at = Some(Instant::now());
                cpu_at_low = cpu_seconds_by_program();
            }
            if sent >= high {
                break Instant::now();
            }
            assert!(
                started.elapsed() < Duration::from_secs(600),
                "{sent} of {total} replies after 10 minutes"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        let elapsed = high_at - low_at.unwrap_or(started);
        let rate = (high - low) as f64 / elapsed.as_secs_f64();
        eprintln!(
            "{workers} worker process(es): {rate:.0} replies/s ({} replies in {elapsed:.2?})",
            high - low
        );
        // Where the two cores went meanwhile, per program, in CPU time per
        // reply (the test process is the load generator and the fake Graph
        // API).
        let mut spent: Vec<(String, f64)> = cpu_seconds_by_program()
            .into_iter()
            .map(|(program, seconds)| {
                let before = cpu_at_low.get(&program).copied().unwrap_or(0.0);
                (program, (seconds - before) * 1000.0 / (high - low) as f64)
            })
            .filter(|(_, ms)| *ms >= 0.01)
            .collect();
        spent.sort_by(|a, b| b.1.total_cmp(&a.1));
        for (program, ms) in spent.iter().take(8) {
            eprintln!("    {program:<16} {ms:.3} ms CPU per reply");
        }
        rates.push(rate);
        drop(apps);
    }
    eprintln!("2 workers / 1 worker: {:.2}x", rates[1] / rates[0]);
}

/// CPU time (user + system) of every process on the machine, summed by
/// program name, from `/proc/*/stat`; Linux only, as the bench is.
fn cpu_seconds_by_program() -> HashMap<String, f64> {
    // Clock ticks per second: 100 on every Linux this runs on.
    const TICKS: f64 = 100.0;
    let mut spent = HashMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return spent;
    };
    for entry in entries.flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid ...`: comm may hold spaces, so split at the
        // last parenthesis; utime and stime are fields 14 and 15.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let program = stat[open + 1..close].to_owned();
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let ticks = |n: usize| fields.get(n).and_then(|f| f.parse::<f64>().ok());
        if let (Some(user), Some(system)) = (ticks(11), ticks(12)) {
            *spent.entry(program).or_insert(0.0) += (user + system) / TICKS;
        }
    }
    spent
}

/// The first message of bench customer `n`.
fn bench_message(n: usize) -> leadline_domain::InboundMessage {
    leadline_domain::InboundMessage {
        id: format!("wamid.bench.{n}"),
        customer: CustomerId::parse(&format!("521550{n:06}")).expect("a valid id"),
        business_number_id: "1065".to_owned(),
        profile_name: Some("Ana".to_owned()),
        sent_at: jiff::Timestamp::now(),
        content: leadline_domain::Content::Text {
            body: "Hola, me llamo Ana y busco un CRM para mi equipo".to_owned(),
        },
    }
}
