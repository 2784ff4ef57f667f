//! Redis for tests: a key prefix of its own on the machine's server
//! (`LEADLINE_TEST_REDIS_URL`, by default 127.0.0.1:6379), its keys deleted
//! when the test ends; and a private `redis-server` a test can restart.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

const DEFAULT_URL: &str = "redis://127.0.0.1:6379";

static MADE: AtomicU32 = AtomicU32::new(0);

/// A unique key prefix on the shared Redis; its keys go when this is
/// dropped.
pub struct TestRedis {
    url: String,
    prefix: String,
}

impl TestRedis {
    /// Panics when Redis cannot be reached: the tests need it (scripts/test
    /// starts it).
    pub fn create() -> TestRedis {
        let url =
            std::env::var("LEADLINE_TEST_REDIS_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned());
        let prefix = format!(
            "leadline-test-{}-{}",
            std::process::id(),
            MADE.fetch_add(1, Ordering::Relaxed)
        );
        let redis = TestRedis { url, prefix };
        let mut conn = redis.connection();
        let _: String = redis::cmd("PING")
            .query(&mut conn)
            .unwrap_or_else(|e| panic!("cannot reach Redis for tests at {}: {e}", redis.url));
        redis
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// The key prefix, as `LEADLINE_REDIS_PREFIX` takes it.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    fn connection(&self) -> redis::Connection {
        redis::Client::open(self.url.as_str())
            .and_then(|c| c.get_connection_with_timeout(Duration::from_secs(5)))
            .unwrap_or_else(|e| panic!("cannot reach Redis for tests at {}: {e}", self.url))
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        let Ok(mut conn) = redis::Client::open(self.url.as_str())
            .and_then(|c| c.get_connection_with_timeout(Duration::from_secs(5)))
        else {
            return;
        };
        let pattern = format!("{}:*", self.prefix);
        let keys: Vec<String> = match redis::cmd("SCAN")
            .cursor_arg(0)
            .arg("MATCH")
            .arg(&pattern)
            .arg("COUNT")
            .arg(1000)
            .clone()
            .iter(&mut conn)
        {
            Ok(keys) => keys.filter_map(Result::ok).collect(),
            Err(_) => return,
        };
        for chunk in keys.chunks(500) {
            let _: Result<i64, _> = redis::cmd("DEL").arg(chunk).query(&mut conn);
        }
    }
}

/// A `redis-server` of the test's own on a free loopback port, with an
/// append-only file fsynced on every write, so a restart loses nothing
/// acknowledged. Killed when dropped.
pub struct PrivateRedis {
    port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl PrivateRedis {
    pub fn start() -> PrivateRedis {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut redis = PrivateRedis {
            port,
            dir: tempfile::tempdir().expect("a directory for redis-server"),
            child: None,
        };
        redis.spawn();
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Stops the server hard (SIGKILL) and starts it again on the same port
    /// and files.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }

    /// Kills the server; [`PrivateRedis::restart`] brings it back.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn spawn(&mut self) {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args([
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ])
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is installed (scripts/services needs it too)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = redis::Client::open(self.url()).expect("a Redis url");
        loop {
            let up = client
                .get_connection_with_timeout(Duration::from_secs(1))
                .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c));
            if up.is_ok() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the private redis-server did not come up"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.stop();
    }
}
