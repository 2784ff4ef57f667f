//! Several processes on one fresh PostgreSQL database, black box: the real
//! binary as one ingress (`LEADLINE_ROLE=ingress`) and two workers
//! (`serve --role worker`), replies to a fake Graph API. Every delivery is
//! posted twice and out of order, one worker is killed with SIGKILL midway,
//! and then what the fake accepted, tied to the store's outbox keys, must
//! show every message answered once, in order per customer, none lost.

mod support;

use leadline_domain::customer::CustomerId;
use leadline_stores::postgres::PgStore;
use leadline_stores::{AdminStore, OutboxEntry, SendState};
use leadline_testkit::graph::FakeGraph;
use leadline_testkit::postgres::TestDatabase;
use leadline_testkit::webhook;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};
use support::{ACCESS_TOKEN, Options, TestApp};

const CUSTOMERS: usize = 300;
/// Messages by default; `LEADLINE_MULTIPROCESS_MESSAGES` overrides it.
const MESSAGES: usize = 2000;
/// Messages per webhook delivery: a pace two cores sustain.
const BATCH: usize = 20;
/// The whole run (excluding start-up) must end within this.
const RUN_LIMIT: Duration = Duration::from_secs(100);
/// One webhook delivery must be answered within this.
const POST_LIMIT: Duration = Duration::from_secs(10);
/// Short leases, so the killed worker's turns and sends are taken over
/// within the run.
const LEASE_MS: &str = "2000";
const SEND_LEASE_MS: &str = "3000";
/// Sends each worker has on the wire at once: the most a SIGKILL can leave
/// accepted by Graph but unrecorded.
const SEND_CONCURRENCY: usize = 8;

/// What each customer says, one message per turn: a sales conversation the
/// local brain answers at every step.
const SCRIPT: [&str; 7] = [
    "Hola, buenas tardes",
    "Me llamo Ana",
    "Busco un sistema para organizar las ventas de mi empresa",
    "Tenemos un presupuesto de 2000 dólares al mes",
    "Yo decido la compra",
    "Queremos empezar el próximo mes",
    "El martes por la mañana me va bien",
];

/// One inbound message: the `seq`th of customer number `customer`.
#[derive(Debug, Clone, Copy)]
struct Message {
    customer: usize,
    seq: usize,
}

impl Message {
    fn wa_id(customer: usize) -> String {
        format!("52155500{customer:03}")
    }

    fn id(self) -> String {
        format!("wamid.mp.{}.{}", self.customer, self.seq)
    }

    fn payload(self) -> Value {
        webhook::text(
            &Self::wa_id(self.customer),
            &self.id(),
            SCRIPT[self.seq % SCRIPT.len()],
        )
    }
}

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

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
/// messages from up to 300 customers, each its own turn: the customers'
/// n-th messages are posted once every (n-1)-th is answered, each delivery
/// twice, shuffled across batches (seed: `LEADLINE_MULTIPROCESS_SEED`), the
/// second copy sometimes only after the first was answered, as Meta's
/// retries come. A worker is SIGKILLed after a third of the replies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_one_killed_answer_every_message_once_and_in_order() {
    let total = setting("LEADLINE_MULTIPROCESS_MESSAGES", MESSAGES).max(1);
    let seed = setting("LEADLINE_MULTIPROCESS_SEED", 5) as u64;
    let customers = CUSTOMERS.min(total);
    let messages: Vec<Message> = (0..total)
        .map(|i| Message {
            customer: i % customers,
            seq: i / customers,
        })
        .collect();
    let rounds = total.div_ceil(customers);

    let db = TestDatabase::create().await;
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let ingress = TestApp::spawn(ingress(&graph, &db)).await;
    let mut victim = Some(TestApp::spawn(worker(&graph, &db)).await);
    let _survivor = TestApp::spawn(worker(&graph, &db)).await;

    let started = Instant::now();
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut kill = Kill {
        after_replies: total / 3,
        accepted_before: None,
    };
    let mut late: Vec<Message> = Vec::new();
    for round in 0..=rounds {
        // This round's first copies and second copies, with the second
        // copies of the last round left for now.
        let mut deliveries = std::mem::take(&mut late);
        for &message in messages.iter().filter(|m| m.seq == round) {
            deliveries.push(message);
            if rng.bool() {
                deliveries.push(message);
            } else {
                late.push(message);
            }
        }
        rng.shuffle(&mut deliveries);
        for batch in deliveries.chunks(BATCH) {
            let payload = webhook::notification(batch.iter().map(|m| m.payload()).collect());
            let response = tokio::time::timeout(POST_LIMIT, ingress.post_webhook(&payload))
                .await
                .unwrap_or_else(|_| panic!("a webhook took over {POST_LIMIT:?}"));
            assert_eq!(response.status(), 200, "round {round}");
            kill.check(&mut victim, &graph);
        }
        // Every message of the round is answered and every reply sent before
        // the next round, so each message is a turn of its own.
        loop {
            kill.check(&mut victim, &graph);
            let unacked = db
                .count("SELECT count(*) FROM inbox WHERE acked_at IS NULL")
                .await;
            let unsent = db
                .count("SELECT count(*) FROM outbox WHERE state = 'pending'")
                .await;
            if unacked == 0 && unsent == 0 {
                break;
            }
            assert!(
                started.elapsed() < RUN_LIMIT,
                "round {round} of {rounds} not answered within {RUN_LIMIT:?}: {unacked} messages unanswered, {unsent} replies unsent"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let Some(killed_at) = kill.accepted_before else {
        panic!(
            "the run ended before {} replies: no worker was killed",
            kill.after_replies
        )
    };

    let store = PgStore::connect(db.url()).await.expect("connect the store");
    let mut outbox = Vec::new();
    for customer in 0..customers {
        let wa_id = Message::wa_id(customer);
        let id = CustomerId::parse(&wa_id).expect("a valid test wa_id");
        let entries = store.outbox_entries(&id).await.expect("the outbox");
        let said = messages.iter().filter(|m| m.customer == customer).count();
        outbox.push((customer, said, entries));
    }
    let report = check(&outbox, &graph, killed_at);
    eprintln!(
        "{total} messages from {customers} customers (seed {seed}): {} replies accepted by Graph, \
         {} resent after the SIGKILL, in {:?}",
        report.accepted,
        report.resent,
        started.elapsed()
    );
    assert!(
        report.problems.is_empty(),
        "{} problems, the first ones:\n{}",
        report.problems.len(),
        report.problems[..report.problems.len().min(20)].join("\n")
    );
    assert!(
        report.resent <= SEND_CONCURRENCY,
        "{} resends, more than the killed worker had on the wire",
        report.resent
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
        if victim.is_some() && graph.sent().len() >= self.after_replies {
            // Dropping a TestApp kills it with SIGKILL and reaps it.
            drop(victim.take());
            self.accepted_before = Some(graph.sent().len());
        }
    }
}

#[derive(Debug, Default)]
struct Report {
    accepted: usize,
    /// Replies Graph accepted twice: sends the SIGKILL cut between Graph's
    /// answer and recording it, sent again after their lease. The Cloud
    /// API has no idempotency key, so this window cannot be closed.
    resent: usize,
    problems: Vec<String>,
}

/// Ties every send the fake accepted to the outbox entry it came from (by
/// the wamid the fake answered with), and every outbox entry to the
/// inbound message it answers (its key is that message's id and a part).
fn check(
    outbox: &[(usize, usize, Vec<OutboxEntry>)],
    graph: &FakeGraph,
    killed_at: usize,
) -> Report {
    let sent = graph.sent();
    let mut report = Report {
        accepted: sent.len(),
        ..Report::default()
    };
    let position = |wamid: &str| sent.iter().position(|s| s.message_id == wamid);
    // Where the fake accepted each recorded reply, by recipient and text.
    let mut recorded: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (customer, said, entries) in outbox {
        let wa_id = Message::wa_id(*customer);
        // (position at the fake, seq, part) for every reply of this customer.
        let mut replies: Vec<(usize, usize, usize)> = Vec::new();
        let mut answered: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for entry in entries {
            let key = &entry.message.key;
            let Some((seq, part)) = parse_key(key, *customer) else {
                report.problems.push(format!(
                    "{wa_id}: a reply keyed {key:?}, not on a message of theirs"
                ));
                continue;
            };
            answered.entry(seq).or_default().push(part);
            if entry.state != SendState::Sent {
                report
                    .problems
                    .push(format!("{wa_id}: reply {key} is {:?}", entry.state));
                continue;
            }
            let Some(at) = entry.wa_message_id.as_deref().and_then(position) else {
                report.problems.push(format!(
                    "{wa_id}: reply {key} is marked sent but Graph never got it"
                ));
                continue;
            };
            if sent[at].to != wa_id {
                report
                    .problems
                    .push(format!("{wa_id}: reply {key} went to someone else"));
            }
            recorded
                .entry((entry.message.to.as_str(), entry.message.body.text()))
                .or_default()
                .push(at);
            replies.push((at, seq, part));
        }
        for seq in 0..*said {
            match answered.get(&seq) {
                None => report
                    .problems
                    .push(format!("{wa_id}: message {seq} was never answered")),
                Some(parts) => {
                    let mut parts = parts.clone();
                    parts.sort_unstable();
                    if parts != (0..parts.len()).collect::<Vec<_>>() {
                        report.problems.push(format!(
                            "{wa_id}: message {seq} answered with parts {parts:?}"
                        ));
                    }
                }
            }
        }
        if let Some(extra) = answered.keys().find(|&&seq| seq >= *said) {
            report
                .problems
                .push(format!("{wa_id}: a reply to message {extra}, never sent"));
        }
        replies.sort_unstable();
        for pair in replies.windows(2) {
            let ((_, seq_a, part_a), (_, seq_b, part_b)) = (pair[0], pair[1]);
            if (seq_a, part_a) >= (seq_b, part_b) {
                report.problems.push(format!(
                    "{wa_id}: reply {seq_b}#{part_b} arrived after {seq_a}#{part_a}"
                ));
            }
        }
    }
    // A send the outbox does not account for is a reply sent twice: only
    // allowed for one the killed worker had on the wire (accepted before it
    // died) whose recorded copy a survivor sent after.
    let explained: HashSet<usize> = recorded.values().flatten().copied().collect();
    for (at, message) in sent.iter().enumerate() {
        if explained.contains(&at) {
            continue;
        }
        let text = message.text.as_deref().unwrap_or_default();
        let resent_later = recorded
            .get(&(message.to.as_str(), text))
            .is_some_and(|copies| copies.iter().any(|&copy| copy >= killed_at));
        if at < killed_at && resent_later {
            report.resent += 1;
        } else {
            report.problems.push(format!(
                "{}: send #{at} ({text:?}) matches no outbox entry: answered twice",
                message.to
            ));
        }
    }
    report
}

/// `wamid.mp.{customer}.{seq}#{part}` → (seq, part), for this customer's
/// messages only.
fn parse_key(key: &str, customer: usize) -> Option<(usize, usize)> {
    let (id, part) = key.split_once('#')?;
    let rest = id.strip_prefix("wamid.mp.")?;
    let (owner, seq) = rest.split_once('.')?;
    if owner.parse::<usize>().ok()? != customer {
        return None;
    }
    Some((seq.parse().ok()?, part.parse().ok()?))
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
