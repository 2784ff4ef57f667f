//! Reminders before a booked call and nudges to leads who went quiet. A
//! committed turn schedules them as effects due later (so they survive
//! restarts and go out once whichever process is running then); the
//! dispatcher renders them and hands them to
//! [`AdminStore::follow_through`], which sends them only if the
//! conversation, as it is at that moment, still calls for them.
//!
//! [`AdminStore::follow_through`]: leadline_stores::AdminStore::follow_through

use crate::Shared;
use crate::effects::Outcome;
use jiff::{SignedDuration, Timestamp};
use leadline_domain::Conversation;
use leadline_domain::events::Event;
use leadline_domain::follow_through::Skip;
use leadline_domain::playbook::Playbook;
use leadline_stores::{
    AdminError, Effect, EffectAction, FollowThrough, FollowedThrough, OutgoingBody,
};

/// An approved template that reaches a customer outside their 24-hour
/// window with a reminder; its body takes one variable, the call's date
/// and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderTemplate {
    pub name: String,
    /// The template's language code; `None`: the customer's ("es", "en").
    pub language: Option<String>,
}

/// What a committed turn schedules: a reminder per `[scheduling]
/// reminders` before the call it booked (those already past are not), and
/// `[follow_up]` nudges when its last reply asked the customer something
/// and the bot still has the conversation. Keyed by the call or by the
/// turn, so a turn redone after a crash schedules nothing twice.
pub(crate) fn schedule(
    playbook: &Playbook,
    turn_key: &str,
    conversation: &Conversation,
    events: &[Event],
    last_reply: Option<&str>,
    now: Timestamp,
) -> Vec<Effect> {
    let customer = &conversation.customer;
    let mut effects = Vec::new();
    for event in events {
        let Event::CallBooked {
            slot: Some(slot),
            event_id: Some(event_id),
        } = event
        else {
            continue;
        };
        let Ok(start) = slot.parse::<Timestamp>() else {
            continue;
        };
        for before in &playbook.reminders {
            let at = SignedDuration::try_from(*before)
                .ok()
                .and_then(|before| start.checked_sub(before).ok());
            let Some(at) = at.filter(|at| *at > now) else {
                continue;
            };
            effects.push(Effect {
                key: format!("reminder:{event_id}:{}s", before.as_secs()),
                customer: customer.clone(),
                action: EffectAction::Reminder {
                    event_id: event_id.clone(),
                    slot: slot.clone(),
                },
                not_before: Some(at),
            });
        }
    }
    let policy = playbook.follow_up;
    let waiting = last_reply.is_some_and(|reply| reply.contains('?'));
    let quiet_since = conversation.last_customer_at;
    if policy.max == 0 || !waiting || conversation.nudge(quiet_since, 1, now).is_err() {
        return effects;
    }
    let Ok(after) = SignedDuration::try_from(policy.after) else {
        return effects;
    };
    let mut at = now;
    for n in 1..=policy.max {
        let Ok(next) = at.checked_add(after) else {
            break;
        };
        at = next;
        effects.push(Effect {
            key: format!("follow_up:{turn_key}:{n}"),
            customer: customer.clone(),
            action: EffectAction::FollowUp { quiet_since, n },
            not_before: Some(at),
        });
    }
    effects
}

/// Sends a reminder or a nudge that came due, if it still applies.
pub(crate) async fn carry_out(shared: &Shared, effect: &Effect, attempt: u32) -> Outcome {
    let store = &shared.store;
    // A store that cannot answer is retried as a CRM that cannot: with
    // backoff, then dead-lettered for a person to see.
    let retry = |error: String| match shared.side_effects.crm_retry.backoff(attempt) {
        Some(delay) => Outcome::Retry(delay, error),
        None => Outcome::Dead(format!("{error} (after {attempt} attempts)")),
    };
    let conversation = match store.load(&effect.customer).await {
        Ok(Some(conversation)) => conversation,
        // Erased meanwhile: nothing to follow through.
        Ok(None) => return Outcome::Done,
        Err(e) => return retry(e.to_string()),
    };
    let follow = match &effect.action {
        EffectAction::Reminder { event_id, slot } => {
            let Some((text, when)) = shared.agent.reminder(&conversation, slot) else {
                return Outcome::Dead(format!("the call's start {slot:?} is not a time"));
            };
            let template =
                shared
                    .config
                    .reminder_template
                    .as_ref()
                    .map(|t| OutgoingBody::Template {
                        name: t.name.clone(),
                        language: t
                            .language
                            .clone()
                            .unwrap_or_else(|| conversation.language.code().to_owned()),
                        parameters: vec![when],
                    });
            FollowThrough::Reminder {
                key: effect.key.clone(),
                event_id: event_id.clone(),
                slot: slot.clone(),
                text,
                template,
            }
        }
        EffectAction::FollowUp { quiet_since, n } => FollowThrough::FollowUp {
            key: effect.key.clone(),
            quiet_since: *quiet_since,
            n: *n,
            text: shared.agent.follow_up(&conversation),
        },
        EffectAction::Crm { .. } | EffectAction::NotifyRep { .. } => {
            return Outcome::Dead("not a follow-through".to_owned());
        }
    };
    let kind = effect.action.kind();
    let customer = effect.customer.masked();
    let now = shared.config.clock.now();
    match store.follow_through(&effect.customer, &follow, now).await {
        Ok(FollowedThrough::Sent) => {
            metrics::counter!("leadline_follow_through_total", "kind" => kind, "result" => "sent")
                .increment(1);
            shared.outbox_ready.notify_one();
            Outcome::Done
        }
        Ok(FollowedThrough::Skipped(skip)) => {
            let reminder = matches!(effect.action, EffectAction::Reminder { .. });
            if reminder && skip == Skip::WindowClosed && shared.config.reminder_template.is_none() {
                tracing::info!(customer = %customer, kind, "reminder not sent: the customer's 24-hour window has closed and LEADLINE_REMINDER_TEMPLATE is not set");
            } else {
                tracing::debug!(customer = %customer, kind, reason = skip.as_str(), "follow-through no longer applies");
            }
            metrics::counter!("leadline_follow_through_total", "kind" => kind, "result" => skip.as_str())
                .increment(1);
            Outcome::Done
        }
        Err(AdminError::NotFound) => Outcome::Done,
        Err(AdminError::Store(e)) => retry(e.to_string()),
        Err(e) => Outcome::Dead(e.to_string()),
    }
}
