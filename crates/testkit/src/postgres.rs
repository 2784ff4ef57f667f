//! A fresh PostgreSQL database per test, on the machine's server
//! (`LEADLINE_TEST_POSTGRES_URL`, by default the local `postgres` superuser
//! with trust auth), dropped when the test ends.

use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, Executor, PgConnection};
use std::net::{SocketAddr, ToSocketAddrs};
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Databases made by this process so far: names stay unique when tests run
/// in parallel threads of one process, the pid when they run in processes.
static MADE: AtomicU32 = AtomicU32::new(0);

/// An empty database of its own; dropped (`WITH (FORCE)`, so connections
/// still open do not keep it) when this is dropped.
pub struct TestDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    /// Creates the database. Panics when the server cannot be reached: the
    /// tests need it (scripts/test starts it).
    pub async fn create() -> TestDatabase {
        let admin_url =
            std::env::var("LEADLINE_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned());
        let name = format!(
            "leadline_test_{}_{}",
            std::process::id(),
            MADE.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("cannot reach PostgreSQL for tests at {admin_url}: {e}"));
        admin
            .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
            .await
            .expect("drop a leftover test database");
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create the test database");
        admin.close().await.expect("close the admin connection");
        let url = with_database(&admin_url, &name);
        TestDatabase {
            admin_url,
            name,
            url,
        }
    }

    /// The database's URL, as `DATABASE_URL` takes it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A number read straight from the database (`SELECT count(*) ...`), to
    /// see what a black-box process has made durable.
    pub async fn count(&self, sql: &str) -> i64 {
        let mut conn = PgConnection::connect(&self.url)
            .await
            .expect("connect to the test database");
        let n = sqlx::query_scalar(sql)
            .fetch_one(&mut conn)
            .await
            .expect("a count from the test database");
        conn.close().await.expect("close the test connection");
        n
    }

    /// The server's address, for a [`crate::proxy::TcpProxy`] to forward to.
    pub fn server(&self) -> SocketAddr {
        let options = PgConnectOptions::from_str(&self.url).expect("a valid test database url");
        (options.get_host(), options.get_port())
            .to_socket_addrs()
            .ok()
            .and_then(|mut addrs| addrs.next())
            .expect("the test server's address resolves")
    }

    /// The database's URL with the server reached at `addr` instead.
    pub fn url_through(&self, addr: SocketAddr) -> String {
        let scheme_end = self.url.find("://").map_or(0, |i| i + 3);
        let rest = &self.url[scheme_end..];
        let host_start = rest.find('@').map_or(0, |i| i + 1);
        let host_end = rest.find('/').unwrap_or(rest.len());
        format!(
            "{}{}{addr}{}",
            &self.url[..scheme_end],
            &rest[..host_start],
            &rest[host_end..]
        )
    }
}

/// `admin_url` with its database replaced by `name` (query parameters kept).
fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = admin_url
        .split_once('?')
        .map_or((admin_url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let server = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs inside the test's runtime, which cannot be blocked on:
        // the DROP runs on a runtime of its own, on a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime to drop the test database");
            runtime.block_on(async move {
                let mut admin = PgConnection::connect(&admin_url).await?;
                admin
                    .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await?;
                admin.close().await
            })
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("cannot drop test database {}: {e}", self.name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_is_replaced_and_parameters_kept() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database("postgresql://u:p@db/x?sslmode=disable", "t2"),
            "postgresql://u:p@db/t2?sslmode=disable"
        );
        assert_eq!(with_database("postgres://db", "t3"), "postgres://db/t3");
    }
}
