//! Black-box harness: runs the real `leadline` binary on a free loopback
//! port with its own SQLite file, pointed at fake peers.
#![allow(dead_code)] // each test file uses a different part of it

pub mod customer;
pub mod dashboard;
pub mod delivery;
pub mod scenarios;

use leadline_domain::CustomerId;
use leadline_stores::postgres::PgStore;
use leadline_stores::sqlite::SqliteStore;
use leadline_stores::{EffectQuery, EffectState, OutboxEntry, SendState, Store};
use leadline_testkit::graph::FakeGraph;
use leadline_testkit::webhook;
use serde_json::Value;
use std::collections::HashMap;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const APP_SECRET: &str = "test-app-secret";
pub const VERIFY_TOKEN: &str = "test-verify-token";
pub const ACCESS_TOKEN: &str = "test-access-token";
/// `LEADLINE_ADMIN_TOKEN` of [`admin_app`] (`serve` wants 32 characters
/// or more).
pub const ADMIN_TOKEN: &str = "test-admin-token-5f2b8c0e9a7d41e3b6";

/// Ana of Acme qualifies in English: name and company, budget, authority
/// and timeline, a message each; the built-in playbook then offers times.
pub const QUALIFY_EN: [&str; 4] = [
    "Hi, I'm Ana from Acme, we need a WhatsApp bot for our sales team",
    "Our budget is around 5k USD",
    "I'm the CEO, I make the decision",
    "We want to start next month",
];
/// Carlos of Ferretería López qualifies the same way in Spanish.
pub const QUALIFY_ES: [&str; 4] = [
    "Hola, soy Carlos de Ferretería López, busco un asistente para atender clientes por WhatsApp",
    "Tenemos unos 3 mil dólares",
    "Soy el dueño, decido yo",
    "Lo antes posible",
];

/// Runs `leadline ARGS` to its end with only `PATH` and `vars` in its
/// environment (none of the caller's settings leak in), in `dir` when
/// given: (exit code, stdout, stderr).
pub fn run_leadline(
    dir: Option<&std::path::Path>,
    args: &[&str],
    vars: &[(&str, &str)],
) -> (Option<i32>, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_leadline"));
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let output = command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(vars.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("run leadline {args:?}: {e}"));
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A running `leadline serve`. Killed (SIGKILL) when dropped; its database
/// file is removed when the last process using it is dropped.
pub struct TestApp {
    pub base_url: String,
    pub port: u16,
    pub db_dir: PathBuf,
    child: Child,
    env: HashMap<String, String>,
    args: Vec<String>,
    log: Option<PathBuf>,
    pub http: reqwest::Client,
    owns_dir: bool,
}

pub struct Options {
    pub graph_base: String,
    pub env: Vec<(String, String)>,
    /// Reuse an earlier process's database (restart tests).
    pub db_dir: Option<PathBuf>,
    /// Write the server's logs to `leadline.log` in its directory.
    pub capture_logs: bool,
    /// Arguments after `serve` (`--role worker`).
    pub args: Vec<String>,
}

impl Options {
    pub fn new(graph_base: &str) -> Self {
        Self {
            graph_base: graph_base.to_owned(),
            env: Vec::new(),
            db_dir: None,
            capture_logs: false,
            args: Vec::new(),
        }
    }

    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn arg(mut self, arg: &str) -> Self {
        self.args.push(arg.to_owned());
        self
    }

    pub fn capture_logs(mut self) -> Self {
        self.capture_logs = true;
        self
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn unique_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "leadline-test-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

impl TestApp {
    pub async fn spawn(options: Options) -> TestApp {
        let owns_dir = options.db_dir.is_none();
        let db_dir = options.db_dir.unwrap_or_else(unique_dir);
        let port = free_port();
        let mut env: HashMap<String, String> = [
            ("LEADLINE_LISTEN", format!("127.0.0.1:{port}")),
            (
                "DATABASE_URL",
                format!("sqlite://{}", db_dir.join("leadline.db").display()),
            ),
            ("WHATSAPP_APP_SECRET", APP_SECRET.into()),
            ("WHATSAPP_VERIFY_TOKEN", VERIFY_TOKEN.into()),
            ("WHATSAPP_ACCESS_TOKEN", ACCESS_TOKEN.into()),
            ("WHATSAPP_API_BASE", options.graph_base.clone()),
            ("WHATSAPP_API_VERSION", "v23.0".into()),
            ("LEADLINE_BRAIN", "local".into()),
            ("RUST_LOG", "info,sqlx=warn".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        env.extend(options.env);
        let log = options.capture_logs.then(|| db_dir.join("leadline.log"));
        let child = start(&env, &options.args, log.as_deref());
        let mut app = TestApp {
            base_url: format!("http://127.0.0.1:{port}"),
            port,
            db_dir,
            child,
            env,
            args: options.args,
            log,
            http: reqwest::Client::new(),
            owns_dir,
        };
        app.wait_ready().await;
        app
    }

    /// The server's process id (to read its memory from /proc).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process with SIGKILL (no graceful shutdown) and starts a
    /// new one on the same database and port.
    pub async fn kill_and_restart(&mut self, extra_env: &[(&str, &str)]) {
        self.child.kill().expect("kill leadline");
        self.child.wait().expect("reap leadline");
        for (k, v) in extra_env {
            self.env.insert((*k).to_owned(), (*v).to_owned());
        }
        self.child = start(&self.env, &self.args, self.log.as_deref());
        self.wait_ready().await;
    }

    /// Sends SIGTERM and waits (at most 30 s) for the process to exit.
    pub async fn terminate(&mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill -TERM");
        assert!(status.success(), "kill -TERM failed");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(exit) = self.child.try_wait().expect("wait for leadline") {
                return exit;
            }
            assert!(
                Instant::now() < deadline,
                "leadline did not stop within 30 s of SIGTERM"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits for /readyz; a process that exited (a bad setting, a port
    /// taken meanwhile) fails the test at once with its status.
    async fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(exit) = self.child.try_wait().expect("poll leadline") {
                panic!("leadline exited before it was ready: {exit}");
            }
            if let Ok(r) = self
                .http
                .get(format!("{}/readyz", self.base_url))
                .send()
                .await
                && r.status().is_success()
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "leadline did not become ready within 60 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until every message the app took is answered, every reply
    /// recorded for `customers` has left the outbox (sent or given up) and
    /// no effect waits (the CRM, the rep's notice), and returns the replies. Once settled nothing more can go out, so what
    /// a test counts then is final: absence is read from the store, never
    /// waited out with a sleep.
    pub async fn settled(&self, customers: &[&str]) -> Vec<OutboxEntry> {
        let store = self.store().await;
        let customers: Vec<CustomerId> = customers
            .iter()
            .map(|c| CustomerId::parse(c).expect("a customer number"))
            .collect();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let depth = store.depth().await.expect("inbox depth");
            let mut entries = Vec::new();
            for customer in &customers {
                entries.extend(store.outbox_entries(customer).await.expect("outbox"));
            }
            // Reminders and nudges wait for their time: not work left now.
            let now = jiff::Timestamp::now();
            let pending_effects = store
                .effect_entries(&EffectQuery {
                    state: Some(EffectState::Pending),
                    limit: 1000,
                    ..EffectQuery::default()
                })
                .await
                .expect("effects");
            if depth == 0
                && pending_effects
                    .iter()
                    .all(|e| e.effect.not_before.is_some_and(|at| at > now))
                && entries.iter().all(|e| e.state != SendState::Pending)
            {
                return entries;
            }
            assert!(
                Instant::now() < deadline,
                "not settled within 30 s: {depth} messages unanswered, outbox {entries:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The app's database (`DATABASE_URL`), opened beside it.
    pub async fn store(&self) -> Arc<dyn Store> {
        let url = &self.env["DATABASE_URL"];
        if url.starts_with("postgres") {
            Arc::new(
                PgStore::connect(url)
                    .await
                    .expect("connect to the app's database"),
            )
        } else {
            Arc::new(
                SqliteStore::open(url)
                    .await
                    .expect("open the app's database"),
            )
        }
    }

    /// Waits until the captured logs hold a line containing `text`.
    pub async fn wait_for_log(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let logs = self.logs();
            if logs.contains(text) {
                return logs;
            }
            assert!(
                Instant::now() < deadline,
                "no log line with {text:?} within 30 s:\n{logs}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// POSTs a notification, signed with the app secret.
    pub async fn post_webhook(&self, payload: &Value) -> reqwest::Response {
        let body = serde_json::to_vec(payload).unwrap();
        self.post_raw(&body, Some(&webhook::signature(APP_SECRET, &body)))
            .await
    }

    pub async fn post_raw(&self, body: &[u8], signature: Option<&str>) -> reqwest::Response {
        let mut request = self
            .http
            .post(format!("{}/webhook", self.base_url))
            .header("content-type", "application/json")
            .body(body.to_vec());
        if let Some(sig) = signature {
            request = request.header("x-hub-signature-256", sig);
        }
        request.send().await.expect("POST /webhook")
    }

    /// Sends one text message from `wa_id` and asserts it was accepted.
    pub async fn customer_says(&self, wa_id: &str, message_id: &str, text: &str) {
        let response = self
            .post_webhook(&webhook::notification(vec![webhook::text(
                wa_id, message_id, text,
            )]))
            .await;
        assert_eq!(response.status(), 200, "webhook for {message_id}");
    }

    /// What the server logged so far (with [`Options::capture_logs`]).
    pub fn logs(&self) -> String {
        self.log
            .as_ref()
            .map(|p| std::fs::read_to_string(p).unwrap_or_default())
            .unwrap_or_default()
    }

    /// The value of one `/metrics` sample, named with its labels as the
    /// exposition writes them (`leadline_claims_total{result="empty"}`);
    /// 0 when the server has not recorded it yet.
    pub async fn metric(&self, sample: &str) -> u64 {
        let text = self.get("/metrics").await.text().await.expect("/metrics");
        let prefix = format!("{sample} ");
        text.lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base_url))
            .send()
            .await
            .expect("GET")
    }

    /// An admin API request with [`ADMIN_TOKEN`]: its status and its JSON
    /// body (`null` when it has none, as a `202` has).
    pub async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (reqwest::StatusCode, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base_url))
            .bearer_auth(ADMIN_TOKEN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("an admin API request");
        let status = response.status();
        let text = response.text().await.expect("a body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {text}"))
        };
        (status, body)
    }

    /// `GET path` on the admin API, which must answer 200.
    pub async fn admin_get(&self, path: &str) -> Value {
        let (status, body) = self.admin(reqwest::Method::GET, path, None).await;
        assert_eq!(status, reqwest::StatusCode::OK, "GET {path}: {body}");
        body
    }
}

fn start(env: &HashMap<String, String>, args: &[String], log: Option<&std::path::Path>) -> Child {
    let stderr = match log {
        Some(path) => Stdio::from(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .expect("open the log file"),
        ),
        None if std::env::var_os("LEADLINE_TEST_LOGS").is_some() => Stdio::inherit(),
        None => Stdio::null(),
    };
    Command::new(env!("CARGO_BIN_EXE_leadline"))
        .arg("serve")
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("start the leadline binary")
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if self.owns_dir {
            let _ = std::fs::remove_dir_all(&self.db_dir);
        }
    }
}

/// The texts the fake Graph API accepted for `wa_id`, in order.
pub fn replies_to(graph: &FakeGraph, wa_id: &str) -> Vec<String> {
    graph
        .sent()
        .into_iter()
        .filter(|s| s.to == wa_id)
        .map(|s| s.text.unwrap_or_default())
        .collect()
}

/// Waits until `wa_id` has more than `before` replies and returns the new
/// ones, a line each; `what` names the wait when it times out.
pub async fn replies_after(graph: &FakeGraph, wa_id: &str, before: usize, what: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let replies = replies_to(graph, wa_id);
        if replies.len() > before {
            return replies[before..].join("\n");
        }
        assert!(Instant::now() < deadline, "no reply to {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A server with the default settings (SQLite, the local brain and
/// calendar), and the fake Graph API it sends to.
pub async fn plain_app() -> (TestApp, FakeGraph) {
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let app = TestApp::spawn(Options::new(&graph.base_url())).await;
    (app, graph)
}

/// A server with the admin API and dashboard on, and the fake Graph API it
/// sends to.
pub async fn admin_app() -> (TestApp, FakeGraph) {
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let app =
        TestApp::spawn(Options::new(&graph.base_url()).env("LEADLINE_ADMIN_TOKEN", ADMIN_TOKEN))
            .await;
    (app, graph)
}

/// Says `text` as `wa_id` and waits for the bot's reply; answers it.
pub async fn say(app: &TestApp, graph: &FakeGraph, wa_id: &str, id: &str, text: &str) -> String {
    let before = replies_to(graph, wa_id).len();
    app.customer_says(wa_id, id, text).await;
    replies_after(graph, wa_id, before, &format!("{text:?}")).await
}

/// Waits until the turn that took in message `id` is committed, and
/// answers `wa_id`'s conversation as the admin API of [`admin_app`] shows
/// it then (a reply can be out before its turn's commit is visible).
pub async fn committed(app: &TestApp, wa_id: &str, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = app
            .admin(reqwest::Method::GET, &conversation_path(wa_id, ""), None)
            .await;
        if status == reqwest::StatusCode::OK
            && body["messages"]
                .as_array()
                .is_some_and(|m| m.iter().any(|m| m["wa_id"] == id))
        {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "the turn of {id} never committed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The API's path for `wa_id`'s conversation on [`admin_app`]: URLs name
/// it by an opaque id, derived from the admin token like the server's.
pub fn conversation_path(wa_id: &str, action: &str) -> String {
    let customer = leadline_domain::CustomerId::parse(wa_id).expect("a valid wa_id");
    let id = leadline::http::OpaqueIds::derive(ADMIN_TOKEN.as_bytes()).of(&customer);
    assert!(!id.contains(wa_id));
    format!("/api/conversations/{id}{action}")
}
