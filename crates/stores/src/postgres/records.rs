//! The records side of a turn when another store (Redis) keeps the inbox and
//! its leases. PostgreSQL cannot see those leases, so it keeps its own word
//! on two things, inside the turn's transaction: the newest fence that
//! committed (an older one is refused), and which inbound messages a
//! committed turn already answered (a turn redone after a crash between the
//! two stores is recognised, never recorded twice).

use crate::StoreError;
use leadline_domain::CustomerId;
#[cfg(feature = "redis")]
use {
    crate::{Claim, TurnCommit},
    sqlx::{PgPool, types::Json},
    std::collections::HashSet,
};

/// What became of a turn's records.
#[cfg(feature = "redis")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Written, with the transcript of its messages.
    Committed,
    /// Nothing written: this many of the turn's first messages were already
    /// answered by a turn that committed here but not in the inbox's store.
    AlreadyAnswered(usize),
}

/// Raises the conversation's fence to `$2` and locks its row for the rest
/// of the transaction; returns nothing when a newer fence committed first.
#[cfg(feature = "redis")]
const RAISE_FENCE: &str = "
    INSERT INTO fences (customer, fence) VALUES ($1, $2)
    ON CONFLICT (customer) DO UPDATE SET fence = excluded.fence
    WHERE fences.fence <= excluded.fence
    RETURNING fence";

/// The floor an erasure set for the conversation's shard (`$1`): fences at
/// or below it were taken before the erasure.
#[cfg(feature = "redis")]
const FLOOR: &str = "SELECT coalesce((SELECT fence FROM fence_floors WHERE shard = $1), 0)";

#[cfg(feature = "redis")]
const MARK_ANSWERED: &str = "
    INSERT INTO answered (msg_id, customer, at)
    SELECT id, $2, $3 FROM unnest($1::text[]) AS id
    ON CONFLICT (msg_id) DO NOTHING
    RETURNING msg_id";

#[cfg(feature = "redis")]
/// Inbound rows are timed by when they reached the inbox (`$3`, epoch ms,
/// one per message), as on PostgreSQL and SQLite alone: Meta's `sent_at`
/// would count Meta's delays in the reply latency.
const RECORD_INBOUND: &str = "
    INSERT INTO transcript (customer, direction, wa_id, body, at)
    SELECT $1, 'in', m.value ->> 'id', m.value, ($3::bigint[])[m.n]
    FROM jsonb_array_elements($2) WITH ORDINALITY AS m(value, n) ORDER BY m.n";

#[cfg(feature = "redis")]
/// Writes a turn's records unless a newer fence committed, or an erasure
/// of the conversation's `shard` came after its claim. The fence row is
/// raised first: it is what an erasure locks too, so the floor read after
/// it is the one of any erasure that committed before.
pub(super) async fn commit(
    pool: &PgPool,
    claim: &Claim,
    commit: &TurnCommit,
    shard: u16,
    now: i64,
) -> Result<Recorded, StoreError> {
    let messages = &claim.messages;
    let fence = i64::try_from(claim.fence).map_err(|_| StoreError::Fenced)?;
    let customer = commit.conversation.customer.as_str();
    let mut tx = pool.begin().await?;
    let raised: Option<i64> = sqlx::query_scalar(RAISE_FENCE)
        .bind(customer)
        .bind(fence)
        .fetch_optional(&mut *tx)
        .await?;
    // Dropping `tx` rolls back: nothing of a refused turn is written.
    if raised.is_none() {
        return Err(StoreError::Fenced);
    }
    let floor: i64 = sqlx::query_scalar(FLOOR)
        .bind(i32::from(shard))
        .fetch_one(&mut *tx)
        .await?;
    if fence <= floor {
        return Err(StoreError::Fenced);
    }
    let ids: Vec<&str> = messages.iter().map(|m| m.id.as_str()).collect();
    let fresh: HashSet<String> = sqlx::query_scalar(MARK_ANSWERED)
        .bind(&ids)
        .bind(customer)
        .bind(now)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
    if fresh.len() < ids.len() {
        // Turns answer a conversation's messages in order, so what was
        // answered before is a prefix of this turn's messages.
        let answered = ids.iter().take_while(|id| !fresh.contains(**id)).count();
        if answered == 0 {
            return Err(StoreError::Corrupt(
                "an answered message follows unanswered ones".to_owned(),
            ));
        }
        return Ok(Recorded::AlreadyAnswered(answered));
    }
    let arrived: Vec<i64> = claim
        .arrived_at
        .iter()
        .map(|t| t.as_millisecond())
        .collect();
    sqlx::query(RECORD_INBOUND)
        .bind(customer)
        .bind(Json(messages))
        .bind(arrived)
        .execute(&mut *tx)
        .await?;
    super::turn::write(&mut tx, commit, now).await?;
    tx.commit().await?;
    Ok(Recorded::Committed)
}

/// Raises the fence for a person's action inside its transaction, so a turn
/// that claimed before the action can no longer commit.
pub(super) async fn raise_fence_for_action(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    customer: &CustomerId,
    fence: u64,
) -> Result<(), StoreError> {
    let fence = i64::try_from(fence)
        .map_err(|_| StoreError::Corrupt(format!("fence {fence} out of range")))?;
    sqlx::query(
        "INSERT INTO fences (customer, fence) VALUES ($1, $2)
         ON CONFLICT (customer) DO UPDATE SET fence = greatest(fences.fence, excluded.fence)",
    )
    .bind(customer.as_str())
    .bind(fence)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What an erasure did in Redis before it erases the records: the shard
/// and the fence of its hold (0: no hold, as Redis knew nothing of the
/// customer), and whether Redis knew the customer.
pub(crate) struct RedisErasure {
    pub shard: u16,
    pub fence: u64,
    pub known: bool,
}

/// Inside an erasure's transaction: raises (and locks) the conversation's
/// fence row, which a turn's commit raises first too, then the shard's
/// floor to the erasure's fence, so a turn claimed before the erasure is
/// refused even once the fence row is gone.
pub(super) async fn floor_for_erasure(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    customer: &CustomerId,
    erasure: &RedisErasure,
) -> Result<(), StoreError> {
    // No hold, no claim to refuse: Redis knew nothing of the customer.
    if erasure.fence == 0 {
        return Ok(());
    }
    raise_fence_for_action(tx, customer, erasure.fence).await?;
    let fence = i64::try_from(erasure.fence)
        .map_err(|_| StoreError::Corrupt(format!("fence {} out of range", erasure.fence)))?;
    sqlx::query(
        "INSERT INTO fence_floors (shard, fence) VALUES ($1, $2)
         ON CONFLICT (shard) DO UPDATE SET fence = greatest(fence_floors.fence, excluded.fence)",
    )
    .bind(i32::from(erasure.shard))
    .bind(fence)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(super) const PRUNE_ANSWERED: &str = "
    DELETE FROM answered WHERE msg_id IN (
        SELECT msg_id FROM answered WHERE at < $1 LIMIT $2)";
