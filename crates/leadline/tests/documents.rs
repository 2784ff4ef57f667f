//! Documents end to end: a customer asks for the price list or the
//! brochure through signed webhooks and the fake Graph API receives a
//! document message; a playbook document that is a local file is uploaded
//! once through the media API and sent by its id.

mod support;

use leadline_testkit::graph::{FakeGraph, SentMessage};
use std::time::{Duration, Instant};
use support::{ACCESS_TOKEN, Options, TestApp};

const WAIT: Duration = Duration::from_secs(30);
const PRICE_LIST: &str = "https://example.com/tuvendedor24/price-list.pdf";
const BROCHURE: &str = "https://example.com/tuvendedor24/brochure.pdf";

/// Waits for the `n`-th document message to `wa_id` and returns all so far.
async fn documents_to(graph: &FakeGraph, wa_id: &str, n: usize) -> Vec<SentMessage> {
    let deadline = Instant::now() + WAIT;
    loop {
        let documents: Vec<SentMessage> = graph
            .sent()
            .into_iter()
            .filter(|s| s.to == wa_id && s.body["type"] == "document")
            .collect();
        if documents.len() >= n {
            return documents;
        }
        assert!(
            Instant::now() < deadline,
            "waiting for {n} documents to {wa_id}: {:#?}",
            graph.sent()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until `wa_id` got `n` messages of any kind.
async fn replies_to(graph: &FakeGraph, wa_id: &str, n: usize) {
    let deadline = Instant::now() + WAIT;
    while graph.sent().iter().filter(|s| s.to == wa_id).count() < n {
        assert!(
            Instant::now() < deadline,
            "waiting for {n} replies to {wa_id}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn asking_for_the_price_list_or_the_brochure_sends_it_by_link() {
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let app = TestApp::spawn(Options::new(&graph.base_url())).await;

    let es = "5215550001111";
    app.customer_says(es, "wamid.es1", "Hola, soy Carlos de Ferretería López, busco un asistente para atender clientes por WhatsApp").await;
    replies_to(&graph, es, 1).await;
    app.customer_says(es, "wamid.es2", "¿me mandas la lista de precios?")
        .await;
    let sent = documents_to(&graph, es, 1).await;
    let document = &sent[0].body["document"];
    assert_eq!(document["link"], PRICE_LIST, "{document}");
    assert_eq!(document["filename"], "TuVendedor24 - Lista de precios.pdf");
    assert!(
        document["caption"]
            .as_str()
            .is_some_and(|c| c.contains("lista de precios"))
    );

    let en = "15550002222";
    app.customer_says(
        en,
        "wamid.en1",
        "Hi, I'm Ana from Acme, we need a WhatsApp bot for our sales team",
    )
    .await;
    replies_to(&graph, en, 1).await;
    app.customer_says(en, "wamid.en2", "can you send me the brochure")
        .await;
    let sent = documents_to(&graph, en, 1).await;
    assert_eq!(sent[0].body["document"]["link"], BROCHURE);
    assert_eq!(
        sent[0].body["document"]["filename"],
        "TuVendedor24 - Brochure.pdf"
    );
    assert!(graph.uploads().is_empty(), "links need no upload");
}

#[tokio::test]
async fn a_local_file_is_uploaded_once_and_sent_by_id_to_every_customer() {
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let dir = std::env::temp_dir().join(format!("leadline-documents-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("prices.pdf");
    std::fs::write(&file, b"%PDF-1.4 price list").unwrap();
    let playbook = leadline_domain::playbook::BUILTIN.replacen(
        &format!("url = \"{PRICE_LIST}\""),
        &format!("file = \"{}\"", file.display()),
        1,
    );
    let playbook_path = dir.join("playbook.toml");
    std::fs::write(&playbook_path, playbook).unwrap();
    let app = TestApp::spawn(
        Options::new(&graph.base_url()).env("LEADLINE_PLAYBOOK", &playbook_path.to_string_lossy()),
    )
    .await;

    let mut ids = Vec::new();
    for (n, wa_id) in ["5215550003333", "5215550004444"].into_iter().enumerate() {
        app.customer_says(wa_id, &format!("wamid.f{n}a"), "Hola, soy Carlos de Ferretería López, busco un asistente para atender clientes por WhatsApp").await;
        replies_to(&graph, wa_id, 1).await;
        app.customer_says(
            wa_id,
            &format!("wamid.f{n}b"),
            "¿me mandas la lista de precios?",
        )
        .await;
        let sent = documents_to(&graph, wa_id, 1).await;
        let document = &sent[0].body["document"];
        assert!(document.get("link").is_none(), "{document}");
        ids.push(document["id"].as_str().unwrap().to_owned());
    }
    let uploads = graph.uploads();
    assert_eq!(uploads.len(), 1, "{uploads:#?}");
    assert_eq!(uploads[0].bytes, b"%PDF-1.4 price list");
    assert_eq!(uploads[0].mime_type, "application/pdf");
    assert_eq!(uploads[0].filename.as_deref(), Some("prices.pdf"));
    assert_eq!(
        ids,
        [uploads[0].media_id.clone(), uploads[0].media_id.clone()]
    );
    std::fs::remove_dir_all(&dir).ok();
}
