//! Inbound media end to end, through signed webhooks: voice notes fetched
//! from the fake Graph media API and transcribed by the fake
//! OpenAI-compatible endpoint, then answered as text; without a
//! transcriber (or with one failing) the customer is asked to write, in
//! their language; a file without a caption is acknowledged and the stage
//! carries on.

mod support;

use leadline_testkit::graph::FakeGraph;
use leadline_testkit::openai::{FakeOpenAi, Transcript};
use leadline_testkit::webhook;
use reqwest::StatusCode;
use serde_json::Value;
use support::{
    ACCESS_TOKEN, ADMIN_TOKEN, Options, TestApp, admin_app, conversation_path, replies_after,
    replies_to,
};

const TRANSCRIBE_KEY: &str = "sk-test-transcribe";
const CARLOS: &str =
    "Hola, soy Carlos de Ferretería López, busco un asistente para atender clientes por WhatsApp";

/// Posts one message and waits for the bot's answer to it.
async fn send(app: &TestApp, graph: &FakeGraph, wa_id: &str, message: Value) -> String {
    let before = replies_to(graph, wa_id).len();
    let response = app
        .post_webhook(&webhook::notification(vec![message]))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    replies_after(graph, wa_id, before, wa_id).await
}

/// The conversation as the admin API shows it.
async fn conversation(app: &TestApp, wa_id: &str) -> Value {
    app.admin_get(&conversation_path(wa_id, "")).await
}

/// What the conversation's history says for inbound message `id`.
fn said(conversation: &Value, id: &str) -> String {
    conversation["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["wa_id"] == id)
        .and_then(|m| m["text"].as_str())
        .unwrap_or_else(|| panic!("no message {id} in {conversation}"))
        .to_owned()
}

#[tokio::test]
async fn voice_notes_are_transcribed_and_files_acknowledged() {
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let openai = FakeOpenAi::start_with_key(TRANSCRIBE_KEY).await;
    let app = TestApp::spawn(
        Options::new(&graph.base_url())
            .env("LEADLINE_ADMIN_TOKEN", ADMIN_TOKEN)
            .env("LEADLINE_TRANSCRIBE_MODEL", "whisper-1")
            .env("LEADLINE_TRANSCRIBE_BASE_URL", &openai.base_url())
            .env("LEADLINE_TRANSCRIBE_API_KEY", TRANSCRIBE_KEY),
    )
    .await;

    // A Spanish voice note giving the name and the need moves the stage,
    // as the same words written would.
    let carlos = "5215550007001";
    let audio = b"OggS\0voice note: hola soy carlos".to_vec();
    let media_id = graph.add_media("audio/ogg; codecs=opus", &audio);
    openai.transcribe(&audio, Transcript::Text(CARLOS.into()));
    let reply = send(
        &app,
        &graph,
        carlos,
        webhook::voice_note(carlos, "wamid.v1", &media_id),
    )
    .await;
    assert!(!reply.contains("nota de voz"), "{reply}");
    let seen = conversation(&app, carlos).await;
    assert_eq!(seen["stage"], "qualification", "{seen}");
    assert_eq!(seen["lead"]["name"], "Carlos", "{seen}");
    assert_eq!(said(&seen, "wamid.v1"), CARLOS);
    assert_eq!(graph.downloads(), [media_id]);
    let requests = openai.transcriptions();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].model.as_deref(), Some("whisper-1"));
    assert_eq!(requests[0].audio, audio);

    // The endpoint failing loses nothing: the customer is asked to write,
    // and what they write next is answered.
    let ana = "5215550007002";
    let broken = b"OggS\0the endpoint fails on this one".to_vec();
    let media_id = graph.add_media("audio/ogg; codecs=opus", &broken);
    openai.transcribe(&broken, Transcript::Status(500));
    let reply = send(
        &app,
        &graph,
        ana,
        webhook::voice_note(ana, "wamid.v2", &media_id),
    )
    .await;
    assert!(
        reply.contains("nota de voz") && reply.contains("escribes"),
        "{reply}"
    );
    // Tried once more, then given up on: the turn does not wait longer.
    assert_eq!(
        openai
            .transcriptions()
            .iter()
            .filter(|r| r.audio == broken)
            .count(),
        2
    );
    assert_eq!(said(&conversation(&app, ana).await, "wamid.v2"), "[audio]");
    let reply = send(&app, &graph, ana, webhook::text(ana, "wamid.v3", CARLOS)).await;
    assert!(!reply.is_empty());
    assert_eq!(conversation(&app, ana).await["stage"], "qualification");

    // An image without a caption is acknowledged, the stage's question
    // follows, and the flow goes on where it was.
    let luis = "5215550007003";
    let photo = graph.add_media("image/jpeg", b"\xff\xd8\xff fake jpeg");
    let reply = send(
        &app,
        &graph,
        luis,
        webhook::image(luis, "wamid.i1", &photo, None),
    )
    .await;
    assert!(
        reply.starts_with("¡Gracias, lo recibí! Nuestro equipo lo revisará.")
            && reply.contains("nombre"),
        "{reply}"
    );
    assert_eq!(conversation(&app, luis).await["stage"], "greeting");
    send(&app, &graph, luis, webhook::text(luis, "wamid.i2", CARLOS)).await;
    assert_eq!(conversation(&app, luis).await["stage"], "qualification");
    assert!(
        !graph.downloads().contains(&photo),
        "images are not downloaded"
    );
}

#[tokio::test]
async fn without_a_transcriber_voice_notes_get_a_request_to_write_in_the_customers_language() {
    let (app, graph) = admin_app().await;

    // Voice notes nobody can hear are not "unresolved": three in a row
    // get three requests to write, not a handoff.
    let es = "5215550008001";
    for n in 1..=3 {
        let media_id = graph.add_media("audio/ogg; codecs=opus", format!("OggS {n}").as_bytes());
        let reply = send(
            &app,
            &graph,
            es,
            webhook::voice_note(es, &format!("wamid.es{n}"), &media_id),
        )
        .await;
        assert_eq!(
            reply,
            "¡Gracias por tu nota de voz! Por ahora no puedo escuchar audios; ¿me lo escribes por aquí, por favor?"
        );
    }
    let seen = conversation(&app, es).await;
    assert!(seen["handoff"].is_null(), "{seen}");
    assert_eq!(seen["stage"], "greeting");

    let en = "15550008002";
    send(
        &app,
        &graph,
        en,
        webhook::text(
            en,
            "wamid.en1",
            "Hi, I'm Ana from Acme, we need a WhatsApp bot for our sales team",
        ),
    )
    .await;
    let media_id = graph.add_media("audio/ogg; codecs=opus", b"OggS en");
    let reply = send(
        &app,
        &graph,
        en,
        webhook::voice_note(en, "wamid.en2", &media_id),
    )
    .await;
    assert_eq!(
        reply,
        "Thanks for your voice message! I can't listen to audio right now; could you type it here, please?"
    );
    assert!(graph.downloads().is_empty(), "nothing to download for");
}

#[tokio::test]
async fn a_transcription_that_never_answers_does_not_hold_the_turn_past_half_the_lease() {
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let openai = FakeOpenAi::start().await;
    let app = TestApp::spawn(
        Options::new(&graph.base_url())
            .env("LEADLINE_TRANSCRIBE_MODEL", "whisper-1")
            .env("LEADLINE_TRANSCRIBE_BASE_URL", &openai.base_url())
            .env("LEADLINE_LEASE_MS", "2000"),
    )
    .await;
    let audio = b"OggS\0the endpoint hangs on this one".to_vec();
    let media_id = graph.add_media("audio/ogg; codecs=opus", &audio);
    openai.transcribe(&audio, Transcript::Hang);
    let wa_id = "5215550009001";
    let reply = send(
        &app,
        &graph,
        wa_id,
        webhook::voice_note(wa_id, "wamid.h1", &media_id),
    )
    .await;
    assert!(reply.contains("nota de voz"), "{reply}");
    // Had the turn waited past the 2-second lease, another worker would
    // have claimed the conversation and asked for the transcript again,
    // and the customer would be answered twice (or the first answer
    // fenced). Once the message is answered and nothing waits, no worker
    // can take it again: asked once, answered once.
    app.settled(&[wa_id]).await;
    assert_eq!(openai.transcriptions().len(), 1, "asked once");
    assert_eq!(replies_to(&graph, wa_id).len(), 1, "answered once");
}
