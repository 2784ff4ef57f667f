//! The engine: durable inbox -> one turn per conversation -> outbox -> send.
//!
//! Workers claim one conversation at a time from the inbox (so a
//! conversation's messages are answered in order, one turn at a time, and
//! a burst is answered once), run the turn through the [`Agent`], and
//! commit the new conversation state, the replies and the inbox
//! acknowledgement in one store transaction. Senders drain the outbox
//! through an [`Outlet`], retrying what can be retried; the dispatcher
//! carries out the turns' other effects (CRM, the sales rep's notice) the
//! same way. A crash anywhere loses nothing: unacknowledged messages are claimed again when their
//! lease expires, and recorded replies are sent once they are confirmed.

pub mod booking;
mod dispatcher;
mod drain;
pub mod effects;
pub mod erasure;
mod follow_through;
pub mod ingress;
pub mod outlet;
mod sender;
mod voice;
mod worker;

use leadline_domain::Clock;
use leadline_domain::router::Agent;
use leadline_stores::Store;
use leadline_whatsapp::send::RetryPolicy;
use std::sync::Arc;
use std::time::Duration;

/// How long one wait for word of arrivals lasts before it is renewed.
const ARRIVAL_WAIT: Duration = Duration::from_secs(2);
use std::sync::atomic::AtomicBool;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

pub use effects::{ConversationLink, RepContact, RepTemplate, SideEffects};
pub use erasure::{Eraser, ErasureReason};
pub use follow_through::ReminderTemplate;
pub use outlet::{GraphOutlet, Outlet};
pub use voice::VoiceNotes;

/// How the engine runs.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Conversations handled at once. A turn holds its worker for the
    /// model's whole latency, so a slow model needs many; idle ones cost
    /// the store nothing (one polls for all).
    pub workers: usize,
    /// How long a claim is held before another worker may take the
    /// conversation over (a worker that died mid-turn).
    pub lease: Duration,
    /// A conversation is answered once no new message arrived for this
    /// long, so a burst being typed is answered as one turn.
    pub quiet_for: Duration,
    /// How often an idle worker or sender looks for work it was not told of
    /// (work enqueued by another process).
    pub idle_poll: Duration,
    /// Messages in flight to the Graph API at once.
    pub senders: usize,
    /// How long a send may take before another sender retries it.
    pub send_lease: Duration,
    pub retry: RetryPolicy,
    /// Sends from this business number instead of the one the customer
    /// wrote to (`WHATSAPP_PHONE_NUMBER_ID`).
    pub phone_number_id: Option<String>,
    /// Mark inbound messages read, with a typing indicator, when a turn starts.
    pub mark_read: bool,
    /// What turns, retries and leases are timed by: the store's clock, so
    /// tests that move one move both.
    pub clock: Clock,
    /// Reaches a customer whose 24-hour window has closed with a reminder
    /// of their call (`LEADLINE_REMINDER_TEMPLATE`); `None`: no reminder
    /// then.
    pub reminder_template: Option<ReminderTemplate>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            workers: 256,
            lease: Duration::from_secs(30),
            quiet_for: Duration::ZERO,
            idle_poll: Duration::from_millis(250),
            senders: 32,
            send_lease: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            phone_number_id: None,
            mark_read: true,
            clock: Clock::system(),
            reminder_template: None,
        }
    }
}

/// What workers and senders share.
pub(crate) struct Shared {
    pub store: Arc<dyn Store>,
    pub agent: Arc<Agent>,
    pub outlet: Arc<dyn Outlet>,
    /// Transcribes voice notes before their turn; `None` when no
    /// transcriber is configured (the customer is asked to write).
    pub voice: Option<VoiceNotes>,
    pub config: EngineConfig,
    pub side_effects: SideEffects,
    /// Wakes an idle worker: new messages were enqueued.
    pub inbox_ready: Notify,
    /// Whether an idle worker is polling the inbox already: one at a time
    /// does, so an idle engine costs the store a few claims a second
    /// whatever its number of workers.
    pub lookout: AtomicBool,
    /// Wakes the sender: new replies were recorded.
    pub outbox_ready: Notify,
    /// Wakes the dispatcher: a turn recorded effects.
    pub effects_ready: Notify,
}

/// A handle to the running engine.
#[derive(Clone)]
pub struct Engine {
    shared: Arc<Shared>,
}

impl Engine {
    pub fn new(
        store: Arc<dyn Store>,
        agent: Arc<Agent>,
        outlet: Arc<dyn Outlet>,
        voice: Option<VoiceNotes>,
        config: EngineConfig,
        side_effects: SideEffects,
    ) -> Self {
        let shared = Shared {
            store,
            agent,
            outlet,
            voice,
            config,
            side_effects,
            inbox_ready: Notify::new(),
            lookout: AtomicBool::new(false),
            outbox_ready: Notify::new(),
            effects_ready: Notify::new(),
        };
        Self {
            shared: Arc::new(shared),
        }
    }

    /// Tells an idle worker that the inbox has new messages (the ingress
    /// calls this after an enqueue in the same process). One is enough: a
    /// worker that finds work wakes the next (see `worker`), so wake-ups
    /// follow the work there is, not the number of workers.
    ///
    /// With a burst window, a message just enqueued cannot be claimed until
    /// the window has passed, so a wake-up now would only cost a claim (a
    /// write transaction) that finds nothing: the idle workers' poll, never
    /// longer than the window, picks it up instead.
    pub fn inbox_changed(&self) {
        if self.shared.config.quiet_for.is_zero() {
            self.shared.inbox_ready.notify_one();
        }
    }

    /// Tells the sender that a reply was recorded outside a turn (a
    /// person's reply through the admin API), so it goes out now rather
    /// than at the sender's next poll.
    pub fn outbox_changed(&self) {
        self.shared.outbox_ready.notify_one();
    }

    /// Tells the dispatcher that an effect became due outside a turn (a
    /// person retried a dead one).
    pub fn effects_changed(&self) {
        self.shared.effects_ready.notify_one();
    }

    /// Runs the workers, the sender and the dispatcher until `shutdown` is
    /// cancelled; each finishes the turn, send or effect it is in before
    /// returning.
    pub async fn run(&self, shutdown: CancellationToken) {
        let mut tasks = JoinSet::new();
        for n in 0..self.shared.config.workers.max(1) {
            let worker = worker::Worker::new(self.shared.clone(), n);
            tasks.spawn(worker.run(shutdown.clone()));
        }
        tasks.spawn(sender::run(self.shared.clone(), shutdown.clone()));
        tasks.spawn(dispatcher::run(self.shared.clone(), shutdown.clone()));
        // With a burst window, an arrival cannot be claimed at once anyway
        // (see `inbox_changed`): the workers' poll finds it.
        if self.shared.config.quiet_for.is_zero() {
            tasks.spawn(wake_on_arrivals(self.shared.clone(), shutdown.clone()));
        }
        while let Some(done) = tasks.join_next().await {
            if let Err(e) = done {
                tracing::error!(error = %e, "engine task ended abnormally");
            }
        }
    }
}

/// Wakes an idle worker whenever the store says messages arrived, from
/// this process or another; ends at once for stores that say nothing.
async fn wake_on_arrivals(shared: Arc<Shared>, shutdown: CancellationToken) {
    loop {
        let arrival = tokio::select! {
            arrival = shared.store.arrivals(ARRIVAL_WAIT) => arrival,
            () = shutdown.cancelled() => return,
        };
        match arrival {
            None => return,
            Some(Ok(true)) => shared.inbox_ready.notify_one(),
            Some(Ok(false)) => {}
            Some(Err(e)) => {
                tracing::debug!(error = %e, "cannot wait for arrivals; workers poll meanwhile");
                tokio::select! {
                    () = tokio::time::sleep(ARRIVAL_WAIT) => {}
                    () = shutdown.cancelled() => return,
                }
            }
        }
    }
}
