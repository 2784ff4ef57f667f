//! A long conversation with an OpenAI-compatible model (a fake one on
//! loopback that speaks the chat-completions wire format): one model call
//! per turn, at most one summary call per six messages, and a prompt that
//! stays flat.

mod support;

use leadline_brains::tokens;
use leadline_domain::context::{PromptMessage, PromptRole};
use leadline_testkit::graph::FakeGraph;
use leadline_testkit::openai::{FakeOpenAi, FakeReply};
use serde_json::{Value, json};
use std::time::Duration;
use support::{ACCESS_TOKEN, Options, TestApp};

fn turn_answer() -> FakeReply {
    FakeReply::Json(json!({
        "reply": "Thanks! Tell me more about your team.",
        "intent": "provide_info",
        "fields": [],
        "confidence": 0.9,
        "resolved": true
    }))
}

fn is_turn_request(body: &Value) -> bool {
    body.get("response_format").is_some()
}

fn prompt_tokens(body: &Value) -> usize {
    let messages: Vec<PromptMessage> = body["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| {
            let role = match m["role"].as_str()? {
                "system" => PromptRole::System,
                "user" => PromptRole::User,
                _ => PromptRole::Assistant,
            };
            Some(PromptMessage {
                role,
                content: m["content"].as_str().unwrap_or_default().to_owned(),
            })
        })
        .collect();
    tokens::count(&messages)
}

#[tokio::test]
async fn a_hundred_message_conversation_keeps_the_prompt_flat() {
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let model = FakeOpenAi::start().await;
    model.set_default(|request| {
        if is_turn_request(request) {
            turn_answer()
        } else {
            FakeReply::Raw(
                "The customer is exploring a WhatsApp assistant for their sales team and keeps sharing details about their plans."
                    .into(),
            )
        }
    });
    let app = TestApp::spawn(
        Options::new(&graph.base_url())
            .env("LEADLINE_BRAIN", "openai")
            .env("OPENAI_BASE_URL", &model.base_url())
            .env("OPENAI_API_KEY", "sk-test"),
    )
    .await;

    let wa_id = "14155550199";
    for n in 1..=100 {
        app.customer_says(
            wa_id,
            &format!("wamid.long{n:03}"),
            &format!("Here is detail number {n:03} about our sales plans."),
        )
        .await;
        graph.wait_for_sent(n, Duration::from_secs(30)).await;
    }
    // Every summary the model was asked for has landed (stored or failed):
    // read from the server's counters, not guessed from a pause.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let landed = app.metric("leadline_summaries_total{outcome=\"ok\"}").await
            + app
                .metric("leadline_summaries_total{outcome=\"failed\"}")
                .await;
        if landed >= model.summary_calls() as u64 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "summaries still in flight"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let requests = model.requests();
    let turns: Vec<&Value> = requests.iter().filter(|r| is_turn_request(r)).collect();
    assert_eq!(turns.len(), 100, "exactly one model call per customer turn");
    // 100 customer messages and 100 replies: 200 messages in all.
    let summaries = model.summary_calls();
    assert!(summaries >= 1, "long conversations are summarised");
    assert!(
        summaries <= 200 / 6,
        "at most one summary call per 6 messages, got {summaries}"
    );

    let sizes: Vec<usize> = turns.iter().map(|r| prompt_tokens(r)).collect();
    let eighth = sizes[7];
    let largest = *sizes.iter().max().unwrap();
    // The benchmark's figures (bench/README.md: `--no-capture` shows them).
    eprintln!(
        "context: prompt tokens per turn: message 1 {}, message 8 {eighth}, message 50 {}, \
         message 100 {}, max {largest} ({:.2}x message 8); {} model calls for 100 turns \
         ({} turn calls, {summaries} summary calls)",
        sizes[0],
        sizes[49],
        sizes[99],
        largest as f64 / eighth as f64,
        requests.len(),
        turns.len(),
    );
    assert!(
        largest as f64 <= eighth as f64 * 1.2,
        "prompt grew from {eighth} tokens at message 8 to {largest}: {sizes:?}"
    );
    // The model never sees more than the window of 6 messages + the system prompt.
    for r in &turns {
        assert!(r["messages"].as_array().unwrap().len() <= 7 + 1);
    }
}
