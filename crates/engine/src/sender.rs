//! The sender: drains the outbox through the outlet, in order per customer,
//! retrying what the Graph API says can be retried.

use crate::Shared;
use jiff::{SignedDuration, Timestamp};
use leadline_stores::OutboxItem;
use leadline_whatsapp::send::SendError;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

pub(crate) async fn run(shared: Arc<Shared>, shutdown: CancellationToken) {
    let capacity = shared.config.senders.max(1);
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
            shared
                .store
                .due(Timestamp::now(), free, shared.config.send_lease)
                .await
        };
        match due {
            Ok(items) if !items.is_empty() => {
                backoff = Duration::from_millis(50);
                for item in items {
                    in_flight.spawn(send_one(shared.clone(), item));
                }
            }
            Ok(_) => {
                let wait = idle_wait(&shared).await;
                tokio::select! {
                    _ = shared.outbox_ready.notified() => {}
                    _ = tokio::time::sleep(wait) => {}
                    Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
                    _ = shutdown.cancelled() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the outbox");
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = shutdown.cancelled() => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        }
    }
    // Finish what is on the wire: an interrupted send would be sent again.
    while in_flight.join_next().await.is_some() {}
}

/// Sleeps until the next retry is due, or the idle poll, whichever is first.
async fn idle_wait(shared: &Shared) -> Duration {
    let poll = shared.config.idle_poll;
    match shared.store.next_due().await {
        Ok(Some(at)) => {
            let until = at.duration_since(Timestamp::now());
            Duration::try_from(until.max(SignedDuration::ZERO))
                .unwrap_or(poll)
                .min(poll)
        }
        _ => poll,
    }
}

async fn send_one(shared: Arc<Shared>, item: OutboxItem) {
    // The lease began when `due` handed the entry out, just before this; a
    // second of margin keeps the outcome's retries inside it.
    let leased_until = Instant::now()
        + shared
            .config
            .send_lease
            .saturating_sub(Duration::from_secs(1));
    let result = shared.outlet.send(&item.message).await;
    let to = item.message.to.masked();
    let outcome = match result {
        Ok(wa_message_id) => {
            metrics::counter!("leadline_sends_total", "result" => "sent").increment(1);
            Outcome::Sent(wa_message_id)
        }
        Err(error) => {
            let code = code_label(&error);
            match shared.config.retry.delay(item.attempts + 1, &error) {
                Some(delay) => {
                    metrics::counter!("leadline_sends_total", "result" => "retry", "code" => code)
                        .increment(1);
                    tracing::warn!(to = %to, attempt = item.attempts + 1, retry_in_ms = delay.as_millis() as u64, error = %error, "send failed; retrying");
                    let at = Timestamp::now()
                        + SignedDuration::try_from(delay).unwrap_or(SignedDuration::from_secs(60));
                    Outcome::Retry(at, error.to_string())
                }
                None => {
                    metrics::counter!("leadline_sends_total", "result" => "failed", "code" => code)
                        .increment(1);
                    tracing::error!(to = %to, attempts = item.attempts + 1, error = %error, "send failed for good");
                    Outcome::Failed(error.to_string())
                }
            }
        }
    };
    record(&shared, item.id, &outcome, leased_until).await;
    shared.outbox_ready.notify_one();
}

/// What the Graph API said about one send.
enum Outcome {
    Sent(String),
    Retry(Timestamp, String),
    Failed(String),
}

/// Records a send's outcome, retrying while the store is down and the
/// entry's lease holds: a reply Graph accepted but never marked sent would
/// be sent a second time once its lease expires.
async fn record(shared: &Shared, id: i64, outcome: &Outcome, leased_until: Instant) {
    let store = &shared.store;
    let mut backoff = Duration::from_millis(50);
    loop {
        let recorded = match outcome {
            Outcome::Sent(wa_message_id) => store.mark_sent(id, wa_message_id).await,
            Outcome::Retry(at, error) => store.mark_retry(id, *at, error).await,
            Outcome::Failed(error) => store.mark_failed(id, error).await,
        };
        let Err(e) = recorded else { return };
        if Instant::now() + backoff >= leased_until {
            tracing::error!(error = %e, "cannot record a send outcome before its lease ends; the message may be sent again");
            return;
        }
        tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "cannot record a send outcome; retrying");
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(2));
    }
}

fn code_label(error: &SendError) -> String {
    error
        .code()
        .map_or_else(|| "none".to_owned(), |c| c.to_string())
}
