//! The inbox: enqueue, claim, release, a turn's commit (fenced, its
//! messages acknowledged; what it writes is [`super::turn`]'s), summaries,
//! pruning.

use super::outbox::{LOCK_RECIPIENT, PROMOTE_NEXT};
use crate::sql::delivery_rank;
use crate::sql::millis;
use crate::sql::{claim_of, count_fresh};
use crate::{Claim, EnqueueReport, InboxBatch, StoreError, TurnCommit};
use leadline_domain::CustomerId;
use leadline_domain::conversation::Summary;
use sqlx::PgPool;
use sqlx::types::Json;
use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

/// How long a message id is remembered after it arrived: Meta retries a
/// delivery for up to 7 days.
const DEDUP_WINDOW_MS: i64 = 7 * 24 * 3600 * 1000;
/// Rows deleted per pruning statement, so one prune never holds many locks.
const PRUNE_CHUNK: i64 = 2000;

/// Creates the queue rows of the batch's conversations and locks them, in
/// one order so concurrent enqueues never deadlock. While an enqueue holds a
/// conversation's row, nobody else adds to or claims it: its messages get
/// their `seq` in commit order, so a claim never skips an earlier message
/// that commits later.
const LOCK_QUEUE: &str = "
    INSERT INTO queue (customer)
    SELECT c FROM unnest($1::text[]) AS c ORDER BY c
    ON CONFLICT (customer) DO UPDATE SET fence = queue.fence";

/// Inserts every message of the batch with one statement, in arrival order:
/// ids already present (or earlier in the batch) are skipped, and the ids
/// inserted come back to tell accepted from duplicate.
const INSERT_MESSAGES: &str = "
    INSERT INTO inbox (msg_id, customer, enqueued_at, payload)
    SELECT m.value ->> 'id', m.value ->> 'customer', $1, m.value
    FROM jsonb_array_elements($2) WITH ORDINALITY AS m(value, n) ORDER BY m.n
    ON CONFLICT (msg_id) DO NOTHING
    RETURNING msg_id";

/// Marks the conversations that just got messages as waiting.
pub(super) const MARK_WAITING: &str = "
    UPDATE queue SET
        oldest_at = coalesce(oldest_at, $1),
        oldest_seq = coalesce(oldest_seq,
            (SELECT min(seq) FROM inbox WHERE customer = queue.customer AND acked_at IS NULL)),
        newest_at = $1
    WHERE customer = ANY($2)";

const UPSERT_STATUS: &str = "
    INSERT INTO deliveries (wamid, recipient, state, at, errors) VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (wamid) DO UPDATE SET state = excluded.state, at = excluded.at, errors = excluded.errors
    WHERE excluded.state > deliveries.state";

/// A status naming an outbox entry still pending proves Graph accepted it:
/// its sender died (or is slow) before recording that. Marking it sent here
/// keeps a survivor from sending it again when its lease runs out.
const CONFIRM_SENT: &str = "
    UPDATE outbox SET state = 'sent', wamid = $2, sent_at = $3, due_at = NULL
    WHERE key = $1 AND state = 'pending'
    RETURNING recipient";

pub(super) async fn enqueue(
    pool: &PgPool,
    batch: &InboxBatch,
    now: i64,
) -> Result<EnqueueReport, StoreError> {
    let mut report = EnqueueReport::default();
    let mut tx = pool.begin().await?;
    if !batch.messages.is_empty() {
        let customers: Vec<&str> = batch
            .messages
            .iter()
            .map(|m| m.customer.as_str())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        sqlx::query(LOCK_QUEUE)
            .bind(&customers)
            .execute(&mut *tx)
            .await?;
        let inserted: Vec<String> = sqlx::query_scalar(INSERT_MESSAGES)
            .bind(now)
            .bind(Json(&batch.messages))
            .fetch_all(&mut *tx)
            .await?;
        let mut fresh: HashSet<String> = inserted.into_iter().collect();
        let waiting: Vec<&str> = batch
            .messages
            .iter()
            .filter(|m| fresh.contains(&m.id))
            .map(|m| m.customer.as_str())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if !waiting.is_empty() {
            sqlx::query(MARK_WAITING)
                .bind(now)
                .bind(&waiting)
                .execute(&mut *tx)
                .await?;
        }
        count_fresh(&mut report, &batch.messages, &mut fresh);
    }
    for status in &batch.statuses {
        let moved = sqlx::query(UPSERT_STATUS)
            .bind(&status.message_id)
            .bind(status.recipient.as_str())
            .bind(delivery_rank(status.state))
            .bind(status.at.as_millisecond())
            .bind(Json(&status.errors))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if moved > 0 {
            report.statuses += 1;
        }
    }
    // Recipients locked in one order, as turns lock them, so the two never
    // deadlock.
    let mut confirmations: Vec<_> = batch
        .statuses
        .iter()
        .filter_map(|s| Some((s.recipient.as_str(), s.outbox_key.as_deref()?, s)))
        .collect();
    confirmations.sort_by_key(|(recipient, key, _)| (*recipient, *key));
    for (recipient, key, status) in confirmations {
        sqlx::query(LOCK_RECIPIENT)
            .bind(recipient)
            .execute(&mut *tx)
            .await?;
        let confirmed: Option<String> = sqlx::query_scalar(CONFIRM_SENT)
            .bind(key)
            .bind(&status.message_id)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(recipient) = confirmed {
            sqlx::query(PROMOTE_NEXT)
                .bind(recipient)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(report)
}

/// Picks the conversation whose oldest pending message has waited longest
/// and leases it, in one statement. `SKIP LOCKED` passes over conversations
/// another worker is claiming or committing right now instead of waiting
/// for them; the index on `(oldest_at, oldest_seq)` serves both the order
/// and the bound `oldest_at <= cutoff`.
pub(super) const CLAIM: &str = "
    WITH next AS (
        SELECT customer FROM queue
        WHERE oldest_at <= $3 AND newest_at <= $3 AND (lease_until IS NULL OR lease_until <= $4)
        ORDER BY oldest_at, oldest_seq
        LIMIT 1
        FOR UPDATE SKIP LOCKED)
    UPDATE queue SET
        lease_owner = $1,
        lease_until = $2,
        fence = queue.fence + 1,
        claimed_seq = (SELECT max(seq) FROM inbox WHERE customer = queue.customer AND acked_at IS NULL)
    FROM next WHERE queue.customer = next.customer
    RETURNING queue.customer, queue.fence, queue.claimed_seq";

pub(super) const CLAIMED_MESSAGES: &str = "
    SELECT payload::text, enqueued_at FROM inbox
    WHERE customer = $1 AND acked_at IS NULL AND seq <= $2
    ORDER BY seq";

pub(super) async fn claim(
    pool: &PgPool,
    worker: &str,
    lease: Duration,
    quiet_for: Duration,
    now: i64,
) -> Result<Option<Claim>, StoreError> {
    let mut tx = pool.begin().await?;
    let claimed: Option<(String, i64, i64)> = sqlx::query_as(CLAIM)
        .bind(worker)
        .bind(now.saturating_add(millis(lease)))
        .bind(now.saturating_sub(millis(quiet_for)))
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
    let Some((customer, fence, through)) = claimed else {
        return Ok(None);
    };
    let payloads: Vec<(String, i64)> = sqlx::query_as(CLAIMED_MESSAGES)
        .bind(&customer)
        .bind(through)
        .fetch_all(&mut *tx)
        .await?;
    // Committed before decoding: should a stored message not decode, the
    // lease still stands, so this conversation waits out its lease instead
    // of being picked first again by every claim and stalling the others.
    tx.commit().await?;
    claim_of(&customer, fence, worker, &payloads).map(Some)
}

/// Only the live holder may release; a claim already lost releases nothing.
const RELEASE: &str = "
    UPDATE queue SET lease_owner = NULL, lease_until = NULL, claimed_seq = NULL
    WHERE customer = $1 AND fence = $2 AND lease_owner = $3";

pub(super) async fn release(pool: &PgPool, claim: &Claim) -> Result<(), StoreError> {
    let Ok(fence) = i64::try_from(claim.fence) else {
        return Ok(());
    };
    sqlx::query(RELEASE)
        .bind(claim.customer.as_str())
        .bind(fence)
        .bind(&claim.worker)
        .execute(pool)
        .await?;
    Ok(())
}

/// The claim holds the conversation while its fence is the current one and
/// nobody released or committed it. A lease that ran out without anyone
/// taking over still holds: no successor exists whose writes it could undo.
/// The row stays locked until the commit, so no claim or enqueue of this
/// conversation interleaves with it.
const HELD: &str = "
    SELECT claimed_seq FROM queue WHERE customer = $1 AND fence = $2 AND lease_owner = $3
    FOR UPDATE";

/// Acknowledges exactly the claimed messages and copies them into the
/// transcript.
pub(super) const ACK: &str = "
    WITH acked AS (
        UPDATE inbox SET acked_at = $1
        WHERE customer = $2 AND acked_at IS NULL AND seq <= $3
        RETURNING seq, customer, msg_id, payload, enqueued_at)
    INSERT INTO transcript (customer, direction, wa_id, body, at)
    SELECT customer, 'in', msg_id, payload, enqueued_at FROM acked ORDER BY seq";

/// Drops the lease and recomputes what still waits (messages that arrived
/// during the turn).
pub(super) const REQUEUE: &str = "
    UPDATE queue SET
        lease_owner = NULL, lease_until = NULL, claimed_seq = NULL,
        oldest_seq = (SELECT seq FROM inbox WHERE customer = $1 AND acked_at IS NULL ORDER BY seq LIMIT 1),
        oldest_at = (SELECT enqueued_at FROM inbox WHERE customer = $1 AND acked_at IS NULL ORDER BY seq LIMIT 1),
        newest_at = (SELECT enqueued_at FROM inbox WHERE customer = $1 AND acked_at IS NULL ORDER BY seq DESC LIMIT 1)
    WHERE customer = $1";

pub(super) async fn commit_turn(
    pool: &PgPool,
    claim: &Claim,
    commit: &TurnCommit,
    now: i64,
) -> Result<(), StoreError> {
    let fence = i64::try_from(claim.fence).map_err(|_| StoreError::Fenced)?;
    let customer = claim.customer.as_str();

    let mut tx = pool.begin().await?;
    let held: Option<Option<i64>> = sqlx::query_scalar(HELD)
        .bind(customer)
        .bind(fence)
        .bind(&claim.worker)
        .fetch_optional(&mut *tx)
        .await?;
    // Dropping `tx` rolls back: nothing of a fenced turn is written.
    let Some(Some(through)) = held else {
        return Err(StoreError::Fenced);
    };
    sqlx::query(ACK)
        .bind(now)
        .bind(customer)
        .bind(through)
        .execute(&mut *tx)
        .await?;
    super::turn::write(&mut tx, commit, now).await?;
    sqlx::query(REQUEUE)
        .bind(customer)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

const PUT_SUMMARY: &str = "
    INSERT INTO summaries (customer, through_seq, text, updated_at) VALUES ($1, $2, $3, $4)
    ON CONFLICT (customer) DO UPDATE SET
        through_seq = excluded.through_seq, text = excluded.text, updated_at = excluded.updated_at
    WHERE excluded.through_seq > summaries.through_seq";

pub(super) async fn put_summary(
    pool: &PgPool,
    customer: &CustomerId,
    summary: &Summary,
    now: i64,
) -> Result<(), StoreError> {
    let through = crate::sql::summary_seq(summary)?;
    sqlx::query(PUT_SUMMARY)
        .bind(customer.as_str())
        .bind(through)
        .bind(&summary.text)
        .bind(now)
        .execute(pool)
        .await?;
    Ok(())
}

pub(super) const PRUNE: &str = "
    DELETE FROM inbox WHERE seq IN (
        SELECT seq FROM inbox WHERE acked_at IS NOT NULL AND enqueued_at < $1 LIMIT $2)";

/// Deletes answered messages (and, when Redis keeps the inbox, their
/// records) older than the dedup window, one chunk per statement.
pub(super) async fn prune(pool: &PgPool, now: i64) -> Result<(), StoreError> {
    let cutoff = now.saturating_sub(DEDUP_WINDOW_MS);
    for statement in [PRUNE, super::records::PRUNE_ANSWERED] {
        loop {
            let deleted = sqlx::query(statement)
                .bind(cutoff)
                .bind(PRUNE_CHUNK)
                .execute(pool)
                .await?
                .rows_affected();
            if deleted < PRUNE_CHUNK.unsigned_abs() {
                break;
            }
        }
    }
    Ok(())
}
