//! The OpenAI-compatible brain and the fallback brain against a fake
//! chat-completions server on loopback, through the real HTTP client.
//!
//! This file holds the fixture and the helpers; the tests are grouped by
//! topic, one module each.

mod answers;
mod fallback;
mod provider;
mod tools;

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::date;
use leadline_brains::fallback::FallbackBrain;
use leadline_brains::local::LocalBrain;
use leadline_brains::openai::{OpenAiBrain, OpenAiConfig, ToolMode};
use leadline_domain::brain::{Brain, BrainError, SummaryRequest, Turn, TurnContext};
use leadline_domain::playbook::Playbook;
use leadline_domain::tools::{
    FoundSlot, Tool, ToolCallRecord, ToolError, ToolInvocation, ToolOutcome, ToolRegistry,
};
use leadline_domain::{CustomerId, FieldName, Language, Lead, Message, Speaker};
use leadline_testkit::openai::{FakeOpenAi, FakeReply};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const KEY: &str = "sk-test-key";
const MODEL: &str = "gpt-test";
const SYSTEM_PROMPT: &str = "You are the QualificationAgent of Acme Bots.";

/// What a brain needs for one turn: a playbook, a lead, a window of
/// messages and the tools of the stage.
struct Fixture {
    playbook: Playbook,
    stage: &'static str,
    lead: Lead,
    recent: Vec<Message>,
    customer: CustomerId,
    registry: ToolRegistry,
}

impl Fixture {
    fn new(stage: &'static str) -> Self {
        let texts = [
            (Speaker::Customer, "Hi, I'm Ana from Acme"),
            (
                Speaker::Agent,
                "Nice to meet you, Ana! What are you looking for?",
            ),
            (Speaker::Customer, "A WhatsApp assistant for our sales team"),
            (Speaker::Agent, "Great. What budget do you have in mind?"),
            (Speaker::Customer, "Around 5k USD"),
            (Speaker::Customer, "and I decide"),
        ];
        let recent = texts
            .iter()
            .zip(1..)
            .map(|((speaker, text), seq)| Message {
                seq,
                speaker: *speaker,
                text: (*text).to_owned(),
                at: Timestamp::UNIX_EPOCH,
                wa_id: None,
            })
            .collect();
        Self {
            playbook: Playbook::builtin(),
            stage,
            lead: Lead {
                name: Some("Ana".parse().unwrap()),
                ..Lead::default()
            },
            recent,
            customer: CustomerId::parse("14155550199").unwrap(),
            registry: ToolRegistry::default(),
        }
    }

    async fn decide(&self, brain: &dyn Brain) -> Result<Turn, BrainError> {
        self.decide_recording(brain).await.0
    }

    /// The turn and the tool calls its toolbox recorded, whatever the turn's
    /// outcome.
    async fn decide_recording(
        &self,
        brain: &dyn Brain,
    ) -> (Result<Turn, BrainError>, Vec<ToolCallRecord>) {
        let stage = self.playbook.stage(self.stage).unwrap();
        let ctx = TurnContext {
            playbook: &self.playbook,
            stage,
            language: Language::En,
            lead: &self.lead,
            summary: "Ana asked about pricing earlier.",
            recent: &self.recent,
            burst_len: 2,
            system_prompt: SYSTEM_PROMPT,
            today: date(2025, 3, 10),
            deferred: &[],
            questions: &[],
        };
        let tools = self
            .registry
            .toolbox(&stage.tools, &self.customer, &self.lead);
        let turn = brain.decide(&ctx, &tools).await;
        (turn, tools.into_calls())
    }

    async fn summarize(&self, brain: &dyn Brain) -> Result<String, BrainError> {
        let req = SummaryRequest {
            playbook: &self.playbook,
            language: Language::En,
            lead: &self.lead,
            previous: "Ana from Acme wants a sales assistant.",
            leaving: &self.recent[..3],
        };
        brain.summarize(&req).await
    }
}

fn config(base_url: &str) -> OpenAiConfig {
    OpenAiConfig {
        base_url: base_url.to_owned(),
        api_key: Some(KEY.to_owned()),
        model: MODEL.to_owned(),
        timeout: Duration::from_secs(5),
        max_tokens: Some(120),
        tools: ToolMode::Schema,
        max_attempts: 3,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(20),
        breaker_threshold: 5,
        breaker_cooldown: Duration::from_secs(30),
    }
}

fn brain(model: &FakeOpenAi) -> OpenAiBrain {
    OpenAiBrain::new(config(&model.base_url())).unwrap()
}

/// A brain that asks for tools through chat-completions' `tool_calls`.
fn native_brain(model: &FakeOpenAi) -> OpenAiBrain {
    OpenAiBrain::new(OpenAiConfig {
        tools: ToolMode::Native,
        ..config(&model.base_url())
    })
    .unwrap()
}

fn answer(reply: &str, confidence: f64) -> Value {
    json!({
        "reply": reply,
        "intent": "provide_info",
        "fields": [
            { "field": "name", "value": "Ana" },
            { "field": "company", "value": " Acme " },
            { "field": "budget", "value": "around 5k USD" },
            { "field": "authority", "value": "I decide" },
            { "field": "need", "value": "" },
            { "field": "favourite_colour", "value": "blue" }
        ],
        "confidence": confidence,
        "resolved": true
    })
}

/// The `messages` of a recorded request.
fn messages(request: &Value) -> &Vec<Value> {
    request["messages"].as_array().unwrap()
}
