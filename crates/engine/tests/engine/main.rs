//! The engine in process: the real workers, sender and dispatcher on a
//! temporary SQLite store, the local brain, and an outlet that records what
//! it is given. Time is a [`ManualClock`]: leases expire and retries fall
//! due when a test moves it, and absence is read from the store once it has
//! settled, never waited out.//!
//! This file holds the harness; the tests are grouped by what the engine
//! does, one module each.

mod booking;
mod conversations;
mod follow_ups;

use async_trait::async_trait;
use jiff::Timestamp;
use leadline_brains::local::LocalBrain;
use leadline_domain::playbook::Playbook;
use leadline_domain::router::Agent;
use leadline_domain::tools::ToolRegistry;
use leadline_domain::{Content, CustomerId, InboundMessage, ManualClock};
use leadline_engine::booking::{LocalCalendar, register_booking_tools};
use leadline_engine::{Engine, EngineConfig, Outlet, RepContact, SideEffects};
use leadline_stores::sqlite::SqliteStore;
use leadline_stores::{
    CalendarCall, EffectQuery, EffectState, InboxBatch, ListRow, OutboxEntry, OutgoingBody,
    OutgoingMessage, Reservation, SendState, Store, StoreError,
};
use leadline_whatsapp::send::SendError;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// A Monday morning in Madrid, so the slots offered are always the same.
const START: &str = "2026-03-02T08:00:00Z";
const BUSINESS: &str = "0";
/// How long a test waits for something that must happen.
const WAIT: Duration = Duration::from_secs(20);
const LEASE: Duration = Duration::from_secs(30);

/// Keeps what it is asked to send; fails the sends it is told to.
#[derive(Default)]
struct RecordingOutlet {
    sent: Mutex<Vec<OutgoingMessage>>,
    attempts: Mutex<usize>,
    failures: Mutex<VecDeque<SendError>>,
}

impl RecordingOutlet {
    fn sent(&self) -> Vec<OutgoingMessage> {
        self.sent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn sent_to(&self, customer: &CustomerId) -> Vec<OutgoingMessage> {
        self.sent()
            .into_iter()
            .filter(|m| &m.to == customer)
            .collect()
    }

    fn attempts(&self) -> usize {
        *self.attempts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn fail_next(&self, error: SendError) {
        self.failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_back(error);
    }
}

#[async_trait]
impl Outlet for RecordingOutlet {
    async fn send(&self, message: &OutgoingMessage) -> Result<String, SendError> {
        *self.attempts.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        let next = self
            .failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front();
        if let Some(error) = next {
            return Err(error);
        }
        let mut sent = self.sent.lock().unwrap_or_else(PoisonError::into_inner);
        sent.push(message.clone());
        Ok(format!("wamid.out.{}", sent.len()))
    }

    async fn mark_read(&self, _: &str, _: &str) -> Result<(), SendError> {
        Ok(())
    }
}

/// A running engine on its own temporary database.
struct Harness {
    store: Arc<dyn Store>,
    outlet: Arc<RecordingOutlet>,
    time: ManualClock,
    /// Started by [`Harness::run`].
    engine: Engine,
    shutdown: CancellationToken,
    running: Option<tokio::task::JoinHandle<()>>,
    _dir: tempfile::TempDir,
    sequence: usize,
}

/// How a harness is built.
struct Setup {
    quiet_for: Duration,
    side_effects: SideEffects,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            quiet_for: Duration::ZERO,
            side_effects: SideEffects::default(),
        }
    }
}

impl Harness {
    async fn start() -> Self {
        Self::with(Setup::default()).await
    }

    async fn with(setup: Setup) -> Self {
        let mut harness = Self::stopped(setup).await;
        harness.run();
        harness
    }

    /// The harness with its engine not running yet, for a test to set the
    /// store up first.
    async fn stopped(setup: Setup) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let time = ManualClock::new(START.parse().expect("a timestamp"));
        let url = format!("sqlite://{}", dir.path().join("engine.db").display());
        let store = SqliteStore::open_with_clock(&url, time.clock())
            .await
            .expect("open the store");
        store.migrate().await.expect("migrate");
        let store: Arc<dyn Store> = Arc::new(store);
        let playbook = Arc::new(Playbook::builtin());
        let mut tools = ToolRegistry::default();
        register_booking_tools(
            &mut tools,
            Arc::new(LocalCalendar::new(store.clone())),
            playbook.scheduling.clone(),
            time.clock(),
        );
        let brain = Arc::new(LocalBrain::new(&playbook));
        let agent = Arc::new(Agent::new(playbook, brain, tools));
        let outlet = Arc::new(RecordingOutlet::default());
        let config = EngineConfig {
            workers: 4,
            lease: LEASE,
            quiet_for: setup.quiet_for,
            idle_poll: Duration::from_millis(5),
            mark_read: false,
            clock: time.clock(),
            ..EngineConfig::default()
        };
        let engine = Engine::new(
            store.clone(),
            agent,
            outlet.clone(),
            None,
            config,
            setup.side_effects,
        );
        Self {
            store,
            outlet,
            time,
            engine,
            shutdown: CancellationToken::new(),
            running: None,
            _dir: dir,
            sequence: 0,
        }
    }

    fn run(&mut self) {
        let (engine, shutdown) = (self.engine.clone(), self.shutdown.clone());
        self.running = Some(tokio::spawn(async move { engine.run(shutdown).await }));
    }

    fn message(&mut self, customer: &CustomerId, content: Content) -> InboundMessage {
        self.sequence += 1;
        InboundMessage {
            id: format!("wamid.in.{}", self.sequence),
            customer: customer.clone(),
            business_number_id: BUSINESS.to_owned(),
            profile_name: None,
            sent_at: self.time.now(),
            content,
        }
    }

    fn text(&mut self, customer: &CustomerId, body: &str) -> InboundMessage {
        self.message(
            customer,
            Content::Text {
                body: body.to_owned(),
            },
        )
    }

    async fn enqueue(&self, messages: Vec<InboundMessage>) {
        self.store
            .enqueue(InboxBatch {
                messages,
                statuses: Vec::new(),
            })
            .await
            .expect("enqueue");
    }

    /// Says `body` as `customer` and returns the replies it is answered
    /// with, once everything is settled.
    async fn say(&mut self, customer: &CustomerId, body: &str) -> Vec<OutgoingMessage> {
        let before = self.outlet.sent_to(customer).len();
        let message = self.text(customer, body);
        self.enqueue(vec![message]).await;
        self.settled(customer).await;
        self.outlet.sent_to(customer).split_off(before)
    }

    /// Picks `row` of the slot list sent to `customer`, as WhatsApp
    /// delivers a list choice, and waits until everything is settled.
    async fn pick(&mut self, customer: &CustomerId, row: &ListRow) {
        let pick = self.message(
            customer,
            Content::Choice {
                id: row.id.clone(),
                title: row.title.clone(),
            },
        );
        self.enqueue(vec![pick]).await;
        self.settled(customer).await;
    }

    /// Waits until no message waits for its turn, no reply of `customer`
    /// for its send and no effect due for its attempt, and returns `customer`'s
    /// outbox: nothing more can happen until the clock moves or a message
    /// comes, so a count read then is final.
    async fn settled(&self, customer: &CustomerId) -> Vec<OutboxEntry> {
        until("the engine to settle", || async {
            let depth = self.store.depth().await.expect("depth");
            let entries = self.store.outbox_entries(customer).await.expect("outbox");
            // Reminders and nudges wait for the clock: they are not work
            // left until it moves.
            let now = self.time.now();
            let effects = self
                .store
                .effect_entries(&EffectQuery {
                    state: Some(EffectState::Pending),
                    limit: 1000,
                    ..EffectQuery::default()
                })
                .await
                .expect("effects");
            let idle = depth == 0
                && effects
                    .iter()
                    .all(|e| e.effect.not_before.is_some_and(|at| at > now))
                && entries.iter().all(|e| e.state != SendState::Pending);
            idle.then_some(entries)
        })
        .await
    }

    /// Whether some worker could claim a conversation now: a probe claim,
    /// given back at once.
    async fn claimable(&self) -> bool {
        match self.store.claim("probe", LEASE, Duration::ZERO).await {
            Ok(Some(claim)) => {
                self.store.release(&claim).await.expect("release");
                true
            }
            Ok(None) => false,
            Err(e) => panic!("claim: {e}"),
        }
    }

    /// Stops the engine and starts it again on the same store, as a
    /// restarted process would.
    async fn restart(&mut self) {
        self.shutdown.cancel();
        if let Some(running) = self.running.take() {
            running.await.expect("the engine stops");
        }
        self.shutdown = CancellationToken::new();
        self.run();
    }

    /// Stops the engine, moves the clock `by`, and starts it again.
    async fn stop_for(&mut self, by: Duration) {
        self.shutdown.cancel();
        if let Some(running) = self.running.take() {
            running.await.expect("the engine stops");
        }
        self.time.advance(by);
        self.shutdown = CancellationToken::new();
        self.run();
    }

    async fn stop(mut self) {
        self.shutdown.cancel();
        if let Some(running) = self.running.take() {
            running.await.expect("the engine stops");
        }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// Polls `check` until it gives a value, for at most [`WAIT`].
async fn until<T, F, Fut>(what: &str, check: F) -> T
where
    F: Fn() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "waited {WAIT:?} for {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn customer(number: &str) -> CustomerId {
    CustomerId::parse(number).expect("a customer number")
}

fn text_of(message: &OutgoingMessage) -> &str {
    message.body.text()
}

const QUALIFY_EN: [&str; 4] = [
    "Hi, I'm Ana from Acme, we need a WhatsApp bot for our sales team",
    "Our budget is around 5k USD",
    "I'm the CEO, I make the decision",
    "We want to start next month",
];
