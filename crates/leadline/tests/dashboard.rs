//! The dashboard over HTTP, black box: the real binary, signed webhooks in,
//! the fake Graph API out, and the pages fetched as a browser would (cookies
//! and forms by hand, redirects not followed, so each answer can be seen).

mod support;

use leadline_testkit::graph::FakeGraph;
use leadline_testkit::webhook;
use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE};
use serde_json::Value;
use std::time::{Duration, Instant};
use support::{ACCESS_TOKEN, ADMIN_TOKEN, Options, TestApp, admin_app, conversation_path};

const WAIT: Duration = Duration::from_secs(30);

/// A client that shows redirects instead of following them.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client")
}

/// The value a response sets for cookie `name`, with its attributes.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// `name=value` of a `Set-Cookie` value, for a `Cookie` header.
fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap_or_default().to_owned()
}

/// The value of the first hidden `csrf` field of a page.
fn csrf_of(html: &str) -> String {
    let start = html
        .find("name=\"csrf\" value=\"")
        .map(|i| i + "name=\"csrf\" value=\"".len())
        .unwrap_or_else(|| panic!("no csrf field in {html}"));
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The login form's double-submit cookie (as `name=value`) and token.
async fn login_form(app: &TestApp, http: &reqwest::Client) -> (String, String) {
    let response = http
        .get(format!("{}/login", app.base_url))
        .send()
        .await
        .expect("GET /login");
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = pair(&set_cookie(&response, "leadline_login").expect("a login cookie"));
    let html = response.text().await.expect("a page");
    (cookie, csrf_of(&html))
}

async fn try_login(app: &TestApp, http: &reqwest::Client, token: &str) -> reqwest::Response {
    let (cookie, csrf) = login_form(app, http).await;
    http.post(format!("{}/login", app.base_url))
        .header("cookie", cookie)
        .form(&[("token", token), ("csrf", csrf.as_str())])
        .send()
        .await
        .expect("POST /login")
}

/// A logged-in browser: its session cookie and the session's form token.
struct Session {
    http: reqwest::Client,
    base: String,
    cookie: String,
    csrf: String,
}

impl Session {
    async fn start(app: &TestApp) -> Session {
        let http = client();
        let response = try_login(app, &http, ADMIN_TOKEN).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let cookie = pair(&set_cookie(&response, "leadline_session").expect("a session"));
        let mut session = Session {
            http,
            base: app.base_url.clone(),
            cookie,
            csrf: String::new(),
        };
        let (status, html) = session.get("/").await;
        assert_eq!(status, StatusCode::OK, "{html}");
        session.csrf = csrf_of(&html);
        session
    }

    async fn get(&self, path: &str) -> (StatusCode, String) {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .expect("GET");
        (response.status(), response.text().await.expect("a body"))
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .form(form)
            .send()
            .await
            .expect("POST")
    }

    /// The page path of the first conversation listed.
    async fn first_conversation(&self) -> String {
        let (_, html) = self.get("/").await;
        let start = html.find("href=\"/conversations/").expect("a conversation") + 6;
        html[start..]
            .split('"')
            .next()
            .unwrap_or_default()
            .to_owned()
    }
}

/// Waits until the API lists `wa_id` with the given stage or handoff.
async fn api(app: &TestApp, path: &str) -> Value {
    let response = app
        .http
        .get(format!("{}{path}", app.base_url))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("an API request");
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.json().await.expect("JSON")
}

/// Says `text` as `wa_id` and waits for the bot's reply to it.
async fn say(app: &TestApp, graph: &FakeGraph, wa_id: &str, id: &str, text: &str) {
    let before = graph.sent().iter().filter(|s| s.to == wa_id).count();
    app.customer_says(wa_id, id, text).await;
    let deadline = Instant::now() + WAIT;
    while graph.sent().iter().filter(|s| s.to == wa_id).count() == before {
        assert!(Instant::now() < deadline, "no reply to {text:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until the conversation of `wa_id` has committed message `id`.
async fn committed(app: &TestApp, wa_id: &str, id: &str) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let response = app
            .http
            .get(format!("{}{}", app.base_url, conversation_path(wa_id, "")))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .expect("GET conversation");
        if response.status() == StatusCode::OK {
            let body: Value = response.json().await.expect("JSON");
            if body["messages"]
                .as_array()
                .is_some_and(|m| m.iter().any(|m| m["wa_id"] == id))
            {
                return body;
            }
        }
        assert!(Instant::now() < deadline, "{id} never committed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_wrong_token_gets_no_session_and_the_right_one_a_strict_cookie() {
    let (app, _graph) = admin_app().await;
    let http = client();
    let wrong = try_login(&app, &http, "not-the-token").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookie(&wrong, "leadline_session").is_none());
    let page = wrong.text().await.expect("a page");
    assert!(page.contains("id=\"login-error\""), "{page}");

    let right = try_login(&app, &http, ADMIN_TOKEN).await;
    assert_eq!(right.status(), StatusCode::SEE_OTHER);
    assert_eq!(right.headers()[LOCATION], "/");
    let cookie = set_cookie(&right, "leadline_session").expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    // The token never travels in the URL, and a login without the form's
    // own token is refused.
    let forged = http
        .post(format!("{}/login", app.base_url))
        .form(&[("token", ADMIN_TOKEN), ("csrf", "guess")])
        .send()
        .await
        .expect("POST /login");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(&forged, "leadline_session").is_none());
}

#[tokio::test]
async fn login_attempts_are_limited_per_peer() {
    let (app, _graph) = admin_app().await;
    let http = client();
    for attempt in 1..=5 {
        let response = try_login(&app, &http, "guess").await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
    }
    // Even the right token waits now.
    let limited = try_login(&app, &http, ADMIN_TOKEN).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(set_cookie(&limited, "leadline_session").is_none());
}

#[tokio::test]
async fn without_an_admin_token_the_login_page_says_how_to_set_it() {
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let app = TestApp::spawn(Options::new(&graph.base_url())).await;
    let response = client()
        .get(format!("{}/login", app.base_url))
        .send()
        .await
        .expect("GET /login");
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.expect("a page");
    assert!(page.contains("LEADLINE_ADMIN_TOKEN"), "{page}");
    assert!(!page.contains("type=\"password\""), "{page}");
}

#[tokio::test]
async fn pages_need_a_session() {
    let (app, graph) = admin_app().await;
    say(&app, &graph, "14155550100", "wamid.s1", "Hi").await;
    let http = client();
    let session = Session::start(&app).await;
    let page = session.first_conversation().await;
    for path in ["/", "/funnel", "/events", page.as_str()] {
        let response = http
            .get(format!("{}{path}", app.base_url))
            .send()
            .await
            .expect("GET");
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(response.headers()[LOCATION], "/login", "{path}");
    }
    let response = http
        .post(format!("{}{page}/takeover", app.base_url))
        .form(&[("csrf", session.csrf.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // Logging out ends the session.
    let out = session.post("/logout", &[("csrf", &session.csrf)]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let (status, _) = session.get("/").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused() {
    let (app, graph) = admin_app().await;
    let wa_id = "14155550101";
    say(&app, &graph, wa_id, "wamid.c1", "Hi").await;
    committed(&app, wa_id, "wamid.c1").await;
    let session = Session::start(&app).await;
    let page = session.first_conversation().await;
    // No customer number in the page's URL.
    assert!(!page.contains("4155550101"), "{page}");

    let takeover = format!("{page}/takeover");
    for form in [vec![], vec![("csrf", "forged")]] {
        let response = session.post(&takeover, &form).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{form:?}");
    }
    let lead = api(&app, &conversation_path(wa_id, "")).await;
    assert!(lead["handoff"].is_null(), "{lead}");

    let response = session.post(&takeover, &[("csrf", &session.csrf)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], format!("{page}?notice=done"));
    let lead = api(&app, &conversation_path(wa_id, "")).await;
    assert_eq!(lead["handoff"]["reason"], "human_took_over", "{lead}");

    // A person's reply reaches the customer; handing back needs a stage
    // of the playbook.
    let reply = session
        .post(
            &format!("{page}/reply"),
            &[("csrf", &session.csrf), ("text", "Hola, soy Marta")],
        )
        .await;
    assert_eq!(reply.status(), StatusCode::SEE_OTHER);
    let deadline = Instant::now() + WAIT;
    while !graph
        .sent()
        .iter()
        .any(|s| s.to == wa_id && s.text.as_deref() == Some("Hola, soy Marta"))
    {
        assert!(Instant::now() < deadline, "the reply never reached Graph");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let bad = session
        .post(
            &format!("{page}/handback"),
            &[("csrf", &session.csrf), ("stage", "handoff")],
        )
        .await;
    assert_eq!(bad.headers()[LOCATION], format!("{page}?notice=bad_stage"));
    let back = session
        .post(
            &format!("{page}/handback"),
            &[("csrf", &session.csrf), ("stage", "qualification")],
        )
        .await;
    assert_eq!(back.headers()[LOCATION], format!("{page}?notice=done"));
    let lead = api(&app, &conversation_path(wa_id, "")).await;
    assert!(lead["handoff"].is_null(), "{lead}");
    assert_eq!(lead["stage"], "qualification");
}

#[tokio::test]
async fn what_a_customer_wrote_is_shown_as_text() {
    let (app, graph) = admin_app().await;
    let wa_id = "14155550102";
    let xss = "<script>alert(1)</script>";
    let mut payload = webhook::notification(vec![webhook::text(wa_id, "wamid.x1", xss)]);
    payload["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"] = xss.into();
    let response = app.post_webhook(&payload).await;
    assert_eq!(response.status(), StatusCode::OK);
    committed(&app, wa_id, "wamid.x1").await;
    let _ = graph;

    let session = Session::start(&app).await;
    let escaped = "&lt;script&gt;alert(1)&lt;";
    let (_, list) = session.get("/").await;
    assert!(list.contains(escaped), "{list}");
    assert!(!list.contains(xss), "{list}");
    let page = session.first_conversation().await;
    let (status, conversation) = session.get(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(conversation.contains(escaped), "{conversation}");
    assert!(!conversation.contains(xss), "{conversation}");
}

#[tokio::test]
async fn the_funnel_counts_a_scripted_afternoon() {
    let (app, graph) = admin_app().await;
    // One lead qualifies, one asks for a person, one only says hello.
    let script = [
        "Hi, I'm Ana from Acme, we need a WhatsApp bot for our sales team",
        "Our budget is around 5k USD",
        "I'm the CEO, I make the decision",
        "We want to start next month",
    ];
    for (i, line) in script.iter().enumerate() {
        say(&app, &graph, "14155550110", &format!("wamid.q{i}"), line).await;
    }
    say(
        &app,
        &graph,
        "14155550111",
        "wamid.h1",
        "quiero hablar con una persona",
    )
    .await;
    say(&app, &graph, "14155550112", "wamid.g1", "Hola").await;
    committed(&app, "14155550110", "wamid.q3").await;
    committed(&app, "14155550111", "wamid.h1").await;
    committed(&app, "14155550112", "wamid.g1").await;

    let funnel = api(&app, "/api/funnel").await;
    assert_eq!(funnel["conversations"], 3, "{funnel}");
    assert_eq!(funnel["qualified"], 1, "{funnel}");
    // Booking tools are not wired yet: nothing can be booked.
    assert_eq!(funnel["booked"], 0, "{funnel}");
    assert!(funnel["median_messages_to_booking"].is_null(), "{funnel}");
    assert_eq!(funnel["handed_off"]["customer_asked"], 1, "{funnel}");
    assert!(
        funnel["p95_reply_latency_ms"].as_u64().is_some(),
        "{funnel}"
    );

    let session = Session::start(&app).await;
    let (status, page) = session.get("/funnel?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    for figure in [
        "id=\"conversations\">3<",
        "id=\"qualified\">1<",
        "id=\"booked\">0<",
        "Customer asked: <strong>1</strong>",
        "<svg class=\"chart\"",
    ] {
        assert!(page.contains(figure), "{figure} in {page}");
    }
    let (_, spanish) = session.get("/funnel?lang=es").await;
    assert!(spanish.contains("Embudo"), "{spanish}");
}
