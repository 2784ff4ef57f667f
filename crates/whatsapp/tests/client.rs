//! The send client against the fake Graph API, over real HTTP on loopback.

use leadline_testkit::graph::{Failure, FakeGraph};
use leadline_whatsapp::send::{
    ClientConfig, CloudClient, DownloadError, OutboundMessage, ReplyButton, SendError,
};
use std::time::Duration;

const TOKEN: &str = "EAAG-test-token";
const NUMBER_ID: &str = "106540352242922";
const TO: &str = "5215550001";

fn client(base_url: &str, token: &str, timeout: Duration) -> CloudClient {
    CloudClient::new(ClientConfig {
        base_url: base_url.to_owned(),
        api_version: "v23.0".to_owned(),
        access_token: token.to_owned(),
        timeout,
    })
    .expect("a valid configuration")
}

async fn setup() -> (FakeGraph, CloudClient) {
    let graph = FakeGraph::start(TOKEN).await;
    let client = client(&graph.base_url(), TOKEN, Duration::from_secs(10));
    (graph, client)
}

#[tokio::test]
async fn a_text_goes_to_the_numbers_messages_edge_and_returns_the_wamid() {
    let (graph, client) = setup().await;
    let message = OutboundMessage::text(TO, "Hola, ¿en qué te ayudo?")
        .unwrap()
        .in_reply_to("wamid.in1")
        .unwrap();
    let sent = client.send(NUMBER_ID, &message).await.expect("accepted");
    assert!(sent.message_id.starts_with("wamid."));
    assert_eq!(sent.wa_id.as_deref(), Some(TO));

    let recorded = graph.sent();
    assert_eq!(recorded.len(), 1);
    let r = &recorded[0];
    assert_eq!(r.path, format!("/v23.0/{NUMBER_ID}/messages"));
    assert_eq!(
        (r.to.as_str(), r.text.as_deref()),
        (TO, Some("Hola, ¿en qué te ayudo?"))
    );
    assert_eq!(r.message_id, sent.message_id);
    assert_eq!(r.body["messaging_product"], "whatsapp");
    assert_eq!(r.body["recipient_type"], "individual");
    assert_eq!(r.body["context"]["message_id"], "wamid.in1");
    assert_eq!(graph.requests(), 1);
}

#[tokio::test]
async fn every_send_gets_its_own_id() {
    let (graph, client) = setup().await;
    let buttons = vec![ReplyButton {
        id: "yes".into(),
        title: "Sí".into(),
    }];
    let a = client
        .send(NUMBER_ID, &OutboundMessage::text(TO, "uno").unwrap())
        .await
        .unwrap();
    let b = client
        .send(
            NUMBER_ID,
            &OutboundMessage::reply_buttons(TO, "¿Seguimos?", buttons).unwrap(),
        )
        .await
        .unwrap();
    assert_ne!(a.message_id, b.message_id);
    let sent = graph.wait_for_sent(2, Duration::from_secs(5)).await;
    assert_eq!(sent[1].body["type"], "interactive");
    assert_eq!(sent[1].text, None);
}

#[tokio::test]
async fn mark_read_sends_a_read_receipt_with_the_typing_indicator() {
    let (graph, client) = setup().await;
    client
        .mark_read(NUMBER_ID, "wamid.in1", true)
        .await
        .expect("acknowledged");
    client
        .mark_read(NUMBER_ID, "wamid.in2", false)
        .await
        .expect("acknowledged");
    assert_eq!(graph.reads(), ["wamid.in1", "wamid.in2"]);
    assert_eq!(graph.requests(), 0, "read receipts are not send attempts");
    assert!(graph.sent().is_empty());
}

#[tokio::test]
async fn a_wrong_token_is_a_permanent_190() {
    let graph = FakeGraph::start(TOKEN).await;
    let client = client(&graph.base_url(), "EAAG-wrong", Duration::from_secs(10));
    let error = client
        .send(NUMBER_ID, &OutboundMessage::text(TO, "hola").unwrap())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(190));
    assert!(!error.is_retryable());
    assert!(matches!(&error, SendError::Graph(g) if g.status == 401));
    assert!(!error.to_string().contains("EAAG"), "{error}");
    assert!(client.mark_read(NUMBER_ID, "wamid.x", true).await.is_err());
    assert!(graph.sent().is_empty() && graph.reads().is_empty());
}

#[tokio::test]
async fn outside_the_window_is_permanent_and_outages_are_retryable() {
    let (graph, client) = setup().await;
    graph.fail_next(vec![
        Failure {
            status: 400,
            code: 131_047,
        },
        Failure {
            status: 500,
            code: 1,
        },
        Failure {
            status: 429,
            code: 130_429,
        },
        Failure {
            status: 400,
            code: 131_056,
        },
        Failure {
            status: 503,
            code: 2,
        },
    ]);
    let message = OutboundMessage::text(TO, "hola").unwrap();
    let mut outcomes = Vec::new();
    for _ in 0..5 {
        let error = client
            .send(NUMBER_ID, &message)
            .await
            .expect_err("scripted failure");
        outcomes.push((error.code(), error.is_retryable()));
    }
    assert_eq!(
        outcomes,
        [
            (Some(131_047), false),
            (Some(1), true),
            (Some(130_429), true),
            (Some(131_056), true),
            (Some(2), true)
        ]
    );
    let sent = client
        .send(NUMBER_ID, &message)
        .await
        .expect("the queue is empty again");
    assert_eq!(graph.requests(), 6);
    assert_eq!(graph.sent()[0].message_id, sent.message_id);
}

#[tokio::test]
async fn the_graph_error_body_reaches_the_caller() {
    let (graph, client) = setup().await;
    graph.fail_next(vec![Failure {
        status: 400,
        code: 131_047,
    }]);
    let error = client
        .send(NUMBER_ID, &OutboundMessage::text(TO, "hola").unwrap())
        .await
        .unwrap_err();
    let SendError::Graph(g) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(g.status, 400);
    assert!(g.details.as_deref().is_some_and(|d| d.contains("24 hours")));
    assert!(g.fbtrace_id.is_some());
}

#[tokio::test]
async fn a_bad_phone_number_id_never_leaves_the_client() {
    let (graph, client) = setup().await;
    let message = OutboundMessage::text(TO, "hola").unwrap();
    for id in ["", "../v1/other", "123?x=1", "12 3"] {
        assert!(
            matches!(client.send(id, &message).await, Err(SendError::Invalid(_))),
            "{id:?}"
        );
    }
    assert!(matches!(
        client.mark_read(NUMBER_ID, "", true).await,
        Err(SendError::Invalid(_))
    ));
    assert_eq!(graph.requests(), 0);
}

#[tokio::test]
async fn a_slow_graph_is_a_retryable_timeout() {
    let graph = FakeGraph::start(TOKEN).await;
    graph.set_latency(Duration::from_secs(30));
    let client = client(&graph.base_url(), TOKEN, Duration::from_millis(200));
    let error = client
        .send(NUMBER_ID, &OutboundMessage::text(TO, "hola").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(error, SendError::Timeout), "{error:?}");
    assert!(error.is_retryable());
}

#[tokio::test]
async fn an_unreachable_graph_is_a_retryable_transport_error() {
    // A port that was just free: nothing listens on it.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = client(
        &format!("http://127.0.0.1:{port}"),
        TOKEN,
        Duration::from_secs(5),
    );
    let error = client
        .send(NUMBER_ID, &OutboundMessage::text(TO, "hola").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(error, SendError::Transport(_)), "{error:?}");
    assert!(error.is_retryable());
    assert_eq!(error.code(), None);
}

#[tokio::test]
async fn received_media_is_downloaded_in_two_steps_with_the_token() {
    let (graph, client) = setup().await;
    let voice = b"OggS\0fake opus voice note".to_vec();
    let id = graph.add_media("audio/ogg; codecs=opus", &voice);
    let media = client.download_media(&id, 1024).await.expect("downloaded");
    assert_eq!(media.bytes, voice);
    assert_eq!(media.mime_type.as_deref(), Some("audio/ogg; codecs=opus"));
    assert_eq!(graph.downloads(), std::slice::from_ref(&id));
    assert!(
        !format!("{media:?}").contains("fake opus"),
        "bytes stay out of logs"
    );

    // Meta refuses another token on the details and on the bytes alike.
    let stranger = crate::client(&graph.base_url(), "EAAG-other", Duration::from_secs(10));
    let refused = stranger.download_media(&id, 1024).await.unwrap_err();
    assert!(
        matches!(&refused, DownloadError::Lookup(e) if e.code() == Some(190)),
        "{refused}"
    );
    assert_eq!(graph.downloads().len(), 1);
}

#[tokio::test]
async fn media_downloads_fail_clearly() {
    let (graph, client) = setup().await;
    let unknown = client.download_media("123456789", 1024).await.unwrap_err();
    assert!(
        matches!(&unknown, DownloadError::Lookup(e) if e.code() == Some(100)),
        "{unknown}"
    );
    let bad_id = client
        .download_media("../1/messages", 1024)
        .await
        .unwrap_err();
    assert!(
        matches!(bad_id, DownloadError::Lookup(SendError::Invalid(_))),
        "{bad_id}"
    );

    // Over the cap, nothing is downloaded: the details give the size.
    let id = graph.add_media("audio/ogg", &[7; 2048]);
    let large = client.download_media(&id, 1024).await.unwrap_err();
    assert!(
        matches!(
            large,
            DownloadError::TooLarge {
                size: 2048,
                limit: 1024
            }
        ),
        "{large}"
    );
    assert!(large.to_string().contains("1024"), "{large}");
    assert!(graph.downloads().is_empty());
}
