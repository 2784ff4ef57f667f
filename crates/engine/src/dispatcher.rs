//! The dispatcher: carries out the effects turns recorded (CRM deliveries,
//! the rep's notices), retrying with backoff, dead-lettering what keeps
//! failing or is refused for good so a person sees it in the admin API.

use crate::Shared;
use jiff::{SignedDuration, Timestamp};
use leadline_stores::{EffectAction, EffectItem, OutgoingBody, OutgoingMessage};
use leadline_whatsapp::send::SendError;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Graph's answer to a free-form message outside the recipient's 24-hour
/// window: only a template gets through.
const REENGAGEMENT: i64 = 131_047;

pub(crate) async fn run(shared: Arc<Shared>, shutdown: CancellationToken) {
    let effects = &shared.side_effects;
    let capacity = effects.concurrency.max(1);
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
                .due_effects(Timestamp::now(), free, effects.lease)
                .await
        };
        match due {
            Ok(items) if !items.is_empty() => {
                backoff = Duration::from_millis(50);
                for item in items {
                    in_flight.spawn(carry_out(shared.clone(), item));
                }
            }
            Ok(_) => {
                let wait = idle_wait(&shared).await;
                tokio::select! {
                    _ = shared.effects_ready.notified() => {}
                    _ = tokio::time::sleep(wait) => {}
                    Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
                    _ = shutdown.cancelled() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the effects");
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

/// Sleeps until the next retry is due, or the idle poll, whichever is first.
async fn idle_wait(shared: &Shared) -> Duration {
    let poll = shared.config.idle_poll;
    match shared.store.next_effect_due().await {
        Ok(Some(at)) => {
            let until = at.duration_since(Timestamp::now());
            Duration::try_from(until.max(SignedDuration::ZERO))
                .unwrap_or(poll)
                .min(poll)
        }
        _ => poll,
    }
}

/// What one attempt came to.
enum Outcome {
    Done,
    Retry(Duration, String),
    Dead(String),
}

async fn carry_out(shared: Arc<Shared>, item: EffectItem) {
    let leased_until = Instant::now()
        + shared
            .side_effects
            .lease
            .saturating_sub(Duration::from_secs(1));
    let kind = item.effect.action.kind();
    let attempt = item.attempts + 1;
    let outcome = match &item.effect.action {
        EffectAction::Crm { body } => {
            deliver_to_crm(&shared, &item.effect.key, body, attempt).await
        }
        EffectAction::NotifyRep { message, fallback } => {
            notify_rep(&shared, message, fallback.as_ref(), attempt).await
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
    record(&shared, item.id, &outcome, leased_until).await;
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

/// Records an attempt's outcome, retrying while the store is down and the
/// effect's lease holds: an effect carried out but never marked done would
/// be carried out again once its lease expires (receivers deduplicate by
/// its key, but the rep would read the notice twice).
async fn record(shared: &Shared, id: i64, outcome: &Outcome, leased_until: Instant) {
    let store = &shared.store;
    let mut backoff = Duration::from_millis(50);
    loop {
        let recorded = match outcome {
            Outcome::Done => store.effect_done(id).await,
            Outcome::Retry(delay, error) => {
                let at = Timestamp::now()
                    + SignedDuration::try_from(*delay).unwrap_or(SignedDuration::from_secs(60));
                store.effect_retry(id, at, error).await
            }
            Outcome::Dead(error) => store.effect_dead(id, error).await,
        };
        let Err(e) = recorded else { return };
        if Instant::now() + backoff >= leased_until {
            tracing::error!(error = %e, "cannot record an effect's outcome before its lease ends; it may be repeated");
            return;
        }
        tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "cannot record an effect's outcome; retrying");
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(2));
    }
}
