//! The one writer. SQLite allows a single writer at a time, so every write
//! of this process goes through one connection owned by one task, fed by a
//! channel: no `SQLITE_BUSY` storms between pooled connections, and
//! concurrent `enqueue` calls are folded into one transaction (group commit).

use super::inbox;
use crate::{EnqueueReport, InboxBatch, StoreError};
use sqlx::{Connection, SqliteConnection};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

pub(super) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
type Job = Box<dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, ()> + Send>;
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

/// A handle on the writer task; the task ends when the last handle is gone.
#[derive(Clone)]
pub(super) struct Writer {
    tx: mpsc::Sender<Command>,
}

impl Writer {
    pub fn spawn(conn: SqliteConnection) -> Self {
        let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
        tokio::spawn(run(conn, rx));
        Self { tx }
    }

    /// Whether the writer task is still there to take writes.
    pub fn is_alive(&self) -> bool {
        !self.tx.is_closed()
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
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T, StoreError>>
            + Send
            + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            Box::pin(async move {
                // The caller may have given up waiting; the write stands.
                let _ = reply.send(job(conn).await);
            })
        });
        self.send(Command::Job(job)).await?;
        answer.await.map_err(|_| gone())?
    }

    async fn send(&self, command: Command) -> Result<(), StoreError> {
        self.tx.send(command).await.map_err(|_| gone())
    }
}

fn gone() -> StoreError {
    StoreError::Unavailable("the SQLite writer has stopped".to_owned())
}

async fn run(mut conn: SqliteConnection, mut rx: mpsc::Receiver<Command>) {
    let mut commands = Vec::with_capacity(MAX_GROUP);
    let mut next_prune = Instant::now() + PRUNE_EVERY;
    let mut pruning = false;
    loop {
        let received = tokio::select! {
            biased;
            n = rx.recv_many(&mut commands, MAX_GROUP) => n,
            () = tokio::time::sleep_until(next_prune), if !pruning => {
                pruning = true;
                continue;
            }
            () = std::future::ready(()), if pruning => {
                // One small chunk at a time, and only while no command
                // waits, so pruning never holds up the webhook.
                match inbox::prune_chunk(&mut conn).await {
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
        };
        if received == 0 {
            break;
        }
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
            commit_group(&mut conn, group).await;
        }
        for job in jobs {
            job(&mut conn).await;
        }
    }
    if let Err(e) = conn.close().await {
        tracing::debug!(error = %e, "closing the SQLite writer connection failed");
    }
}

/// One transaction for the whole group; each caller gets its own report.
async fn commit_group(conn: &mut SqliteConnection, group: Vec<(InboxBatch, Reply)>) {
    let (batches, replies): (Vec<_>, Vec<_>) = group.into_iter().unzip();
    match inbox::enqueue(conn, &batches).await {
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
