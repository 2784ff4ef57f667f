//! Erasing a customer's data from outside: `DELETE /api/conversations/{id}`
//! and the dashboard's button with its confirmation. The CRM hears of it
//! by the lead's pseudonym only, and a later message from the same number
//! starts a new conversation.

mod support;

use leadline_testkit::crm::FakeCrm;
use leadline_testkit::graph::FakeGraph;
use reqwest::{Method, StatusCode};
use std::time::Duration;
use support::dashboard::Session;
use support::{
    ACCESS_TOKEN, ADMIN_TOKEN, Options, TestApp, admin_app, conversation_path, replies_to,
};

const WAIT: Duration = Duration::from_secs(30);
const SECRET: &str = "crm-erasure-secret";
const ASK_HUMAN: &str = "quiero hablar con una persona, soy Zuleima Quintanar";

async fn crm_app(graph: &FakeGraph, crm: &FakeCrm) -> TestApp {
    TestApp::spawn(
        Options::new(&graph.base_url())
            .env("LEADLINE_ADMIN_TOKEN", ADMIN_TOKEN)
            .env("LEADLINE_CRM_WEBHOOK_URL", &crm.url())
            .env("LEADLINE_CRM_WEBHOOK_SECRET", SECRET)
            .env("LEADLINE_CRM_RETRY_MS", "200"),
    )
    .await
}

#[tokio::test]
async fn an_erased_lead_is_gone_and_the_crm_hears_of_it_by_pseudonym_only() {
    let (graph, crm) = (
        FakeGraph::start(ACCESS_TOKEN).await,
        FakeCrm::start(SECRET).await,
    );
    let app = crm_app(&graph, &crm).await;
    let number = "5215550177";
    app.customer_says(number, "wamid.erase.1", ASK_HUMAN).await;
    let handed_off = crm.wait_for(1, WAIT).await.expect("the handoff");
    app.settled(&[number]).await;
    let lead_id = handed_off[0].body["lead_id"]
        .as_str()
        .expect("every CRM body names the lead by lead_id")
        .to_owned();
    assert!(!lead_id.contains(number), "{lead_id}");

    let path = conversation_path(number, "");
    let (status, body) = app.admin(Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _) = app.admin(Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.admin(Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let leads = app.admin_get("/api/leads").await;
    assert!(!leads.to_string().contains(number), "{leads}");
    // Without the token, nothing is erased.
    let anonymous = app
        .http
        .delete(format!("{}{path}", app.base_url))
        .send()
        .await
        .expect("a request");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let erased = crm.wait_for(2, WAIT).await.expect("the erasure notice");
    let notice = &erased[1].body;
    assert_eq!(notice["event"], "lead.erased");
    assert_eq!(notice["lead_id"], lead_id.as_str());
    let text = notice.to_string();
    for personal in [number, "Zuleima", "Quintanar", "persona"] {
        assert!(!text.contains(personal), "{personal:?} in {text}");
    }
    let mut fields: Vec<&str> = notice
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "event",
            "idempotency_key",
            "lead_id",
            "occurred_at",
            "sent_at"
        ]
    );
    assert_eq!(crm.bad_signatures(), 0);
    assert_eq!(
        app.metric("leadline_erased_total{reason=\"request\"}")
            .await,
        1
    );

    // Meta redelivers the very message: it starts a new conversation.
    let before = replies_to(&graph, number).len();
    app.customer_says(number, "wamid.erase.1", "hola").await;
    app.settled(&[number]).await;
    assert!(replies_to(&graph, number).len() > before, "no answer");
    let again = app.admin_get(&path).await;
    assert_eq!(again["messages"][0]["text"], "hola", "{again}");
}

#[tokio::test]
async fn the_dashboard_erases_only_once_confirmed_and_says_so_in_both_languages() {
    let (app, _graph) = admin_app().await;
    let number = "5215550178";
    app.customer_says(number, "wamid.erase.2", "hola").await;
    app.settled(&[number]).await;
    let session = Session::start(&app).await;
    let page = session.first_conversation().await;
    let (_, html) = session.get(&page).await;
    let action = format!("{page}/erase");
    assert!(html.contains(&format!("action=\"{action}\"")), "{html}");
    assert!(html.contains("name=\"confirm\""), "{html}");
    let (_, spanish) = session.get(&format!("{page}?lang=es")).await;
    assert!(spanish.contains("Borrar para siempre"), "{spanish}");
    let (_, english) = session.get(&format!("{page}?lang=en")).await;
    assert!(english.contains("Erase for good"), "{english}");

    // Unconfirmed, or without the CSRF token: nothing is erased.
    let unconfirmed = session.post(&action, &[("csrf", &session.csrf)]).await;
    assert_eq!(unconfirmed.status(), StatusCode::SEE_OTHER);
    let location = unconfirmed.headers()["location"].to_str().expect("ascii");
    assert_eq!(location, format!("{page}?notice=confirm_erase"));
    let forged = session.post(&action, &[("confirm", "yes")]).await;
    assert!(forged.status().is_client_error(), "{}", forged.status());
    let (status, _) = session.get(&page).await;
    assert_eq!(status, StatusCode::OK);

    let confirmed = session
        .post(&action, &[("csrf", &session.csrf), ("confirm", "yes")])
        .await;
    assert_eq!(confirmed.status(), StatusCode::SEE_OTHER);
    let location = confirmed.headers()["location"].to_str().expect("ascii");
    assert_eq!(location, "/?notice=erased");
    let (_, list) = session.get("/?notice=erased&lang=en").await;
    assert!(list.contains("data was erased."), "{list}");
    assert!(!list.contains(number), "{list}");
    let (_, lista) = session.get("/?notice=erased&lang=es").await;
    assert!(
        lista.contains("Se borraron los datos del cliente."),
        "{lista}"
    );
    let (status, _) = session.get(&page).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
