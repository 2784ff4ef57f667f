//! The admin API, black box: the real binary on its own SQLite file, signed
//! webhooks in, the fake Graph API out, and `/api` driven over HTTP with the
//! bearer token as the sales team's tools would.

mod support;

use leadline_testkit::graph::FakeGraph;
use leadline_testkit::webhook;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::{Duration, Instant};
use support::{
    ACCESS_TOKEN, ADMIN_TOKEN, Options, TestApp, admin_app, committed, conversation_path,
    replies_to, say,
};

const WAIT: Duration = Duration::from_secs(30);

/// POSTs `body` to the API with the admin token; answers the status and
/// JSON body.
async fn post(app: &TestApp, path: &str, body: Value) -> (StatusCode, Value) {
    app.admin(Method::POST, path, Some(body)).await
}

fn wa_ids(page: &Value) -> Vec<&str> {
    page["leads"]
        .as_array()
        .expect("a list of leads")
        .iter()
        .filter_map(|l| l["wa_id"].as_str())
        .collect()
}

#[tokio::test]
async fn every_request_is_refused_until_a_token_is_set() {
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let app = TestApp::spawn(Options::new(&graph.base_url())).await;
    for path in [
        "/api/leads",
        "/api/handoffs",
        "/api/leads.csv",
        "/api/questions",
    ] {
        let (status, body) = app.admin(Method::GET, path, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        let error = body["error"].as_str().expect("an error message");
        assert!(error.contains("LEADLINE_ADMIN_TOKEN"), "{error}");
    }
    let (status, _) = post(&app, "/api/conversations/14155550100/takeover", json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_missing_or_wrong_token_is_refused() {
    let (app, _graph) = admin_app().await;
    let url = format!("{}/api/leads", app.base_url);
    let missing = app.http.get(&url).send().await.expect("GET");
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        missing
            .headers()
            .get("www-authenticate")
            .map(|v| v.as_bytes()),
        Some(&b"Bearer"[..])
    );
    for header in [
        "Bearer wrong-token".to_owned(),
        format!("Bearer {}", &ADMIN_TOKEN[..ADMIN_TOKEN.len() - 1]),
        format!("Bearer {ADMIN_TOKEN}-and-more"),
        ADMIN_TOKEN.to_owned(),
        "Basic dGVzdC1hZG1pbi10b2tlbg==".to_owned(),
    ] {
        let refused = app
            .http
            .get(&url)
            .header("authorization", &header)
            .send()
            .await
            .expect("GET");
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "{header}");
    }
    assert_eq!(app.admin_get("/api/leads").await["leads"], json!([]));
    let lower = app
        .http
        .get(&url)
        .header("authorization", format!("bearer {ADMIN_TOKEN}"))
        .send()
        .await
        .expect("GET");
    assert_eq!(lower.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_conversation_is_listed_with_its_stage_and_fields() {
    let (app, graph) = admin_app().await;
    let wa_id = "14155550101";
    say(
        &app,
        &graph,
        wa_id,
        "wamid.a1",
        "Hi, I'm Ana from Acme, we need a WhatsApp bot for our sales team",
    )
    .await;
    say(
        &app,
        &graph,
        wa_id,
        "wamid.a2",
        "Our budget is around 5k USD",
    )
    .await;
    committed(&app, wa_id, "wamid.a2").await;

    let page = app.admin_get("/api/leads").await;
    assert_eq!(wa_ids(&page), [wa_id]);
    let lead = &page["leads"][0];
    assert_eq!(lead["stage"], "qualification", "{lead}");
    assert_eq!(lead["lead"]["name"], "Ana", "{lead}");
    assert_eq!(lead["lead"]["budget"]["currency"], "USD", "{lead}");
    assert_eq!(lead["profile_name"], "Test Customer");
    assert!(lead["handoff"].is_null());
    assert!(page["next_cursor"].is_null());

    assert_eq!(
        wa_ids(&app.admin_get("/api/leads?stage=qualification").await),
        [wa_id]
    );
    assert!(wa_ids(&app.admin_get("/api/leads?stage=scheduling").await).is_empty());
    assert_eq!(wa_ids(&app.admin_get("/api/leads?q=ANA").await), [wa_id]);
    assert!(wa_ids(&app.admin_get("/api/leads?q=nobody").await).is_empty());
    assert!(wa_ids(&app.admin_get("/api/leads?since=2999-01-01T00:00:00Z").await).is_empty());
    for bad in [
        "?limit=0",
        "?since=yesterday",
        "?handoff=bored",
        "?cursor=x",
    ] {
        let (status, body) = app
            .admin(Method::GET, &format!("/api/leads{bad}"), None)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
}

#[tokio::test]
async fn a_person_takes_over_replies_and_hands_back() {
    let (app, graph) = admin_app().await;
    let wa_id = "5215550201";
    let path = conversation_path(wa_id, "");
    say(&app, &graph, wa_id, "wamid.b1", "Hola").await;

    let (status, taken) = post(&app, &format!("{path}/takeover"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{taken}");
    assert_eq!(taken["handoff"]["reason"], "human_took_over");

    // The bot stays silent: the message is taken in, nothing is recorded
    // to send.
    app.customer_says(wa_id, "wamid.b2", "¿Me pueden dar precios?")
        .await;
    let silent = committed(&app, wa_id, "wamid.b2").await;
    assert_eq!(silent["sent"].as_array().map(Vec::len), Some(1), "{silent}");
    assert_eq!(replies_to(&graph, wa_id).len(), 1);

    let (status, replied) = post(
        &app,
        &format!("{path}/reply"),
        json!({ "text": "Hola, soy Marta de ventas: te paso los precios" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{replied}");
    graph.wait_for_sent(2, WAIT).await;
    let shown = committed(&app, wa_id, "wamid.b2").await;
    let last = shown["messages"]
        .as_array()
        .and_then(|m| m.last())
        .expect("the reply in the transcript");
    assert_eq!(last["speaker"], "human");
    assert_eq!(
        last["text"],
        "Hola, soy Marta de ventas: te paso los precios"
    );
    // Sent exactly once, and the transcript shows it with Graph's id.
    let deadline = Instant::now() + WAIT;
    let sent = loop {
        let shown = app.admin_get(&path).await;
        if shown["sent"][1]["state"] == "sent" {
            break shown["sent"][1].clone();
        }
        assert!(Instant::now() < deadline, "the reply was never marked sent");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let to_graph = replies_to(&graph, wa_id);
    assert_eq!(
        to_graph
            .iter()
            .filter(|t| *t == "Hola, soy Marta de ventas: te paso los precios")
            .count(),
        1
    );
    let wamid = graph.sent()[1].message_id.clone();
    assert_eq!(sent["wa_id"], wamid.as_str());

    for (body, why) in [
        (json!({ "stage": "nowhere" }), "not a stage"),
        (
            json!({ "stage": "handoff" }),
            "a stage where the bot is silent",
        ),
        (json!({ "stahe": "qualification" }), "a misspelt field"),
    ] {
        let (status, error) = post(&app, &format!("{path}/handback"), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}: {error}");
        assert!(error["error"].is_string(), "{error}");
    }
    let (status, back) = post(
        &app,
        &format!("{path}/handback"),
        json!({ "stage": "qualification" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{back}");
    assert_eq!(
        (back["stage"].as_str(), back["handoff"].is_null()),
        (Some("qualification"), true)
    );

    let answer = say(
        &app,
        &graph,
        wa_id,
        "wamid.b3",
        "Tenemos unos 3 mil dólares de presupuesto",
    )
    .await;
    assert!(!answer.is_empty());
    let after = committed(&app, wa_id, "wamid.b3").await;
    assert!(after["handoff"].is_null(), "{after}");
}

#[tokio::test]
async fn bad_actions_get_clear_errors() {
    let (app, graph) = admin_app().await;
    let unknown = conversation_path("14155550999", "");
    let (status, body) = app.admin(Method::GET, &unknown, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _) = post(&app, &format!("{unknown}/takeover"), json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .admin(Method::GET, "/api/conversations/not%20an%20id", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let wa_id = "5215550202";
    say(&app, &graph, wa_id, "wamid.c1", "Hola").await;
    let (status, _) = app
        .admin(Method::GET, &format!("/api/conversations/{wa_id}"), None)
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a number in the URL names nothing: URLs carry opaque ids"
    );
    let reply = conversation_path(wa_id, "/reply");
    for body in [
        json!({ "text": "   " }),
        json!({ "text": "x".repeat(4097) }),
        json!({}),
    ] {
        let (status, error) = post(&app, &reply, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    }
    let not_json = app
        .http
        .post(format!("{}{reply}", app.base_url))
        .bearer_auth(ADMIN_TOKEN)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .expect("POST");
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    let error: Value = not_json.json().await.expect("a JSON error");
    assert!(error["error"].is_string(), "{error}");
}

#[tokio::test]
async fn a_customer_asking_for_a_person_is_in_the_handoff_inbox() {
    let (app, graph) = admin_app().await;
    say(&app, &graph, "5215550301", "wamid.d1", "Hola").await;
    say(
        &app,
        &graph,
        "5215550302",
        "wamid.d2",
        "quiero hablar con una persona",
    )
    .await;
    committed(&app, "5215550302", "wamid.d2").await;

    let inbox = app.admin_get("/api/handoffs").await;
    assert_eq!(wa_ids(&inbox), ["5215550302"], "{inbox}");
    assert_eq!(inbox["leads"][0]["handoff"]["reason"], "customer_asked");
    let asked = app.admin_get("/api/leads?handoff=customer_asked").await;
    assert_eq!(wa_ids(&asked), ["5215550302"]);
}

/// Seeded through webhooks: 1,000 customers in four deliveries of 250
/// messages, answered by the bot like any other.
#[tokio::test]
async fn a_thousand_leads_export_as_csv() {
    let (app, _graph) = admin_app().await;
    const LEADS: usize = 1000;
    let customers: Vec<String> = (0..LEADS).map(|n| format!("3460{n:07}")).collect();
    for (chunk, ids) in customers.chunks(250).enumerate() {
        let messages = ids
            .iter()
            .map(|wa_id| webhook::text(wa_id, &format!("wamid.e{wa_id}"), "Hola"))
            .collect();
        let mut payload = webhook::notification(messages);
        if chunk == 0 {
            // A name a spreadsheet must keep in one cell.
            payload["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"] =
                json!("Ana \"La Jefa\", Acme\nVentas");
        }
        assert_eq!(app.post_webhook(&payload).await.status(), 200);
    }

    let deadline = Instant::now() + Duration::from_secs(120);
    let csv = loop {
        let response = app
            .http
            .get(format!("{}/api/leads.csv", app.base_url))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .expect("GET /api/leads.csv");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers().get("content-type").map(|v| v.as_bytes()),
            Some(&b"text/csv; charset=utf-8"[..])
        );
        let body = response.text().await.expect("a CSV body");
        let mut reader = csv::Reader::from_reader(body.as_bytes());
        let rows: Vec<csv::StringRecord> = reader
            .records()
            .collect::<Result<_, _>>()
            .expect("well-formed CSV");
        if rows.len() == LEADS {
            let header = reader.headers().expect("a header").clone();
            break (header, rows);
        }
        assert!(
            Instant::now() < deadline,
            "only {} of {LEADS} leads after 120 s",
            rows.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let (header, rows) = csv;
    assert_eq!(&header[0], "wa_id");
    assert_eq!(&header[1], "profile_name");
    let listed: HashSet<&str> = rows.iter().map(|r| &r[0]).collect();
    let expected: HashSet<&str> = customers.iter().map(String::as_str).collect();
    assert_eq!(listed, expected);
    let ana = rows
        .iter()
        .find(|r| &r[0] == customers[0].as_str())
        .expect("the first customer");
    assert_eq!(&ana[1], "Ana \"La Jefa\", Acme\nVentas");
    assert!(
        rows.iter()
            .all(|r| &r[12] == "greeting" || &r[12] == "qualification")
    );
}

#[tokio::test]
async fn a_script_as_a_name_comes_back_as_a_plain_string() {
    let (app, graph) = admin_app().await;
    let wa_id = "5215550401";
    let xss = "<script>alert(1)</script>";
    let mut payload = webhook::notification(vec![webhook::text(wa_id, "wamid.f1", "Hola")]);
    payload["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"] = json!(xss);
    assert_eq!(app.post_webhook(&payload).await.status(), 200);
    graph.wait_for_sent(1, WAIT).await;
    committed(&app, wa_id, "wamid.f1").await;

    let response = app
        .http
        .get(format!("{}/api/leads", app.base_url))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("GET /api/leads");
    assert_eq!(
        response.headers().get("content-type").map(|v| v.as_bytes()),
        Some(&b"application/json"[..])
    );
    let page: Value = response.json().await.expect("JSON");
    assert_eq!(page["leads"][0]["profile_name"], xss);
}

/// `(question, asked, conversations, answered)` of each row of a page.
fn questions(page: &Value) -> Vec<(&str, u64, u64, bool)> {
    page["questions"]
        .as_array()
        .expect("a list of questions")
        .iter()
        .map(|q| {
            (
                q["question"].as_str().expect("a question"),
                q["asked"].as_u64().expect("times asked"),
                q["conversations"].as_u64().expect("conversations"),
                q["answered"].as_bool().expect("answered"),
            )
        })
        .collect()
}

#[tokio::test]
async fn questions_the_folder_did_not_answer_are_listed_for_the_team() {
    let (app, graph) = admin_app().await;
    let (ana, bea, cat, dan) = ("14155550201", "14155550202", "14155550203", "14155550204");
    // The built-in folder answers this one...
    say(
        &app,
        &graph,
        ana,
        "wamid.q1",
        "¿se integran con Tiendanube?",
    )
    .await;
    // ...and not these: the same question three ways, and one in English.
    let parking = "¿tienen estacionamiento para clientes?";
    say(&app, &graph, bea, "wamid.q2", parking).await;
    say(&app, &graph, dan, "wamid.q3", "do you have parking?").await;
    say(
        &app,
        &graph,
        cat,
        "wamid.q4",
        "Tienen  estacionamiento para clientes?",
    )
    .await;
    say(&app, &graph, bea, "wamid.q5", parking).await;

    let all = app.admin_get("/api/questions").await;
    assert_eq!(
        questions(&all),
        [
            (parking, 3, 2, false),
            ("do you have parking?", 1, 1, false),
            ("¿se integran con Tiendanube?", 1, 1, true),
        ],
        "{all}"
    );
    assert!(all["next_cursor"].is_null());
    assert!(all["questions"][0]["last_asked"].is_string());
    // The conversations that asked, newest first, by their opaque ids:
    // the numbers never appear in clear.
    let ids: Vec<String> = [bea, cat]
        .iter()
        .map(|wa_id| {
            conversation_path(wa_id, "")
                .trim_start_matches("/api/conversations/")
                .to_owned()
        })
        .collect();
    assert_eq!(all["questions"][0]["conversation_ids"], json!(ids), "{all}");
    assert!(!all.to_string().contains("1415555"), "{all}");
    let shown = app
        .admin_get(&format!("/api/conversations/{}", ids[0]))
        .await;
    assert_eq!(shown["wa_id"], bea);

    let answered = app.admin_get("/api/questions?answered=true").await;
    assert_eq!(
        questions(&answered),
        [("¿se integran con Tiendanube?", 1, 1, true)]
    );
    let unanswered = app.admin_get("/api/questions?answered=false").await;
    assert_eq!(
        questions(&unanswered),
        [
            (parking, 3, 2, false),
            ("do you have parking?", 1, 1, false)
        ]
    );

    // A page at a time, the filter kept, until a page is not full.
    let mut path = "/api/questions?answered=false&limit=1".to_owned();
    let mut pages = Vec::new();
    loop {
        let page = app.admin_get(&path).await;
        pages.push(
            questions(&page)
                .iter()
                .map(|q| q.0.to_owned())
                .collect::<Vec<_>>(),
        );
        let Some(cursor) = page["next_cursor"].as_str() else {
            break;
        };
        assert!(!cursor.contains("estacionamiento"), "{cursor}");
        path = format!("/api/questions?answered=false&limit=1&cursor={cursor}");
    }
    assert_eq!(
        pages,
        [
            vec![parking.to_owned()],
            vec!["do you have parking?".to_owned()],
            vec![]
        ]
    );

    for bad in [
        "answered=maybe",
        "limit=0",
        "limit=201",
        "cursor=garbage",
        "cursor=MTcwMDAwMDAwMDAwMC5ob2xh",
    ] {
        let (status, body) = app
            .admin(Method::GET, &format!("/api/questions?{bad}"), None)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(body["error"].is_string(), "{bad}: {body}");
    }
}
