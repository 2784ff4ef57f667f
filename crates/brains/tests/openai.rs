//! The OpenAI-compatible brain and the fallback brain against a fake
//! chat-completions server on loopback, through the real HTTP client.

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

#[tokio::test]
async fn one_request_per_turn_with_a_strict_schema_maps_the_answer() {
    let model = FakeOpenAi::start_with_key(KEY).await;
    model.push(FakeReply::Json(answer(
        "Thanks, Ana! When would you like to start?",
        0.85,
    )));
    let fixture = Fixture::new("qualification");

    let (turn, calls) = fixture.decide_recording(&brain(&model)).await;
    let turn = turn.unwrap();

    assert_eq!(turn.reply, "Thanks, Ana! When would you like to start?");
    assert_eq!(turn.intent.as_deref(), Some("provide_info"));
    assert_eq!(
        turn.fields,
        vec![
            (FieldName::Name, "Ana".to_owned()),
            (FieldName::Company, "Acme".to_owned()),
            (FieldName::Budget, "around 5k USD".to_owned()),
            (FieldName::Authority, "I decide".to_owned()),
        ],
        "empty values and unknown fields are not proposed; values are trimmed"
    );
    assert!((turn.confidence - 0.85).abs() < 1e-6);
    assert!(turn.resolved);
    assert!(calls.is_empty());

    let requests = model.requests();
    assert_eq!(requests.len(), 1, "one model call per turn");
    let request = &requests[0];
    assert_eq!(request["model"], MODEL);
    assert_eq!(request["max_tokens"], 120, "replies are WhatsApp-short");
    let format = &request["response_format"];
    assert_eq!(format["type"], "json_schema");
    assert_eq!(format["json_schema"]["name"], "turn");
    assert_eq!(format["json_schema"]["strict"], true);
    assert_eq!(
        format["json_schema"]["schema"]["additionalProperties"],
        false
    );
    let messages = messages(request);
    assert_eq!(
        messages.len(),
        7,
        "the system prompt and the 6-message window"
    );
    assert_eq!(messages[0]["role"], "system");
    let system = messages[0]["content"].as_str().unwrap();
    assert!(system.starts_with(SYSTEM_PROMPT));
    assert!(
        system.contains("Ana asked about pricing earlier."),
        "the summary is in the prompt"
    );
    assert!(
        system.contains("ask_human"),
        "the playbook's intents are listed"
    );
    assert_eq!(
        messages[6],
        json!({ "role": "user", "content": "and I decide" })
    );
    assert_eq!(messages[4]["role"], "assistant");
    assert!(
        request.get("tools").is_none(),
        "no tools registered for this stage"
    );
    // The fake counts prompt tokens as characters / 4.
    let chars: usize = messages
        .iter()
        .map(|m| m["content"].as_str().unwrap().len())
        .sum();
    assert_eq!(
        turn.prompt_tokens,
        chars / 4,
        "usage.prompt_tokens is reported"
    );
}

#[tokio::test]
async fn intents_outside_the_playbook_are_dropped_and_an_empty_reply_is_fine_on_handoff() {
    let model = FakeOpenAi::start().await;
    let mut invented = answer("Sure.", 0.9);
    invented["intent"] = json!("buy_a_boat");
    model.push(FakeReply::Json(invented));
    let mut handoff = answer("", 0.9);
    handoff["intent"] = json!("ask_human");
    // Values with a handoff would be an answer read as a request (see
    // `answer::parse`); a bare request is what this is about.
    handoff["fields"] = json!([]);
    model.push(FakeReply::Json(handoff));
    let mut fixture = Fixture::new("qualification");
    // A request for a person, not an answer the model read as one.
    fixture.recent[4].text = "hmm".to_owned();
    fixture.recent[5].text = "actually, can I talk to a person?".to_owned();
    let brain = brain(&model);

    assert_eq!(fixture.decide(&brain).await.unwrap().intent, None);
    let turn = fixture.decide(&brain).await.unwrap();
    assert_eq!(turn.intent.as_deref(), Some("ask_human"));
    assert_eq!(turn.reply, "");
    assert_eq!(model.requests().len(), 2, "neither needed a repair");
}

/// A tool that answers with fixed slots and remembers its arguments.
struct FindSlots {
    calls: Mutex<Vec<Value>>,
}

#[async_trait]
impl Tool for FindSlots {
    fn name(&self) -> &str {
        "find_slots"
    }
    fn description(&self) -> &str {
        "Free slots of the sales team's calendar."
    }
    fn parameters(&self) -> Value {
        json!({ "type": "object", "properties": { "day": { "type": "string" } }, "required": ["day"] })
    }
    async fn call(&self, invocation: ToolInvocation<'_>) -> Result<ToolOutcome, ToolError> {
        self.calls
            .lock()
            .unwrap()
            .push(invocation.arguments.clone());
        Ok(tuesday_at_10())
    }
}

/// What [`FindSlots`] finds.
fn tuesday_at_10() -> ToolOutcome {
    ToolOutcome::SlotsFound(vec![FoundSlot {
        id: "2025-03-11T10:00:00-06:00".to_owned(),
        when: "Tuesday 11 March, 10:00".to_owned(),
    }])
}

fn scheduling_with_find_slots() -> (Fixture, Arc<FindSlots>) {
    let mut fixture = Fixture::new("scheduling");
    let tool = Arc::new(FindSlots {
        calls: Mutex::new(Vec::new()),
    });
    fixture.registry.register(tool.clone());
    (fixture, tool)
}

#[tokio::test]
async fn tool_calls_are_run_and_their_results_sent_back_in_the_same_turn() {
    let model = FakeOpenAi::start().await;
    model.push(FakeReply::ToolCalls(vec![
        ("find_slots".to_owned(), json!({ "day": "tomorrow" })),
        ("delete_everything".to_owned(), json!({})),
    ]));
    model.push(FakeReply::Json(answer(
        "I can offer tomorrow at 10:00.",
        0.9,
    )));
    let (fixture, tool) = scheduling_with_find_slots();

    let (turn, calls) = fixture.decide_recording(&native_brain(&model)).await;
    let turn = turn.unwrap();

    assert_eq!(turn.reply, "I can offer tomorrow at 10:00.");
    assert_eq!(
        *tool.calls.lock().unwrap(),
        vec![json!({ "day": "tomorrow" })]
    );
    assert_eq!(calls.len(), 2);
    assert_eq!(
        calls[0],
        ToolCallRecord {
            name: "find_slots".to_owned(),
            arguments: json!({ "day": "tomorrow" }),
            result: Ok(tuesday_at_10()),
        }
    );
    assert_eq!(calls[1].name, "delete_everything");
    assert!(
        calls[1].result.is_err(),
        "a tool the stage does not have is an error the model sees"
    );

    let requests = model.requests();
    assert_eq!(requests.len(), 2);
    let first = &requests[0];
    assert_eq!(first["tool_choice"], "auto");
    assert_eq!(
        first["tools"],
        json!([{ "type": "function", "function": {
            "name": "find_slots",
            "description": "Free slots of the sales team's calendar.",
            "parameters": { "type": "object", "properties": { "day": { "type": "string" } }, "required": ["day"] }
        }}]),
        "only the registered tools of the stage"
    );
    let second = messages(&requests[1]);
    assert_eq!(
        second.len(),
        messages(first).len() + 3,
        "the assistant's calls and one result per call"
    );
    let calls = &second[second.len() - 3];
    assert_eq!(calls["role"], "assistant");
    assert_eq!(calls["tool_calls"][0]["function"]["name"], "find_slots");
    let result = &second[second.len() - 2];
    assert_eq!(result["role"], "tool");
    assert_eq!(result["tool_call_id"], calls["tool_calls"][0]["id"]);
    let content: Value = serde_json::from_str(result["content"].as_str().unwrap()).unwrap();
    assert_eq!(content, tuesday_at_10().to_json());
    assert_eq!(content["slots"][0]["id"], "2025-03-11T10:00:00-06:00");
    let error = &second[second.len() - 1];
    assert_eq!(error["tool_call_id"], calls["tool_calls"][1]["id"]);
    assert!(error["content"].as_str().unwrap().contains("error"));
}

#[tokio::test]
async fn a_turn_that_ends_malformed_keeps_the_record_of_the_tools_it_ran() {
    let model = FakeOpenAi::start().await;
    model.push(FakeReply::ToolCalls(vec![(
        "find_slots".to_owned(),
        json!({ "day": "tomorrow" }),
    )]));
    model.push(FakeReply::Raw("not the turn schema".to_owned()));
    model.push(FakeReply::Raw("still not it".to_owned()));
    let (fixture, tool) = scheduling_with_find_slots();

    let (turn, calls) = fixture.decide_recording(&native_brain(&model)).await;

    assert!(matches!(turn, Err(BrainError::Malformed(_))), "{turn:?}");
    assert_eq!(tool.calls.lock().unwrap().len(), 1);
    assert_eq!(
        calls,
        vec![ToolCallRecord {
            name: "find_slots".to_owned(),
            arguments: json!({ "day": "tomorrow" }),
            result: Ok(tuesday_at_10()),
        }],
        "what a tool did is not lost with the answer"
    );
}

#[tokio::test]
async fn tool_rounds_are_bounded_and_the_last_call_must_answer() {
    let model = FakeOpenAi::start().await;
    model.set_default(|_| {
        FakeReply::ToolCalls(vec![("find_slots".to_owned(), json!({ "day": "monday" }))])
    });
    let (fixture, tool) = scheduling_with_find_slots();

    let (turn, calls) = fixture.decide_recording(&native_brain(&model)).await;

    let error = turn.unwrap_err();
    assert!(matches!(error, BrainError::Malformed(_)), "{error:?}");
    let requests = model.requests();
    assert_eq!(
        requests.len(),
        4,
        "three tool rounds, then one call that must answer"
    );
    assert_eq!(tool.calls.lock().unwrap().len(), 3);
    assert_eq!(calls.len(), 3, "the failed turn's tool calls are kept");
    assert_eq!(requests[2]["tool_choice"], "auto");
    assert_eq!(requests[3]["tool_choice"], "none");
}

/// A tool whose result the reply must tell: the router shows none of it.
struct BookCall;

#[async_trait]
impl Tool for BookCall {
    fn name(&self) -> &str {
        "book_call"
    }
    fn description(&self) -> &str {
        "Books a call."
    }
    fn parameters(&self) -> Value {
        json!({ "type": "object", "properties": { "slot": { "type": "string" } }, "required": ["slot"] })
    }
    async fn call(&self, invocation: ToolInvocation<'_>) -> Result<ToolOutcome, ToolError> {
        let slot = invocation.arguments["slot"].as_str().unwrap_or_default();
        Ok(ToolOutcome::CallBooked {
            event_id: format!("event-{slot}"),
            start: slot.to_owned(),
        })
    }
}

fn with_tool(reply: &str, name: &str, arguments: Value) -> Value {
    let mut answer = answer(reply, 0.9);
    answer["tool"] = json!({ "name": name, "arguments": arguments });
    answer
}

#[tokio::test]
async fn a_tool_asked_for_in_the_answer_runs_in_one_call_when_the_server_shows_its_result() {
    let model = FakeOpenAi::start().await;
    model.push(FakeReply::Json(with_tool(
        "Here are the next free times.",
        "find_slots",
        json!({ "day": "tomorrow" }),
    )));
    let (fixture, tool) = scheduling_with_find_slots();

    let (turn, calls) = fixture.decide_recording(&brain(&model)).await;
    let turn = turn.unwrap();

    assert_eq!(turn.reply, "Here are the next free times.");
    assert_eq!(
        *tool.calls.lock().unwrap(),
        vec![json!({ "day": "tomorrow" })]
    );
    assert_eq!(calls.len(), 1);
    assert_eq!(
        turn.usage.calls, 1,
        "the slot list goes out with this reply"
    );
    let requests = model.requests();
    assert_eq!(requests.len(), 1);
    assert!(requests[0].get("tools").is_none(), "no native tools");
    let schema = &requests[0]["response_format"]["json_schema"]["schema"];
    let choices = schema["properties"]["tool"]["anyOf"].as_array().unwrap();
    let names: Vec<&Value> = choices[1..]
        .iter()
        .map(|c| &c["properties"]["name"]["enum"][0])
        .collect();
    assert_eq!(names, [&json!("find_slots")], "only the stage's tools");
    let system = messages(&requests[0])[0]["content"].as_str().unwrap();
    assert!(system.contains("find_slots (Free slots of the sales team's calendar)"));
}

#[tokio::test]
async fn a_tool_whose_result_must_be_told_gets_a_second_call_without_tools() {
    let model = FakeOpenAi::start().await;
    let mut first = with_tool("One moment.", "book_call", json!({ "slot": "tue-10" }));
    first["fields"] = json!([{ "field": "timeline", "value": "next week" }]);
    model.push(FakeReply::Json(first));
    model.push(FakeReply::Json(answer("Booked for Tuesday at 10!", 0.9)));
    let mut fixture = Fixture::new("scheduling");
    fixture.registry.register(Arc::new(BookCall));

    let (turn, calls) = fixture.decide_recording(&brain(&model)).await;
    let turn = turn.unwrap();

    assert_eq!(turn.reply, "Booked for Tuesday at 10!");
    assert_eq!(calls.len(), 1);
    assert_eq!(
        calls[0].result,
        Ok(ToolOutcome::CallBooked {
            event_id: "event-tue-10".to_owned(),
            start: "tue-10".to_owned(),
        })
    );
    assert!(
        turn.fields
            .contains(&(FieldName::Timeline, "next week".to_owned())),
        "what the first answer read is kept: {:?}",
        turn.fields
    );
    assert_eq!(turn.usage.calls, 2);
    assert!(!turn.usage.repaired);
    assert_eq!(turn.usage.generated_tokens.map(|n| n > 0), Some(true));
    let requests = model.requests();
    let second = messages(&requests[1]);
    let told = second.last().unwrap()["content"].as_str().unwrap();
    assert!(
        told.contains("book_call answered") && told.contains("call_booked"),
        "{told}"
    );
    assert!(
        requests[1]["response_format"]["json_schema"]["schema"]["properties"]
            .get("tool")
            .is_none(),
        "the second call cannot ask for another tool"
    );
}

#[tokio::test]
async fn a_reply_in_the_wrong_language_is_repaired_once_then_given_up() {
    let model = FakeOpenAi::start().await;
    model.push(FakeReply::Json(answer(
        "¡Gracias, Ana! ¿Cuándo te gustaría empezar?",
        0.9,
    )));
    model.push(FakeReply::Json(answer(
        "Thanks, Ana! When would you like to start?",
        0.9,
    )));
    let fixture = Fixture::new("qualification");
    let brain = brain(&model);

    let turn = fixture.decide(&brain).await.unwrap();
    assert_eq!(turn.reply, "Thanks, Ana! When would you like to start?");
    assert!(turn.usage.repaired);
    let requests = model.requests();
    let asked = messages(&requests[1]).last().unwrap()["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(asked.contains("write `reply` in English"), "{asked}");

    model.set_default(|_| FakeReply::Json(answer("¡Hola! ¿Qué presupuesto tienes en mente?", 0.9)));
    let error = fixture.decide(&brain).await.unwrap_err();
    assert!(matches!(error, BrainError::Malformed(_)), "{error:?}");
}

#[tokio::test]
async fn a_429_is_retried_and_its_retry_after_is_capped() {
    let model = FakeOpenAi::start().await;
    // An hour: only the cap (max_backoff, 20 ms) lets this test finish.
    model.push(FakeReply::RateLimited {
        retry_after_secs: 3600,
    });
    model.push(FakeReply::Json(answer("Hello again!", 0.9)));
    let fixture = Fixture::new("qualification");

    let turn = tokio::time::timeout(Duration::from_secs(30), fixture.decide(&brain(&model)))
        .await
        .expect("Retry-After is capped by max_backoff")
        .unwrap();

    assert_eq!(turn.reply, "Hello again!");
    assert_eq!(model.requests().len(), 2);
}

#[tokio::test]
async fn server_errors_on_every_attempt_make_the_provider_unavailable() {
    let model = FakeOpenAi::start().await;
    model.set_default(|_| FakeReply::Status(500));
    let fixture = Fixture::new("qualification");

    let error = fixture.decide(&brain(&model)).await.unwrap_err();

    assert!(matches!(error, BrainError::Unavailable(_)), "{error:?}");
    assert_eq!(model.requests().len(), 3, "max_attempts");
}

#[tokio::test]
async fn a_provider_that_does_not_answer_in_time_is_retried_then_unavailable() {
    let model = FakeOpenAi::start().await;
    model.push(FakeReply::Hang);
    model.push(FakeReply::Json(answer("Sorry for the wait!", 0.9)));
    let fixture = Fixture::new("qualification");
    let brain = OpenAiBrain::new(OpenAiConfig {
        timeout: Duration::from_millis(300),
        ..config(&model.base_url())
    })
    .unwrap();

    assert_eq!(
        fixture.decide(&brain).await.unwrap().reply,
        "Sorry for the wait!"
    );
    assert_eq!(model.requests().len(), 2);

    model.set_default(|_| FakeReply::Hang);
    let error = fixture.decide(&brain).await.unwrap_err();
    assert!(matches!(error, BrainError::Unavailable(_)), "{error:?}");
    assert_eq!(model.requests().len(), 2 + 3);
}

#[tokio::test]
async fn a_malformed_answer_gets_one_repair_attempt() {
    let model = FakeOpenAi::start().await;
    model.push(FakeReply::Raw("Sure! Ana wants a bot.".to_owned()));
    model.push(FakeReply::Json(answer("What is your timeline?", 0.8)));
    let fixture = Fixture::new("qualification");

    let turn = fixture.decide(&brain(&model)).await.unwrap();

    assert_eq!(turn.reply, "What is your timeline?");
    let requests = model.requests();
    assert_eq!(requests.len(), 2);
    let repair = messages(&requests[1]);
    assert_eq!(repair.len(), messages(&requests[0]).len() + 2);
    assert_eq!(
        repair[repair.len() - 2],
        json!({ "role": "assistant", "content": "Sure! Ana wants a bot." })
    );
    assert_eq!(repair[repair.len() - 1]["role"], "user");
    assert!(
        repair[repair.len() - 1]["content"]
            .as_str()
            .unwrap()
            .contains("not valid")
    );
    assert!(
        requests[1].get("response_format").is_some(),
        "the repair is still a turn call"
    );
}

#[tokio::test]
async fn malformed_twice_is_malformed() {
    let model = FakeOpenAi::start().await;
    model.push(FakeReply::Json(answer("Great!", 1.7)));
    model.push(FakeReply::Raw("{\"reply\": \"Great!\"".to_owned()));
    let fixture = Fixture::new("qualification");

    let error = fixture.decide(&brain(&model)).await.unwrap_err();

    assert!(matches!(error, BrainError::Malformed(_)), "{error:?}");
    assert!(
        messages(&model.requests()[1]).last().unwrap()["content"]
            .as_str()
            .unwrap()
            .contains("confidence 1.7"),
        "the model is told what was wrong"
    );
    assert_eq!(model.requests().len(), 2);
}

#[tokio::test]
async fn an_empty_reply_without_a_handoff_is_malformed() {
    let model = FakeOpenAi::start().await;
    model.set_default(|_| FakeReply::Json(answer("   ", 0.9)));
    let fixture = Fixture::new("qualification");

    let error = fixture.decide(&brain(&model)).await.unwrap_err();

    assert_eq!(
        error,
        BrainError::Malformed("the reply is empty".to_owned())
    );
}

#[tokio::test]
async fn a_refused_key_is_not_retried() {
    let model = FakeOpenAi::start_with_key("sk-the-right-one").await;
    let fixture = Fixture::new("qualification");

    let error = fixture.decide(&brain(&model)).await.unwrap_err();

    match error {
        BrainError::Refused(message) => assert!(message.contains("401"), "{message}"),
        other => panic!("expected Refused, got {other:?}"),
    }
    assert_eq!(model.requests().len(), 1);
}

#[tokio::test]
async fn a_bad_request_is_refused_too() {
    let model = FakeOpenAi::start().await;
    model.push(FakeReply::Status(404));
    let fixture = Fixture::new("qualification");

    let error = fixture.decide(&brain(&model)).await.unwrap_err();

    assert!(matches!(error, BrainError::Refused(_)), "{error:?}");
    assert_eq!(model.requests().len(), 1);
}

#[tokio::test]
async fn the_breaker_fails_fast_while_open_and_closes_after_the_cooldown() {
    let model = FakeOpenAi::start().await;
    model.set_default(|_| FakeReply::Status(503));
    let fixture = Fixture::new("qualification");
    let brain = OpenAiBrain::new(OpenAiConfig {
        max_attempts: 1,
        breaker_threshold: 2,
        breaker_cooldown: Duration::from_millis(200),
        ..config(&model.base_url())
    })
    .unwrap();

    for _ in 0..2 {
        assert!(matches!(
            fixture.decide(&brain).await,
            Err(BrainError::Unavailable(_))
        ));
    }
    assert_eq!(model.requests().len(), 2);
    for _ in 0..3 {
        assert!(matches!(
            fixture.decide(&brain).await,
            Err(BrainError::Unavailable(_))
        ));
        assert!(matches!(
            fixture.summarize(&brain).await,
            Err(BrainError::Unavailable(_))
        ));
    }
    assert_eq!(
        model.requests().len(),
        2,
        "no HTTP call while the breaker is open"
    );

    model.set_default(|_| FakeReply::Json(answer("Back online.", 0.9)));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        fixture.decide(&brain).await.unwrap().reply,
        "Back online.",
        "the trial call goes through"
    );
    assert_eq!(
        fixture.decide(&brain).await.unwrap().reply,
        "Back online.",
        "and closed the breaker"
    );
    assert_eq!(model.requests().len(), 4);
}

#[tokio::test]
async fn summaries_are_plain_calls_without_a_response_format() {
    let model = FakeOpenAi::start_with_key(KEY).await;
    model.push(FakeReply::Raw(
        "  Ana (Acme) wants a WhatsApp sales assistant; decides herself.  \n".to_owned(),
    ));
    model.push(FakeReply::Raw("   ".to_owned()));
    let fixture = Fixture::new("qualification");
    let brain = brain(&model);

    let summary = fixture.summarize(&brain).await.unwrap();

    assert_eq!(
        summary,
        "Ana (Acme) wants a WhatsApp sales assistant; decides herself."
    );
    assert_eq!(model.summary_calls(), 1);
    let request = &model.requests()[0];
    assert!(request.get("tools").is_none());
    assert_eq!(request["model"], MODEL);
    let messages = messages(request);
    assert_eq!(messages[0]["role"], "system");
    assert!(
        messages[0]["content"]
            .as_str()
            .unwrap()
            .contains("running summary")
    );
    let user = messages[1]["content"].as_str().unwrap();
    assert!(
        user.contains("Ana from Acme wants a sales assistant."),
        "the previous summary"
    );
    assert!(
        user.contains("Customer: Hi, I'm Ana from Acme"),
        "the messages leaving the window"
    );
    assert!(!user.contains("Around 5k USD"), "only the leaving messages");

    let error = fixture.summarize(&brain).await.unwrap_err();
    assert!(matches!(error, BrainError::Malformed(_)), "{error:?}");
}

/// A brain whose answers say they came from it.
struct Offline;

#[async_trait]
impl Brain for Offline {
    fn name(&self) -> &'static str {
        "offline"
    }
    async fn decide(
        &self,
        _ctx: &TurnContext<'_>,
        _tools: &leadline_domain::tools::ToolBox<'_>,
    ) -> Result<Turn, BrainError> {
        Ok(Turn {
            reply: "offline answer".to_owned(),
            intent: None,
            fields: Vec::new(),
            asks: None,
            confidence: 0.5,
            resolved: true,
            sources: Vec::new(),
            prompt_tokens: 0,
            usage: Default::default(),
        })
    }
    async fn summarize(&self, _req: &SummaryRequest<'_>) -> Result<String, BrainError> {
        Ok("offline summary".to_owned())
    }
}

/// A loopback address with nothing listening on it.
async fn closed_port_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/v1")
}

#[tokio::test]
async fn the_local_brain_answers_when_the_endpoint_is_down() {
    let fixture = Fixture::new("qualification");
    let local = Arc::new(LocalBrain::new(&fixture.playbook));
    let openai = OpenAiBrain::new(config(&closed_port_url().await)).unwrap();
    let brain = FallbackBrain::new(Arc::new(openai), local.clone());

    assert_eq!(brain.name(), "openai");
    let mut turn = fixture.decide(&brain).await.unwrap();
    assert!(!turn.reply.is_empty());
    assert!(turn.usage.fell_back, "the event log tells a fallback apart");
    turn.usage.fell_back = false;
    assert_eq!(
        turn,
        fixture.decide(local.as_ref()).await.unwrap(),
        "the local brain's answer"
    );
    let summary = fixture.summarize(&brain).await.unwrap();
    assert_eq!(summary, fixture.summarize(local.as_ref()).await.unwrap());
}

#[tokio::test]
async fn the_fallback_brain_answers_malformed_and_refused_turns_and_stays_out_of_good_ones() {
    let model = FakeOpenAi::start().await;
    model.push(FakeReply::Json(answer("Hi from the model", 0.9)));
    model.push(FakeReply::Raw("not json".to_owned()));
    model.push(FakeReply::Raw("still not json".to_owned()));
    model.push(FakeReply::Status(401));
    let brain = FallbackBrain::new(Arc::new(brain(&model)), Arc::new(Offline));
    let fixture = Fixture::new("qualification");

    assert_eq!(
        fixture.decide(&brain).await.unwrap().reply,
        "Hi from the model"
    );
    assert_eq!(
        fixture.decide(&brain).await.unwrap().reply,
        "offline answer",
        "malformed twice"
    );
    assert_eq!(
        fixture.decide(&brain).await.unwrap().reply,
        "offline answer",
        "refused"
    );
    assert_eq!(model.requests().len(), 4);
}

#[test]
fn the_config_debug_hides_the_key() {
    let printed = format!("{:?}", config("http://127.0.0.1:9/v1"));
    assert!(!printed.contains(KEY), "{printed}");
    assert!(printed.contains("[redacted]"));
}

#[test]
fn a_base_url_that_is_not_http_is_refused_at_startup() {
    for base_url in ["", "api.openai.com/v1", "ftp://example.com/v1"] {
        let result = OpenAiBrain::new(config(base_url));
        assert!(
            matches!(result, Err(BrainError::Refused(_))),
            "{base_url:?}"
        );
    }
    let result = OpenAiBrain::new(OpenAiConfig {
        max_attempts: 0,
        ..config("http://127.0.0.1:9/v1")
    });
    assert!(matches!(result, Err(BrainError::Refused(_))));
}

#[tokio::test]
async fn a_handoff_read_into_an_answer_is_ruled_out_of_the_repairs_schema() {
    let model = FakeOpenAi::start().await;
    let mut handoff = answer("Let me connect you with the team.", 0.9);
    handoff["intent"] = json!("ask_human");
    model.push(FakeReply::Json(handoff));
    model.push(FakeReply::Json(answer(
        "Thanks! When would you like to start?",
        0.9,
    )));
    let fixture = Fixture::new("qualification");

    let turn = fixture.decide(&brain(&model)).await.unwrap();
    assert_eq!(turn.reply, "Thanks! When would you like to start?");
    assert!(turn.usage.repaired);
    let requests = model.requests();
    let intents = |request: &Value| {
        request["response_format"]["json_schema"]["schema"]["properties"]["intent"]["enum"]
            .as_array()
            .unwrap()
            .clone()
    };
    assert!(intents(&requests[0]).contains(&json!("ask_human")));
    let repair = intents(&requests[1]);
    assert!(!repair.contains(&json!("ask_human")), "{repair:?}");
    assert!(repair.contains(&json!("greet")) && repair.contains(&Value::Null));
}
