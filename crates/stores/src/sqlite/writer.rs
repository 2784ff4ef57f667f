//! The one writer. SQLite allows a single writer at a time, so every write
//! of this process goes through one connection owned by one OS thread, fed
//! by a channel: no `SQLITE_BUSY` storms between pooled connections, and
//! concurrent `enqueue` calls are folded into one transaction (group commit).
//!
//! A thread of its own, with a synchronous `rusqlite` connection, rather
//! than a task driving sqlx's connection: sqlx runs each statement on its
//! own worker thread and hands it back through a channel, so a group commit
//! (BEGIN, INSERT, UPSERT, COMMIT) cost four thread hops; here a whole group
//! runs in one go and costs one.

use super::inbox;
use crate::{EnqueueReport, InboxBatch, StoreError};
use leadline_domain::Clock;
use rusqlite::Connection;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce(&mut Connection) + Send>;
type Reply = oneshot::Sender<Result<EnqueueReport, StoreError>>;

/// Commands taken off the channel at once: the bound on one group commit.
const MAX_GROUP: usize = 1024;
/// Commands that may wait for the writer before callers wait to send.
const CHANNEL_CAPACITY: usize = 8 * MAX_GROUP;
/// How often answered messages past the dedup window are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

enum Command {
    Enqueue(InboxBatch, Reply),
    Job(Job),
}

/// A handle on the writer thread; the thread ends (and closes its
/// connection) when the last handle is gone.
#[derive(Clone)]
pub(super) struct Writer {
    tx: flume::Sender<Command>,
}

impl Writer {
    pub fn spawn(conn: Connection, clock: Clock) -> Result<Self, StoreError> {
        let (tx, rx) = flume::bounded(CHANNEL_CAPACITY);
        std::thread::Builder::new()
            .name("sqlite-writer".to_owned())
            .spawn(move || run(conn, &rx, &clock))
            .map_err(|e| StoreError::Unavailable(format!("cannot start the SQLite writer: {e}")))?;
        Ok(Self { tx })
    }

    /// Whether the writer thread is still there to take writes.
    pub fn is_alive(&self) -> bool {
        !self.tx.is_disconnected()
    }

    /// Records a batch in the next group commit; answers once it is durable.
    pub async fn enqueue(&self, batch: InboxBatch) -> Result<EnqueueReport, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Enqueue(batch, reply)).await?;
        answer.await.map_err(|_| gone())?
    }

    /// Runs `job` on the writer connection, after the writes queued before it.
    pub async fn run<T, F>(&self, job: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            // The caller may have given up waiting; the write stands.
            let _ = reply.send(job(conn));
        });
        self.send(Command::Job(job)).await?;
        answer.await.map_err(|_| gone())?
    }

    async fn send(&self, command: Command) -> Result<(), StoreError> {
        self.tx.send_async(command).await.map_err(|_| gone())
    }
}

fn gone() -> StoreError {
    StoreError::Unavailable("the SQLite writer has stopped".to_owned())
}

fn run(mut conn: Connection, rx: &flume::Receiver<Command>, clock: &Clock) {
    let mut commands = Vec::with_capacity(MAX_GROUP);
    let mut next_prune = Instant::now() + PRUNE_EVERY;
    let mut pruning = false;
    loop {
        let first = if pruning {
            match rx.try_recv() {
                Ok(command) => command,
                Err(flume::TryRecvError::Disconnected) => break,
                Err(flume::TryRecvError::Empty) => {
                    // One small chunk at a time, and only while no command
                    // waits, so pruning never holds up the webhook.
                    match inbox::prune_chunk(&conn, clock.now().as_millisecond()) {
                        Ok(done) => pruning = !done,
                        Err(e) => {
                            tracing::warn!(error = %e, "cannot prune answered messages");
                            pruning = false;
                        }
                    }
                    if !pruning {
                        next_prune = Instant::now() + PRUNE_EVERY;
                    }
                    continue;
                }
            }
        } else {
            match rx.recv_deadline(next_prune) {
                Ok(command) => command,
                Err(flume::RecvTimeoutError::Disconnected) => break,
                Err(flume::RecvTimeoutError::Timeout) => {
                    pruning = true;
                    continue;
                }
            }
        };
        // Whatever else is already waiting joins this group: under load the
        // groups grow by themselves while the previous one commits, and a
        // lone request never waits for company.
        commands.push(first);
        commands.extend(rx.try_iter().take(MAX_GROUP - 1));
        // Everything taken here was sent concurrently (each caller waits for
        // its answer before sending again), so running the enqueues first
        // reorders nothing a caller could observe.
        let mut group = Vec::new();
        let mut jobs = Vec::new();
        for command in commands.drain(..) {
            match command {
                Command::Enqueue(batch, reply) => group.push((batch, reply)),
                Command::Job(job) => jobs.push(job),
            }
        }
        if !group.is_empty() {
            commit_group(&mut conn, group, clock.now().as_millisecond());
        }
        for job in jobs {
            job(&mut conn);
        }
    }
    if let Err((_, e)) = conn.close() {
        tracing::debug!(error = %e, "closing the SQLite writer connection failed");
    }
}

/// One transaction for the whole group; each caller gets its own report.
fn commit_group(conn: &mut Connection, group: Vec<(InboxBatch, Reply)>, now: i64) {
    let (batches, replies): (Vec<_>, Vec<_>) = group.into_iter().unzip();
    match inbox::enqueue(conn, &batches, now) {
        Ok(reports) => {
            for (reply, report) in replies.into_iter().zip(reports) {
                let _ = reply.send(Ok(report));
            }
        }
        Err(e) => {
            for reply in replies {
                let _ = reply.send(Err(copy(&e)));
            }
        }
    }
}

/// `StoreError` is not `Clone` (it is the crate's public error type); every
/// caller of a failed group gets the same error.
fn copy(e: &StoreError) -> StoreError {
    match e {
        StoreError::Unavailable(m) => StoreError::Unavailable(m.clone()),
        StoreError::Fenced => StoreError::Fenced,
        StoreError::Corrupt(m) => StoreError::Corrupt(m.clone()),
    }
}
