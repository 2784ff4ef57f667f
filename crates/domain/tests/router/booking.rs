//! Calls booked through a tool: recorded whatever the brain does next, and
//! completing the flow. Apart for its `book_call` stand-in.

use super::*;

/// A `book_call` tool that always books.
struct Booker;

#[async_trait]
impl Tool for Booker {
    fn name(&self) -> &str {
        "book_call"
    }
    fn description(&self) -> &str {
        "Books a call."
    }
    fn parameters(&self) -> serde_json::Value {
        serde_json::json!({"type": "object"})
    }
    async fn call(&self, _: ToolInvocation<'_>) -> Result<ToolOutcome, ToolError> {
        Ok(ToolOutcome::CallBooked {
            event_id: "event-1".to_owned(),
            start: "2026-03-03T10:00:00+01:00".to_owned(),
        })
    }
}

/// Every field the built-in flow collects before booking, in one message.
const EVERYTHING: [(FieldName, &str); 5] = [
    (FieldName::Name, "Ana"),
    (FieldName::Need, "a sales bot"),
    (FieldName::Budget, "5k USD"),
    (FieldName::Authority, "I decide"),
    (FieldName::Timeline, "ASAP"),
];

fn booking_tools() -> ToolRegistry {
    let mut tools = ToolRegistry::default();
    tools.register(Arc::new(Booker));
    tools
}

#[tokio::test]
async fn a_booked_call_is_recorded_even_when_the_brain_then_fails() {
    let mut h = Harness::with_tools(
        vec![
            Ok(with_fields("ok", &EVERYTHING)),
            Err(BrainError::Malformed("not JSON".into())),
        ],
        vec![vec![], vec!["book_call"]],
        booking_tools(),
    );
    h.say(&["I'm Ana, we need a sales bot, 5k USD, I decide, ASAP"])
        .await;
    let out = h.say(&["Tuesday 10am works"]).await;
    assert!(
        out.events
            .iter()
            .any(|e| matches!(e, Event::ToolCalled { name, ok: true } if name == "book_call")),
        "{:?}",
        out.events
    );
}

#[tokio::test]
async fn a_booked_call_reported_by_a_tool_completes_the_flow_and_hands_off() {
    let mut h = Harness::with_tools(
        vec![Ok(with_fields("ok", &EVERYTHING)), Ok(turn("Booked!"))],
        vec![vec![], vec!["book_call"]],
        booking_tools(),
    );
    h.say(&["I'm Ana, we need a sales bot, 5k USD, I decide, ASAP"])
        .await;
    assert_eq!(h.conversation.stage, "scheduling");
    let out = h.say(&["Tuesday 10am works"]).await;
    assert_eq!(h.conversation.stage, "handoff");
    assert_eq!(
        h.conversation.handoff.as_ref().map(|h| h.reason),
        Some(HandoffReason::FlowCompleted)
    );
    assert_eq!(out.replies.len(), 1);
    assert!(
        out.events
            .iter()
            .any(|e| matches!(e, Event::ToolCalled { ok: true, .. }))
    );
}
