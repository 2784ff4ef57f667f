//! The PostgreSQL store, for deployments that run many processes on one
//! database. Every process talks to PostgreSQL through a small pool; leases
//! and fences live in the database, claims take rows with
//! `FOR UPDATE SKIP LOCKED` so workers of any process never wait on, nor
//! double-claim, a conversation.

mod admin;
mod calendar;
mod effects;
mod inbox;
mod outbox;
pub(crate) mod records;
mod sessions;
mod turn;

use crate::admin::{Acted, Change};
use crate::sql::{OutboxRow, attempts_of, millis, outbox_entry, timestamp};
use crate::{
    AdminError, AdminStore, CalendarCall, CalendarStore, Claim, ConversationStore, Effect,
    EffectEntry, EffectItem, EffectQuery, Effects, EnqueueReport, FollowThrough, FollowedThrough,
    Funnel, FunnelQuery, HumanAction, Inbox, InboxBatch, LeadQuery, LeadRow, LoginSession, Outbox,
    OutboxEntry, OutboxItem, OutgoingMessage, QuestionQuery, QuestionRow, RecordedEvent,
    Reservation, SessionStore, Store, StoreError, TurnCommit, TurnLog,
};
use async_trait::async_trait;
use jiff::Timestamp;
use leadline_domain::conversation::Summary;
use leadline_domain::events::Event;
use leadline_domain::{Clock, Conversation, CustomerId, Lead};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::types::Json;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

/// Connections per process: the webhook, the workers and the senders each
/// hold one only for a statement or a short transaction.
const POOL_SIZE: u32 = 16;
/// How long a caller waits for a connection (including connecting) before
/// the store reports itself unavailable: the webhook then answers 503 in
/// time for Meta to retry, instead of hanging.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);
/// How often answered messages past the dedup window are pruned.
const PRUNE_EVERY_MS: i64 = 3600 * 1000;

/// The PostgreSQL store. Cheap to clone: clones share the pool.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    /// When this process next prunes the dedup records (epoch ms).
    next_prune: Arc<AtomicI64>,
    /// What leases, windows and record times are measured by.
    clock: Clock,
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://` or `postgresql://`).
    /// An unreachable database is [`StoreError::Unavailable`] within
    /// seconds.
    pub async fn connect(url: &str) -> Result<PgStore, StoreError> {
        Self::connect_with_clock(url, Clock::system()).await
    }

    /// [`PgStore::connect`], telling time by `clock` (tests move it).
    pub async fn connect_with_clock(url: &str, clock: Clock) -> Result<PgStore, StoreError> {
        let options = PgConnectOptions::from_str(url).map_err(|e| {
            StoreError::Unavailable(format!("invalid PostgreSQL database url: {e}"))
        })?;
        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options.application_name("leadline"))
            .await?;
        Ok(Self {
            pool,
            next_prune: Arc::new(AtomicI64::new(
                clock.now().as_millisecond().saturating_add(PRUNE_EVERY_MS),
            )),
            clock,
        })
    }

    /// Applies the embedded migrations (idempotent; sqlx's migrator holds a
    /// `pg_advisory_lock` meanwhile, so processes starting together apply
    /// them once), then prunes answered messages past the dedup window and
    /// keys questions recorded before events carried their key.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Unavailable(format!("migration failed: {e}")))?;
        inbox::prune(&self.pool, self.now_ms()).await?;
        admin::key_questions(&self.pool).await
    }

    /// A turn's records when Redis keeps its inbox: see [`records`].
    #[cfg(feature = "redis")]
    pub(crate) async fn commit_records(
        &self,
        claim: &Claim,
        commit: &TurnCommit,
        shard: u16,
    ) -> Result<records::Recorded, StoreError> {
        records::commit(&self.pool, claim, commit, shard, self.now_ms()).await
    }

    /// A person's action when Redis keeps the inbox: `fence` is the one the
    /// action took there, raised here too so no older turn commits after.
    #[cfg(feature = "redis")]
    pub(crate) async fn change_fenced(
        &self,
        customer: &CustomerId,
        change: &Change,
        now: Timestamp,
        fence: u64,
    ) -> Result<Acted, AdminError> {
        admin::change(&self.pool, customer, change, now, Some(fence)).await
    }

    /// Erases the records of a customer whose inbox Redis keeps, after
    /// what `erasure` did there.
    #[cfg(feature = "redis")]
    pub(crate) async fn erase_records(
        &self,
        customer: &CustomerId,
        effects: &[Effect],
        now: Timestamp,
        erasure: &records::RedisErasure,
    ) -> Result<bool, StoreError> {
        admin::erase(&self.pool, customer, effects, now, Some(erasure)).await
    }

    /// The customer's answered message ids, whose dedup keys Redis keeps.
    #[cfg(feature = "redis")]
    pub(crate) async fn answered_ids(
        &self,
        customer: &CustomerId,
    ) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(admin::ANSWERED_IDS)
            .bind(customer.as_str())
            .fetch_all(&self.pool)
            .await?)
    }

    /// Prunes once per [`PRUNE_EVERY_MS`] per process; a failure is only
    /// logged, as the next round retries it.
    pub(crate) async fn prune_if_due(&self) {
        let now = self.now_ms();
        let due = self.next_prune.load(Ordering::Relaxed);
        if now < due
            || self
                .next_prune
                .compare_exchange(
                    due,
                    now.saturating_add(PRUNE_EVERY_MS),
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_err()
        {
            return;
        }
        if let Err(e) = inbox::prune(&self.pool, now).await {
            tracing::warn!(error = %e, "cannot prune answered messages");
        }
    }
}

#[async_trait]
impl Inbox for PgStore {
    async fn enqueue(&self, batch: InboxBatch) -> Result<EnqueueReport, StoreError> {
        if batch.messages.is_empty() && batch.statuses.is_empty() {
            return Ok(EnqueueReport::default());
        }
        inbox::enqueue(&self.pool, &batch, self.now_ms()).await
    }

    async fn claim(
        &self,
        worker: &str,
        lease: Duration,
        quiet_for: Duration,
    ) -> Result<Option<Claim>, StoreError> {
        self.prune_if_due().await;
        inbox::claim(&self.pool, worker, lease, quiet_for, self.now_ms()).await
    }

    async fn release(&self, claim: &Claim) -> Result<(), StoreError> {
        inbox::release(&self.pool, claim).await
    }

    async fn depth(&self) -> Result<u64, StoreError> {
        crate::sql::depth(&self.pool).await
    }
}

#[async_trait]
impl ConversationStore for PgStore {
    async fn load(&self, customer: &CustomerId) -> Result<Option<Conversation>, StoreError> {
        let row: Option<(Json<Conversation>, Option<i64>, Option<String>)> = sqlx::query_as(
            "SELECT c.body, s.through_seq, s.text
             FROM conversations c LEFT JOIN summaries s ON s.customer = c.customer
             WHERE c.customer = $1",
        )
        .bind(customer.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let Some((Json(conversation), through_seq, text)) = row else {
            return Ok(None);
        };
        crate::sql::with_summary(conversation, through_seq, text).map(Some)
    }

    async fn load_lead(&self, customer: &CustomerId) -> Result<Option<Lead>, StoreError> {
        let lead: Option<Json<Lead>> =
            sqlx::query_scalar("SELECT fields FROM leads WHERE customer = $1")
                .bind(customer.as_str())
                .fetch_optional(&self.pool)
                .await?;
        Ok(lead.map(|Json(lead)| lead))
    }

    async fn put_summary(
        &self,
        customer: &CustomerId,
        summary: &Summary,
    ) -> Result<(), StoreError> {
        inbox::put_summary(&self.pool, customer, summary, self.now_ms()).await
    }
}

#[async_trait]
impl TurnLog for PgStore {
    async fn commit_turn(&self, claim: &Claim, commit: TurnCommit) -> Result<(), StoreError> {
        inbox::commit_turn(&self.pool, claim, &commit, self.now_ms()).await
    }
}

#[async_trait]
impl Outbox for PgStore {
    async fn due(
        &self,
        now: Timestamp,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        outbox::due(&self.pool, now, limit, lease).await
    }

    async fn mark_sent(&self, id: i64, wa_message_id: &str) -> Result<(), StoreError> {
        outbox::mark_sent(&self.pool, id, wa_message_id, self.now_ms()).await
    }

    async fn mark_retry(
        &self,
        id: i64,
        not_before: Timestamp,
        error: &str,
    ) -> Result<(), StoreError> {
        outbox::mark_retry(&self.pool, id, not_before, error).await
    }

    async fn mark_failed(&self, id: i64, error: &str) -> Result<(), StoreError> {
        outbox::mark_failed(&self.pool, id, error, self.now_ms()).await
    }

    async fn next_due(&self) -> Result<Option<Timestamp>, StoreError> {
        crate::sql::next_at(&self.pool, crate::sql::NEXT_DUE).await
    }
}

#[async_trait]
impl Effects for PgStore {
    async fn due_effects(
        &self,
        now: Timestamp,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<EffectItem>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        effects::due(&self.pool, now, limit, lease).await
    }

    async fn effect_done(&self, id: i64) -> Result<(), StoreError> {
        effects::done(&self.pool, id, self.now_ms()).await
    }

    async fn effect_retry(
        &self,
        id: i64,
        not_before: Timestamp,
        error: &str,
    ) -> Result<(), StoreError> {
        effects::retry(&self.pool, id, not_before, error).await
    }

    async fn effect_dead(&self, id: i64, error: &str) -> Result<(), StoreError> {
        effects::dead(&self.pool, id, error, self.now_ms()).await
    }

    async fn next_effect_due(&self) -> Result<Option<Timestamp>, StoreError> {
        crate::sql::next_at(&self.pool, crate::sql::NEXT_EFFECT_DUE).await
    }

    async fn effect_entries(&self, query: &EffectQuery) -> Result<Vec<EffectEntry>, StoreError> {
        effects::entries(&self.pool, query).await
    }

    async fn revive_effect(&self, id: i64) -> Result<bool, StoreError> {
        effects::revive(&self.pool, id, self.now_ms()).await
    }
}

#[async_trait]
impl AdminStore for PgStore {
    async fn leads(&self, query: &LeadQuery) -> Result<Vec<LeadRow>, StoreError> {
        admin::leads(&self.pool, query).await
    }

    async fn outbox_entries(&self, customer: &CustomerId) -> Result<Vec<OutboxEntry>, StoreError> {
        let rows: Vec<OutboxRow<Json<OutgoingMessage>, i32>> = sqlx::query_as(
            "SELECT o.id, o.message, o.state, o.attempts, o.wamid, o.last_error, d.state
             FROM outbox o LEFT JOIN deliveries d ON d.wamid = o.wamid
             WHERE o.recipient = $1 ORDER BY o.id",
        )
        .bind(customer.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| outbox_entry(row, |Json(message)| Ok(message)))
            .collect()
    }

    async fn events(&self, customer: &CustomerId) -> Result<Vec<RecordedEvent>, StoreError> {
        let rows: Vec<(i64, Json<Event>)> =
            sqlx::query_as("SELECT at, body FROM events WHERE customer = $1 ORDER BY id")
                .bind(customer.as_str())
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|(at, Json(event))| {
                Ok(RecordedEvent {
                    at: timestamp(at)?,
                    event,
                })
            })
            .collect()
    }

    async fn act(
        &self,
        customer: &CustomerId,
        action: &HumanAction,
        now: Timestamp,
    ) -> Result<Conversation, AdminError> {
        let change = Change::Human(action.clone());
        let acted = admin::change(&self.pool, customer, &change, now, None).await?;
        Ok(acted.conversation)
    }

    async fn follow_through(
        &self,
        customer: &CustomerId,
        follow: &FollowThrough,
        now: Timestamp,
    ) -> Result<FollowedThrough, AdminError> {
        let change = Change::FollowThrough(follow.clone());
        let acted = admin::change(&self.pool, customer, &change, now, None).await?;
        Ok(acted.followed_through())
    }

    async fn funnel(&self, query: &FunnelQuery) -> Result<Funnel, StoreError> {
        crate::sql::funnel(&self.pool, &admin::FUNNEL, query).await
    }

    async fn questions(&self, query: &QuestionQuery) -> Result<Vec<QuestionRow>, StoreError> {
        admin::questions(&self.pool, query).await
    }

    async fn erase(
        &self,
        customer: &CustomerId,
        effects: &[Effect],
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        admin::erase(&self.pool, customer, effects, now, None).await
    }

    async fn stale(&self, before: Timestamp, limit: usize) -> Result<Vec<CustomerId>, StoreError> {
        crate::sql::stale(&self.pool, admin::STALE, before, limit).await
    }
}

#[async_trait]
impl CalendarStore for PgStore {
    async fn calls_between(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<CalendarCall>, StoreError> {
        calendar::between(&self.pool, from.as_millisecond(), to.as_millisecond()).await
    }

    async fn reserve(&self, call: &CalendarCall) -> Result<Reservation, StoreError> {
        calendar::reserve(&self.pool, call, self.now_ms()).await
    }

    async fn cancel_call(&self, key: &str) -> Result<(), StoreError> {
        calendar::cancel(&self.pool, key, self.now_ms()).await
    }
}

#[async_trait]
impl SessionStore for PgStore {
    async fn open_session(&self, key: &str, session: &LoginSession) -> Result<(), StoreError> {
        sessions::open(&self.pool, key, session, self.now_ms()).await
    }

    async fn session(&self, key: &str, now: Timestamp) -> Result<Option<LoginSession>, StoreError> {
        sessions::find(&self.pool, key, now.as_millisecond()).await
    }

    async fn close_session(&self, key: &str) -> Result<(), StoreError> {
        sessions::close(&self.pool, key).await
    }

    async fn count_login_attempt(
        &self,
        peer: &str,
        now: Timestamp,
        window: Duration,
    ) -> Result<u32, StoreError> {
        sessions::count_attempt(&self.pool, peer, now.as_millisecond(), millis(window)).await
    }
}

#[async_trait]
impl Store for PgStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

impl PgStore {
    /// Now by the store's clock, as stored (epoch milliseconds).
    fn now_ms(&self) -> i64 {
        self.clock.now().as_millisecond()
    }

    /// The store's clock, which Redis's inbox shares.
    #[cfg(feature = "redis")]
    pub(crate) fn clock(&self) -> &Clock {
        &self.clock
    }
}

/// Leases the rows `statement` takes (`$1` the lease's end, `$2` now, `$3`
/// the limit; it returns id, JSON body, attempts), oldest first: how the
/// outbox and the effects hand out what is due.
async fn take_due<T>(
    pool: &PgPool,
    statement: &str,
    what: &str,
    now: Timestamp,
    limit: usize,
    lease: Duration,
) -> Result<Vec<(i64, T, u32)>, StoreError>
where
    T: serde::de::DeserializeOwned + Send + Unpin + 'static,
{
    let now = now.as_millisecond();
    let rows: Vec<(i64, Json<T>, i32)> = sqlx::query_as(statement)
        .bind(now.saturating_add(millis(lease)))
        .bind(now)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(pool)
        .await?;
    let mut taken = rows
        .into_iter()
        .map(|(id, Json(body), attempts)| Ok((id, body, attempts_of(what, id, attempts)?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    taken.sort_by_key(|(id, ..)| *id);
    Ok(taken)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::{Connection, Executor, PgConnection};

    /// The statements that run per message, per turn or per send find their
    /// rows through the index meant for them, never by scanning a table
    /// that holds every message or reply. Sequential scans are priced out
    /// (the tables are empty here), so a plan that still has one, or picks
    /// another index, has no fitting index to use.
    #[tokio::test]
    async fn hot_statements_can_use_their_indexes() {
        let db = leadline_testkit::postgres::TestDatabase::create().await;
        PgStore::connect(db.url())
            .await
            .expect("connect")
            .migrate()
            .await
            .expect("migrate");
        let mut conn = PgConnection::connect(db.url()).await.expect("connect");
        conn.execute("SET enable_seqscan = off")
            .await
            .expect("price out sequential scans");
        // Each with the parameters it runs with and the index it must use.
        let statements = [
            (
                "mark waiting",
                inbox::MARK_WAITING,
                "(1, '{a}')",
                "queue_pkey",
            ),
            ("claim", inbox::CLAIM, "('w', 1, 1, 1)", "queue_waiting"),
            (
                "claimed messages",
                inbox::CLAIMED_MESSAGES,
                "('a', 1)",
                "inbox_pending",
            ),
            ("ack", inbox::ACK, "(1, 'a', 1)", "inbox_pending"),
            (
                "record reply",
                outbox::RECORD_REPLY,
                "('k', 'a', '{}', 1)",
                "outbox_pending",
            ),
            ("requeue", inbox::REQUEUE, "('a')", "inbox_pending"),
            ("prune", inbox::PRUNE, "(1, 10)", "inbox_answered"),
            ("due", outbox::TAKE_DUE, "(1, 1, 10)", "outbox_due"),
            (
                "promote",
                outbox::PROMOTE_NEXT,
                "('a', 1)",
                "outbox_pending",
            ),
            ("next due", crate::sql::NEXT_DUE, "", "outbox_due"),
            ("depth", crate::sql::DEPTH, "", "inbox_pending"),
            // The dashboard's lists of leads.
            (
                "leads by stage",
                "SELECT customer FROM leads WHERE stage = $1 ORDER BY updated_at DESC LIMIT 50",
                "('qualification')",
                "leads_stage",
            ),
            (
                "handoffs",
                "SELECT customer FROM leads WHERE handoff_reason = $1 ORDER BY updated_at DESC LIMIT 50",
                "('customer_asked')",
                "leads_handoff",
            ),
            (
                "recent leads",
                "SELECT customer FROM leads ORDER BY updated_at DESC LIMIT 50",
                "",
                "leads_updated",
            ),
            // Every start, and the team's list of questions.
            ("unkeyed questions", admin::UNKEYED, "", "events_questions"),
            (
                "questions",
                admin::QUESTIONS,
                "(false, NULL, NULL, 50)",
                "events_questions",
            ),
        ];
        for (n, (name, sql, args, index)) in statements.into_iter().enumerate() {
            let plan: Vec<String> = if args.is_empty() {
                sqlx::query_scalar(&format!("EXPLAIN {sql}"))
                    .fetch_all(&mut conn)
                    .await
            } else {
                conn.execute(format!("PREPARE s{n} AS {sql}").as_str())
                    .await
                    .expect("prepare");
                sqlx::query_scalar(&format!("EXPLAIN EXECUTE s{n}{args}"))
                    .fetch_all(&mut conn)
                    .await
            }
            .expect("plan");
            let plan = plan.join("\n");
            assert!(!plan.contains("Seq Scan"), "{name} scans a table:\n{plan}");
            assert!(plan.contains(index), "{name} does not use {index}:\n{plan}");
        }
    }
}
