//! The embedded store: one SQLite file in WAL mode. Reads go through a small
//! pool of read-only sqlx connections; every write goes through one writer
//! thread ([`writer`]) owning a `rusqlite` connection, which folds
//! concurrent enqueues into one transaction.
//! Leases and fences live in the file, so several processes can share it.

mod admin;
mod calendar;
mod due;
mod effects;
mod inbox;
mod outbox;
mod sessions;
mod writer;

use crate::admin::{Acted, Change};
use crate::sql::{
    CALL_COLUMNS, CallRow, OutboxRow, attempts_of, calendar_call, millis, outbox_entry, timestamp,
};
use crate::{
    AdminError, AdminStore, CalendarCall, CalendarStore, Claim, ConversationStore, Effect,
    EnqueueReport, FollowThrough, FollowedThrough, Funnel, FunnelQuery, HumanAction, Inbox,
    InboxBatch, LeadQuery, LeadRow, LoginSession, QuestionQuery, QuestionRow, Reservation,
    SessionStore, Store, StoreError, TurnCommit, TurnLog,
};
pub use crate::{OutboxEntry, RecordedEvent, SendState};
use async_trait::async_trait;
use inbox::Holder;
use jiff::Timestamp;
use leadline_domain::conversation::Summary;
use leadline_domain::{Clock, Conversation, CustomerId, Lead};
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use std::str::FromStr;
use std::time::Duration;
use writer::Writer;

static MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");

/// How long a statement waits for another process's write lock before the
/// store reports itself unavailable.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Read connections: reads are short, and the machine has few cores.
const READERS: u32 = 4;
/// Statements the writer keeps prepared: more than it has.
const STATEMENT_CACHE: usize = 32;

/// Settings of every connection, the writer's and the readers' (after WAL
/// mode, which the writer sets first).
const PRAGMAS: [(&str, &str); 4] = [
    // sqlx's default, kept for the writer too.
    ("foreign_keys", "ON"),
    // In WAL mode, NORMAL makes a commit durable once it is in the WAL
    // file: it survives the process crashing. Only checkpoints fsync, so an
    // OS crash or power loss may lose the last commits (never corrupt the
    // file). FULL would fsync every commit and cap the webhook at the
    // disk's flush rate.
    ("synchronous", "NORMAL"),
    // Statement journals in memory, and reads through a bounded mmap: each
    // removed syscalls that dominated a profile of the group commit. The
    // mmap's pages count in the process's RSS, hence the bound.
    ("temp_store", "memory"),
    ("mmap_size", "33554432"),
];

/// The writer's page cache (16 MiB): the indexes a busy inbox writes stay
/// in memory. Readers keep 4 MiB each. With the mmap, this bounds what the
/// store adds to the RSS (about 65 MiB), however large the database grows.
const WRITER_CACHE: (&str, &str) = ("cache_size", "-16384");
const READER_CACHE: (&str, &str) = ("cache_size", "-4096");

/// The embedded SQLite store. Cheap to clone: clones share the writer and
/// the read pool.
#[derive(Clone)]
pub struct SqliteStore {
    readers: SqlitePool,
    writer: Writer,
    /// The writer's options, for migrations.
    options: SqliteConnectOptions,
    /// What leases, windows and record times are measured by.
    clock: Clock,
}

impl SqliteStore {
    /// A person's action or a follow-through, on the writer connection.
    async fn change(
        &self,
        customer: &CustomerId,
        change: Change,
        now: Timestamp,
    ) -> Result<Acted, AdminError> {
        let customer = customer.clone();
        self.writer
            .run(move |conn| admin::change(conn, &customer, &change, now))
            .await?
    }

    /// Opens (creating if missing) the database at `url`, such as
    /// `sqlite://path/to/leadline.db` or `sqlite::memory:`. Takes no
    /// exclusive lock: other processes may open the same file.
    pub async fn open(url: &str) -> Result<SqliteStore, StoreError> {
        Self::open_with_clock(url, Clock::system()).await
    }

    /// [`SqliteStore::open`], telling time by `clock` (tests move it).
    pub async fn open_with_clock(url: &str, clock: Clock) -> Result<SqliteStore, StoreError> {
        let mut options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Unavailable(format!("invalid SQLite database url: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(BUSY_TIMEOUT);
        for (key, value) in PRAGMAS {
            options = options.pragma(key, value);
        }
        let writer = Writer::spawn(open_writer(url, &options)?, clock.clone())?;
        let readers = SqlitePoolOptions::new()
            .max_connections(READERS)
            // A local file does not go stale like a network connection.
            .test_before_acquire(false)
            .connect_with(
                options
                    .clone()
                    .pragma(READER_CACHE.0, READER_CACHE.1)
                    .pragma("query_only", "ON"),
            )
            .await?;
        Ok(Self {
            readers,
            writer,
            options,
            clock,
        })
    }

    /// Applies the embedded migrations (idempotent), then prunes answered
    /// messages past the dedup window and keys questions recorded before
    /// events carried their key, as this runs at every start.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        // A pool of one, not the writer's connection: the migrator is
        // sqlx's, the writer's connection is rusqlite's, and at start
        // nothing else writes anyway.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(self.options.clone())
            .await?;
        let migrated = MIGRATOR.run(&pool).await;
        pool.close().await;
        migrated.map_err(|e| StoreError::Unavailable(format!("migration failed: {e}")))?;
        let now = self.now_ms();
        self.writer
            .run(move |conn| {
                while !inbox::prune_chunk(conn, now)? {}
                admin::key_questions(conn)
            })
            .await
    }
}

impl SqliteStore {
    /// Now by the store's clock, as stored (epoch milliseconds).
    fn now_ms(&self) -> i64 {
        self.clock.now().as_millisecond()
    }
}

#[async_trait]
impl Inbox for SqliteStore {
    async fn enqueue(&self, batch: InboxBatch) -> Result<EnqueueReport, StoreError> {
        if batch.messages.is_empty() && batch.statuses.is_empty() {
            return Ok(EnqueueReport::default());
        }
        self.writer.enqueue(batch).await
    }

    async fn claim(
        &self,
        worker: &str,
        lease: Duration,
        quiet_for: Duration,
    ) -> Result<Option<Claim>, StoreError> {
        let (worker, now) = (worker.to_owned(), self.now_ms());
        self.writer
            .run(move |conn| inbox::claim(conn, &worker, lease, quiet_for, now))
            .await
    }

    async fn release(&self, claim: &Claim) -> Result<(), StoreError> {
        let holder = Holder::from(claim);
        self.writer
            .run(move |conn| inbox::release(conn, &holder))
            .await
    }

    async fn depth(&self) -> Result<u64, StoreError> {
        crate::sql::depth(&self.readers).await
    }
}

#[async_trait]
impl ConversationStore for SqliteStore {
    async fn load(&self, customer: &CustomerId) -> Result<Option<Conversation>, StoreError> {
        let row: Option<(String, Option<i64>, Option<String>)> = sqlx::query_as(
            "SELECT c.body, s.through_seq, s.text
             FROM conversations c LEFT JOIN summaries s ON s.customer = c.customer
             WHERE c.customer = ?1",
        )
        .bind(customer.as_str())
        .fetch_optional(&self.readers)
        .await?;
        let Some((body, through_seq, text)) = row else {
            return Ok(None);
        };
        crate::sql::with_summary(decode(&body)?, through_seq, text).map(Some)
    }

    async fn load_lead(&self, customer: &CustomerId) -> Result<Option<Lead>, StoreError> {
        let body: Option<String> = sqlx::query_scalar("SELECT body FROM leads WHERE customer = ?1")
            .bind(customer.as_str())
            .fetch_optional(&self.readers)
            .await?;
        body.map(|b| decode(&b)).transpose()
    }

    async fn put_summary(
        &self,
        customer: &CustomerId,
        summary: &Summary,
    ) -> Result<(), StoreError> {
        let customer = customer.clone();
        let (summary, now) = (summary.clone(), self.now_ms());
        self.writer
            .run(move |conn| inbox::put_summary(conn, &customer, &summary, now))
            .await
    }
}

#[async_trait]
impl TurnLog for SqliteStore {
    async fn commit_turn(&self, claim: &Claim, commit: TurnCommit) -> Result<(), StoreError> {
        let (holder, now) = (Holder::from(claim), self.now_ms());
        self.writer
            .run(move |conn| inbox::commit_turn(conn, &holder, &commit, now))
            .await
    }
}

#[async_trait]
impl AdminStore for SqliteStore {
    async fn leads(&self, query: &LeadQuery) -> Result<Vec<LeadRow>, StoreError> {
        admin::leads(&self.readers, query).await
    }

    async fn outbox_entries(&self, customer: &CustomerId) -> Result<Vec<OutboxEntry>, StoreError> {
        let rows: Vec<OutboxRow<String, i64>> = sqlx::query_as(
            "SELECT o.id, o.message, o.state, o.attempts, o.wamid, o.last_error, d.state
             FROM outbox o LEFT JOIN deliveries d ON d.wamid = o.wamid
             WHERE o.recipient = ?1 ORDER BY o.id",
        )
        .bind(customer.as_str())
        .fetch_all(&self.readers)
        .await?;
        rows.into_iter()
            .map(|row| outbox_entry(row, |message| decode(&message)))
            .collect()
    }

    async fn events(&self, customer: &CustomerId) -> Result<Vec<RecordedEvent>, StoreError> {
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT at, body FROM events WHERE customer = ?1 ORDER BY id")
                .bind(customer.as_str())
                .fetch_all(&self.readers)
                .await?;
        rows.into_iter()
            .map(|(at, body)| {
                Ok(RecordedEvent {
                    at: timestamp(at)?,
                    event: decode(&body)?,
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

    async fn funnel(&self, query: &FunnelQuery) -> Result<Funnel, StoreError> {
        crate::sql::funnel(&self.readers, &admin::FUNNEL, query).await
    }

    async fn questions(&self, query: &QuestionQuery) -> Result<Vec<QuestionRow>, StoreError> {
        admin::questions(&self.readers, query).await
    }

    async fn erase(
        &self,
        customer: &CustomerId,
        effects: &[Effect],
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let (customer, effects) = (customer.clone(), effects.to_vec());
        self.writer
            .run(move |conn| admin::erase(conn, &customer, &effects, now))
            .await
    }

    async fn stale(&self, before: Timestamp, limit: usize) -> Result<Vec<CustomerId>, StoreError> {
        crate::sql::stale(&self.readers, admin::STALE, before, limit).await
    }
}

#[async_trait]
impl CalendarStore for SqliteStore {
    async fn calls_between(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<CalendarCall>, StoreError> {
        let rows: Vec<CallRow> = sqlx::query_as(&format!(
            "SELECT {CALL_COLUMNS} FROM calendar_calls
             WHERE cancelled_at IS NULL AND end_at > ?1 AND start_at < ?2
             ORDER BY start_at"
        ))
        .bind(from.as_millisecond())
        .bind(to.as_millisecond())
        .fetch_all(&self.readers)
        .await?;
        rows.into_iter().map(calendar_call).collect()
    }

    async fn reserve(&self, call: &CalendarCall) -> Result<Reservation, StoreError> {
        let (call, now) = (call.clone(), self.now_ms());
        self.writer
            .run(move |conn| calendar::reserve(conn, &call, now))
            .await
    }

    async fn cancel_call(&self, key: &str) -> Result<(), StoreError> {
        let (key, now) = (key.to_owned(), self.now_ms());
        self.writer
            .run(move |conn| calendar::cancel(conn, &key, now))
            .await
    }
}

#[async_trait]
impl SessionStore for SqliteStore {
    async fn open_session(&self, key: &str, session: &LoginSession) -> Result<(), StoreError> {
        let (key, session, now) = (key.to_owned(), session.clone(), self.now_ms());
        self.writer
            .run(move |conn| sessions::open(conn, &key, &session, now))
            .await
    }

    async fn session(&self, key: &str, now: Timestamp) -> Result<Option<LoginSession>, StoreError> {
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT csrf, expires_at FROM dashboard_sessions WHERE key = ?1 AND expires_at > ?2",
        )
        .bind(key)
        .bind(now.as_millisecond())
        .fetch_optional(&self.readers)
        .await?;
        row.map(crate::sql::login_session).transpose()
    }

    async fn close_session(&self, key: &str) -> Result<(), StoreError> {
        let key = key.to_owned();
        self.writer
            .run(move |conn| sessions::close(conn, &key))
            .await
    }

    async fn count_login_attempt(
        &self,
        peer: &str,
        now: Timestamp,
        window: Duration,
    ) -> Result<u32, StoreError> {
        let peer = peer.to_owned();
        let (now, window) = (now.as_millisecond(), millis(window));
        self.writer
            .run(move |conn| sessions::count_attempt(conn, &peer, now, window))
            .await
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        if !self.writer.is_alive() {
            return Err(StoreError::Unavailable(
                "the SQLite writer has stopped".to_owned(),
            ));
        }
        sqlx::query("SELECT 1").execute(&self.readers).await?;
        Ok(())
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::IntegralValueOutOfRange(..)
            | rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::InvalidColumnName(_)
            | rusqlite::Error::InvalidColumnIndex(_) => StoreError::Corrupt(e.to_string()),
            _ => StoreError::Unavailable(e.to_string()),
        }
    }
}

/// Opens the writer's connection with the settings sqlx gives the readers
/// (`options`, parsed from `url`): the same file, or for `sqlite::memory:`
/// the same named shared-cache database, so readers see the writer's
/// commits.
fn open_writer(url: &str, options: &SqliteConnectOptions) -> Result<Connection, StoreError> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    flags |= if in_memory(url) {
        OpenFlags::SQLITE_OPEN_MEMORY | OpenFlags::SQLITE_OPEN_SHARED_CACHE
    } else {
        OpenFlags::SQLITE_OPEN_PRIVATE_CACHE
    };
    let conn = Connection::open_with_flags(options.get_filename(), flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Like sqlx, whatever mode SQLite settles on (an in-memory database
    // stays `memory`); this is also where a file that is not a database
    // is refused.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    for (key, value) in PRAGMAS.into_iter().chain([WRITER_CACHE]) {
        conn.pragma_update(None, key, value)?;
    }
    // Every statement the writer runs, kept prepared.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}
/// Whether `url` names an in-memory database, which sqlx opens as a named
/// shared-cache one (`mode=memory` or `:memory:`, as sqlx parses it).
fn in_memory(url: &str) -> bool {
    let rest = url.strip_prefix("sqlite:").unwrap_or(url);
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let (database, params) = rest.split_once('?').unwrap_or((rest, ""));
    database == ":memory:" || params.split('&').any(|p| p == "mode=memory")
}
/// Leases the rows `statement` takes (`?1` the lease's end, `?2` now, `?3`
/// the limit; it returns id, JSON body, attempts), oldest first: how the
/// outbox and the effects hand out what is due.
fn take_due<T: DeserializeOwned>(
    conn: &Connection,
    statement: &str,
    what: &str,
    now: Timestamp,
    limit: usize,
    lease: Duration,
) -> Result<Vec<(i64, T, u32)>, StoreError> {
    let now = now.as_millisecond();
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = conn
        .prepare_cached(statement)?
        .query_map(
            rusqlite::params![now.saturating_add(millis(lease)), now, limit],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?
        .collect::<Result<Vec<(i64, String, i64)>, _>>()?;
    let mut taken = rows
        .into_iter()
        .map(|(id, body, attempts)| Ok((id, decode(&body)?, attempts_of(what, id, attempts)?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    taken.sort_by_key(|(id, ..)| *id);
    Ok(taken)
}

fn encode<T: Serialize + ?Sized>(value: &T) -> Result<String, StoreError> {
    // The domain types always serialize; an error here means a type grew a
    // map with non-string keys, which the stored format cannot hold.
    serde_json::to_string(value)
        .map_err(|e| StoreError::Corrupt(format!("cannot encode for storage: {e}")))
}

fn decode<T: DeserializeOwned>(json: &str) -> Result<T, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(e.to_string()))
}

#[cfg(test)]
mod tests;
