//! Tools in a turn: native tool calls run and sent back within the turn
//! (a few rounds at most), and a tool asked for in the schema answer run
//! in one call or worded by a second when its result must be told.

use super::*;

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
