//! What a person of the sales team does to a conversation, shared by the
//! admin API and the dashboard: the checks on what they typed, the store's
//! action, and waking the engine for what the action left to do.

use super::AppState;
use jiff::{SignedDuration, Timestamp};
use leadline_domain::playbook::{Playbook, Success};
use leadline_domain::tools::CALL_BOOKED;
use leadline_domain::{Conversation, CustomerId};
use leadline_engine::ErasureReason;
use leadline_stores::{AdminError, EffectQuery, FunnelQuery, HumanAction, StoreError};
use leadline_whatsapp::send::TEXT_MAX_CHARS;

/// How far back the funnel's timing figures look: the inbox keeps answered
/// messages for 7 days.
const FUNNEL_TIMING_WINDOW: SignedDuration = SignedDuration::from_hours(7 * 24);

/// A reply as a person typed it, trimmed; an empty or too long one is
/// refused with the reason.
pub fn reply(text: &str) -> Result<HumanAction, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("text: empty".to_owned());
    }
    if text.chars().count() > TEXT_MAX_CHARS {
        return Err(format!(
            "text: longer than WhatsApp's {TEXT_MAX_CHARS} characters"
        ));
    }
    Ok(HumanAction::Reply {
        text: text.to_owned(),
    })
}

/// The stages a person may hand a conversation back at: those where the
/// bot talks (handing back at a handoff stage would leave nobody
/// answering).
pub fn hand_back_stages(playbook: &Playbook) -> Vec<&str> {
    playbook
        .stages
        .iter()
        .filter(|s| !s.hands_off)
        .map(|s| s.id.as_str())
        .collect()
}

/// Handing back at `stage`, if the playbook allows it.
pub fn hand_back(playbook: &Playbook, stage: &str) -> Result<HumanAction, String> {
    let stages = hand_back_stages(playbook);
    if !stages.contains(&stage) {
        return Err(format!(
            "stage: {stage:?} is not one of the playbook's stages: {}",
            stages.join(", ")
        ));
    }
    Ok(HumanAction::HandBack {
        stage: stage.to_owned(),
    })
}

/// Applies `action` and wakes the engine for what it left to do.
pub async fn act(
    state: &AppState,
    customer: &CustomerId,
    action: HumanAction,
) -> Result<Conversation, AdminError> {
    let conversation = state
        .store
        .act(customer, &action, state.clock.now())
        .await?;
    let name = match &action {
        HumanAction::TakeOver => "take_over",
        HumanAction::Reply { .. } => "reply",
        HumanAction::HandBack { .. } => "hand_back",
    };
    tracing::info!(customer = %customer, action = name, "a person acted on a conversation");
    if let Some(engine) = &state.engine {
        match action {
            HumanAction::Reply { .. } => engine.outbox_changed(),
            // Messages that arrived while it was handed off may wait for
            // the bot again.
            HumanAction::HandBack { .. } => engine.inbox_changed(),
            HumanAction::TakeOver => {}
        }
    }
    Ok(conversation)
}

/// Erases everything kept about `customer`, at a person's request; `false`
/// when nothing was known of them.
pub async fn erase(state: &AppState, customer: &CustomerId) -> Result<bool, StoreError> {
    let erased = state.eraser.erase(customer, ErasureReason::Request).await?;
    if erased && let Some(engine) = &state.engine {
        // The CRM's `lead.erased` waits for the dispatcher.
        engine.effects_changed();
    }
    Ok(erased)
}

/// Makes dead effect `id` due again at once, with a fresh count of
/// attempts, and wakes the dispatcher; `false` when it is not dead, or not
/// `customer`'s when one is given.
pub async fn retry_effect(
    state: &AppState,
    id: i64,
    customer: Option<&CustomerId>,
) -> Result<bool, StoreError> {
    if let Some(customer) = customer {
        let theirs = state
            .store
            .effect_entries(&EffectQuery {
                customer: Some(customer.clone()),
                before: Some(id.saturating_add(1)),
                limit: 1,
                ..EffectQuery::default()
            })
            .await?;
        if theirs.first().is_none_or(|e| e.id != id) {
            return Ok(false);
        }
    }
    if !state.store.revive_effect(id).await? {
        return Ok(false);
    }
    if let Some(engine) = &state.engine {
        engine.effects_changed();
    }
    tracing::info!(effect = id, "dead effect revived by a person");
    Ok(true)
}

/// What the funnel counts, from the playbook: the stage whose success is a
/// booked call counts as qualified when entered (its predecessors' fields
/// are all known by then) and as booked when left by that success.
pub fn funnel_query(playbook: &Playbook, now: Timestamp) -> FunnelQuery {
    let booking = playbook
        .stages
        .iter()
        .find(|s| matches!(&s.success, Success::Outcome(o) if o == CALL_BOOKED));
    FunnelQuery {
        qualified_stage: booking.map(|s| s.id.clone()),
        booked: booking.and_then(|s| s.next.clone().map(|next| (s.id.clone(), next))),
        since: now - FUNNEL_TIMING_WINDOW,
    }
}
