//! The sender: drains the outbox through the outlet, in order per customer,
//! retrying what the Graph API says can be retried.

use crate::Shared;
use jiff::{SignedDuration, Timestamp};
use leadline_stores::OutboxItem;
use leadline_whatsapp::send::SendError;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
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
    let store = &shared.store;
    let result = shared.outlet.send(&item.message).await;
    let to = item.message.to.masked();
    let recorded = match result {
        Ok(wa_message_id) => {
            metrics::counter!("leadline_sends_total", "result" => "sent").increment(1);
            store.mark_sent(item.id, &wa_message_id).await
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
                    store.mark_retry(item.id, at, &error.to_string()).await
                }
                None => {
                    metrics::counter!("leadline_sends_total", "result" => "failed", "code" => code)
                        .increment(1);
                    tracing::error!(to = %to, attempts = item.attempts + 1, error = %error, "send failed for good");
                    store.mark_failed(item.id, &error.to_string()).await
                }
            }
        }
    };
    if let Err(e) = recorded {
        // The lease on the entry expires and it is sent again: at least once.
        tracing::warn!(error = %e, "cannot record a send outcome");
    }
    shared.outbox_ready.notify_one();
}

fn code_label(error: &SendError) -> String {
    error
        .code()
        .map_or_else(|| "none".to_owned(), |c| c.to_string())
}
