//! Documents sent through `send_document`: once unless asked again, and
//! sent by the server when the brain read the request but forgot the tool.
//! Apart for its brochure stand-in.

use super::*;

/// `send_document` as the brain would call it for the brochure.
struct Brochure;

#[async_trait]
impl Tool for Brochure {
    fn name(&self) -> &str {
        "send_document"
    }
    fn description(&self) -> &str {
        "picks the brochure"
    }
    fn parameters(&self) -> serde_json::Value {
        serde_json::json!({"type": "object"})
    }
    async fn call(&self, _: ToolInvocation<'_>) -> Result<ToolOutcome, ToolError> {
        Ok(ToolOutcome::DocumentSent {
            document: "brochure".to_owned(),
            title: "Brochure".to_owned(),
        })
    }
}

fn brochure_tools() -> ToolRegistry {
    let mut tools = ToolRegistry::default();
    tools.register(Arc::new(Brochure));
    tools
}

#[tokio::test]
async fn a_document_goes_once_unless_the_customer_asks_again() {
    let asked = |reply: &str| Turn {
        intent: Some("ask_document".into()),
        ..turn(reply)
    };
    let mut h = Harness::with_tools(
        vec![
            Ok(with_fields(
                "ok",
                &[(FieldName::Name, "Ana"), (FieldName::Need, "a sales bot")],
            )),
            Ok(asked("here it is")),
            Ok(turn("and again, unasked")),
            Ok(asked("here it is again")),
        ],
        vec![
            vec![],
            vec!["send_document", "send_document"],
            vec!["send_document"],
            vec!["send_document"],
        ],
        brochure_tools(),
    );
    h.say(&["soy Ana, quiero un bot de ventas"]).await;
    assert_eq!(h.conversation.stage, "qualification");
    let ids = |out: &leadline_domain::router::TurnOutcome| {
        out.documents
            .iter()
            .map(|d| d.id.clone())
            .collect::<Vec<_>>()
    };
    let out = h.say(&["send me the brochure"]).await;
    assert_eq!(
        ids(&out),
        ["brochure"],
        "once per turn, however often picked"
    );
    assert_eq!(
        out.documents[0].source,
        leadline_domain::documents::DocumentSource::Url(
            "https://example.com/tuvendedor24/brochure.pdf".into()
        )
    );
    let out = h.say(&["what else?"]).await;
    assert!(
        out.documents.is_empty(),
        "not offered twice on the brain's own"
    );
    let out = h.say(&["can you send me the brochure again?"]).await;
    assert_eq!(ids(&out), ["brochure"], "asked again: sent again");
    assert_eq!(h.conversation.documents_sent, ["brochure"]);
}

#[tokio::test]
async fn a_document_the_brain_read_as_asked_for_but_did_not_send_is_sent_by_the_server() {
    let mut h = Harness::with_tools(
        vec![
            Ok(with_fields(
                "ok",
                &[(FieldName::Name, "Ana"), (FieldName::Need, "a sales bot")],
            )),
            Ok(Turn {
                intent: Some("ask_document".into()),
                ..turn("I'll send you the brochure now.")
            }),
        ],
        vec![vec![], vec![]],
        brochure_tools(),
    );
    h.say(&["soy Ana, quiero un bot de ventas"]).await;
    let out = h.say(&["can you send me a brochure first?"]).await;
    let sent: Vec<&str> = out.documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(sent, ["brochure"]);
    assert!(out.events.iter().any(|e| matches!(
        e,
        Event::ToolCalled { name, ok: true } if name == "send_document"
    )));
}

#[tokio::test]
async fn a_request_in_so_many_words_is_served_whatever_the_brain_read() {
    // A small model answers "Sure, here it is" and "let's talk to someone"
    // without asking for the tool or the handoff.
    let mut h = Harness::with_tools(
        vec![
            Ok(with_fields(
                "ok",
                &[(FieldName::Name, "Tom"), (FieldName::Need, "a sales bot")],
            )),
            Ok(turn("Sure, I can send you a brochure.")),
            Ok(turn("I understand. Let's talk to someone real about this.")),
        ],
        vec![vec![], vec![], vec![]],
        brochure_tools(),
    );
    h.say(&["Hi, I'm Tom, we need a sales bot"]).await;
    assert_eq!(h.conversation.stage, "qualification");
    let out = h.say(&["can you send me a brochure first?"]).await;
    assert_eq!(
        out.documents
            .iter()
            .map(|d| d.id.as_str())
            .collect::<Vec<_>>(),
        ["brochure"]
    );
    let out = h
        .say(&["Actually, let me talk to someone real about this"])
        .await;
    assert_eq!(
        h.conversation.handoff.as_ref().map(|h| h.reason),
        Some(HandoffReason::CustomerAsked)
    );
    assert_eq!(
        out.replies,
        ["Let me connect you with one of our team members right now."]
    );
}
