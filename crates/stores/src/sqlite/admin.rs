//! The admin API's reads and a person's actions on a conversation. The
//! actions run on the writer connection, in one transaction with the fence.

use super::inbox::{RECORD_EVENT, RECORD_REPLY};
use super::{decode, encode};
use crate::admin::{
    Acted, AdminError, Change, LeadQuery, LeadRow, QuestionQuery, QuestionRow, outside_turn,
};
use crate::sql::FunnelSql;
use crate::{Effect, StoreError};
use jiff::Timestamp;
use leadline_domain::events::question_key;
use leadline_domain::{Conversation, CustomerId};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use sqlx::sqlite::SqlitePool;

/// Conversations by their stored JSON. `lower` folds ASCII only, which is
/// what [`LeadQuery::search`] promises. A full scan: the admin lists are
/// small and rare next to turns, so no index is kept for them.
const LEADS: &str = "
    SELECT body, updated_at FROM conversations
    WHERE (?1 IS NULL OR body ->> '$.stage' = ?1)
      AND (?2 IS NULL OR body ->> '$.handoff.reason' = ?2)
      AND (?3 = 0 OR body ->> '$.handoff' IS NOT NULL)
      AND (?4 IS NULL OR updated_at >= ?4)
      AND (?5 IS NULL OR instr(lower(coalesce(body ->> '$.lead.name', '') || ' '
              || coalesce(body ->> '$.lead.company', '') || ' '
              || coalesce(body ->> '$.profile_name', '')), lower(?5)) > 0)
      AND (?6 IS NULL OR (updated_at, customer) < (?6, ?7))
    ORDER BY updated_at DESC, customer DESC
    LIMIT ?8";

pub(super) async fn leads(
    readers: &SqlitePool,
    query: &LeadQuery,
) -> Result<Vec<LeadRow>, StoreError> {
    crate::sql::leads(readers, LEADS, query, |body: String| decode(&body)).await
}

/// Fences the conversation as a new claim would, and drops the lease: a
/// turn in flight can no longer commit, and its messages are pending again.
const FENCE: &str = "
    UPDATE queue SET fence = fence + 1, lease_owner = NULL, lease_until = NULL, claimed_seq = NULL
    WHERE customer = ?1";

const LOAD: &str = "SELECT body FROM conversations WHERE customer = ?1";

const SAVE: &str = "UPDATE conversations SET body = ?2, updated_at = ?3 WHERE customer = ?1";

/// Whether a message was recorded under this key already.
const RECORDED: &str = "SELECT 1 FROM outbox WHERE key = ?1";

/// The business number the customer last dealt with: the newest reply's,
/// else the newest message's (the inbox keeps 7 days, longer than the
/// 24-hour window a reply needs).
const BUSINESS_NUMBER: &str = "
    SELECT coalesce(
        (SELECT message ->> '$.business_number_id' FROM outbox
         WHERE recipient = ?1 ORDER BY id DESC LIMIT 1),
        (SELECT payload ->> '$.business_number_id' FROM inbox
         WHERE customer = ?1 ORDER BY seq DESC LIMIT 1))";

pub(super) fn change(
    conn: &mut Connection,
    customer: &CustomerId,
    change: &Change,
    now: Timestamp,
) -> Result<Result<Acted, AdminError>, StoreError> {
    let id = customer.as_str();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.prepare_cached(FENCE)?.execute(params![id])?;
    let body: Option<String> = tx
        .prepare_cached(LOAD)?
        .query_row(params![id], |row| row.get(0))
        .optional()?;
    // Dropping `tx` rolls back, the fence included.
    let Some(body) = body else {
        return Ok(Err(AdminError::NotFound));
    };
    let mut conversation: Conversation = decode(&body)?;
    if let Some(key) = change.once_key()
        && tx
            .prepare_cached(RECORDED)?
            .query_row(params![key], |_| Ok(()))
            .optional()?
            .is_some()
    {
        return Ok(Ok(Acted {
            conversation,
            skipped: None,
        }));
    }
    let applied = match change.apply(&mut conversation, now) {
        Ok(applied) => applied,
        Err(e) => return Ok(Err(e)),
    };
    if let Some(skip) = applied.skipped {
        return Ok(Ok(Acted {
            conversation,
            skipped: Some(skip),
        }));
    }
    let at = now.as_millisecond();
    tx.prepare_cached(SAVE)?
        .execute(params![id, encode(&conversation)?, at])?;
    if let Some(reply) = applied.reply {
        let from: Option<String> = tx
            .prepare_cached(BUSINESS_NUMBER)?
            .query_row(params![id], |row| row.get(0))?;
        let Some(from) = from else {
            return Err(StoreError::Corrupt(
                "a conversation without any message to or from its business number".to_owned(),
            ));
        };
        let message = outside_turn(customer, from, reply);
        tx.prepare_cached(RECORD_REPLY)?.execute(params![
            message.key,
            id,
            encode(&message)?,
            at
        ])?;
    }
    for event in &applied.events {
        tx.prepare_cached(RECORD_EVENT)?.execute(params![
            id,
            event.kind(),
            encode(event)?,
            at,
            event.question_key()
        ])?;
    }
    tx.commit()?;
    Ok(Ok(Acted {
        conversation,
        skipped: None,
    }))
}

/// Conversations, qualified and booked ones (`?1` the qualified stage,
/// `?2`/`?3` the booking's stage change), erased ones included. A NULL
/// stage matches nothing.
const FUNNEL_COUNTS: &str = "
    SELECT
      (SELECT count(*) FROM conversations)
        + (SELECT coalesce(sum(count), 0) FROM erased_tallies WHERE kind = 'conversations'),
      (SELECT count(DISTINCT customer) FROM events
       WHERE kind = 'stage_changed' AND body ->> '$.to' = ?1)
        + (SELECT coalesce(sum(count), 0) FROM erased_tallies WHERE kind = 'entered' AND name = ?1),
      (SELECT count(DISTINCT customer) FROM events
       WHERE kind = 'stage_changed' AND body ->> '$.from' = ?2 AND body ->> '$.to' = ?3)
        + (SELECT coalesce(sum(count), 0) FROM erased_tallies
           WHERE kind = 'moved' AND name = ?2 AND detail = ?3)";

/// Handoffs per reason, those of erased conversations included.
const FUNNEL_HANDOFFS: &str = "
    SELECT reason, sum(n) FROM (
      SELECT body ->> '$.reason' AS reason, count(DISTINCT customer) AS n FROM events
      WHERE kind = 'handed_off' GROUP BY 1
      UNION ALL
      SELECT name, count FROM erased_tallies WHERE kind = 'handed_off')
    GROUP BY reason ORDER BY reason";

/// Conversations per follow-through event kind, erased ones included.
const FUNNEL_FOLLOW_THROUGH: &str = "
    SELECT kind, sum(n) FROM (
      SELECT kind, count(DISTINCT customer) AS n FROM events
      WHERE kind IN ('followed_up', 'follow_up_answered', 'reminder_sent', 'opted_out') GROUP BY 1
      UNION ALL
      SELECT name, count FROM erased_tallies WHERE kind = 'followed')
    GROUP BY kind ORDER BY kind";

/// Per booking since `?3`: the customer's messages in the inbox up to it.
const FUNNEL_TO_BOOKING: &str = "
    SELECT (SELECT count(*) FROM inbox i WHERE i.customer = e.customer AND i.enqueued_at <= e.at)
    FROM events e
    WHERE e.kind = 'stage_changed' AND e.body ->> '$.from' = ?1 AND e.body ->> '$.to' = ?2
      AND e.at >= ?3";

/// A bot reply's first part is keyed `<newest inbound message id>#0`
/// (the worker's `outgoing`); a person's replies are keyed `human:...`.
const FUNNEL_LATENCIES: &str = "
    SELECT o.sent_at - i.enqueued_at FROM outbox o
    JOIN inbox i ON i.msg_id = substr(o.key, 1, length(o.key) - 2)
    WHERE o.key LIKE '%#0' AND o.state = 'sent' AND o.sent_at IS NOT NULL AND o.created_at >= ?1";

/// The funnel's statements, for [`crate::sql::funnel`].
pub(super) const FUNNEL: FunnelSql = FunnelSql {
    counts: FUNNEL_COUNTS,
    handoffs: FUNNEL_HANDOFFS,
    follow_through: FUNNEL_FOLLOW_THROUGH,
    to_booking: FUNNEL_TO_BOOKING,
    latencies: FUNNEL_LATENCIES,
};

/// One row per question key, the newest first. The key is stored with
/// each event ([`leadline_domain::events::question_key`], computed in Rust:
/// accent folding is not SQL's), so the grouping is the database's and a
/// page reads only its rows; it still aggregates every question asked,
/// which `events_questions` keeps to the question events alone. A key of
/// nothing but punctuation is no question to list.
const QUESTIONS: &str = "
    WITH groups AS (
      SELECT question_key AS key, count(*) AS asked, count(DISTINCT customer) AS customers,
             max(at) AS last_at, coalesce(max(body ->> '$.grounded' = 'yes'), 0) AS answered,
             max(id) AS latest
      FROM events WHERE kind = 'question_asked' AND question_key <> ''
      GROUP BY question_key)
    SELECT g.key, e.body ->> '$.question', g.asked, g.customers, g.last_at, g.answered
    FROM groups g JOIN events e ON e.id = g.latest
    WHERE (?1 IS NULL OR g.answered = ?1)
      AND (?2 IS NULL OR (g.last_at, g.key) < (?2, ?3))
    ORDER BY g.last_at DESC, g.key DESC
    LIMIT ?4";

/// The latest `?2` customers who asked each question of `?1` (a JSON array
/// of keys), the most recent first.
const ASKERS: &str = "
    SELECT key, customer FROM (
      SELECT question_key AS key, customer,
             row_number() OVER (PARTITION BY question_key ORDER BY max(id) DESC) AS n
      FROM events
      WHERE kind = 'question_asked' AND question_key IN (SELECT value FROM json_each(?1))
      GROUP BY question_key, customer)
    WHERE n <= ?2 ORDER BY key, n";

pub(super) async fn questions(
    readers: &SqlitePool,
    query: &QuestionQuery,
) -> Result<Vec<QuestionRow>, StoreError> {
    crate::sql::questions(readers, (QUESTIONS, ASKERS), query, |keys| encode(keys)).await
}

/// Question events written before they carried their key.
pub(super) const UNKEYED: &str = "
    SELECT id, body ->> '$.question' FROM events
    WHERE kind = 'question_asked' AND question_key IS NULL LIMIT 500";

const KEY: &str = "UPDATE events SET question_key = ?2 WHERE id = ?1";

/// Keys the question events written before events carried their key, a
/// chunk per transaction; once done, one index probe finds nothing.
pub(super) fn key_questions(conn: &mut Connection) -> Result<(), StoreError> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let unkeyed = tx
            .prepare_cached(UNKEYED)?
            .query_map([], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, Option<String>>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        if unkeyed.is_empty() {
            return Ok(());
        }
        for (id, question) in unkeyed {
            let key = question_key(question.as_deref().unwrap_or_default());
            tx.prepare_cached(KEY)?.execute(params![id, key])?;
        }
        tx.commit()?;
    }
}

/// Whether the store knows anything of the customer: a conversation, or
/// messages that did not make one yet.
const KNOWN: &str = "
    SELECT EXISTS (SELECT 1 FROM conversations WHERE customer = ?1)
        OR EXISTS (SELECT 1 FROM queue WHERE customer = ?1)";

/// The funnel's tallies of the conversation, taken before its events go
/// (see `erased_tallies`); `?2` is 1 when it has a conversation to count.
const TALLY: [&str; 5] = [
    "INSERT INTO erased_tallies (kind, count) SELECT 'conversations', 1 WHERE ?2 IS NOT NULL
     ON CONFLICT (kind, name, detail) DO UPDATE SET count = count + 1",
    "INSERT INTO erased_tallies (kind, name, count)
     SELECT DISTINCT 'entered', body ->> '$.to', 1 FROM events
     WHERE customer = ?1 AND kind = 'stage_changed' AND ?2 IS NOT NULL
     ON CONFLICT (kind, name, detail) DO UPDATE SET count = count + 1",
    "INSERT INTO erased_tallies (kind, name, detail, count)
     SELECT DISTINCT 'moved', body ->> '$.from', body ->> '$.to', 1 FROM events
     WHERE customer = ?1 AND kind = 'stage_changed' AND ?2 IS NOT NULL
     ON CONFLICT (kind, name, detail) DO UPDATE SET count = count + 1",
    "INSERT INTO erased_tallies (kind, name, count)
     SELECT DISTINCT 'handed_off', body ->> '$.reason', 1 FROM events
     WHERE customer = ?1 AND kind = 'handed_off' AND ?2 IS NOT NULL
     ON CONFLICT (kind, name, detail) DO UPDATE SET count = count + 1",
    "INSERT INTO erased_tallies (kind, name, count)
     SELECT DISTINCT 'followed', kind, 1 FROM events
     WHERE customer = ?1 AND kind IN ('followed_up', 'follow_up_answered', 'reminder_sent', 'opted_out') AND ?2 IS NOT NULL
     ON CONFLICT (kind, name, detail) DO UPDATE SET count = count + 1",
];

/// Every row that names the customer. Deleting the queue row fences the
/// conversation: a turn in flight no longer finds its claim (`HELD`) and
/// writes nothing. The inbox rows are the dedup records of the customer's
/// message ids, so a redelivery starts afresh. The local calendar's calls
/// are keyed `call-<customer>-<start, in seconds>` (the engine's booking):
/// they are deleted, which frees their slots as a cancellation would, since
/// a cancelled row would still carry the key, the lead's name and email.
const ERASE: [&str; 10] = [
    "DELETE FROM conversations WHERE customer = ?1",
    "DELETE FROM summaries WHERE customer = ?1",
    "DELETE FROM leads WHERE customer = ?1",
    "DELETE FROM events WHERE customer = ?1",
    "DELETE FROM inbox WHERE customer = ?1",
    "DELETE FROM queue WHERE customer = ?1",
    "DELETE FROM deliveries
     WHERE recipient = ?1 OR wamid IN (SELECT wamid FROM outbox WHERE recipient = ?1)",
    "DELETE FROM outbox WHERE recipient = ?1",
    "DELETE FROM effects WHERE customer = ?1",
    "DELETE FROM calendar_calls
     WHERE substr(key, 1, length(?1) + 6) = 'call-' || ?1 || '-'
       AND substr(key, length(?1) + 7) GLOB '[0-9]*'
       AND substr(key, length(?1) + 7) NOT GLOB '*[^0-9]*'",
];

pub(super) fn erase(
    conn: &mut Connection,
    customer: &CustomerId,
    effects: &[Effect],
    now: Timestamp,
) -> Result<bool, StoreError> {
    let id = customer.as_str();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let known: bool = tx
        .prepare_cached(KNOWN)?
        .query_row(params![id], |row| row.get(0))?;
    if !known {
        return Ok(false);
    }
    let had_conversation: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM conversations WHERE customer = ?1)")?
        .query_row(params![id], |row| row.get(0))?;
    let counted = had_conversation.then_some(1);
    for statement in TALLY {
        tx.prepare_cached(statement)?
            .execute(params![id, counted])?;
    }
    for statement in ERASE {
        tx.prepare_cached(statement)?.execute(params![id])?;
    }
    super::effects::record(&tx, effects, now.as_millisecond())?;
    tx.commit()?;
    Ok(true)
}

/// Conversations idle since before `?1`, the longest idle first.
pub(super) const STALE: &str = "
    SELECT customer FROM conversations WHERE updated_at < ?1 ORDER BY updated_at, customer LIMIT ?2";
