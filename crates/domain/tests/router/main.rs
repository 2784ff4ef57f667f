//! The server's rules, whatever the brain says: values are validated, the
//! stage moves only along the playbook, the handoff policy decides, and
//! summaries are requested at most once per window of messages.
//!
//! The brain here is a script of answers: the router is what is under test,
//! and a script is how to make a brain propose exactly what a test needs.
//!
//! This file holds the script, the harness and the imports every topic
//! module takes with `use super::*`; the tests live in a module per topic.

use async_trait::async_trait;
use jiff::Timestamp;
use leadline_domain::brain::{Brain, BrainError, SummaryRequest, Turn, TurnContext};
use leadline_domain::conversation::HandoffReason;
use leadline_domain::events::{Event, Grounded};
use leadline_domain::playbook::Playbook;
use leadline_domain::router::Agent;
use leadline_domain::tools::{Tool, ToolBox, ToolError, ToolInvocation, ToolOutcome, ToolRegistry};
use leadline_domain::{
    Content, Conversation, CustomerId, FieldName, InboundMessage, Language, Lead, Speaker,
};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

mod booking;
mod documents;
mod fields_and_stages;
mod handoff;
mod knowledge;
mod media;
mod opt_out_and_nudges;
mod turns_and_summaries;

/// Answers each turn with the next scripted answer and remembers what it saw.
#[derive(Default)]
struct Script {
    answers: Mutex<VecDeque<Result<Turn, BrainError>>>,
    /// Tools to call before each answer, by name, one list per turn.
    calls: Mutex<VecDeque<Vec<&'static str>>>,
    seen_windows: Mutex<Vec<usize>>,
    /// The language each turn's context asked for.
    seen_languages: Mutex<Vec<Language>>,
}

#[async_trait]
impl Brain for Script {
    fn name(&self) -> &'static str {
        "script"
    }

    async fn decide(&self, ctx: &TurnContext<'_>, tools: &ToolBox<'_>) -> Result<Turn, BrainError> {
        self.seen_windows.lock().unwrap().push(ctx.recent.len());
        self.seen_languages.lock().unwrap().push(ctx.language);
        let calls = self.calls.lock().unwrap().pop_front().unwrap_or_default();
        for name in calls {
            let _ = tools.call(name, &serde_json::json!({})).await;
        }
        self.answers
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(|| Ok(turn("ok")))
    }

    async fn summarize(&self, req: &SummaryRequest<'_>) -> Result<String, BrainError> {
        Ok(format!("{} +{}", req.previous, req.leaving.len()))
    }
}

fn turn(reply: &str) -> Turn {
    Turn {
        reply: reply.to_owned(),
        intent: None,
        fields: Vec::new(),
        asks: None,
        confidence: 0.95,
        resolved: true,
        sources: Vec::new(),
        prompt_tokens: 100,
        usage: Default::default(),
    }
}

fn with_fields(reply: &str, fields: &[(FieldName, &str)]) -> Turn {
    Turn {
        fields: fields.iter().map(|(f, v)| (*f, (*v).to_owned())).collect(),
        ..turn(reply)
    }
}

struct Harness {
    router: Agent,
    script: Arc<Script>,
    conversation: Conversation,
    next_id: u32,
}

impl Harness {
    fn new(answers: Vec<Result<Turn, BrainError>>) -> Self {
        Self::with_tools(answers, Vec::new(), ToolRegistry::default())
    }

    /// A harness whose brain calls `calls[n]` through the toolbox before
    /// its `n`th answer.
    fn with_tools(
        answers: Vec<Result<Turn, BrainError>>,
        calls: Vec<Vec<&'static str>>,
        tools: ToolRegistry,
    ) -> Self {
        let script = Arc::new(Script {
            answers: Mutex::new(answers.into()),
            calls: Mutex::new(calls.into()),
            ..Script::default()
        });
        let router = Agent::new(Arc::new(Playbook::builtin()), script.clone(), tools);
        let conversation = router.start(
            CustomerId::parse("5215550100").unwrap(),
            None,
            Timestamp::now(),
        );
        Self {
            router,
            script,
            conversation,
            next_id: 0,
        }
    }

    fn message(&mut self, content: Content) -> InboundMessage {
        self.next_id += 1;
        InboundMessage {
            id: format!("wamid.t{}", self.next_id),
            customer: self.conversation.customer.clone(),
            business_number_id: "1".into(),
            profile_name: None,
            sent_at: Timestamp::now(),
            content,
        }
    }

    async fn say(&mut self, texts: &[&str]) -> leadline_domain::router::TurnOutcome {
        let burst: Vec<InboundMessage> = texts
            .iter()
            .map(|t| {
                self.message(Content::Text {
                    body: (*t).to_owned(),
                })
            })
            .collect();
        self.router
            .run_turn(&mut self.conversation, &burst, Timestamp::now())
            .await
    }
}

fn stage_changes(events: &[Event]) -> Vec<(String, String)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::StageChanged { from, to } => Some((from.clone(), to.clone())),
            _ => None,
        })
        .collect()
}
