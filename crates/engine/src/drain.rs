//! What the sender and the dispatcher share: draining a leased queue in
//! the store (the outbox, the effects) with a bounded number of items in
//! flight, and recording each outcome while the item's lease holds.

use jiff::{SignedDuration, Timestamp};
use leadline_domain::Clock;
use leadline_stores::StoreError;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// A queue the store keeps: items are leased when handed out, so no other
/// process takes them meanwhile.
pub(crate) trait Queue: Send + Sync + 'static {
    type Item: Send + 'static;
    /// What it holds, for logs.
    const WHAT: &'static str;

    /// Up to `limit` items due now, each leased.
    fn due(&self, limit: usize)
    -> impl Future<Output = Result<Vec<Self::Item>, StoreError>> + Send;

    /// When an item is next due, if any waits.
    fn next_due(&self) -> impl Future<Output = Result<Option<Timestamp>, StoreError>> + Send;

    /// What its leases and retries are timed by.
    fn clock(&self) -> &Clock;

    /// Carries one item out and records how it went.
    fn carry_out(self: Arc<Self>, item: Self::Item) -> impl Future<Output = ()> + Send;

    /// Notified when items were recorded, or one finished.
    fn ready(&self) -> &Notify;
}

/// Drains `queue` until `shutdown`, with at most `capacity` items in
/// flight; an idle drain looks again when the next retry is due, when told
/// ([`Queue::ready`]), or every `idle_poll` (work of other processes).
pub(crate) async fn drain<Q: Queue>(
    queue: Arc<Q>,
    capacity: usize,
    idle_poll: Duration,
    shutdown: CancellationToken,
) {
    let capacity = capacity.max(1);
    let mut in_flight = JoinSet::new();
    let mut backoff = Duration::from_millis(50);
    loop {
        while in_flight.try_join_next().is_some() {}
        if shutdown.is_cancelled() {
            break;
        }
        let free = capacity - in_flight.len();
        let due = if free == 0 {
            Ok(Vec::new())
        } else {
            queue.due(free).await
        };
        match due {
            Ok(items) if !items.is_empty() => {
                backoff = Duration::from_millis(50);
                for item in items {
                    in_flight.spawn(queue.clone().carry_out(item));
                }
            }
            Ok(_) => {
                let wait = idle_wait(&*queue, idle_poll).await;
                tokio::select! {
                    _ = queue.ready().notified() => {}
                    _ = tokio::time::sleep(wait) => {}
                    Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
                    _ = shutdown.cancelled() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, queue = Q::WHAT, "cannot read the queue");
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = shutdown.cancelled() => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        }
    }
    // Finish what is on the wire: an interrupted attempt would be repeated.
    while in_flight.join_next().await.is_some() {}
}

/// Until the next retry is due, or the idle poll, whichever is first.
async fn idle_wait<Q: Queue>(queue: &Q, poll: Duration) -> Duration {
    match queue.next_due().await {
        Ok(Some(at)) => {
            let until = at.duration_since(queue.clock().now());
            Duration::try_from(until.max(SignedDuration::ZERO))
                .unwrap_or(poll)
                .min(poll)
        }
        _ => poll,
    }
}

/// How long an item handed out now stays this process's: its lease less
/// a second of margin, so an outcome's retries stay inside it.
pub(crate) fn margin(lease: Duration) -> Duration {
    lease.saturating_sub(Duration::from_secs(1))
}

/// Records an outcome with `record`, retrying while the store is down and
/// the lease holds: an item carried out but never recorded would be
/// carried out again once its lease expires.
pub(crate) async fn record_while_leased<F, Fut>(
    what: &'static str,
    clock: &Clock,
    leased_until: Timestamp,
    record: F,
) where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<(), StoreError>>,
{
    let mut backoff = Duration::from_millis(50);
    loop {
        let Err(e) = record().await else { return };
        if clock.after(backoff) >= leased_until {
            tracing::error!(error = %e, what, "cannot record an outcome before its lease ends; it may be carried out again");
            return;
        }
        tracing::warn!(error = %e, what, retry_in_ms = backoff.as_millis() as u64, "cannot record an outcome; retrying");
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(2));
    }
}
