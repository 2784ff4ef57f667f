//! Writes of the inbox and of turns: enqueue, claim, release, commit,
//! summaries, pruning. Each runs on the writer connection.

use super::encode;
use crate::sql::delivery_rank;
use crate::sql::millis;
use crate::sql::{claim_of, count_fresh};
use crate::{Claim, EnqueueReport, InboxBatch, StoreError, TurnCommit};
use leadline_domain::conversation::Summary;
use leadline_domain::{CustomerId, InboundMessage};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

/// How long a message id is remembered after it arrived: Meta retries a
/// delivery for up to 7 days.
const DEDUP_WINDOW_MS: i64 = 7 * 24 * 3600 * 1000;
/// Rows deleted per pruning statement, so one prune never holds the write
/// lock for long.
const PRUNE_CHUNK: i64 = 2000;

/// What identifies a claim when writing: its messages are not needed.
pub(super) struct Holder {
    pub customer: CustomerId,
    pub fence: u64,
    pub worker: String,
}

impl From<&Claim> for Holder {
    fn from(claim: &Claim) -> Self {
        Self {
            customer: claim.customer.clone(),
            fence: claim.fence,
            worker: claim.worker.clone(),
        }
    }
}

/// Inserts every message of the group with one statement (the messages
/// travel as one JSON array, so the statement is prepared once whatever the
/// group's size): ids already present are skipped, and the ids inserted come
/// back to tell accepted from duplicate.
const INSERT_MESSAGES: &str = "
    INSERT INTO inbox (msg_id, customer, enqueued_at, payload)
    SELECT m.value ->> 'id', m.value ->> 'customer', ?1, m.value
    FROM json_each(?2) AS m WHERE true ORDER BY m.key
    ON CONFLICT (msg_id) DO NOTHING
    RETURNING msg_id";

/// Marks the conversations that just got messages as waiting.
pub(super) const UPSERT_QUEUE: &str = "
    INSERT INTO queue (customer, oldest_at, oldest_seq, newest_at)
    SELECT c.value, ?1,
           (SELECT min(seq) FROM inbox WHERE customer = c.value AND acked_at IS NULL), ?1
    FROM json_each(?2) AS c WHERE true
    ON CONFLICT (customer) DO UPDATE SET
        oldest_at = coalesce(queue.oldest_at, excluded.oldest_at),
        oldest_seq = coalesce(queue.oldest_seq, excluded.oldest_seq),
        newest_at = excluded.newest_at";

const UPSERT_STATUS: &str = "
    INSERT INTO deliveries (wamid, recipient, state, at, errors) VALUES (?1, ?2, ?3, ?4, ?5)
    ON CONFLICT (wamid) DO UPDATE SET state = excluded.state, at = excluded.at, errors = excluded.errors
    WHERE excluded.state > deliveries.state";

/// A status naming an outbox entry still pending proves Graph accepted it:
/// its sender died (or is slow) before recording that. Marking it sent here
/// keeps a survivor from sending it again when its lease runs out.
const CONFIRM_SENT: &str = "
    UPDATE outbox SET state = 'sent', wamid = ?2, sent_at = ?3, due_at = NULL
    WHERE key = ?1 AND state = 'pending'
    RETURNING recipient";

pub(super) fn enqueue(
    conn: &mut Connection,
    batches: &[InboxBatch],
    now: i64,
) -> Result<Vec<EnqueueReport>, StoreError> {
    let messages: Vec<&InboundMessage> = batches.iter().flat_map(|b| &b.messages).collect();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut fresh: HashSet<String> = HashSet::new();
    if !messages.is_empty() {
        let mut insert = tx.prepare_cached(INSERT_MESSAGES)?;
        let inserted = insert.query_map(params![now, encode(&messages)?], |row| row.get(0))?;
        for id in inserted {
            fresh.insert(id?);
        }
        drop(insert);
        let waiting: BTreeSet<&str> = messages
            .iter()
            .filter(|m| fresh.contains(&m.id))
            .map(|m| m.customer.as_str())
            .collect();
        if !waiting.is_empty() {
            tx.prepare_cached(UPSERT_QUEUE)?
                .execute(params![now, encode(&waiting)?])?;
        }
    }
    let mut reports = Vec::with_capacity(batches.len());
    for batch in batches {
        let mut report = EnqueueReport::default();
        count_fresh(&mut report, &batch.messages, &mut fresh);
        for status in &batch.statuses {
            let moved = tx.prepare_cached(UPSERT_STATUS)?.execute(params![
                status.message_id,
                status.recipient.as_str(),
                delivery_rank(status.state),
                status.at.as_millisecond(),
                encode(&status.errors)?,
            ])?;
            if moved > 0 {
                report.statuses += 1;
            }
            if let Some(key) = &status.outbox_key {
                let confirmed: Option<String> = tx
                    .prepare_cached(CONFIRM_SENT)?
                    .query_row(params![key, status.message_id, now], |row| row.get(0))
                    .optional()?;
                if let Some(recipient) = confirmed {
                    tx.prepare_cached(super::outbox::PROMOTE_NEXT)?
                        .execute(params![recipient, now])?;
                }
            }
        }
        reports.push(report);
    }
    tx.commit()?;
    Ok(reports)
}

/// Picks the conversation whose oldest pending message has waited longest
/// and leases it, in one statement. The index on `(oldest_at, oldest_seq)`
/// serves both the order and the bound `oldest_at <= cutoff` (a conversation
/// whose oldest message is too recent cannot have a quiet newest one), so
/// only conversations that are leased or still mid-burst are skipped over.
pub(super) const CLAIM: &str = "
    UPDATE queue SET
        lease_owner = ?1,
        lease_until = ?2,
        fence = fence + 1,
        claimed_seq = (SELECT max(seq) FROM inbox WHERE customer = queue.customer AND acked_at IS NULL)
    WHERE customer = (
        SELECT customer FROM queue
        WHERE oldest_at <= ?3 AND newest_at <= ?3 AND (lease_until IS NULL OR lease_until <= ?4)
        ORDER BY oldest_at, oldest_seq
        LIMIT 1)
    RETURNING customer, fence, claimed_seq";

pub(super) const CLAIMED_MESSAGES: &str = "
    SELECT payload, enqueued_at FROM inbox
    WHERE customer = ?1 AND acked_at IS NULL AND seq <= ?2
    ORDER BY seq";

pub(super) fn claim(
    conn: &mut Connection,
    worker: &str,
    lease: Duration,
    quiet_for: Duration,
    now: i64,
) -> Result<Option<Claim>, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let claimed: Option<(String, i64, i64)> = tx
        .prepare_cached(CLAIM)?
        .query_row(
            params![
                worker,
                now.saturating_add(millis(lease)),
                now.saturating_sub(millis(quiet_for)),
                now,
            ],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    let Some((customer, fence, through)) = claimed else {
        return Ok(None);
    };
    let payloads = tx
        .prepare_cached(CLAIMED_MESSAGES)?
        .query_map(params![customer, through], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?
        .collect::<Result<Vec<(String, i64)>, _>>()?;
    // Committed before decoding: should a stored message not decode, the
    // lease still stands, so this conversation waits out its lease instead
    // of being picked first again by every claim and stalling the others.
    tx.commit()?;
    claim_of(&customer, fence, worker, &payloads).map(Some)
}

/// Only the live holder may release; a claim already lost releases nothing.
const RELEASE: &str = "
    UPDATE queue SET lease_owner = NULL, lease_until = NULL, claimed_seq = NULL
    WHERE customer = ?1 AND fence = ?2 AND lease_owner = ?3";

pub(super) fn release(conn: &Connection, holder: &Holder) -> Result<(), StoreError> {
    let Ok(fence) = i64::try_from(holder.fence) else {
        return Ok(());
    };
    conn.prepare_cached(RELEASE)?.execute(params![
        holder.customer.as_str(),
        fence,
        holder.worker
    ])?;
    Ok(())
}

/// The claim holds the conversation while its fence is the current one and
/// nobody released or committed it. A lease that ran out without anyone
/// taking over still holds: no successor exists whose writes it could undo.
const HELD: &str =
    "SELECT claimed_seq FROM queue WHERE customer = ?1 AND fence = ?2 AND lease_owner = ?3";

/// A conversation that started over (the old one expired) must not absorb
/// the old one's summary.
const DROP_STALE_SUMMARY: &str = "
    DELETE FROM summaries WHERE customer = ?1
    AND EXISTS (SELECT 1 FROM conversations WHERE customer = ?1 AND started_at <> ?2)";

const SAVE_CONVERSATION: &str = "
    INSERT INTO conversations (customer, started_at, body, updated_at) VALUES (?1, ?2, ?3, ?4)
    ON CONFLICT (customer) DO UPDATE SET
        started_at = excluded.started_at, body = excluded.body, updated_at = excluded.updated_at";

const SAVE_LEAD: &str = "
    INSERT INTO leads (customer, body, updated_at) VALUES (?1, ?2, ?3)
    ON CONFLICT (customer) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at";

/// A reply becomes its recipient's head (due now) only when nothing of
/// theirs is pending; otherwise it waits behind. A key seen before keeps the
/// first entry: re-running a turn cannot send its replies twice.
pub(super) const RECORD_REPLY: &str = "
    INSERT INTO outbox (key, recipient, message, created_at, due_at)
    VALUES (?1, ?2, ?3, ?4,
        CASE WHEN EXISTS (SELECT 1 FROM outbox WHERE recipient = ?2 AND state = 'pending') THEN NULL ELSE ?4 END)
    ON CONFLICT (key) DO NOTHING";

/// A question's event carries its key (`?5`), by which the team's list
/// groups it; other events have none.
pub(super) const RECORD_EVENT: &str =
    "INSERT INTO events (customer, kind, body, at, question_key) VALUES (?1, ?2, ?3, ?4, ?5)";

pub(super) const ACK: &str =
    "UPDATE inbox SET acked_at = ?1 WHERE customer = ?2 AND acked_at IS NULL AND seq <= ?3";

/// Drops the lease and recomputes what still waits (messages that arrived
/// during the turn).
pub(super) const REQUEUE: &str = "
    UPDATE queue SET
        lease_owner = NULL, lease_until = NULL, claimed_seq = NULL,
        oldest_seq = (SELECT seq FROM inbox WHERE customer = ?1 AND acked_at IS NULL ORDER BY seq LIMIT 1),
        oldest_at = (SELECT enqueued_at FROM inbox WHERE customer = ?1 AND acked_at IS NULL ORDER BY seq LIMIT 1),
        newest_at = (SELECT enqueued_at FROM inbox WHERE customer = ?1 AND acked_at IS NULL ORDER BY seq DESC LIMIT 1)
    WHERE customer = ?1";

pub(super) fn commit_turn(
    conn: &mut Connection,
    holder: &Holder,
    commit: &TurnCommit,
    now: i64,
) -> Result<(), StoreError> {
    let fence = i64::try_from(holder.fence).map_err(|_| StoreError::Fenced)?;
    let customer = holder.customer.as_str();
    let conversation = encode(&commit.conversation)?;
    let lead = encode(&commit.conversation.lead)?;
    let replies = commit
        .replies
        .iter()
        .map(|r| Ok((r, encode(r)?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    let events = commit
        .events
        .iter()
        .map(|e| Ok((e.kind(), encode(e)?, e.question_key())))
        .collect::<Result<Vec<_>, StoreError>>()?;

    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let held: Option<Option<i64>> = tx
        .prepare_cached(HELD)?
        .query_row(params![customer, fence, holder.worker], |row| row.get(0))
        .optional()?;
    // Dropping `tx` rolls back: nothing of a fenced turn is written.
    let Some(Some(through)) = held else {
        return Err(StoreError::Fenced);
    };
    let started_at = commit.conversation.started_at.as_millisecond();
    tx.prepare_cached(DROP_STALE_SUMMARY)?
        .execute(params![customer, started_at])?;
    tx.prepare_cached(SAVE_CONVERSATION)?.execute(params![
        customer,
        started_at,
        conversation,
        now
    ])?;
    tx.prepare_cached(SAVE_LEAD)?
        .execute(params![customer, lead, now])?;
    for (reply, message) in &replies {
        tx.prepare_cached(RECORD_REPLY)?.execute(params![
            reply.key,
            reply.to.as_str(),
            message,
            now
        ])?;
    }
    for (kind, body, question) in &events {
        tx.prepare_cached(RECORD_EVENT)?
            .execute(params![customer, *kind, body, now, question])?;
    }
    tx.prepare_cached(super::effects::SUPERSEDE_NUDGES)?
        .execute(params![customer])?;
    super::effects::record(&tx, &commit.effects, now)?;
    tx.prepare_cached(ACK)?
        .execute(params![now, customer, through])?;
    tx.prepare_cached(REQUEUE)?.execute(params![customer])?;
    tx.commit()?;
    Ok(())
}

const PUT_SUMMARY: &str = "
    INSERT INTO summaries (customer, through_seq, text, updated_at) VALUES (?1, ?2, ?3, ?4)
    ON CONFLICT (customer) DO UPDATE SET
        through_seq = excluded.through_seq, text = excluded.text, updated_at = excluded.updated_at
    WHERE excluded.through_seq > summaries.through_seq";

pub(super) fn put_summary(
    conn: &Connection,
    customer: &CustomerId,
    summary: &Summary,
    now: i64,
) -> Result<(), StoreError> {
    let through = crate::sql::summary_seq(summary)?;
    conn.prepare_cached(PUT_SUMMARY)?.execute(params![
        customer.as_str(),
        through,
        summary.text,
        now
    ])?;
    Ok(())
}

pub(super) const PRUNE: &str = "
    DELETE FROM inbox WHERE seq IN (
        SELECT seq FROM inbox WHERE acked_at IS NOT NULL AND enqueued_at < ?1 LIMIT ?2)";

/// Deletes one chunk of answered messages older than the dedup window;
/// `true` when nothing older is left.
pub(super) fn prune_chunk(conn: &Connection, now: i64) -> Result<bool, StoreError> {
    let deleted = conn
        .prepare_cached(PRUNE)?
        .execute(params![now.saturating_sub(DEDUP_WINDOW_MS), PRUNE_CHUNK])?;
    Ok(i64::try_from(deleted).unwrap_or(i64::MAX) < PRUNE_CHUNK)
}
