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

use crate::admin::{Acted, Change};
use crate::postgres::PgStore;
use crate::postgres::records::{Recorded, RedisErasure};
use crate::{
    AdminError, AdminStore, CalendarCall, CalendarStore, Claim, ConversationStore, Effect,
    EffectEntry, EffectItem, EffectQuery, Effects, EnqueueReport, FollowThrough, FollowedThrough,
    Funnel, FunnelQuery, HumanAction, Inbox, InboxBatch, LeadQuery, LeadRow, LoginSession, Outbox,
    OutboxEntry, OutboxItem, QuestionQuery, QuestionRow, RecordedEvent, Reservation, SessionStore,
    Store, StoreError, TurnCommit, TurnLog,
};
use async_trait::async_trait;
use jiff::Timestamp;
use leadline_domain::conversation::Summary;
use leadline_domain::{Conversation, CustomerId, InboundMessage, Lead};
use redis::Script;
use redis::aio::MultiplexedConnection;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::collections::BTreeMap;
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
impl Inbox for RedisStore {
    async fn enqueue(&self, batch: InboxBatch) -> Result<EnqueueReport, StoreError> {
        let mut report = EnqueueReport::default();
        let now = self.records.clock().now().as_microsecond();
        let mut by_shard: BTreeMap<u16, Vec<&InboundMessage>> = BTreeMap::new();
        for message in &batch.messages {
            by_shard
                .entry(shard_of(&message.customer))
                .or_default()
                .push(message);
        }
        for (shard, messages) in by_shard {
            let mut invocation = ENQUEUE.prepare_invoke();
            invocation
                .key(self.key(shard, "ready"))
                .key(self.key(shard, "depth"))
                .arg(self.base(shard))
                .arg(now)
                .arg(DEDUP_TTL_SECS)
                .arg(CONVERSATION_TTL_SECS);
            for message in messages {
                let payload = serde_json::to_string(message)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                invocation
                    .arg(message.customer.as_str())
                    .arg(&message.id)
                    .arg(payload);
            }
            let accepted: Vec<u8> = invocation.invoke_async(&mut self.redis.clone()).await?;
            for fresh in accepted {
                if fresh == 1 {
                    report.accepted += 1;
                } else {
                    report.duplicates += 1;
                }
            }
        }
        if report.accepted > 0 {
            // Only word for idle workers: if it is lost, they poll.
            let wake = self.wake_key();
            let _: () = redis::pipe()
                .lpush(&wake, 1)
                .ignore()
                .ltrim(&wake, 0, ARRIVAL_TOKENS - 1)
                .ignore()
                .query_async(&mut self.redis.clone())
                .await?;
        }
        if !batch.statuses.is_empty() {
            let statuses = InboxBatch {
                messages: Vec::new(),
                statuses: batch.statuses,
            };
            report.statuses = self.records.enqueue(statuses).await?.statuses;
        }
        Ok(report)
    }

    async fn claim(
        &self,
        worker: &str,
        lease: Duration,
        quiet_for: Duration,
    ) -> Result<Option<Claim>, StoreError> {
        self.records.prune_if_due().await;
        let now = self.records.clock().now().as_microsecond();
        for shard in self.shards_by_urgency(now).await? {
            let claimed: Option<(String, u64, Vec<String>)> = CLAIM
                .key(self.key(shard, "ready"))
                .key(self.key(shard, "leases"))
                .arg(self.base(shard))
                .arg(now)
                .arg(now.saturating_sub(micros(quiet_for)))
                .arg(now.saturating_add(micros(lease)))
                .arg(worker)
                .arg(CLAIM_SCAN)
                .invoke_async(&mut self.redis.clone())
                .await?;
            let Some((customer, fence, entries)) = claimed else {
                continue;
            };
            let customer =
                CustomerId::parse(&customer).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            // Decoded after the claim: should an entry not decode, the lease
            // stands and this conversation waits it out instead of being
            // picked first by every claim.
            let (arrived_at, messages) = entries
                .iter()
                .map(|e| decode_entry(e))
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .unzip();
            return Ok(Some(Claim {
                customer,
                messages,
                arrived_at,
                fence,
                worker: worker.to_owned(),
            }));
        }
        Ok(None)
    }

    async fn release(&self, claim: &Claim) -> Result<(), StoreError> {
        self.finish(claim, 0, Finish::Release).await?;
        Ok(())
    }

    async fn depth(&self) -> Result<u64, StoreError> {
        let mut pipe = redis::pipe();
        for shard in 0..SHARDS {
            pipe.get(self.key(shard, "depth"));
        }
        let depths: Vec<Option<i64>> = pipe.query_async(&mut self.redis.clone()).await?;
        Ok(depths.into_iter().flatten().sum::<i64>().unsigned_abs())
    }

    async fn arrivals(&self, timeout: Duration) -> Option<Result<bool, StoreError>> {
        Some(self.wait_for_arrival(timeout).await)
    }
}

#[async_trait]
impl ConversationStore for RedisStore {
    async fn load(&self, customer: &CustomerId) -> Result<Option<Conversation>, StoreError> {
        let (body, through, text): (Option<String>, Option<u64>, Option<String>) = redis::pipe()
            .get(self.conversation_key("conv", customer))
            .cmd("HMGET")
            .arg(self.conversation_key("sum", customer))
            .arg("through")
            .arg("text")
            .query_async::<(Option<String>, (Option<u64>, Option<String>))>(&mut self.redis.clone())
            .await
            .map(|(body, (through, text))| (body, through, text))?;
        let conversation = match body {
            Some(body) => Some(
                serde_json::from_str::<Conversation>(&body)
                    .map_err(|e| StoreError::Corrupt(format!("conversation: {e}")))?,
            ),
            // Expired from Redis, or never cached: PostgreSQL has the copy
            // the last turn committed.
            None => self.records.load(customer).await?,
        };
        Ok(conversation.map(|mut conversation| {
            if let (Some(through_seq), Some(text)) = (through, text) {
                conversation.absorb_summary(Summary { text, through_seq });
            }
            conversation
        }))
    }

    async fn load_lead(&self, customer: &CustomerId) -> Result<Option<Lead>, StoreError> {
        self.records.load_lead(customer).await
    }

    async fn put_summary(
        &self,
        customer: &CustomerId,
        summary: &Summary,
    ) -> Result<(), StoreError> {
        let _: i64 = SUMMARY
            .key(self.conversation_key("sum", customer))
            .arg(summary.through_seq)
            .arg(&summary.text)
            .arg(CONVERSATION_TTL_SECS)
            .invoke_async(&mut self.redis.clone())
            .await?;
        Ok(())
    }
}

#[async_trait]
impl TurnLog for RedisStore {
    async fn commit_turn(&self, claim: &Claim, commit: TurnCommit) -> Result<(), StoreError> {
        if !self.holds(claim).await? {
            return Err(StoreError::Fenced);
        }
        match self
            .records
            .commit_records(claim, &commit, shard_of(&claim.customer))
            .await?
        {
            Recorded::Committed => {
                let acked = claim.messages.len();
                if self
                    .finish(claim, acked, Finish::Commit(&commit.conversation))
                    .await?
                {
                    Ok(())
                } else {
                    // Recorded in PostgreSQL: whoever claimed meanwhile
                    // finds the messages answered and repairs Redis.
                    Err(StoreError::Fenced)
                }
            }
            Recorded::AlreadyAnswered(answered) => {
                tracing::warn!(
                    customer = %claim.customer,
                    answered,
                    "messages answered by an earlier turn that did not finish in Redis; repairing"
                );
                self.finish(claim, answered, Finish::Repair).await?;
                Err(StoreError::Fenced)
            }
        }
    }
}

/// Effects are records: PostgreSQL keeps them.
#[async_trait]
impl Effects for RedisStore {
    async fn due_effects(
        &self,
        now: Timestamp,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<EffectItem>, StoreError> {
        self.records.due_effects(now, limit, lease).await
    }

    async fn effect_done(&self, id: i64) -> Result<(), StoreError> {
        self.records.effect_done(id).await
    }

    async fn effect_retry(
        &self,
        id: i64,
        not_before: Timestamp,
        error: &str,
    ) -> Result<(), StoreError> {
        self.records.effect_retry(id, not_before, error).await
    }

    async fn effect_dead(&self, id: i64, error: &str) -> Result<(), StoreError> {
        self.records.effect_dead(id, error).await
    }

    async fn next_effect_due(&self) -> Result<Option<Timestamp>, StoreError> {
        self.records.next_effect_due().await
    }

    async fn effect_entries(&self, query: &EffectQuery) -> Result<Vec<EffectEntry>, StoreError> {
        self.records.effect_entries(query).await
    }

    async fn revive_effect(&self, id: i64) -> Result<bool, StoreError> {
        self.records.revive_effect(id).await
    }
}

#[async_trait]
impl Outbox for RedisStore {
    async fn due(
        &self,
        now: Timestamp,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        self.records.due(now, limit, lease).await
    }

    async fn mark_sent(&self, id: i64, wa_message_id: &str) -> Result<(), StoreError> {
        self.records.mark_sent(id, wa_message_id).await
    }

    async fn mark_retry(
        &self,
        id: i64,
        not_before: Timestamp,
        error: &str,
    ) -> Result<(), StoreError> {
        self.records.mark_retry(id, not_before, error).await
    }

    async fn mark_failed(&self, id: i64, error: &str) -> Result<(), StoreError> {
        self.records.mark_failed(id, error).await
    }

    async fn next_due(&self) -> Result<Option<Timestamp>, StoreError> {
        self.records.next_due().await
    }
}

#[async_trait]
impl AdminStore for RedisStore {
    async fn leads(&self, query: &LeadQuery) -> Result<Vec<LeadRow>, StoreError> {
        self.records.leads(query).await
    }

    async fn outbox_entries(&self, customer: &CustomerId) -> Result<Vec<OutboxEntry>, StoreError> {
        self.records.outbox_entries(customer).await
    }

    async fn events(&self, customer: &CustomerId) -> Result<Vec<RecordedEvent>, StoreError> {
        self.records.events(customer).await
    }

    async fn funnel(&self, query: &FunnelQuery) -> Result<Funnel, StoreError> {
        self.records.funnel(query).await
    }

    async fn questions(&self, query: &QuestionQuery) -> Result<Vec<QuestionRow>, StoreError> {
        self.records.questions(query).await
    }

    async fn stale(&self, before: Timestamp, limit: usize) -> Result<Vec<CustomerId>, StoreError> {
        self.records.stale(before, limit).await
    }

    /// Holds the conversation under a new fence (a turn in flight can no
    /// longer finish in Redis), erases the records in PostgreSQL raising
    /// the shard's fence floor there to that fence (a turn that passed its
    /// Redis check before the hold is refused in PostgreSQL, though no
    /// fence row names the customer any more), then the conversation's
    /// keys, with the dedup keys of every message id the records or the
    /// pending messages name.
    async fn erase(
        &self,
        customer: &CustomerId,
        effects: &[Effect],
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let shard = shard_of(customer);
        let mut redis = self.redis.clone();
        let known: i64 = redis::cmd("EXISTS")
            .arg(self.conversation_key("in", customer))
            .arg(self.conversation_key("q", customer))
            .arg(self.conversation_key("conv", customer))
            .arg(self.conversation_key("sum", customer))
            .query_async(&mut redis)
            .await?;
        // Without any key of the customer no claim can be in flight: no
        // hold, so an unknown customer leaves Redis as it was.
        let fence = if known > 0 {
            self.hold(customer, &format!("eraser-{}", fastrand::u64(..)))
                .await?
        } else {
            0
        };
        let answered = self.records.answered_ids(customer).await?;
        let erasure = RedisErasure {
            shard,
            fence,
            known: known > 0,
        };
        let erased = self
            .records
            .erase_records(customer, effects, now, &erasure)
            .await?;
        if !erased {
            return Ok(false);
        }
        let mut invocation = ERASE.prepare_invoke();
        invocation
            .key(self.key(shard, "ready"))
            .key(self.key(shard, "leases"))
            .key(self.key(shard, "depth"))
            .arg(self.base(shard))
            .arg(customer.as_str());
        for id in &answered {
            invocation.arg(id);
        }
        let _: i64 = invocation.invoke_async(&mut redis).await?;
        Ok(erased)
    }

    async fn act(
        &self,
        customer: &CustomerId,
        action: &HumanAction,
        now: Timestamp,
    ) -> Result<Conversation, AdminError> {
        let acted = self.change(customer, Change::Human(action.clone()), now);
        Ok(acted.await?.conversation)
    }

    async fn follow_through(
        &self,
        customer: &CustomerId,
        follow: &FollowThrough,
        now: Timestamp,
    ) -> Result<FollowedThrough, AdminError> {
        let acted = self.change(customer, Change::FollowThrough(follow.clone()), now);
        Ok(acted.await?.followed_through())
    }
}

impl RedisStore {
    /// Holds `customer`'s conversation for [`ACTION_HOLD`] under a new
    /// fence, as `holder`: no worker claims it meanwhile, and a turn in
    /// flight can no longer finish. The fence.
    async fn hold(&self, customer: &CustomerId, holder: &str) -> Result<u64, StoreError> {
        let shard = shard_of(customer);
        let until = self
            .records
            .clock()
            .now()
            .as_microsecond()
            .saturating_add(micros(ACTION_HOLD));
        Ok(HOLD
            .key(self.key(shard, "ready"))
            .key(self.key(shard, "leases"))
            .arg(self.base(shard))
            .arg(customer.as_str())
            .arg(holder)
            .arg(until)
            .invoke_async(&mut self.redis.clone())
            .await?)
    }

    /// Holds the conversation in Redis under a new fence, applies the
    /// change in PostgreSQL under that fence, then lets workers at it again.
    async fn change(
        &self,
        customer: &CustomerId,
        change: Change,
        now: Timestamp,
    ) -> Result<Acted, AdminError> {
        let holder = format!("admin-{}", fastrand::u64(..));
        let fence = self.hold(customer, &holder).await?;
        let result = self
            .records
            .change_fenced(customer, &change, now, fence)
            .await;
        let hold = Claim {
            customer: customer.clone(),
            messages: Vec::new(),
            arrived_at: Vec::new(),
            fence,
            worker: holder,
        };
        // Should this fail, the hold runs out by itself in ACTION_HOLD.
        if let Err(e) = self.finish(&hold, 0, Finish::Release).await {
            tracing::warn!(customer = %customer, error = %e, "cannot end a person's hold on a conversation");
        }
        result
    }
}

/// The local calendar is a record: it lives in PostgreSQL.
#[async_trait]
impl CalendarStore for RedisStore {
    async fn calls_between(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<CalendarCall>, StoreError> {
        self.records.calls_between(from, to).await
    }

    async fn reserve(&self, call: &CalendarCall) -> Result<Reservation, StoreError> {
        self.records.reserve(call).await
    }

    async fn cancel_call(&self, key: &str) -> Result<(), StoreError> {
        self.records.cancel_call(key).await
    }
}

/// Dashboard logins are records too: they live in PostgreSQL.
#[async_trait]
impl SessionStore for RedisStore {
    async fn open_session(&self, key: &str, session: &LoginSession) -> Result<(), StoreError> {
        self.records.open_session(key, session).await
    }

    async fn session(&self, key: &str, now: Timestamp) -> Result<Option<LoginSession>, StoreError> {
        self.records.session(key, now).await
    }

    async fn close_session(&self, key: &str) -> Result<(), StoreError> {
        self.records.close_session(key).await
    }

    async fn count_login_attempt(
        &self,
        peer: &str,
        now: Timestamp,
        window: Duration,
    ) -> Result<u32, StoreError> {
        self.records.count_login_attempt(peer, now, window).await
    }
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
