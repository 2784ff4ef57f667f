//! The admin API's reads and a person's actions on a conversation. An
//! action runs in one transaction that first locks and fences the
//! conversation's queue row, the row a turn's commit locks first too (and,
//! when Redis keeps the inbox, raises the fence the records keep).

use super::outbox::{LOCK_RECIPIENT, RECORD_REPLY};
use super::records::RedisErasure;
use super::turn::record_events;
use crate::admin::{
    Acted, AdminError, Change, LeadQuery, LeadRow, QuestionQuery, QuestionRow, outside_turn,
};
use crate::sql::FunnelSql;
use crate::{Effect, StoreError};
use jiff::Timestamp;
use leadline_domain::events::question_key;
use leadline_domain::{Conversation, CustomerId};
use sqlx::PgPool;
use sqlx::types::Json;

/// The leads table carries the stage and handoff reason as columns (with
/// their indexes, `leads_stage`, `leads_handoff`, `leads_updated`); the
/// conversation holds the rest. `lower` folds ASCII and beyond, more than
/// [`LeadQuery::search`] promises.
const LEADS: &str = "
    SELECT c.body, l.updated_at FROM leads l JOIN conversations c ON c.customer = l.customer
    WHERE ($1::text IS NULL OR l.stage = $1)
      AND ($2::text IS NULL OR l.handoff_reason = $2)
      AND (NOT $3 OR l.handoff_reason IS NOT NULL)
      AND ($4::bigint IS NULL OR l.updated_at >= $4)
      AND ($5::text IS NULL OR strpos(lower(concat_ws(' ', c.body #>> '{lead,name}',
              c.body #>> '{lead,company}', c.body ->> 'profile_name')), lower($5)) > 0)
      AND ($6::bigint IS NULL OR (l.updated_at, l.customer) < ($6, $7::text))
    ORDER BY l.updated_at DESC, l.customer DESC
    LIMIT $8";

pub(super) async fn leads(pool: &PgPool, query: &LeadQuery) -> Result<Vec<LeadRow>, StoreError> {
    crate::sql::leads(pool, LEADS, query, |Json::<Conversation>(c)| Ok(c)).await
}

/// Fences the conversation as a new claim would, and drops the lease: a
/// turn in flight can no longer commit, and its messages are pending again.
/// The row stays locked until the commit, so a turn's commit waits for the
/// action and is then refused, or is done before the action reads.
const FENCE: &str = "
    UPDATE queue SET fence = fence + 1, lease_owner = NULL, lease_until = NULL, claimed_seq = NULL
    WHERE customer = $1";

const LOAD: &str = "SELECT body FROM conversations WHERE customer = $1 FOR UPDATE";

const SAVE: &str = "UPDATE conversations SET body = $2, updated_at = $3 WHERE customer = $1";

/// Whether a message was recorded under this key already.
const RECORDED: &str = "SELECT 1 FROM outbox WHERE key = $1";

const SAVE_LEAD: &str =
    "UPDATE leads SET stage = $2, handoff_reason = $3, updated_at = $4 WHERE customer = $1";

/// The business number the customer last dealt with: that of the newest
/// message in or out of the transcript (both carry it).
const BUSINESS_NUMBER: &str = "
    SELECT body ->> 'business_number_id' FROM transcript
    WHERE customer = $1 ORDER BY id DESC LIMIT 1";

pub(super) async fn change(
    pool: &PgPool,
    customer: &CustomerId,
    change: &Change,
    now: Timestamp,
    fence: Option<u64>,
) -> Result<Acted, AdminError> {
    let id = customer.as_str();
    let mut tx = pool.begin().await.map_err(StoreError::from)?;
    sqlx::query(FENCE)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    if let Some(fence) = fence {
        super::records::raise_fence_for_action(&mut tx, customer, fence).await?;
    }
    let body: Option<Json<Conversation>> = sqlx::query_scalar(LOAD)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    // Dropping `tx` rolls back, the fence included.
    let Some(Json(mut conversation)) = body else {
        return Err(AdminError::NotFound);
    };
    if let Some(key) = change.once_key() {
        let recorded: Option<i32> = sqlx::query_scalar(RECORDED)
            .bind(key)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        if recorded.is_some() {
            return Ok(Acted {
                conversation,
                skipped: None,
            });
        }
    }
    let applied = change.apply(&mut conversation, now)?;
    if let Some(skip) = applied.skipped {
        // Dropping `tx` rolls the fence back: nothing changed.
        return Ok(Acted {
            conversation,
            skipped: Some(skip),
        });
    }
    let at = now.as_millisecond();
    sqlx::query(SAVE)
        .bind(id)
        .bind(Json(&conversation))
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    sqlx::query(SAVE_LEAD)
        .bind(id)
        .bind(&conversation.stage)
        .bind(conversation.handoff.as_ref().map(|h| h.reason.as_str()))
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    if let Some(reply) = applied.reply {
        let from: Option<Option<String>> = sqlx::query_scalar(BUSINESS_NUMBER)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        let Some(from) = from.flatten() else {
            return Err(StoreError::Corrupt(
                "a conversation without any message to or from its business number".to_owned(),
            )
            .into());
        };
        let message = outside_turn(customer, from, reply);
        sqlx::query(LOCK_RECIPIENT)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        sqlx::query(RECORD_REPLY)
            .bind(&message.key)
            .bind(id)
            .bind(Json(&message))
            .bind(at)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
    }
    record_events(&mut tx, id, &applied.events, at).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Acted {
        conversation,
        skipped: None,
    })
}

/// Conversations, qualified and booked ones (`$1` the qualified stage,
/// `$2`/`$3` the booking's stage change), erased ones included. A NULL
/// stage matches nothing.
const FUNNEL_COUNTS: &str = "
    SELECT
      (SELECT count(*) FROM conversations)
        + (SELECT coalesce(sum(count), 0)::bigint FROM erased_tallies WHERE kind = 'conversations'),
      (SELECT count(DISTINCT customer) FROM events
       WHERE kind = 'stage_changed' AND body ->> 'to' = $1::text)
        + (SELECT coalesce(sum(count), 0)::bigint FROM erased_tallies
           WHERE kind = 'entered' AND name = $1::text),
      (SELECT count(DISTINCT customer) FROM events
       WHERE kind = 'stage_changed' AND body ->> 'from' = $2::text AND body ->> 'to' = $3::text)
        + (SELECT coalesce(sum(count), 0)::bigint FROM erased_tallies
           WHERE kind = 'moved' AND name = $2::text AND detail = $3::text)";

/// Handoffs per reason, those of erased conversations included.
const FUNNEL_HANDOFFS: &str = "
    SELECT reason, sum(n)::bigint FROM (
      SELECT body ->> 'reason' AS reason, count(DISTINCT customer) AS n FROM events
      WHERE kind = 'handed_off' GROUP BY 1
      UNION ALL
      SELECT name, count FROM erased_tallies WHERE kind = 'handed_off') tallies
    GROUP BY reason ORDER BY reason";

/// Conversations per follow-through event kind, erased ones included.
const FUNNEL_FOLLOW_THROUGH: &str = "
    SELECT kind, sum(n)::bigint FROM (
      SELECT kind, count(DISTINCT customer) AS n FROM events
      WHERE kind IN ('followed_up', 'follow_up_answered', 'reminder_sent', 'opted_out') GROUP BY 1
      UNION ALL
      SELECT name, count FROM erased_tallies WHERE kind = 'followed') tallies
    GROUP BY kind ORDER BY kind";

/// Per booking since `$3`: the customer's messages up to it. Read from the
/// transcript, which every deployment keeps (with Redis, the inbox is not
/// here).
const FUNNEL_TO_BOOKING: &str = "
    SELECT (SELECT count(*) FROM transcript t
            WHERE t.customer = e.customer AND t.direction = 'in' AND t.at <= e.at)
    FROM events e
    WHERE e.kind = 'stage_changed' AND e.body ->> 'from' = $1::text AND e.body ->> 'to' = $2::text
      AND e.at >= $3";

/// A bot reply's first part is keyed `<newest inbound message id>#0`
/// (the worker's `outgoing`); a person's replies are keyed `human:...`.
const FUNNEL_LATENCIES: &str = "
    SELECT o.sent_at - t.at FROM outbox o
    JOIN transcript t ON t.direction = 'in' AND t.wa_id = left(o.key, -2)
    WHERE o.key LIKE '%#0' AND o.state = 'sent' AND o.sent_at IS NOT NULL AND o.created_at >= $1";

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
pub(super) const QUESTIONS: &str = "
    WITH groups AS (
      SELECT question_key AS key, count(*) AS asked, count(DISTINCT customer) AS customers,
             max(at) AS last_at, coalesce(bool_or(body ->> 'grounded' = 'yes'), false) AS answered,
             max(id) AS latest
      FROM events WHERE kind = 'question_asked' AND question_key <> ''
      GROUP BY question_key)
    SELECT g.key, e.body ->> 'question', g.asked, g.customers, g.last_at, g.answered
    FROM groups g JOIN events e ON e.id = g.latest
    WHERE ($1::boolean IS NULL OR g.answered = $1)
      AND ($2::bigint IS NULL OR (g.last_at, g.key) < ($2, $3::text))
    ORDER BY g.last_at DESC, g.key DESC
    LIMIT $4";

/// The latest `$2` customers who asked each question of `$1`, the most
/// recent first.
const ASKERS: &str = "
    SELECT key, customer FROM (
      SELECT question_key AS key, customer,
             row_number() OVER (PARTITION BY question_key ORDER BY max(id) DESC) AS n
      FROM events
      WHERE kind = 'question_asked' AND question_key = ANY($1::text[])
      GROUP BY question_key, customer) latest
    WHERE n <= $2 ORDER BY key, n";

pub(super) async fn questions(
    pool: &PgPool,
    query: &QuestionQuery,
) -> Result<Vec<QuestionRow>, StoreError> {
    crate::sql::questions(pool, (QUESTIONS, ASKERS), query, |keys| {
        Ok(keys
            .iter()
            .map(|k| (*k).to_owned())
            .collect::<Vec<String>>())
    })
    .await
}

/// Question events written before they carried their key.
pub(super) const UNKEYED: &str = "
    SELECT id, body ->> 'question' FROM events
    WHERE kind = 'question_asked' AND question_key IS NULL LIMIT 500";

const KEY: &str = "
    UPDATE events e SET question_key = k.key
    FROM unnest($1::bigint[], $2::text[]) AS k(id, key) WHERE e.id = k.id";

/// Keys the question events written before events carried their key, a
/// chunk at a time; once done, one index probe finds nothing. Processes
/// starting together may key the same rows: alike, so harmlessly.
pub(super) async fn key_questions(pool: &PgPool) -> Result<(), StoreError> {
    loop {
        let unkeyed: Vec<(i64, Option<String>)> = sqlx::query_as(UNKEYED).fetch_all(pool).await?;
        if unkeyed.is_empty() {
            return Ok(());
        }
        let (ids, keys): (Vec<i64>, Vec<String>) = unkeyed
            .into_iter()
            .map(|(id, question)| (id, question_key(question.as_deref().unwrap_or_default())))
            .unzip();
        sqlx::query(KEY)
            .bind(&ids)
            .bind(&keys)
            .execute(pool)
            .await?;
    }
}

/// Whether the store knows anything of the customer: a conversation, or
/// messages that did not make one yet (in the inbox, or with Redis in the
/// transcript of the turns that answered them).
const KNOWN: &str = "
    SELECT EXISTS (SELECT 1 FROM conversations WHERE customer = $1),
           EXISTS (SELECT 1 FROM queue WHERE customer = $1)
        OR EXISTS (SELECT 1 FROM transcript WHERE customer = $1)
        OR EXISTS (SELECT 1 FROM fences WHERE customer = $1)";

/// Locks the conversation's queue row, the row a turn's commit locks
/// first, so a commit in flight finishes before the erasure reads.
const LOCK_QUEUE: &str = "SELECT fence FROM queue WHERE customer = $1 FOR UPDATE";

/// The funnel's tallies of the conversation, taken before its events go
/// (see `erased_tallies`); `$2` is true when it has a conversation to count.
const TALLY: [&str; 5] = [
    "INSERT INTO erased_tallies (kind, count) SELECT 'conversations', 1 WHERE $2 AND $1::text IS NOT NULL
     ON CONFLICT (kind, name, detail) DO UPDATE SET count = erased_tallies.count + 1",
    "INSERT INTO erased_tallies (kind, name, count)
     SELECT DISTINCT 'entered', body ->> 'to', 1 FROM events
     WHERE customer = $1 AND kind = 'stage_changed' AND $2
     ON CONFLICT (kind, name, detail) DO UPDATE SET count = erased_tallies.count + 1",
    "INSERT INTO erased_tallies (kind, name, detail, count)
     SELECT DISTINCT 'moved', body ->> 'from', body ->> 'to', 1 FROM events
     WHERE customer = $1 AND kind = 'stage_changed' AND $2
     ON CONFLICT (kind, name, detail) DO UPDATE SET count = erased_tallies.count + 1",
    "INSERT INTO erased_tallies (kind, name, count)
     SELECT DISTINCT 'handed_off', body ->> 'reason', 1 FROM events
     WHERE customer = $1 AND kind = 'handed_off' AND $2
     ON CONFLICT (kind, name, detail) DO UPDATE SET count = erased_tallies.count + 1",
    "INSERT INTO erased_tallies (kind, name, count)
     SELECT DISTINCT 'followed', kind, 1 FROM events
     WHERE customer = $1 AND kind IN ('followed_up', 'follow_up_answered', 'reminder_sent', 'opted_out') AND $2
     ON CONFLICT (kind, name, detail) DO UPDATE SET count = erased_tallies.count + 1",
];

/// Every row that names the customer, the transcript before the outbox
/// entries it points at. Deleting the queue row fences the conversation: a
/// turn in flight no longer finds its claim and writes nothing. The inbox
/// rows (and with Redis, `answered`) are the dedup records of the
/// customer's message ids, so a redelivery starts afresh. The local
/// calendar's calls are keyed `call-<customer>-<start, in seconds>` (the
/// engine's booking): they are deleted, which frees their slots as a
/// cancellation would, since a cancelled row would still carry the key,
/// the lead's name and email.
const ERASE: [&str; 13] = [
    "DELETE FROM conversations WHERE customer = $1",
    "DELETE FROM summaries WHERE customer = $1",
    "DELETE FROM leads WHERE customer = $1",
    "DELETE FROM events WHERE customer = $1",
    "DELETE FROM transcript WHERE customer = $1",
    "DELETE FROM inbox WHERE customer = $1",
    "DELETE FROM queue WHERE customer = $1",
    "DELETE FROM answered WHERE customer = $1",
    "DELETE FROM fences WHERE customer = $1",
    "DELETE FROM deliveries
     WHERE recipient = $1 OR wamid IN (SELECT wamid FROM outbox WHERE recipient = $1)",
    "DELETE FROM outbox WHERE recipient = $1",
    "DELETE FROM effects WHERE customer = $1",
    "DELETE FROM calendar_calls
     WHERE left(key, length($1) + 6) = 'call-' || $1 || '-'
       AND substr(key, length($1) + 7) ~ '^[0-9]+$'",
];

/// Erases the customer's rows. `redis`: what the erasure did in Redis when
/// it keeps the inbox (the customer counts as known if Redis knew them).
pub(super) async fn erase(
    pool: &PgPool,
    customer: &CustomerId,
    effects: &[Effect],
    now: Timestamp,
    redis: Option<&RedisErasure>,
) -> Result<bool, StoreError> {
    let id = customer.as_str();
    let mut tx = pool.begin().await?;
    sqlx::query(LOCK_QUEUE).bind(id).execute(&mut *tx).await?;
    let known_elsewhere = redis.is_some_and(|erasure| erasure.known);
    let (had_conversation, other): (bool, bool) =
        sqlx::query_as(KNOWN).bind(id).fetch_one(&mut *tx).await?;
    if !had_conversation && !other && !known_elsewhere {
        return Ok(false);
    }
    if let Some(erasure) = redis {
        super::records::floor_for_erasure(&mut tx, customer, erasure).await?;
    }
    for statement in TALLY {
        sqlx::query(statement)
            .bind(id)
            .bind(had_conversation)
            .execute(&mut *tx)
            .await?;
    }
    for statement in ERASE {
        sqlx::query(statement).bind(id).execute(&mut *tx).await?;
    }
    super::effects::record(&mut tx, effects, now.as_millisecond()).await?;
    tx.commit().await?;
    Ok(true)
}

/// Conversations idle since before `$1`, the longest idle first.
pub(super) const STALE: &str = "
    SELECT customer FROM conversations WHERE updated_at < $1 ORDER BY updated_at, customer LIMIT $2";

/// The ids of the customer's messages that turns answered, whose dedup
/// records live where the inbox does (Redis).
#[cfg(feature = "redis")]
pub(super) const ANSWERED_IDS: &str = "
    SELECT msg_id FROM answered WHERE customer = $1
    UNION SELECT wa_id FROM transcript WHERE customer = $1 AND direction = 'in' AND wa_id IS NOT NULL";
