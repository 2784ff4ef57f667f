//! The sender: drains the outbox through the outlet, in order per customer,
//! retrying what the Graph API says can be retried.

use crate::Shared;
use crate::drain::{self, Queue};
use jiff::Timestamp;
use leadline_domain::Clock;
use leadline_stores::{OutboxItem, StoreError};
use leadline_whatsapp::send::SendError;
use std::sync::Arc;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

pub(crate) async fn run(shared: Arc<Shared>, shutdown: CancellationToken) {
    let (capacity, poll) = (shared.config.senders, shared.config.idle_poll);
    drain::drain(Arc::new(Outbound(shared)), capacity, poll, shutdown).await;
}

/// The outbox, as the sender drains it.
struct Outbound(Arc<Shared>);

impl Queue for Outbound {
    type Item = OutboxItem;
    const WHAT: &'static str = "outbox";

    async fn due(&self, limit: usize) -> Result<Vec<OutboxItem>, StoreError> {
        let shared = &self.0;
        shared
            .store
            .due(shared.config.clock.now(), limit, shared.config.send_lease)
            .await
    }

    async fn next_due(&self) -> Result<Option<Timestamp>, StoreError> {
        self.0.store.next_due().await
    }

    fn clock(&self) -> &Clock {
        &self.0.config.clock
    }

    async fn carry_out(self: Arc<Self>, item: OutboxItem) {
        send_one(&self.0, item).await;
    }

    fn ready(&self) -> &Notify {
        &self.0.outbox_ready
    }
}

async fn send_one(shared: &Shared, item: OutboxItem) {
    // The lease began when `due` handed the entry out, just before this.
    let clock = &shared.config.clock;
    let leased_until = clock.after(drain::margin(shared.config.send_lease));
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
                    Outcome::Retry(clock.after(delay), error.to_string())
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
    // A reply Graph accepted but never marked sent would be sent a second
    // time once its lease expires.
    let (store, id) = (&shared.store, item.id);
    drain::record_while_leased("send", clock, leased_until, || async {
        match &outcome {
            Outcome::Sent(wa_message_id) => store.mark_sent(id, wa_message_id).await,
            Outcome::Retry(at, error) => store.mark_retry(id, *at, error).await,
            Outcome::Failed(error) => store.mark_failed(id, error).await,
        }
    })
    .await;
    shared.outbox_ready.notify_one();
}

/// What the Graph API said about one send.
enum Outcome {
    Sent(String),
    Retry(Timestamp, String),
    Failed(String),
}

fn code_label(error: &SendError) -> String {
    error
        .code()
        .map_or_else(|| "none".to_owned(), |c| c.to_string())
}
