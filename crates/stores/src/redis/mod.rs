//! Redis for conversations and the inbox, PostgreSQL for the records: the
//! scaled-out store. Any number of ingress and worker processes share one
//! Redis and one PostgreSQL.
//!
//! Redis keeps, per conversation, its pending messages (a list, FIFO), its
//! queue state (fence, lease; fences come from a counter per shard, so
//! they keep growing even across an erasure), the live conversation and
//! its summary (with the 24-hour TTL, refreshed by each customer message),
//! and a dedup key per message id (`SET NX`, 7 days). Conversations are spread over
//! [`SHARDS`] shards; a shard's keys share one hash tag with its `ready` and
//! `leases` sorted sets, so every script touches one slot and runs
//! atomically, and the store works on Redis Cluster without CROSSSLOT.
//!
//! PostgreSQL keeps what must outlive Redis: leads, the transcript, events,
//! the outbox, the last committed copy of each conversation, and its own
//! word on fences and answered messages ([`crate::postgres`]'s records). A
//! turn commits in three steps: the claim is checked in Redis, the records
//! are written in one PostgreSQL transaction, and Redis acknowledges the
//! messages and saves the conversation. A crash between the last two leaves
//! the messages pending; the turn that claims them again finds them
//! answered in PostgreSQL, drops itself and repairs Redis from PostgreSQL's
//! copy, so nobody is answered twice.
//!
//! Acknowledged messages are as durable as Redis makes them: run it with
//! `appendonly yes` (and `appendfsync always` to lose nothing on a power
//! cut); [`RedisStore::connect`] warns when persistence is off.

mod admin;
mod conversations;
mod inbox;
mod records;

use crate::postgres::PgStore;
use crate::{Claim, Store, StoreError};
use async_trait::async_trait;
use jiff::Timestamp;
use leadline_domain::{Conversation, CustomerId, InboundMessage};
use redis::Script;
use redis::aio::MultiplexedConnection;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

/// Shards the conversations are spread over. Fixed: changing it moves
/// conversations to other keys, so it may only change on an empty inbox.
pub const SHARDS: u16 = 16;
/// Meta retries a delivery for up to 7 days.
const DEDUP_TTL_SECS: u64 = 7 * 24 * 3600;
/// WhatsApp's customer-service window.
const CONVERSATION_TTL_SECS: u64 = 24 * 3600;
/// Conversations a claim looks at per shard before giving up on it.
const CLAIM_SCAN: usize = 64;
/// Word of arrivals kept for idle workers: enough to wake several
/// processes after a burst, bounded so nobody piles them up.
const ARRIVAL_TOKENS: isize = 16;
/// How long a person's action holds a conversation against workers.
const ACTION_HOLD: Duration = Duration::from_secs(10);
/// A command that takes longer fails, so the webhook answers 503 in time
/// for Meta to retry and workers back off, instead of hanging.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(2);

static ENQUEUE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("enqueue.lua")));
static CLAIM: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("claim.lua")));
static FINISH: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("finish.lua")));
static HOLD: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("hold.lua")));
static SUMMARY: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("summary.lua")));
static ERASE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("erase.lua")));

impl From<redis::RedisError> for StoreError {
    fn from(e: redis::RedisError) -> Self {
        StoreError::Unavailable(format!("redis: {e}"))
    }
}

/// The scaled-out store. Cheap to clone: clones share the connections.
#[derive(Clone)]
pub struct RedisStore {
    redis: ConnectionManager,
    records: PgStore,
    prefix: String,
    client: redis::Client,
    /// The connection `arrivals` blocks on (`BLPOP`), apart from the
    /// shared one so a blocked read holds nobody else up. Opened when first
    /// needed, dropped after an error.
    waiting: Arc<tokio::sync::Mutex<Option<MultiplexedConnection>>>,
}

/// How [`RedisStore::finish`] ends a claim.
#[derive(Clone, Copy)]
enum Finish<'a> {
    Commit(&'a Conversation),
    Repair,
    Release,
}

impl RedisStore {
    /// Connects to Redis at `url` with every key under `prefix`, keeping the
    /// records in `records`. Unreachable Redis is
    /// [`StoreError::Unavailable`] within seconds.
    pub async fn connect(url: &str, prefix: &str, records: PgStore) -> Result<Self, StoreError> {
        if prefix.is_empty() || prefix.contains(['{', '}']) {
            return Err(StoreError::Unavailable(format!(
                "invalid Redis key prefix {prefix:?}: it must be non-empty and hold no braces"
            )));
        }
        let client = redis::Client::open(url)
            .map_err(|e| StoreError::Unavailable(format!("invalid Redis url: {e}")))?;
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_connection_timeout(Some(CONNECTION_TIMEOUT))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        let redis = tokio::time::timeout(
            RESPONSE_TIMEOUT + CONNECTION_TIMEOUT,
            ConnectionManager::new_with_config(client.clone(), config),
        )
        .await
        .map_err(|_| StoreError::Unavailable("redis: no answer".to_owned()))??;
        let store = Self {
            redis,
            records,
            prefix: prefix.to_owned(),
            client,
            waiting: Arc::default(),
        };
        store.warn_without_persistence().await;
        Ok(store)
    }

    async fn warn_without_persistence(&self) {
        let mut redis = self.redis.clone();
        let reply: Result<Vec<String>, _> = redis::cmd("CONFIG")
            .arg("GET")
            .arg("appendonly")
            .query_async(&mut redis)
            .await;
        if let Ok(reply) = reply
            && reply.get(1).map(String::as_str) == Some("no")
        {
            tracing::warn!(
                "Redis runs without appendonly: a Redis restart loses the messages \
                 it holds; set `appendonly yes` for the inbox"
            );
        }
    }

    /// The prefix of every key of `shard`, with the shard's hash tag.
    fn base(&self, shard: u16) -> String {
        format!("{}:{{s{shard:02}}}:", self.prefix)
    }

    fn key(&self, shard: u16, name: &str) -> String {
        format!("{}{name}", self.base(shard))
    }

    /// Where enqueues leave word of arrivals for idle workers (`BLPOP`).
    fn wake_key(&self) -> String {
        format!("{}:wake", self.prefix)
    }

    async fn wait_for_arrival(&self, timeout: Duration) -> Result<bool, StoreError> {
        let mut waiting = self.waiting.lock().await;
        let connection = match waiting.as_mut() {
            Some(connection) => connection,
            None => {
                let config = redis::AsyncConnectionConfig::new()
                    .set_connection_timeout(Some(CONNECTION_TIMEOUT))
                    .set_response_timeout(Some(timeout + RESPONSE_TIMEOUT));
                waiting.insert(
                    self.client
                        .get_multiplexed_async_connection_with_config(&config)
                        .await?,
                )
            }
        };
        let popped: Result<Option<(String, String)>, _> = redis::cmd("BLPOP")
            .arg(self.wake_key())
            .arg(timeout.as_secs_f64())
            .query_async(connection)
            .await;
        match popped {
            Ok(popped) => Ok(popped.is_some()),
            Err(e) => {
                *waiting = None;
                Err(e.into())
            }
        }
    }

    /// One of a conversation's own keys (`q`, `conv`, `sum`), in its shard.
    fn conversation_key(&self, kind: &str, customer: &CustomerId) -> String {
        self.key(shard_of(customer), &format!("{kind}:{}", customer.as_str()))
    }

    /// Gives a claim up, or ends it with its messages acknowledged: see
    /// `finish.lua`. `false` when the claim was lost.
    async fn finish(
        &self,
        claim: &Claim,
        acked: usize,
        how: Finish<'_>,
    ) -> Result<bool, StoreError> {
        let shard = shard_of(&claim.customer);
        let (mode, body, started_at) = match how {
            Finish::Commit(conversation) => (
                "commit",
                serde_json::to_string(conversation)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                conversation.started_at.as_microsecond().to_string(),
            ),
            Finish::Repair => ("repair", String::new(), String::new()),
            Finish::Release => ("release", String::new(), String::new()),
        };
        let done: i64 = FINISH
            .key(self.key(shard, "ready"))
            .key(self.key(shard, "leases"))
            .key(self.key(shard, "depth"))
            .arg(self.base(shard))
            .arg(claim.customer.as_str())
            .arg(claim.fence)
            .arg(&claim.worker)
            .arg(acked)
            .arg(mode)
            .arg(body)
            .arg(CONVERSATION_TTL_SECS)
            .arg(started_at)
            .invoke_async(&mut self.redis.clone())
            .await?;
        Ok(done == 1)
    }

    /// Whether `claim` still holds its conversation: its fence is the
    /// newest and nobody released or committed it.
    async fn holds(&self, claim: &Claim) -> Result<bool, StoreError> {
        let q = self.conversation_key("q", &claim.customer);
        let (fence, owner): (Option<u64>, Option<String>) = redis::cmd("HMGET")
            .arg(q)
            .arg("fence")
            .arg("owner")
            .query_async(&mut self.redis.clone())
            .await?;
        Ok(fence == Some(claim.fence) && owner.as_deref() == Some(claim.worker.as_str()))
    }

    /// Shards with something claimable, the most urgent first: those with a
    /// lease that ran out, then by how long their oldest message waited.
    async fn shards_by_urgency(&self, now: i64) -> Result<Vec<u16>, StoreError> {
        let mut pipe = redis::pipe();
        for shard in 0..SHARDS {
            pipe.cmd("ZRANGE")
                .arg(self.key(shard, "ready"))
                .arg(0)
                .arg(0)
                .arg("WITHSCORES");
            pipe.cmd("ZRANGEBYSCORE")
                .arg(self.key(shard, "leases"))
                .arg("-inf")
                .arg(now)
                .arg("LIMIT")
                .arg(0)
                .arg(1);
        }
        let replies: Vec<redis::Value> = pipe.query_async(&mut self.redis.clone()).await?;
        let mut urgent: Vec<(f64, u16)> = Vec::new();
        for (pair, shard) in replies.chunks(2).zip(0..SHARDS) {
            let [ready, expired] = pair else { continue };
            let parse = |e: redis::ParsingError| StoreError::Corrupt(format!("queue head: {e}"));
            let expired: Vec<String> = redis::from_redis_value(expired.clone()).map_err(parse)?;
            let ready: Vec<(String, f64)> =
                redis::from_redis_value(ready.clone()).map_err(parse)?;
            if !expired.is_empty() {
                urgent.push((f64::MIN, shard));
            } else if let Some((_, oldest)) = ready.first() {
                urgent.push((*oldest, shard));
            }
        }
        urgent.sort_by(|a, b| a.0.total_cmp(&b.0));
        Ok(urgent.into_iter().map(|(_, shard)| shard).collect())
    }
}

/// A conversation's shard: FNV-1a of its customer id, hand-written because
/// it must never change between versions (a crate's hasher may).
fn shard_of(customer: &CustomerId) -> u16 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in customer.as_str().bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    u16::try_from(hash % u64::from(SHARDS)).unwrap_or(0)
}

/// An inbox entry is `<enqueued µs>:<message JSON>`.
fn decode_entry(entry: &str) -> Result<(Timestamp, InboundMessage), StoreError> {
    let (at, payload) = entry
        .split_once(':')
        .ok_or_else(|| StoreError::Corrupt("an inbox entry without its time".to_owned()))?;
    let at = at
        .parse()
        .ok()
        .and_then(|micros| Timestamp::from_microsecond(micros).ok())
        .ok_or_else(|| StoreError::Corrupt(format!("an inbox entry's time {at:?}")))?;
    let message = serde_json::from_str(payload)
        .map_err(|e| StoreError::Corrupt(format!("inbox entry: {e}")))?;
    Ok((at, message))
}

/// Times in Redis are microseconds since the epoch: fine enough that two
/// enqueues one after the other never tie (a tie would order conversations
/// of different shards arbitrarily), exact in a Lua number (a double).
fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

#[async_trait]
impl Store for RedisStore {
    async fn ping(&self) -> Result<(), StoreError> {
        let _: String = redis::cmd("PING")
            .query_async(&mut self.redis.clone())
            .await?;
        self.records.ping().await
    }
}
