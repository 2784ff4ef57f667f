//! The public surface under attack (issue 17), black box: slow and idle
//! clients, floods of connections and of bodies, guessed tokens, spoofed
//! forwarding headers, cookies, cursors, the CSV export, bidi controls and
//! the metrics listener. Deadlines are shortened so each test is quick;
//! timings are only ever checked against generous bounds.

mod support;

use leadline_testkit::graph::FakeGraph;
use leadline_testkit::webhook;
use reqwest::StatusCode;
use serde_json::json;
use std::net::IpAddr;
use std::time::{Duration, Instant};
use support::dashboard::{Session, client, set_cookie, try_login};
use support::{ACCESS_TOKEN, ADMIN_TOKEN, Options, TestApp, VERIFY_TOKEN};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Far beyond any deadline the tests set: a bound, not a measurement.
const GENEROUS: Duration = Duration::from_secs(30);

async fn app_with(env: &[(&str, &str)]) -> (TestApp, FakeGraph) {
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let mut options = Options::new(&graph.base_url()).env("LEADLINE_ADMIN_TOKEN", ADMIN_TOKEN);
    for (name, value) in env {
        options = options.env(name, value);
    }
    (TestApp::spawn(options).await, graph)
}

/// A connection that has sent `bytes` and then nothing more.
async fn slow(app: &TestApp, bytes: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", app.port))
        .await
        .expect("connect");
    stream.write_all(bytes).await.expect("write");
    stream
}

/// Whether the server closes `stream` within `bound`, reading (and
/// discarding) whatever it answers first.
async fn closed_within(stream: &mut TcpStream, bound: Duration) -> bool {
    let mut buf = [0u8; 4096];
    tokio::time::timeout(bound, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

/// Whether `stream` is still open: nothing to read, and no end of it.
async fn open(stream: &mut TcpStream) -> bool {
    let mut buf = [0u8; 1];
    tokio::time::timeout(Duration::from_millis(100), stream.read(&mut buf))
        .await
        .is_err()
}

async fn healthz_answers(app: &TestApp) -> bool {
    let http = reqwest::Client::builder()
        .timeout(GENEROUS)
        .build()
        .expect("a client");
    http.get(format!("{}/healthz", app.base_url))
        .send()
        .await
        .is_ok_and(|r| r.status() == StatusCode::OK)
}

const SIGNED_HEAD: &str = "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Hub-Signature-256: sha256=0000000000000000000000000000000000000000000000000000000000000000\r\n";

/// 1,000 connections that never finish: half a request line, half the
/// headers, headers without their body, nothing at all. `/healthz` answers
/// meanwhile, and every one of them is closed by the server, by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_are_cut_off_while_healthz_answers() {
    let (app, _graph) = app_with(&[
        ("LEADLINE_HEADER_TIMEOUT_MS", "1000"),
        ("LEADLINE_BODY_TIMEOUT_MS", "2000"),
        ("LEADLINE_IDLE_TIMEOUT_MS", "6000"),
    ])
    .await;
    let body_missing = format!("{SIGNED_HEAD}Content-Length: 100\r\n\r\n{{");
    let kinds: [&[u8]; 4] = [
        b"GET /heal",
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ",
        body_missing.as_bytes(),
        b"",
    ];
    let mut streams = Vec::new();
    for n in 0..1000 {
        streams.push(slow(&app, kinds[n % kinds.len()]).await);
    }
    assert!(
        healthz_answers(&app).await,
        "/healthz under 1,000 slow connections"
    );

    let started = Instant::now();
    let mut left_open = 0;
    for stream in &mut streams {
        if !closed_within(stream, GENEROUS.saturating_sub(started.elapsed())).await {
            left_open += 1;
        }
    }
    assert_eq!(
        left_open, 0,
        "slow connections still open after {GENEROUS:?}"
    );
}

/// A kept-alive connection may wait for its next request longer than a
/// request's headers may take, and is closed once idle too long.
#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let (app, _graph) = app_with(&[
        ("LEADLINE_HEADER_TIMEOUT_MS", "500"),
        ("LEADLINE_IDLE_TIMEOUT_MS", "6000"),
    ])
    .await;
    let mut stream = slow(&app, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    while !answer.ends_with(b"ok") {
        let n = tokio::time::timeout(GENEROUS, stream.read(&mut buf))
            .await
            .expect("an answer")
            .expect("read");
        assert!(n > 0, "closed before answering");
        answer.extend_from_slice(&buf[..n]);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        open(&mut stream).await,
        "idle for 2 s: past the header deadline, within the idle one"
    );
    assert!(closed_within(&mut stream, GENEROUS).await, "idle forever");
}

/// The server's open file descriptors (Linux).
fn open_files(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count())
}

/// Connections beyond the cap wait in the kernel's backlog: they cost the
/// process no file descriptor, and are served as slow ones are cut off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_cap_cost_no_file_descriptors() {
    let (app, _graph) = app_with(&[
        ("LEADLINE_MAX_CONNECTIONS", "50"),
        ("LEADLINE_HEADER_TIMEOUT_MS", "1000"),
    ])
    .await;
    let before = open_files(app.pid());
    let mut streams = Vec::new();
    for _ in 0..300 {
        streams.push(slow(&app, b"GET / HTTP/1.1\r\n").await);
    }
    // Watch the descriptors until the server holds its cap (so the figure
    // is read while the slow ones are in, not before they arrive) and for a
    // while after, as the slow ones are cut off and the backlog's come in.
    let watch = Instant::now() + Duration::from_millis(1500);
    let mut most = 0;
    while Instant::now() < watch {
        most = most.max(open_files(app.pid()));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        most >= before + 40,
        "the server never held its cap: at most {most} open files ({before} before)"
    );
    assert!(
        most <= before + 50 + 10,
        "{most} open files with 300 slow connections and a cap of 50 ({before} before)"
    );
    assert!(healthz_answers(&app).await, "/healthz behind the slow ones");
    drop(streams);
}

/// A declared length over the route's limit is refused before any of the
/// body is sent; one that grows past it while sent in chunks is cut off.
#[tokio::test]
async fn bodies_over_the_limit_are_refused() {
    let (app, _graph) = app_with(&[]).await;
    for (path, extra) in [
        (
            "/webhook",
            SIGNED_HEAD.trim_start_matches("POST /webhook HTTP/1.1\r\nHost: x\r\n"),
        ),
        ("/api/conversations/x/reply", ""),
        ("/login", ""),
    ] {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\n{extra}Content-Length: 100000000000\r\n\r\n"
        );
        let mut stream = slow(&app, head.as_bytes()).await;
        let mut answer = vec![0u8; 64];
        let n = tokio::time::timeout(GENEROUS, stream.read(&mut answer))
            .await
            .expect("an answer before the body")
            .expect("read");
        let answer = String::from_utf8_lossy(&answer[..n]).into_owned();
        assert!(answer.starts_with("HTTP/1.1 413"), "{path}: {answer}");
    }

    let mut stream = slow(
        &app,
        format!("{SIGNED_HEAD}Transfer-Encoding: chunked\r\n\r\n").as_bytes(),
    )
    .await;
    let (mut reader, mut writer) = stream.split();
    let send = async {
        let chunk = format!("10000\r\n{}\r\n", "x".repeat(0x10000));
        for _ in 0..60 {
            if writer.write_all(chunk.as_bytes()).await.is_err() {
                break;
            }
        }
    };
    let mut answer = Vec::new();
    let read = tokio::time::timeout(GENEROUS, reader.read_to_end(&mut answer));
    let (_, read) = tokio::join!(send, read);
    let _ = read;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    assert!(answer.starts_with("HTTP/1.1 413"), "chunked: {answer}");
}

/// Webhook bodies in flight are bounded across all requests: a flood of
/// forged-signature bodies sent slowly gets 503 (Meta would retry) beyond
/// the bound, rather than each being held in memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_slow_forged_bodies_is_refused_beyond_the_buffer() {
    let (app, _graph) = app_with(&[("LEADLINE_BODY_TIMEOUT_MS", "20000")]).await;
    let head = format!("{SIGNED_HEAD}Content-Length: 3000000\r\n\r\n{{");
    let mut streams = Vec::new();
    for _ in 0..40 {
        streams.push(slow(&app, head.as_bytes()).await);
    }
    let mut busy = 0;
    for stream in &mut streams {
        let mut answer = vec![0u8; 256];
        if let Ok(Ok(n)) =
            tokio::time::timeout(Duration::from_millis(500), stream.read(&mut answer)).await
        {
            let answer = String::from_utf8_lossy(&answer[..n]).to_ascii_lowercase();
            if answer.starts_with("http/1.1 503") {
                assert!(answer.contains("retry-after: 1"), "{answer}");
                busy += 1;
            }
        }
    }
    assert!(
        (20..=40).contains(&busy),
        "{busy} of 40 slow 3 MB bodies refused"
    );
    drop(streams);
    // Once they are gone, a real delivery gets through.
    let deadline = Instant::now() + GENEROUS;
    loop {
        let status = app
            .post_webhook(&webhook::notification(vec![webhook::text(
                "34600111222",
                "wamid.after-flood",
                "hola",
            )]))
            .await
            .status();
        if status == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "still {status} after the flood");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A client bound to another loopback address: another client address,
/// without any proxy.
fn from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<IpAddr>().ok())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client")
}

async fn bearer(http: &reqwest::Client, app: &TestApp, token: &str) -> reqwest::Response {
    http.get(format!("{}/api/leads", app.base_url))
        .bearer_auth(token)
        .send()
        .await
        .expect("GET /api/leads")
}

#[tokio::test]
async fn wrong_admin_tokens_are_limited_per_client_and_the_right_one_keeps_working() {
    let (app, _graph) = app_with(&[]).await;
    let guesser = from("127.0.0.1");
    for attempt in 1..=10 {
        let status = bearer(&guesser, &app, "guess").await.status();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "guess {attempt}");
    }
    let limited = bearer(&guesser, &app, "guess").await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers()["retry-after"], "60");
    // Spoofed forwarding headers from an untrusted peer change nothing.
    let spoofed = guesser
        .get(format!("{}/api/leads", app.base_url))
        .bearer_auth("guess")
        .header("x-forwarded-for", "203.0.113.50")
        .send()
        .await
        .expect("GET");
    assert_eq!(spoofed.status(), StatusCode::TOO_MANY_REQUESTS);
    // The team is not locked out, at the guesser's address or any other.
    assert_eq!(bearer(&guesser, &app, ADMIN_TOKEN).await.status(), 200);
    let team = from("127.0.0.2");
    assert_eq!(bearer(&team, &app, ADMIN_TOKEN).await.status(), 200);
    assert_eq!(bearer(&team, &app, "typo").await.status(), 401);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_is_counted_by_its_forwarded_address() {
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let app = TestApp::spawn(
        Options::new(&graph.base_url())
            .env("LEADLINE_ADMIN_TOKEN", ADMIN_TOKEN)
            .env("LEADLINE_TRUSTED_PROXIES", "127.0.0.0/8")
            .env("LEADLINE_LOG_FORMAT", "json")
            .capture_logs(),
    )
    .await;
    let proxy = from("127.0.0.1");
    let guess = |client: &'static str| {
        proxy
            .get(format!("{}/api/leads", app.base_url))
            .bearer_auth("guess")
            .header("x-forwarded-for", format!("{client}, 127.0.0.9"))
            .send()
    };
    for _ in 0..10 {
        assert_eq!(guess("203.0.113.50").await.expect("GET").status(), 401);
    }
    assert_eq!(guess("203.0.113.50").await.expect("GET").status(), 429);
    assert_eq!(guess("198.51.100.7").await.expect("GET").status(), 401);
    let forwarded = proxy
        .get(format!("{}/api/leads", app.base_url))
        .bearer_auth("guess")
        .header("forwarded", "for=\"[2001:db8::7]:4711\";proto=https")
        .send()
        .await
        .expect("GET");
    assert_eq!(forwarded.status(), 401);
    let logs = app.logs();
    assert!(logs.contains(r#""client":"203.0.113.50""#), "{logs}");
    assert!(logs.contains(r#""client":"2001:db8::7""#), "{logs}");
}

async fn handshake(app: &TestApp, token: &str) -> reqwest::Response {
    app.get(&format!(
        "/webhook?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=42"
    ))
    .await
}

#[tokio::test]
async fn verify_token_guesses_are_limited() {
    let (app, _graph) = app_with(&[]).await;
    for _ in 0..10 {
        assert_eq!(handshake(&app, "guess").await.status(), 403);
    }
    let limited = handshake(&app, "guess").await;
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    let right = handshake(&app, VERIFY_TOKEN).await;
    assert_eq!(right.status(), 200);
    assert_eq!(right.text().await.expect("a body"), "42");
}

#[tokio::test]
async fn serve_refuses_a_short_admin_token_in_one_line() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_leadline"))
        .arg("serve")
        .env_clear()
        .env("LEADLINE_ADMIN_TOKEN", "a")
        .env("LEADLINE_LISTEN", "127.0.0.1:0")
        .output()
        .expect("run leadline");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("LEADLINE_ADMIN_TOKEN") && stderr.contains("openssl rand -hex 32"),
        "{stderr}"
    );
}

#[tokio::test]
async fn cookies_are_secure_behind_https() {
    let (app, _graph) = app_with(&[("LEADLINE_PUBLIC_URL", "https://leads.example.com")]).await;
    let http = client();
    let form = http
        .get(format!("{}/login", app.base_url))
        .send()
        .await
        .expect("GET /login");
    let login_cookie = set_cookie(&form, "leadline_login").expect("a login cookie");
    assert!(login_cookie.ends_with("; Secure"), "{login_cookie}");
    let session = try_login(&app, &http, ADMIN_TOKEN).await;
    for name in ["leadline_session", "leadline_login"] {
        let cookie = set_cookie(&session, name).expect("a cookie");
        assert!(cookie.contains("; Secure"), "{cookie}");
    }

    let (app, _graph) = app_with(&[("LEADLINE_TRUSTED_PROXIES", "127.0.0.1")]).await;
    let login = |proto: &'static str, http: reqwest::Client| {
        let url = format!("{}/login?lang=es", app.base_url);
        async move {
            http.get(url)
                .header("x-forwarded-proto", proto)
                .send()
                .await
                .expect("GET /login")
        }
    };
    let https = login("https", from("127.0.0.1")).await;
    assert!(set_cookie(&https, "leadline_lang").is_some_and(|c| c.contains("; Secure")));
    let plain = login("http", from("127.0.0.1")).await;
    assert!(set_cookie(&plain, "leadline_lang").is_some_and(|c| !c.contains("Secure")));
    // Not a trusted proxy: its word is not taken.
    let spoofed = login("https", from("127.0.0.2")).await;
    assert!(set_cookie(&spoofed, "leadline_lang").is_some_and(|c| !c.contains("Secure")));
}

async fn leads(app: &TestApp, graph: &FakeGraph, wa_ids: &[&str]) {
    for wa_id in wa_ids {
        app.customer_says(wa_id, &format!("wamid.{wa_id}"), "Hola")
            .await;
    }
    let deadline = Instant::now() + GENEROUS;
    while wa_ids
        .iter()
        .any(|wa_id| support::replies_to(graph, wa_id).is_empty())
    {
        assert!(Instant::now() < deadline, "no replies");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn page_cursors_are_opaque_and_tampering_is_refused() {
    let (app, graph) = app_with(&[]).await;
    leads(&app, &graph, &["34600000001", "34600000002"]).await;
    let page = app.admin_get("/api/leads?limit=1").await;
    let cursor = page["next_cursor"]
        .as_str()
        .expect("a next cursor")
        .to_owned();
    let first = page["leads"][0]["wa_id"]
        .as_str()
        .expect("a lead")
        .to_owned();
    assert!(
        !cursor.contains("3460000000") && !cursor.contains('.'),
        "{cursor}"
    );
    let next = app
        .admin_get(&format!("/api/leads?limit=1&cursor={cursor}"))
        .await;
    let second = next["leads"][0]["wa_id"].as_str().expect("a lead");
    assert_ne!(second, first);

    let mut tampered = cursor.into_bytes();
    let last = tampered.len() - 3;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).expect("ASCII");
    let id = page["leads"][0]["id"].as_str().expect("an id");
    let forged = format!("4102444800000.{id}");
    for bad in [tampered.as_str(), forged.as_str(), id] {
        let (status, body) = app
            .admin(
                reqwest::Method::GET,
                &format!("/api/leads?cursor={bad}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
}

#[tokio::test]
async fn the_csv_export_is_streamed_and_honours_its_limit() {
    let (app, graph) = app_with(&[]).await;
    leads(&app, &graph, &["34600000011", "34600000012", "34600000013"]).await;
    let export = |query: &'static str| {
        app.http
            .get(format!("{}/api/leads.csv{query}", app.base_url))
            .bearer_auth(ADMIN_TOKEN)
            .send()
    };
    let all = export("").await.expect("GET");
    assert_eq!(all.status(), 200);
    assert!(
        all.headers().get("content-length").is_none(),
        "streamed, not built whole: {:?}",
        all.headers()
    );
    assert_eq!(all.text().await.expect("CSV").lines().count(), 1 + 3);
    let two = export("?limit=2").await.expect("GET");
    assert_eq!(two.text().await.expect("CSV").lines().count(), 1 + 2);
    assert_eq!(export("?limit=0").await.expect("GET").status(), 400);
}

#[tokio::test]
async fn bidi_controls_in_a_name_are_shown_as_codes_on_the_dashboard() {
    let (app, graph) = app_with(&[]).await;
    let mut payload =
        webhook::notification(vec![webhook::text("34600000021", "wamid.bidi", "Hola")]);
    payload["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"] =
        json!("Ana \u{202E}exe.txt\u{202C}");
    assert_eq!(app.post_webhook(&payload).await.status(), 200);
    let deadline = Instant::now() + GENEROUS;
    while support::replies_to(&graph, "34600000021").is_empty() {
        assert!(Instant::now() < deadline, "no reply");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let session = Session::start(&app).await;
    let (status, html) = session.get("/").await;
    assert_eq!(status, 200);
    assert!(html.contains("Ana [U+202E]exe.txt[U+202C]"), "{html}");
    assert!(!html.contains('\u{202E}'), "{html}");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

#[tokio::test]
async fn metrics_can_be_kept_off_the_public_listener() {
    let port = free_port();
    let address = format!("127.0.0.1:{port}");
    let (app, _graph) = app_with(&[("LEADLINE_METRICS_LISTEN", &address)]).await;
    assert_eq!(app.get("/metrics").await.status(), 404);
    let metrics = reqwest::get(format!("http://{address}/metrics"))
        .await
        .expect("GET /metrics");
    assert_eq!(metrics.status(), 200);
    assert!(metrics.text().await.expect("a body").contains("# TYPE"));
    // The public listener keeps it when no other address is given.
    let (public, _graph) = app_with(&[]).await;
    assert_eq!(public.get("/metrics").await.status(), 200);
}
