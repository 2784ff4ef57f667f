//! The dashboard over HTTP, black box: the real binary, signed webhooks in,
//! the fake Graph API out, and the pages fetched as a browser would (cookies
//! and forms by hand, redirects not followed, so each answer can be seen).

mod support;

use leadline_testkit::graph::FakeGraph;
use leadline_testkit::webhook;
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use std::time::{Duration, Instant};
use support::dashboard::{Session, client, set_cookie, try_login};
use support::{
    ACCESS_TOKEN, ADMIN_TOKEN, Options, QUALIFY_EN, TestApp, admin_app, committed,
    conversation_path, say,
};

const WAIT: Duration = Duration::from_secs(30);

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
async fn wrong_logins_are_limited_per_peer_and_the_right_token_still_gets_in() {
    let (app, _graph) = admin_app().await;
    let http = client();
    for attempt in 1..=10 {
        let response = try_login(&app, &http, "guess").await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
    }
    let limited = try_login(&app, &http, "guess").await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers()["retry-after"], "60");
    assert!(set_cookie(&limited, "leadline_session").is_none());
    // A guesser does not lock the team out: the right token logs in.
    let right = try_login(&app, &http, ADMIN_TOKEN).await;
    assert_eq!(right.status(), StatusCode::SEE_OTHER);
    assert!(set_cookie(&right, "leadline_session").is_some());
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
    for path in ["/", "/funnel", "/questions", "/events", page.as_str()] {
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
async fn a_login_outlives_a_restart() {
    let (mut app, graph) = admin_app().await;
    say(&app, &graph, "14155550107", "wamid.r1", "Hi").await;
    let session = Session::start(&app).await;
    app.kill_and_restart(&[]).await;
    let (status, html) = session.get("/").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    // Its forms still carry the right token.
    let page = session.first_conversation().await;
    let taken = session
        .post(&format!("{page}/takeover"), &[("csrf", &session.csrf)])
        .await;
    assert_eq!(taken.status(), StatusCode::SEE_OTHER);
    assert!(
        taken.headers()[LOCATION]
            .to_str()
            .unwrap()
            .ends_with("notice=done")
    );
}

/// Reads a server-sent event stream until what it sent since the last
/// call passes `check`; `None` once the stream has ended.
async fn read_until(
    stream: &mut reqwest::Response,
    what: &str,
    check: impl Fn(&str) -> bool,
) -> Option<String> {
    let deadline = Instant::now() + WAIT;
    let mut seen = String::new();
    while !check(&seen) {
        let left = deadline.saturating_duration_since(Instant::now());
        let chunk = tokio::time::timeout(left, stream.chunk())
            .await
            .unwrap_or_else(|_| panic!("waiting for {what}; so far: {seen}"))
            .expect("the event stream")?;
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    Some(seen)
}

#[tokio::test]
async fn a_conversation_page_is_kept_live_part_by_part_while_logged_in() {
    let (app, graph) = admin_app().await;
    say(&app, &graph, "14155550108", "wamid.l1", "Hi").await;
    let session = Session::start(&app).await;
    let page = session.first_conversation().await;
    let mut stream = session
        .http
        .get(format!("{}{page}/events", app.base_url))
        .header("cookie", &session.cookie)
        .send()
        .await
        .expect("GET the events");
    assert_eq!(stream.status(), StatusCode::OK);
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let parts = ["event: panel", "event: transcript", "event: activity"];
    read_until(&mut stream, "every part", |t| {
        parts.iter().all(|p| t.contains(p))
    })
    .await
    .expect("the parts");

    // What the customer writes next reaches the transcript, and the bot's
    // answer the transcript and the table of what was sent.
    say(&app, &graph, "14155550108", "wamid.l2", "I am Ana Lopez").await;
    let reply = graph
        .sent()
        .iter()
        .rev()
        .find(|m| m.to == "14155550108")
        .and_then(|m| m.text.clone())
        .expect("the bot's reply");
    // Its opening words: what HTML escaping leaves as it is.
    let opening: String = reply
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == ' ')
        .collect();
    assert!(opening.len() >= 3, "{reply}");
    read_until(&mut stream, "the new message and the reply", |t| {
        t.contains("I am Ana Lopez") && t.contains(&opening)
    })
    .await
    .expect("the changes");

    // Logged out, the stream ends.
    let out = session.post("/logout", &[("csrf", &session.csrf)]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(read_until(&mut stream, "the end", |_| false).await, None);
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
    let lead = app.admin_get(&conversation_path(wa_id, "")).await;
    assert!(lead["handoff"].is_null(), "{lead}");

    let response = session.post(&takeover, &[("csrf", &session.csrf)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], format!("{page}?notice=done"));
    let lead = app.admin_get(&conversation_path(wa_id, "")).await;
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
    let lead = app.admin_get(&conversation_path(wa_id, "")).await;
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
    for (i, line) in QUALIFY_EN.iter().enumerate() {
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

    let funnel = app.admin_get("/api/funnel").await;
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

#[tokio::test]
async fn the_questions_page_lists_what_the_folder_did_not_answer() {
    let (app, graph) = admin_app().await;
    let parking = "¿tienen estacionamiento para clientes?";
    say(&app, &graph, "14155550121", "wamid.p1", parking).await;
    say(&app, &graph, "14155550122", "wamid.p2", parking).await;
    say(
        &app,
        &graph,
        "14155550123",
        "wamid.p3",
        "do you have <b>parking</b>?",
    )
    .await;
    say(
        &app,
        &graph,
        "14155550124",
        "wamid.t1",
        "¿se integran con Tiendanube?",
    )
    .await;

    let session = Session::start(&app).await;
    let (status, page) = session.get("/questions?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    let linked = conversation_path("14155550122", "");
    let linked = linked.trim_start_matches("/api");
    for shown in [
        "<h1>Questions</h1>",
        parking,
        "class=\"asked\">2<",
        "do you have &lt;b&gt;parking&lt;&#x2f;b&gt;?",
        &format!("href=\"{linked}\">…0122</a>"),
        "href=\"/questions?show=all\"",
    ] {
        assert!(page.contains(shown), "{shown} in {page}");
    }
    assert!(!page.contains("<b>parking"), "{page}");
    // Only what the folder never answered, unless all are asked for.
    assert!(!page.contains("Tiendanube"), "{page}");
    let (_, all) = session.get("/questions?show=all").await;
    assert!(all.contains("¿se integran con Tiendanube?"), "{all}");
    let (_, spanish) = session.get("/questions?lang=es").await;
    assert!(spanish.contains("<h1>Preguntas</h1>"), "{spanish}");
    let (_, list) = session.get("/").await;
    assert!(list.contains("<a href=\"/questions\">"), "{list}");
}
