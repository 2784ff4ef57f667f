//! What every turn writes, whoever keeps its inbox: the conversation, its
//! lead, the replies, the events and the effects. The inbox
//! ([`super::inbox`]) or the records of a Redis inbox ([`super::records`])
//! fence the turn first, in the same transaction.

use super::outbox::{LOCK_RECIPIENT, RECORD_REPLY};
use crate::{StoreError, TurnCommit};
use leadline_domain::events::Event;
use sqlx::types::Json;
use std::collections::BTreeSet;

/// A conversation that started over (the old one expired) must not absorb
/// the old one's summary.
const DROP_STALE_SUMMARY: &str = "
    DELETE FROM summaries WHERE customer = $1
    AND EXISTS (SELECT 1 FROM conversations WHERE customer = $1 AND started_at <> $2)";

const SAVE_CONVERSATION: &str = "
    INSERT INTO conversations (customer, started_at, body, updated_at) VALUES ($1, $2, $3, $4)
    ON CONFLICT (customer) DO UPDATE SET
        started_at = excluded.started_at, body = excluded.body, updated_at = excluded.updated_at";

const SAVE_LEAD: &str = "
    INSERT INTO leads (customer, fields, stage, handoff_reason, updated_at) VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (customer) DO UPDATE SET
        fields = excluded.fields, stage = excluded.stage,
        handoff_reason = excluded.handoff_reason, updated_at = excluded.updated_at";

/// A question's event carries its key (`$5`), by which the team's list
/// groups it; other events have none.
const RECORD_EVENT: &str =
    "INSERT INTO events (customer, kind, body, at, question_key) VALUES ($1, $2, $3, $4, $5)";

/// Records `events` of `customer` at `at` (epoch ms) in `tx`: what a
/// turn's commit and a person's action both write to the event log.
pub(super) async fn record_events(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    customer: &str,
    events: &[Event],
    at: i64,
) -> Result<(), StoreError> {
    for event in events {
        sqlx::query(RECORD_EVENT)
            .bind(customer)
            .bind(event.kind())
            .bind(Json(event))
            .bind(at)
            .bind(event.question_key())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// What every turn writes, whoever keeps its inbox: the conversation, its
/// lead, the replies, the events and the effects. The caller has fenced the turn inside
/// `tx`; the inbound side of the transcript is the caller's too.
pub(super) async fn write(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    commit: &TurnCommit,
    now: i64,
) -> Result<(), StoreError> {
    let conversation = &commit.conversation;
    let customer = conversation.customer.as_str();
    let started_at = conversation.started_at.as_millisecond();
    sqlx::query(DROP_STALE_SUMMARY)
        .bind(customer)
        .bind(started_at)
        .execute(&mut **tx)
        .await?;
    sqlx::query(SAVE_CONVERSATION)
        .bind(customer)
        .bind(started_at)
        .bind(Json(conversation))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    sqlx::query(SAVE_LEAD)
        .bind(customer)
        .bind(Json(&conversation.lead))
        .bind(&conversation.stage)
        .bind(conversation.handoff.as_ref().map(|h| h.reason.as_str()))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    // Locked in one order, so two turns never deadlock on each other.
    let recipients: BTreeSet<&str> = commit.replies.iter().map(|r| r.to.as_str()).collect();
    for recipient in recipients {
        sqlx::query(LOCK_RECIPIENT)
            .bind(recipient)
            .execute(&mut **tx)
            .await?;
    }
    for reply in &commit.replies {
        sqlx::query(RECORD_REPLY)
            .bind(&reply.key)
            .bind(reply.to.as_str())
            .bind(Json(reply))
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    record_events(tx, customer, &commit.events, now).await?;
    sqlx::query(super::effects::SUPERSEDE_NUDGES)
        .bind(customer)
        .execute(&mut **tx)
        .await?;
    super::effects::record(tx, &commit.effects, now).await
}
