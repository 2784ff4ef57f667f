//! The three backends the suite runs against: SQLite in a temporary
//! directory, a fresh PostgreSQL database, Redis under a prefix of its own
//! (with PostgreSQL for the records).

use super::*;

// ------------------------------------------------------------------ SQLite

pub(super) struct SqliteBackend {
    dir: tempfile::TempDir,
}

impl SqliteBackend {
    pub(super) fn url(&self) -> String {
        format!("sqlite://{}", self.dir.path().join("leadline.db").display())
    }
}

impl Backend for SqliteBackend {
    type S = leadline_stores::sqlite::SqliteStore;

    async fn new() -> Self {
        let backend = Self {
            dir: tempfile::tempdir().expect("a temporary directory"),
        };
        backend.handle().await.migrate().await.expect("migrate");
        backend
    }

    async fn handle(&self) -> Self::S {
        Self::S::open(&self.url()).await.expect("open")
    }

    async fn everything(&self) -> String {
        use sqlx::{Connection, SqliteConnection};
        let mut conn = SqliteConnection::connect(&self.url())
            .await
            .expect("raw connection");
        let tables: Vec<String> =
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .fetch_all(&mut conn)
                .await
                .expect("tables");
        let mut dump = String::new();
        for table in tables {
            let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?1)")
                .bind(&table)
                .fetch_all(&mut conn)
                .await
                .expect("columns");
            // `quote` prints every type, blobs (as hex) included.
            let row = columns
                .iter()
                .map(|c| format!("quote(\"{c}\")"))
                .collect::<Vec<_>>()
                .join(" || ' ' || ");
            let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT {row} FROM \"{table}\""))
                .fetch_all(&mut conn)
                .await
                .expect("rows");
            dump.push_str(&format!("{table}: {}\n", rows.join("\n")));
        }
        dump
    }
}

// -------------------------------------------------------------- PostgreSQL

/// A fresh database per test on the machine's PostgreSQL, dropped after.
pub(super) struct PostgresBackend {
    pub(super) db: leadline_testkit::postgres::TestDatabase,
}

impl Backend for PostgresBackend {
    type S = leadline_stores::postgres::PgStore;

    async fn new() -> Self {
        let backend = Self {
            db: leadline_testkit::postgres::TestDatabase::create().await,
        };
        backend.handle().await.migrate().await.expect("migrate");
        backend
    }

    async fn handle(&self) -> Self::S {
        Self::S::connect(self.db.url()).await.expect("connect")
    }

    async fn everything(&self) -> String {
        use sqlx::{Connection, PgConnection};
        let mut conn = PgConnection::connect(self.db.url())
            .await
            .expect("raw connection");
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema() ORDER BY 1",
        )
        .fetch_all(&mut conn)
        .await
        .expect("tables");
        let mut dump = String::new();
        for table in tables {
            let rows: Vec<String> =
                sqlx::query_scalar(&format!("SELECT row_to_json(t)::text FROM \"{table}\" t"))
                    .fetch_all(&mut conn)
                    .await
                    .expect("rows");
            dump.push_str(&format!("{table}: {}\n", rows.join("\n")));
        }
        dump
    }
}

// ------------------------------------------------------------------- Redis

/// Redis under a key prefix of its own on the machine's server, with a
/// fresh PostgreSQL database for the records; both go when the test ends.
pub(super) struct RedisBackend {
    pub(super) redis: leadline_testkit::redis::TestRedis,
    records: PostgresBackend,
}

impl Backend for RedisBackend {
    type S = leadline_stores::redis::RedisStore;

    async fn new() -> Self {
        Self {
            redis: leadline_testkit::redis::TestRedis::create(),
            records: PostgresBackend::new().await,
        }
    }

    async fn handle(&self) -> Self::S {
        Self::S::connect(
            self.redis.url(),
            self.redis.prefix(),
            self.records.handle().await,
        )
        .await
        .expect("connect")
    }

    async fn everything(&self) -> String {
        let client = ::redis::Client::open(self.redis.url()).expect("redis url");
        let mut conn = client
            .get_multiplexed_async_connection()
            .await
            .expect("redis connection");
        let mut keys: Vec<String> = Vec::new();
        let mut cursor: u64 = 0;
        loop {
            let (next, batch): (u64, Vec<String>) = ::redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(format!("{}*", self.redis.prefix()))
                .arg("COUNT")
                .arg(1000)
                .query_async(&mut conn)
                .await
                .expect("scan");
            keys.extend(batch);
            if next == 0 {
                break;
            }
            cursor = next;
        }
        keys.sort();
        let mut dump = self.records.everything().await;
        for key in keys {
            let kind: String = ::redis::cmd("TYPE")
                .arg(&key)
                .query_async(&mut conn)
                .await
                .expect("type");
            let read = match kind.as_str() {
                "string" => ::redis::cmd("GET").arg(&key).clone(),
                "list" => ::redis::cmd("LRANGE").arg(&key).arg(0).arg(-1).clone(),
                "hash" => ::redis::cmd("HGETALL").arg(&key).clone(),
                "set" => ::redis::cmd("SMEMBERS").arg(&key).clone(),
                "zset" => ::redis::cmd("ZRANGE")
                    .arg(&key)
                    .arg(0)
                    .arg(-1)
                    .arg("WITHSCORES")
                    .clone(),
                "stream" => ::redis::cmd("XRANGE").arg(&key).arg("-").arg("+").clone(),
                other => panic!("a key of a type the dump does not read: {other}"),
            };
            let value: ::redis::Value = read.query_async(&mut conn).await.expect("read a key");
            dump.push_str(&format!("{key} ({kind}): {}\n", printable(&value)));
        }
        dump
    }
}

/// A Redis value as text, its bytes as the strings they hold.
fn printable(value: &::redis::Value) -> String {
    match value {
        ::redis::Value::BulkString(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        ::redis::Value::SimpleString(s) => s.clone(),
        ::redis::Value::Array(items) | ::redis::Value::Set(items) => {
            items.iter().map(printable).collect::<Vec<_>>().join(" | ")
        }
        ::redis::Value::Map(pairs) => pairs
            .iter()
            .map(|(k, v)| format!("{}={}", printable(k), printable(v)))
            .collect::<Vec<_>>()
            .join(" | "),
        other => format!("{other:?}"),
    }
}
