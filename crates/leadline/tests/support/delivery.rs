//! Many customers' messages posted as Meta delivers them (each several
//! times, shuffled across webhooks, a late copy only after the first was
//! answered), and the ledger that ties every send the fake Graph API
//! accepted to the outbox entry and the inbound message it answers: sent /
//! answered / duplicated / lost.

use super::TestApp;
use leadline_domain::customer::CustomerId;
use leadline_stores::{OutboxEntry, SendState, Store};
use leadline_testkit::graph::FakeGraph;
use leadline_testkit::webhook;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::time::{Duration, Instant};

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

/// Messages per webhook delivery: a pace two cores sustain.
const BATCH: usize = 20;
/// One webhook delivery must be answered within this.
const POST_LIMIT: Duration = Duration::from_secs(10);

/// One inbound message: the `seq`th of customer number `customer`.
#[derive(Debug, Clone, Copy)]
pub struct Message {
    pub customer: usize,
    pub seq: usize,
}

impl Message {
    pub fn wa_id(customer: usize) -> String {
        format!("52155500{customer:03}")
    }

    fn id(self) -> String {
        format!("wamid.mp.{}.{}", self.customer, self.seq)
    }

    pub fn payload(self) -> Value {
        webhook::text(
            &Self::wa_id(self.customer),
            &self.id(),
            SCRIPT[self.seq % SCRIPT.len()],
        )
    }
}

/// `total` messages from `customers` customers, round-robin: every
/// customer's n-th message comes in round n.
pub fn messages(total: usize, customers: usize) -> Vec<Message> {
    (0..total)
        .map(|i| Message {
            customer: i % customers,
            seq: i / customers,
        })
        .collect()
}

/// A numeric setting from the environment, for run sizes.
pub fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// How [`deliver`] posts the messages.
pub struct Plan {
    /// Deliveries of each message (Meta retries until it gets a 200).
    pub copies: usize,
    pub seed: u64,
    /// Whether a round also waits for every reply to be sent (else only
    /// for every message to be answered, sends go on in the background).
    pub drain_each_round: bool,
    /// The whole run must end within this.
    pub limit: Duration,
}

/// Posts every message `plan.copies` times, in rounds: the customers' n-th
/// messages once every (n-1)-th is answered, so each message is a turn of
/// its own. Within a round the copies are shuffled across webhooks (seed:
/// `plan.seed`); each extra copy comes in the same round or, at random, in
/// the next one, after the first was answered, as Meta's retries come.
/// `between` runs after every webhook and every poll (to kill a worker
/// midway). Returns once every message is answered and every reply is
/// out of the outbox, sent or failed for good.
pub async fn deliver(
    ingress: &TestApp,
    store: &dyn Store,
    messages: &[Message],
    plan: &Plan,
    mut between: impl FnMut(),
) {
    let started = Instant::now();
    let rounds = messages.iter().map(|m| m.seq + 1).max().unwrap_or(0);
    let mut rng = fastrand::Rng::with_seed(plan.seed);
    let mut late: Vec<Message> = Vec::new();
    for round in 0..=rounds {
        // This round's copies, with the late copies of the last round.
        let mut deliveries = std::mem::take(&mut late);
        for &message in messages.iter().filter(|m| m.seq == round) {
            deliveries.push(message);
            for _ in 1..plan.copies {
                if rng.bool() {
                    deliveries.push(message);
                } else {
                    late.push(message);
                }
            }
        }
        rng.shuffle(&mut deliveries);
        for batch in deliveries.chunks(BATCH) {
            let payload = webhook::notification(batch.iter().map(|m| m.payload()).collect());
            let response = tokio::time::timeout(POST_LIMIT, ingress.post_webhook(&payload))
                .await
                .unwrap_or_else(|_| panic!("a webhook took over {POST_LIMIT:?}"));
            assert_eq!(response.status(), 200, "round {round}");
            between();
        }
        let drain = plan.drain_each_round || round == rounds;
        wait_settled(store, drain, started, plan.limit, &mut between, || {
            format!("round {round} of {rounds}")
        })
        .await;
    }
}

/// Waits until no message waits for an answer and, with `drain`, no reply
/// waits to be sent.
pub async fn wait_settled(
    store: &dyn Store,
    drain: bool,
    started: Instant,
    limit: Duration,
    between: &mut impl FnMut(),
    what: impl Fn() -> String,
) {
    loop {
        between();
        // A store briefly unavailable (a worker restarting) is polled again.
        let unanswered = store.depth().await.unwrap_or(u64::MAX);
        let unsent = drain && !matches!(store.next_due().await, Ok(None));
        if unanswered == 0 && !unsent {
            return;
        }
        assert!(
            started.elapsed() < limit,
            "{} not done within {limit:?}: {unanswered} messages unanswered, replies unsent: {unsent}",
            what()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What a run came to, per inbound message and per send.
#[derive(Debug, Default)]
pub struct Report {
    /// Distinct inbound messages posted.
    pub sent: usize,
    /// Messages whose every reply part Graph accepted.
    pub answered: usize,
    /// Sends Graph accepted that no outbox entry accounts for, resends
    /// included.
    pub duplicated: usize,
    /// Messages never answered, or answered with a reply Graph never got.
    pub lost: usize,
    /// Of the duplicates: replies Graph accepted from a worker killed
    /// before it recorded them, sent again by another after their lease.
    /// The Cloud API has no idempotency key; the outbox key each send
    /// carries, echoed in its status webhook, records such a send when the
    /// statuses come (the multi-process tests have the fake report them).
    pub resent: usize,
    /// Sends Graph accepted in all.
    pub accepted: usize,
    /// Every loss, duplicate or misordering, one line each.
    pub problems: Vec<String>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "sent {} / answered {} / duplicated {} / lost {}",
            self.sent, self.answered, self.duplicated, self.lost
        )?;
        if self.resent > 0 {
            write!(f, " ({} resent after a SIGKILL)", self.resent)?;
        }
        Ok(())
    }
}

impl Report {
    /// Prints the figures under `scenario` (for `scripts/faults`) and fails
    /// the test on any problem but the resends `allowed_resends` permits.
    pub fn assert_clean(&self, scenario: &str, allowed_resends: usize) {
        eprintln!("{scenario}: {self}");
        assert!(
            self.problems.is_empty(),
            "{scenario}: {} problems, the first ones:\n{}",
            self.problems.len(),
            self.problems[..self.problems.len().min(20)].join("\n")
        );
        assert!(
            self.resent <= allowed_resends,
            "{scenario}: {} resends, more than {allowed_resends}",
            self.resent
        );
    }
}

/// Reads every customer's outbox and checks it against what the fake
/// Graph API accepted (see [`check`]).
pub async fn ledger(
    store: &dyn Store,
    messages: &[Message],
    graph: &FakeGraph,
    killed_at: usize,
) -> Report {
    let customers = messages.iter().map(|m| m.customer + 1).max().unwrap_or(0);
    let mut outbox = Vec::new();
    for customer in 0..customers {
        let wa_id = Message::wa_id(customer);
        let id = CustomerId::parse(&wa_id).expect("a valid test wa_id");
        let entries = store.outbox_entries(&id).await.expect("the outbox");
        let said = messages.iter().filter(|m| m.customer == customer).count();
        outbox.push((customer, said, entries));
    }
    check(&outbox, graph, killed_at)
}

/// Ties every send the fake accepted to the outbox entry it came from (by
/// the wamid the fake answered with), and every outbox entry to the
/// inbound message it answers (its key is that message's id and a part).
/// Sends accepted before position `killed_at` may have been sent again by
/// another worker (see [`Report::resent`]); pass 0 when nothing was killed.
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
        report.sent += said;
        // (position at the fake, seq, part) for every reply of this customer.
        let mut replies: Vec<(usize, usize, usize)> = Vec::new();
        let mut answered: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        let mut undelivered: HashSet<usize> = HashSet::new();
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
                undelivered.insert(seq);
                continue;
            }
            let Some(at) = entry.wa_message_id.as_deref().and_then(position) else {
                report.problems.push(format!(
                    "{wa_id}: reply {key} is marked sent but Graph never got it"
                ));
                undelivered.insert(seq);
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
                None => {
                    report
                        .problems
                        .push(format!("{wa_id}: message {seq} was never answered"));
                    report.lost += 1;
                }
                Some(parts) => {
                    let mut parts = parts.clone();
                    parts.sort_unstable();
                    if parts != (0..parts.len()).collect::<Vec<_>>() {
                        report.problems.push(format!(
                            "{wa_id}: message {seq} answered with parts {parts:?}"
                        ));
                    }
                    if undelivered.contains(&seq) {
                        report.lost += 1;
                    } else {
                        report.answered += 1;
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
        report.duplicated += 1;
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
