//! The dispatcher: carries out the effects turns recorded (CRM deliveries,
//! the rep's notices, reminders and nudges), retrying with backoff, dead-lettering what keeps
//! failing or is refused for good so a person sees it in the admin API.

use crate::Shared;
use crate::drain::{self, Queue};
use crate::effects::Outcome;
use crate::follow_through;
use jiff::Timestamp;
use leadline_domain::Clock;
use leadline_stores::{EffectAction, EffectItem, OutgoingBody, OutgoingMessage, StoreError};
use leadline_whatsapp::send::SendError;
use std::sync::Arc;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// Graph's answer to a free-form message outside the recipient's 24-hour
/// window: only a template gets through.
const REENGAGEMENT: i64 = 131_047;

pub(crate) async fn run(shared: Arc<Shared>, shutdown: CancellationToken) {
    let (capacity, poll) = (shared.side_effects.concurrency, shared.config.idle_poll);
    drain::drain(Arc::new(Pending(shared)), capacity, poll, shutdown).await;
}

/// The effects waiting to be carried out.
struct Pending(Arc<Shared>);

impl Queue for Pending {
    type Item = EffectItem;
    const WHAT: &'static str = "effects";

    async fn due(&self, limit: usize) -> Result<Vec<EffectItem>, StoreError> {
        let shared = &self.0;
        shared
            .store
            .due_effects(shared.config.clock.now(), limit, shared.side_effects.lease)
            .await
    }

    async fn next_due(&self) -> Result<Option<Timestamp>, StoreError> {
        self.0.store.next_effect_due().await
    }

    fn clock(&self) -> &Clock {
        &self.0.config.clock
    }

    async fn carry_out(self: Arc<Self>, item: EffectItem) {
        carry_out(&self.0, item).await;
    }

    fn ready(&self) -> &Notify {
        &self.0.effects_ready
    }
}

async fn carry_out(shared: &Shared, item: EffectItem) {
    let clock = &shared.config.clock;
    let leased_until = clock.after(drain::margin(shared.side_effects.lease));
    let kind = item.effect.action.kind();
    let attempt = item.attempts + 1;
    let outcome = match &item.effect.action {
        EffectAction::Crm { body } => deliver_to_crm(shared, &item.effect.key, body, attempt).await,
        EffectAction::NotifyRep { message, fallback } => {
            notify_rep(shared, message, fallback.as_ref(), attempt).await
        }
        EffectAction::Reminder { .. } | EffectAction::FollowUp { .. } => {
            follow_through::carry_out(shared, &item.effect, attempt).await
        }
    };
    let customer = item.effect.customer.masked();
    match &outcome {
        Outcome::Done => {
            tracing::info!(customer = %customer, kind, attempt, "effect carried out");
        }
        Outcome::Retry(delay, error) => {
            tracing::warn!(customer = %customer, kind, attempt, retry_in_ms = delay.as_millis() as u64, error = %error, "effect failed; retrying");
        }
        Outcome::Dead(error) => {
            tracing::error!(customer = %customer, kind, attempt, error = %error, "effect failed for good; dead-lettered (GET /api/effects?state=dead)");
        }
    }
    let result = match outcome {
        Outcome::Done => "done",
        Outcome::Retry(..) => "retry",
        Outcome::Dead(_) => "dead",
    };
    metrics::counter!("leadline_effects_total", "kind" => kind, "result" => result).increment(1);
    // Receivers deduplicate by the effect's key, but the rep would read a
    // notice carried out again twice.
    let (store, id) = (&shared.store, item.id);
    drain::record_while_leased("effect", clock, leased_until, || async {
        match &outcome {
            Outcome::Done => store.effect_done(id).await,
            Outcome::Retry(delay, error) => {
                store.effect_retry(id, clock.after(*delay), error).await
            }
            Outcome::Dead(error) => store.effect_dead(id, error).await,
        }
    })
    .await;
    shared.effects_ready.notify_one();
}

async fn deliver_to_crm(
    shared: &Shared,
    key: &str,
    body: &serde_json::Value,
    attempt: u32,
) -> Outcome {
    let effects = &shared.side_effects;
    let Some(crm) = &effects.crm else {
        return Outcome::Dead("LEADLINE_CRM_WEBHOOK_URL is no longer set".to_owned());
    };
    match crm.deliver(key, body).await {
        Ok(()) => Outcome::Done,
        Err(e) if e.is_retryable() => match effects.crm_retry.backoff(attempt) {
            Some(delay) => Outcome::Retry(delay, e.to_string()),
            None => Outcome::Dead(format!("{e} (after {attempt} attempts)")),
        },
        Err(e) => Outcome::Dead(e.to_string()),
    }
}

/// The notice as text; outside the rep's 24-hour window, the template.
async fn notify_rep(
    shared: &Shared,
    message: &OutgoingMessage,
    fallback: Option<&OutgoingBody>,
    attempt: u32,
) -> Outcome {
    let mut sent = shared.outlet.send(message).await;
    if let (Err(e), Some(template)) = (&sent, fallback)
        && e.code() == Some(REENGAGEMENT)
    {
        let templated = OutgoingMessage {
            body: template.clone(),
            ..message.clone()
        };
        sent = shared.outlet.send(&templated).await;
    }
    match sent {
        Ok(_) => Outcome::Done,
        Err(e) => match shared.config.retry.delay(attempt, &e) {
            Some(delay) => Outcome::Retry(delay, e.to_string()),
            None => Outcome::Dead(dead_rep_notice(&e, fallback.is_some())),
        },
    }
}

fn dead_rep_notice(error: &SendError, has_template: bool) -> String {
    if error.code() == Some(REENGAGEMENT) && !has_template {
        format!("{error}; set LEADLINE_REP_TEMPLATE to reach the rep outside their 24-hour window")
    } else {
        error.to_string()
    }
}
