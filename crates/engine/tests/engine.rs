//! The engine in process: the real workers, sender and dispatcher on a
//! temporary SQLite store, the local brain, and an outlet that records what
//! it is given. Time is a [`ManualClock`]: leases expire and retries fall
//! due when a test moves it, and absence is read from the store once it has
//! settled, never waited out.

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

#[tokio::test]
async fn a_message_delivered_three_times_is_answered_once() {
    let mut h = Harness::start().await;
    let ana = customer("14155550101");
    let hello = h.text(&ana, "Hi there");
    for _ in 0..3 {
        h.enqueue(vec![hello.clone()]).await;
    }
    let outbox = h.settled(&ana).await;
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    assert_eq!(outbox[0].state, SendState::Sent);
    assert_eq!(h.outlet.sent_to(&ana).len(), 1);
    // Redelivered after it was answered: still dropped.
    h.enqueue(vec![hello]).await;
    assert_eq!(h.settled(&ana).await.len(), 1);
    assert_eq!(h.outlet.sent().len(), 1);
    h.stop().await;
}

#[tokio::test]
async fn every_reply_is_keyed_by_the_message_it_answers() {
    let mut h = Harness::start().await;
    let ana = customer("14155550102");
    h.say(&ana, "Hi there").await;
    h.say(&ana, "I'm Ana").await;
    let keys: Vec<String> = h
        .settled(&ana)
        .await
        .into_iter()
        .map(|e| e.message.key)
        .collect();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(keys[0].starts_with("wamid.in.1"), "{keys:?}");
    assert!(keys[1].starts_with("wamid.in.2"), "{keys:?}");
    h.stop().await;
}

#[tokio::test]
async fn a_burst_is_held_until_the_window_passes_and_answered_as_one_turn() {
    let mut h = Harness::with(Setup {
        quiet_for: Duration::from_secs(3),
        ..Setup::default()
    })
    .await;
    let ana = customer("14155550103");
    let burst = vec![
        h.text(&ana, "hi"),
        h.text(&ana, "I'm Ana"),
        h.text(&ana, "from Acme, we need a sales chatbot"),
    ];
    h.enqueue(burst).await;
    // Still being typed: no worker may take it, however long real time runs.
    let probe = h
        .store
        .claim("probe", LEASE, Duration::from_secs(3))
        .await
        .expect("claim");
    assert!(probe.is_none(), "claimed inside the burst window");
    assert_eq!(h.store.depth().await.expect("depth"), 3);

    h.time.advance(Duration::from_secs(3));
    let outbox = h.settled(&ana).await;
    assert_eq!(outbox.len(), 1, "one reply for the burst: {outbox:?}");
    let conversation = h.store.load(&ana).await.expect("load").expect("saved");
    assert_eq!(conversation.lead.name.as_deref(), Some("Ana"));
    assert_eq!(conversation.lead.company.as_deref(), Some("Acme"));
    h.stop().await;
}

#[tokio::test]
async fn a_dead_workers_conversation_is_taken_over_once_its_lease_expires() {
    let mut h = Harness::stopped(Setup::default()).await;
    let ana = customer("14155550104");
    // Claimed by a worker that then dies; the engine, started after, may
    // not take the conversation while the lease holds.
    let hello = h.text(&ana, "Hi there");
    h.enqueue(vec![hello]).await;
    let dead = h
        .store
        .claim("dead-worker", LEASE, Duration::ZERO)
        .await
        .expect("claim")
        .expect("the message is pending");
    h.run();
    assert!(!h.claimable().await, "taken over while the lease holds");
    assert_eq!(h.store.depth().await.expect("depth"), 1);

    h.time.advance(LEASE + Duration::from_secs(1));
    let outbox = h.settled(&ana).await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(h.outlet.sent_to(&ana).len(), 1);
    // The dead worker wakes up and tries to commit: fenced, nothing written.
    let conversation = h.store.load(&ana).await.expect("load").expect("saved");
    let late = leadline_stores::TurnCommit {
        conversation,
        replies: Vec::new(),
        events: Vec::new(),
        effects: Vec::new(),
    };
    assert!(matches!(
        h.store.commit_turn(&dead, late).await,
        Err(StoreError::Fenced)
    ));
    h.stop().await;
}

#[tokio::test]
async fn a_failed_send_is_retried_when_its_time_comes_and_sent_once() {
    let mut h = Harness::start().await;
    let ana = customer("14155550105");
    h.outlet.fail_next(SendError::Http { status: 503 });
    let hello = h.text(&ana, "Hi there");
    h.enqueue(vec![hello]).await;
    // Tried once, and due again later by the clock: nothing is sent while
    // the clock stands still.
    let entry = until("the failed attempt", || async {
        let entries = h.store.outbox_entries(&ana).await.expect("outbox");
        entries.into_iter().find(|e| e.attempts == 1)
    })
    .await;
    assert_eq!(entry.state, SendState::Pending);
    assert!(
        entry
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("503"),
        "{entry:?}"
    );
    let due = h
        .store
        .next_due()
        .await
        .expect("next due")
        .expect("a retry");
    assert!(due > h.time.now(), "the retry waits for its time");
    assert!(h.outlet.sent().is_empty());

    h.time.advance(Duration::from_secs(5));
    let outbox = h.settled(&ana).await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].state, SendState::Sent);
    assert_eq!(outbox[0].attempts, 1, "one failed attempt recorded");
    assert_eq!(h.outlet.sent_to(&ana).len(), 1);
    assert_eq!(h.outlet.attempts(), 2);
    h.stop().await;
}

#[tokio::test]
async fn a_permanent_send_failure_is_not_retried_and_does_not_block_the_next_reply() {
    let mut h = Harness::start().await;
    let ana = customer("14155550106");
    h.outlet
        .fail_next(SendError::Invalid("refused for good".to_owned()));
    let replies = h.say(&ana, "Hi there").await;
    assert!(replies.is_empty());
    let outbox = h.settled(&ana).await;
    assert_eq!(outbox[0].state, SendState::Failed);
    // However far the clock moves, it is not tried again.
    h.time.advance(Duration::from_secs(3600));
    assert_eq!(h.settled(&ana).await[0].state, SendState::Failed);
    let replies = h.say(&ana, "I'm Ana").await;
    assert_eq!(replies.len(), 1);
    assert_eq!(h.outlet.attempts(), 2);
    h.stop().await;
}

#[tokio::test]
async fn a_qualified_lead_books_a_slot_of_the_clocks_week_and_the_rep_hears_once() {
    let rep = customer("34600999001");
    let mut h = Harness::with(Setup {
        side_effects: SideEffects {
            rep: Some(RepContact {
                phone: rep.clone(),
                template: None,
            }),
            ..SideEffects::default()
        },
        ..Setup::default()
    })
    .await;
    let ana = customer("14155550107");
    let mut offer = Vec::new();
    for line in QUALIFY_EN {
        offer = h.say(&ana, line).await;
    }
    let Some(OutgoingBody::List { rows, .. }) = offer.last().map(|m| &m.body) else {
        panic!("no list of slots: {offer:?}");
    };
    // Slots follow the clock: the first is after the clock's now.
    let first: Timestamp = rows[0].id.parse().expect("a slot id is its start");
    assert!(first > h.time.now(), "{rows:?}");
    let row = rows[1].clone();
    h.pick(&ana, &row).await;
    let replies = h.outlet.sent_to(&ana);
    let booked = replies
        .iter()
        .map(text_of)
        .find(|t| t.starts_with("Done! Your call with our team is booked for"));
    assert!(booked.is_some(), "{replies:?}");
    let start: Timestamp = row.id.parse().expect("a slot id");
    let calls = h
        .store
        .calls_between(start, start + jiff::SignedDuration::from_hours(1))
        .await
        .expect("calls");
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].start, start);
    let conversation = h.store.load(&ana).await.expect("load").expect("saved");
    assert_eq!(conversation.stage, "handoff");
    assert_eq!(h.outlet.sent_to(&rep).len(), 1, "the rep is told once");

    // Handed off: what the customer writes now is the team's.
    assert!(h.say(&ana, "perfect, thanks").await.is_empty());
    h.stop().await;
}

#[tokio::test]
async fn a_slot_taken_meanwhile_is_not_double_booked() {
    let mut h = Harness::start().await;
    let ana = customer("14155550108");
    let mut offer = Vec::new();
    for line in QUALIFY_EN {
        offer = h.say(&ana, line).await;
    }
    let Some(OutgoingBody::List { rows, .. }) = offer.last().map(|m| &m.body) else {
        panic!("no list of slots: {offer:?}");
    };
    let row = rows[0].clone();
    let start: Timestamp = row.id.parse().expect("a slot id");
    // Someone else books that time between the offer and the pick.
    let other = CalendarCall {
        key: "call-other".to_owned(),
        start,
        end: start + jiff::SignedDuration::from_mins(30),
        summary: "Call with someone else".to_owned(),
        description: String::new(),
        attendee: None,
    };
    assert!(matches!(
        h.store.reserve(&other).await.expect("reserve"),
        Reservation::Booked(_)
    ));
    h.pick(&ana, &row).await;
    let calls = h
        .store
        .calls_between(start, start + jiff::SignedDuration::from_hours(1))
        .await
        .expect("calls");
    assert_eq!(calls, vec![other], "the slot stays the other's");
    let conversation = h.store.load(&ana).await.expect("load").expect("saved");
    assert_eq!(conversation.stage, "scheduling", "still to be booked");
    h.stop().await;
}

#[tokio::test]
async fn a_customer_who_asks_for_a_person_is_handed_off_and_the_bot_goes_quiet() {
    let mut h = Harness::start().await;
    let ana = customer("14155550109");
    h.say(&ana, "Hi, I'm Ana from Acme").await;
    let replies = h.say(&ana, "I want to talk to a human please").await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    let conversation = h.store.load(&ana).await.expect("load").expect("saved");
    assert!(conversation.handoff.is_some());
    assert!(h.say(&ana, "hello?").await.is_empty());
    assert_eq!(h.settled(&ana).await.len(), 2);
    h.stop().await;
}

#[tokio::test]
async fn conversations_of_different_customers_are_answered_in_their_own_order() {
    let mut h = Harness::start().await;
    let customers: Vec<CustomerId> = (0..20)
        .map(|n| customer(&format!("1415555{n:04}")))
        .collect();
    let mut messages = Vec::new();
    for c in &customers {
        messages.push(h.text(c, "Hi there"));
    }
    h.enqueue(messages).await;
    for c in &customers {
        assert_eq!(h.settled(c).await.len(), 1, "{c:?}");
    }
    assert_eq!(h.outlet.sent().len(), 20);
    h.stop().await;
}

/// Qualifies `customer` and books the second slot offered; its start.
async fn book(h: &mut Harness, customer: &CustomerId) -> Timestamp {
    let mut offer = Vec::new();
    for line in QUALIFY_EN {
        offer = h.say(customer, line).await;
    }
    let Some(OutgoingBody::List { rows, .. }) = offer.last().map(|m| &m.body) else {
        panic!("no list of slots: {offer:?}");
    };
    let row = rows[1].clone();
    h.pick(customer, &row).await;
    row.id.parse().expect("a slot id is its start")
}

fn reminders(sent: &[OutgoingMessage]) -> Vec<&str> {
    sent.iter()
        .map(text_of)
        .filter(|t| t.starts_with("A reminder of your call"))
        .collect()
}

#[tokio::test]
async fn a_booked_call_is_reminded_of_once_an_hour_before_even_across_a_restart() {
    let mut h = Harness::start().await;
    let ana = customer("14155550121");
    let start = book(&mut h, &ana).await;
    // Booked hours ahead: the 24-hour reminder's time has passed, so only
    // the hour's is set.
    let reminder_at = start - jiff::SignedDuration::from_hours(1);
    let wait = h.time.now().duration_until(reminder_at);
    let early = Duration::try_from(wait - jiff::SignedDuration::from_mins(1)).unwrap();
    h.time.advance(early);
    h.settled(&ana).await;
    assert!(
        reminders(&h.outlet.sent_to(&ana)).is_empty(),
        "not before its time"
    );

    h.restart().await;
    h.time.advance(Duration::from_secs(61));
    h.settled(&ana).await;
    let sent = h.outlet.sent_to(&ana);
    assert_eq!(reminders(&sent).len(), 1, "{sent:?}");
    let when = Playbook::builtin()
        .scheduling
        .slot_of(&start.to_string())
        .expect("a slot")
        .description(leadline_domain::Language::En);
    assert_eq!(
        reminders(&sent)[0],
        format!("A reminder of your call with our team: {when}.")
    );

    h.restart().await;
    h.time.advance(Duration::from_secs(3 * 3600));
    h.settled(&ana).await;
    assert_eq!(reminders(&h.outlet.sent_to(&ana)).len(), 1, "once");
    let view = h.store.events(&ana).await.expect("events");
    assert!(view.iter().any(|e| matches!(
        e.event,
        leadline_domain::events::Event::ReminderSent {
            template: false,
            ..
        }
    )));
    h.stop().await;
}

#[tokio::test]
async fn a_moved_call_is_never_reminded_of() {
    let mut h = Harness::start().await;
    let ana = customer("14155550122");
    let start = book(&mut h, &ana).await;
    let moved = h.say(&ana, "so sorry, I can't make it").await;
    assert!(
        moved
            .iter()
            .any(|m| matches!(m.body, OutgoingBody::List { .. })),
        "fresh slots: {moved:?}"
    );
    let conversation = h.store.load(&ana).await.expect("load").expect("saved");
    assert!(conversation.booked.is_none(), "the old call is cancelled");
    h.time
        .advance(Duration::try_from(h.time.now().duration_until(start)).unwrap());
    h.settled(&ana).await;
    assert!(
        reminders(&h.outlet.sent_to(&ana)).is_empty(),
        "{:?}",
        h.outlet.sent_to(&ana)
    );
    h.stop().await;
}

#[tokio::test]
async fn a_quiet_lead_is_nudged_once_per_silence_and_never_after_an_opt_out() {
    let mut h = Harness::start().await;
    let ana = customer("14155550123");
    let asked = h.say(&ana, "Hi there").await;
    assert!(text_of(asked.last().unwrap()).contains('?'), "{asked:?}");
    h.time.advance(Duration::from_secs(4 * 3600 - 60));
    h.settled(&ana).await;
    assert_eq!(
        h.outlet.sent_to(&ana).len(),
        asked.len(),
        "not before 4 hours"
    );

    h.time.advance(Duration::from_secs(60));
    h.settled(&ana).await;
    let sent = h.outlet.sent_to(&ana);
    assert_eq!(sent.len(), asked.len() + 1, "{sent:?}");
    let nudge = text_of(sent.last().unwrap());
    assert!(nudge.starts_with("Still there? "), "{nudge}");
    assert!(nudge.contains("name"), "names what is missing: {nudge}");

    h.time.advance(Duration::from_secs(8 * 3600));
    h.settled(&ana).await;
    assert_eq!(h.outlet.sent_to(&ana).len(), sent.len(), "max = 1");

    // A reply ends the silence; the next silence gets its own nudge.
    h.say(&ana, "sorry, I'm Ana from Acme").await;
    let before = h.outlet.sent_to(&ana).len();
    h.time.advance(Duration::from_secs(4 * 3600));
    h.settled(&ana).await;
    assert_eq!(h.outlet.sent_to(&ana).len(), before + 1);
    let events = h.store.events(&ana).await.expect("events");
    use leadline_domain::events::Event;
    assert!(events.iter().any(|e| e.event == Event::FollowUpAnswered));
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e.event, Event::FollowedUp { n: 1 }))
            .count(),
        2
    );

    // Opted out: the nudge set by the turn before never goes.
    let bob = customer("14155550124");
    h.say(&bob, "Hi there").await;
    let confirmed = h.say(&bob, "STOP").await;
    assert_eq!(confirmed.len(), 1);
    assert!(text_of(&confirmed[0]).contains("START"), "{confirmed:?}");
    let count = h.outlet.sent_to(&bob).len();
    h.time.advance(Duration::from_secs(24 * 3600));
    h.settled(&bob).await;
    assert!(
        h.say(&bob, "hello?").await.is_empty(),
        "silent while opted out"
    );
    assert_eq!(h.outlet.sent_to(&bob).len(), count);
    h.stop().await;
}

#[tokio::test]
async fn a_nudge_waits_for_the_window_and_is_not_sent_once_it_has_closed() {
    let mut h = Harness::start().await;
    let ana = customer("14155550125");
    let asked = h.say(&ana, "Hi there").await;
    // The engine was down for a day: the nudge's time came and went with
    // the customer's 24-hour window.
    h.stop_for(Duration::from_secs(25 * 3600)).await;
    h.settled(&ana).await;
    assert_eq!(h.outlet.sent_to(&ana).len(), asked.len());
    let events = h.store.events(&ana).await.expect("events");
    assert!(
        !events
            .iter()
            .any(|e| matches!(e.event, leadline_domain::events::Event::FollowedUp { .. }))
    );
    h.stop().await;
}
