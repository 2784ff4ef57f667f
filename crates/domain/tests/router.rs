//! The server's rules, whatever the brain says: values are validated, the
//! stage moves only along the playbook, the handoff policy decides, and
//! summaries are requested at most once per window of messages.
//!
//! The brain here is a script of answers: the router is what is under test,
//! and a script is how to make a brain propose exactly what a test needs.

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

#[tokio::test]
async fn a_value_that_does_not_parse_never_reaches_the_lead() {
    let mut h = Harness::new(vec![Ok(with_fields(
        "hi",
        &[
            (FieldName::Budget, "lots of love"),
            (FieldName::Name, "Ana"),
        ],
    ))]);
    let out = h.say(&["hola, soy Ana"]).await;
    assert!(h.conversation.lead.budget.is_none());
    assert_eq!(h.conversation.lead.name.as_deref(), Some("Ana"));
    assert!(out.events.iter().any(|e| matches!(
        e,
        Event::FieldRejected {
            field: FieldName::Budget,
            ..
        }
    )));
    assert!(out.events.iter().any(|e| matches!(
        e,
        Event::FieldSet {
            field: FieldName::Name
        }
    )));
}

#[tokio::test]
async fn the_stage_moves_only_along_the_playbook_as_fields_arrive() {
    let everything = [
        (FieldName::Name, "Ana"),
        (FieldName::Need, "a WhatsApp assistant for sales"),
        (FieldName::Budget, "5k USD"),
        (FieldName::Authority, "I'm the CEO"),
        (FieldName::Timeline, "next month"),
    ];
    let mut h = Harness::new(vec![
        Ok(turn("hello")),
        Ok(with_fields("great", &everything)),
    ]);
    let first = h.say(&["hello"]).await;
    assert_eq!(h.conversation.stage, "greeting");
    assert!(stage_changes(&first.events).is_empty());

    let second = h
        .say(&["I'm Ana, CEO, 5k, next month, we need a bot"])
        .await;
    assert_eq!(
        stage_changes(&second.events),
        vec![
            ("greeting".into(), "qualification".into()),
            ("qualification".into(), "scheduling".into())
        ]
    );
    assert_eq!(h.conversation.stage, "scheduling");
    // Scheduling's success is a booked call: fields alone never leave it.
    assert!(h.conversation.handoff.is_none());
}

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

fn booking_tools() -> ToolRegistry {
    let mut tools = ToolRegistry::default();
    tools.register(Arc::new(Booker));
    tools
}

#[tokio::test]
async fn a_booked_call_is_recorded_even_when_the_brain_then_fails() {
    let everything = [
        (FieldName::Name, "Ana"),
        (FieldName::Need, "a sales bot"),
        (FieldName::Budget, "5k USD"),
        (FieldName::Authority, "I decide"),
        (FieldName::Timeline, "ASAP"),
    ];
    let mut h = Harness::with_tools(
        vec![
            Ok(with_fields("ok", &everything)),
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
    let everything = [
        (FieldName::Name, "Ana"),
        (FieldName::Need, "a sales bot"),
        (FieldName::Budget, "5k USD"),
        (FieldName::Authority, "I decide"),
        (FieldName::Timeline, "ASAP"),
    ];
    let mut h = Harness::with_tools(
        vec![Ok(with_fields("ok", &everything)), Ok(turn("Booked!"))],
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

#[tokio::test]
async fn asking_for_a_person_hands_off_with_the_policy_message_and_then_silence() {
    let ask = Turn {
        intent: Some("ask_human".into()),
        ..turn("")
    };
    let mut h = Harness::new(vec![Ok(ask)]);
    let out = h.say(&["can I talk to a human"]).await;
    assert_eq!(
        out.replies,
        vec!["Let me connect you with one of our team members right now.".to_owned()]
    );
    assert_eq!(
        h.conversation.handoff.as_ref().map(|h| h.reason),
        Some(HandoffReason::CustomerAsked)
    );

    let later = h.say(&["hello?"]).await;
    assert!(later.replies.is_empty());
    assert_eq!(
        later.prompt_tokens, 0,
        "the brain is not asked while a person has the conversation"
    );
    let last = h.conversation.history.last().unwrap();
    assert_eq!(
        (last.speaker, last.text.as_str()),
        (Speaker::Customer, "hello?"),
        "kept for the person taking over"
    );
}

#[tokio::test]
async fn low_confidence_hands_off_only_from_qualification_on() {
    let unsure = |reply: &str| Turn {
        confidence: 0.3,
        ..turn(reply)
    };
    let mut h = Harness::new(vec![
        Ok(unsure("hmm")),
        Ok(with_fields(
            "thanks",
            &[(FieldName::Name, "Ana"), (FieldName::Need, "a bot")],
        )),
        Ok(unsure("hmm")),
    ]);
    h.say(&["something vague"]).await;
    assert!(
        h.conversation.handoff.is_none(),
        "greeting tolerates an unsure reading"
    );
    h.say(&["I'm Ana and we need a bot"]).await;
    assert_eq!(h.conversation.stage, "qualification");
    let out = h.say(&["something vague again"]).await;
    assert_eq!(
        h.conversation.handoff.as_ref().map(|h| h.reason),
        Some(HandoffReason::LowConfidence)
    );
    assert_eq!(
        out.replies,
        vec!["Let me connect you with one of our team members right now.".to_owned()],
        "in the language the customer writes, which the server reads"
    );
}

#[tokio::test]
async fn three_unresolved_messages_in_a_row_hand_off_and_a_resolved_one_resets_the_count() {
    let lost = || {
        Ok(Turn {
            resolved: false,
            ..turn("¿Perdón?")
        })
    };
    let mut h = Harness::new(vec![lost(), lost(), Ok(turn("ok")), lost(), lost(), lost()]);
    h.say(&["asd"]).await;
    h.say(&["qwe"]).await;
    h.say(&["hola"]).await;
    assert_eq!(h.conversation.unresolved, 0);
    h.say(&["zxc"]).await;
    h.say(&["vbn"]).await;
    assert!(h.conversation.handoff.is_none());
    let out = h.say(&["mnb"]).await;
    assert_eq!(
        h.conversation.handoff.as_ref().map(|h| h.reason),
        Some(HandoffReason::Unresolved)
    );
    assert_eq!(
        out.replies,
        vec!["Te comunico ahora mismo con una persona de nuestro equipo.".to_owned()]
    );
}

#[tokio::test]
async fn a_brain_that_cannot_answer_hands_off_instead_of_leaving_the_customer_waiting() {
    let mut h = Harness::new(vec![Err(BrainError::Unavailable(
        "connection refused".into(),
    ))]);
    let out = h.say(&["hola"]).await;
    assert_eq!(
        h.conversation.handoff.as_ref().map(|h| h.reason),
        Some(HandoffReason::BrainUnavailable)
    );
    assert_eq!(out.replies.len(), 1);
    assert!(
        out.events
            .iter()
            .any(|e| matches!(e, Event::BrainFailed { .. }))
    );
}

#[tokio::test]
async fn reactions_and_unknown_types_are_not_a_turn() {
    let mut h = Harness::new(Vec::new());
    let reaction = h.message(Content::Reaction {
        emoji: "👍".into(),
        message_id: "wamid.x".into(),
    });
    let unknown = h.message(Content::Other {
        type_name: "hologram".into(),
    });
    let out = h
        .router
        .run_turn(&mut h.conversation, &[reaction, unknown], Timestamp::now())
        .await;
    assert!(out.replies.is_empty() && out.events.is_empty());
    assert!(h.conversation.history.is_empty());
    assert!(
        h.script.seen_windows.lock().unwrap().is_empty(),
        "no brain call"
    );
}

#[tokio::test]
async fn a_burst_is_one_turn_and_the_window_widens_to_hold_all_of_it() {
    let mut h = Harness::new(Vec::new());
    for _ in 0..4 {
        h.say(&["hola"]).await;
    }
    let out = h
        .say(&[
            "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho",
        ])
        .await;
    assert_eq!(out.replies.len(), 1);
    let windows = h.script.seen_windows.lock().unwrap().clone();
    assert_eq!(windows, vec![1, 3, 5, 6, 8]);
}

#[tokio::test]
async fn summaries_are_requested_at_most_once_per_six_messages_and_cover_what_left_the_window() {
    let mut h = Harness::new(Vec::new());
    let mut jobs = Vec::new();
    for n in 0..30 {
        let out = h.say(&[&format!("message {n}")]).await;
        if let Some(job) = out.summary_job {
            // Every message outside the window that no summary covers yet.
            assert!(job.leaving.len() >= 6);
            assert!(
                job.leaving
                    .iter()
                    .all(|m| m.seq > h.conversation.summary.through_seq)
            );
            let summary = h.router.summarize(&job).await.unwrap();
            h.conversation.absorb_summary(summary);
            jobs.push(n);
        }
        assert!(
            h.conversation.history.len() <= 6 + 6 + 2,
            "history stays bounded once summaries land"
        );
    }
    // 60 messages: a request each time 6 more have left the window.
    assert_eq!(jobs.len(), (60 - 6) / 6);
    assert!(
        jobs.windows(2).all(|w| w[1] - w[0] == 3),
        "one request per 3 turns (6 messages): {jobs:?}"
    );
}

#[tokio::test]
async fn a_summary_still_running_is_not_requested_again() {
    let mut h = Harness::new(Vec::new());
    let mut requested = 0;
    for n in 0..9 {
        if h.say(&[&format!("m{n}")]).await.summary_job.is_some() {
            requested += 1; // never absorbed: as if the summary call were slow
        }
    }
    // 18 messages, 12 outside the window: two requests, not one per turn.
    assert_eq!(requested, 2);
}

#[tokio::test]
async fn a_returning_lead_resumes_where_their_known_fields_reach() {
    let h = Harness::new(Vec::new());
    let mut lead = Lead::default();
    let today = jiff::civil::date(2026, 11, 25);
    for (field, value) in [(FieldName::Name, "Ana"), (FieldName::Need, "a bot")] {
        leadline_domain::fields::apply(&mut lead, field, value, today).unwrap();
    }
    let c = h.router.start(
        CustomerId::parse("5215550199").unwrap(),
        Some(lead.clone()),
        Timestamp::now(),
    );
    assert_eq!(c.stage, "qualification");
    assert_eq!(c.lead, lead);
}

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

#[tokio::test]
async fn a_document_goes_once_unless_the_customer_asks_again() {
    let asked = |reply: &str| Turn {
        intent: Some("ask_document".into()),
        ..turn(reply)
    };
    let mut tools = ToolRegistry::default();
    tools.register(Arc::new(Brochure));
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
        tools,
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
    let mut tools = ToolRegistry::default();
    tools.register(Arc::new(Brochure));
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
        tools,
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

fn media(kind: &str, caption: Option<&str>, transcript: Option<&str>) -> Content {
    Content::Media {
        kind: kind.into(),
        media_id: "900000000001".into(),
        mime_type: None,
        caption: caption.map(str::to_owned),
        filename: None,
        transcript: transcript.map(str::to_owned),
    }
}

impl Harness {
    async fn send(&mut self, contents: Vec<Content>) -> leadline_domain::router::TurnOutcome {
        let burst: Vec<InboundMessage> = contents.into_iter().map(|c| self.message(c)).collect();
        self.router
            .run_turn(&mut self.conversation, &burst, Timestamp::now())
            .await
    }
}

const WRITE_PLEASE: &str = "¡Gracias por tu nota de voz! Por ahora no puedo escuchar audios; ¿me lo escribes por aquí, por favor?";

#[tokio::test]
async fn a_voice_note_nobody_heard_asks_to_write_without_a_brain_call_or_an_unresolved_count() {
    let lost = Ok(Turn {
        resolved: false,
        ..turn("¿Perdón?")
    });
    let mut h = Harness::new(vec![lost]);
    h.say(&["asd"]).await;
    assert_eq!(h.conversation.unresolved, 1);
    for _ in 0..3 {
        let out = h.send(vec![media("audio", None, None)]).await;
        assert_eq!(out.replies, [WRITE_PLEASE]);
    }
    assert_eq!(h.conversation.unresolved, 1);
    assert!(h.conversation.handoff.is_none());
    assert_eq!(
        h.script.seen_windows.lock().unwrap().len(),
        1,
        "one brain call"
    );
    assert_eq!(h.conversation.history[2].text, "[audio]");

    h.conversation.language = Language::En;
    let out = h.send(vec![media("audio", None, None)]).await;
    assert_eq!(
        out.replies,
        [
            "Thanks for your voice message! I can't listen to audio right now; could you type it here, please?"
        ]
    );
}

#[tokio::test]
async fn a_transcribed_voice_note_is_read_as_text() {
    let mut h = Harness::new(vec![Ok(with_fields(
        "¡Gracias, Carlos!",
        &[(FieldName::Name, "Carlos")],
    ))]);
    let out = h
        .send(vec![media("audio", None, Some("Hola, soy Carlos"))])
        .await;
    assert_eq!(out.replies, ["¡Gracias, Carlos!"]);
    assert_eq!(h.conversation.history[0].text, "Hola, soy Carlos");
    assert_eq!(h.conversation.lead.name.as_deref(), Some("Carlos"));
}

#[tokio::test]
async fn a_file_without_a_caption_is_acknowledged_and_the_stage_asks_on() {
    let mut h = Harness::new(Vec::new());
    let out = h.send(vec![media("image", None, None)]).await;
    assert_eq!(
        out.replies,
        [
            "¡Gracias, lo recibí! Nuestro equipo lo revisará. ¿Con quién tengo el gusto? ¿Cuál es tu nombre?"
        ]
    );
    assert_eq!(h.conversation.stage, "greeting");
    assert!(
        h.script.seen_windows.lock().unwrap().is_empty(),
        "no brain call"
    );

    // A caption is read like a message.
    let out = h
        .send(vec![media("image", Some("nuestro logo"), None)])
        .await;
    assert_eq!(out.replies, ["ok"]);
    let history = &h.conversation.history;
    assert_eq!(history[history.len() - 2].text, "nuestro logo");
}

#[tokio::test]
async fn a_voice_note_next_to_written_words_is_asked_for_and_the_words_answered() {
    let mut h = Harness::new(vec![Ok(turn("¡Hola! ¿Cómo te llamas?"))]);
    let out = h
        .send(vec![
            Content::Text {
                body: "hola".into(),
            },
            media("audio", None, None),
        ])
        .await;
    assert_eq!(out.replies, [WRITE_PLEASE, "¡Hola! ¿Cómo te llamas?"]);
    assert_eq!(h.script.seen_windows.lock().unwrap().as_slice(), [2]);
}

#[tokio::test]
async fn the_server_reads_the_language_from_the_customers_words_before_the_brain_is_asked() {
    let mut h = Harness::new(Vec::new());
    assert_eq!(
        h.conversation.language,
        Language::Es,
        "the business default"
    );
    h.say(&["Hello! I'm the CTO at Acme"]).await;
    h.say(&["5000"]).await;
    h.say(&["perdón, mejor en español"]).await;
    assert_eq!(
        *h.script.seen_languages.lock().unwrap(),
        [Language::En, Language::En, Language::Es],
        "a message that tells nothing keeps the language; a switch is followed"
    );
}

#[tokio::test]
async fn the_profile_name_is_the_name_until_the_customer_states_theirs() {
    let mut h = Harness::new(Vec::new());
    let mut hello = h.message(Content::Text {
        body: "hola".into(),
    });
    hello.profile_name = Some("andrea vidal".into());
    h.router
        .run_turn(&mut h.conversation, &[hello], Timestamp::now())
        .await;
    assert_eq!(h.conversation.lead.name.as_deref(), Some("Andrea Vidal"));

    // The brain proposes nothing; the extractors that run beside it read
    // the stated name, which replaces the profile's.
    h.say(&["perdón, me llamo Andy Vidal"]).await;
    assert_eq!(h.conversation.lead.name.as_deref(), Some("Andy Vidal"));
    assert!(!h.conversation.name_from_profile);
}

#[tokio::test]
async fn a_business_profile_name_is_not_taken_for_the_customers() {
    let mut h = Harness::new(Vec::new());
    let mut hello = h.message(Content::Text {
        body: "hola".into(),
    });
    hello.profile_name = Some("Ventas Altamar 🛥️".into());
    h.router
        .run_turn(&mut h.conversation, &[hello], Timestamp::now())
        .await;
    assert_eq!(h.conversation.lead.name, None);
}

#[tokio::test]
async fn a_field_asked_twice_without_an_answer_waits_and_the_flow_moves_on() {
    let asking_name = |fields: &[(FieldName, &str)]| {
        Ok(Turn {
            asks: Some(FieldName::Name),
            ..with_fields("¿Cómo te llamas?", fields)
        })
    };
    let mut h = Harness::new(vec![
        asking_name(&[(FieldName::Need, "un bot de ventas")]),
        asking_name(&[]),
        Ok(turn("ok")),
    ]);
    h.say(&["quiero un bot de ventas"]).await;
    assert_eq!(h.conversation.stage, "greeting");
    let out = h.say(&["prefiero no decirlo"]).await;
    assert_eq!(h.conversation.deferred(), [FieldName::Name]);
    assert_eq!(
        h.conversation.stage, "qualification",
        "the name waits; the need is known, so greeting is done"
    );
    assert_eq!(
        stage_changes(&out.events),
        [("greeting".to_owned(), "qualification".to_owned())]
    );
}

#[tokio::test]
async fn a_correction_replaces_the_value_and_the_event_keeps_the_old_one() {
    let mut h = Harness::new(vec![Ok(with_fields(
        "¡Gracias!",
        &[
            (FieldName::Name, "Marga"),
            (FieldName::Budget, "3 mil dólares"),
        ],
    ))]);
    h.say(&["soy Marga, tenemos 3 mil dólares"]).await;
    let out = h.say(&["perdón, son 5 mil, no 3 mil"]).await;
    let budget = h.conversation.lead.budget.as_ref().unwrap();
    assert_eq!((budget.min, budget.max), (Some(5000), Some(5000)));
    let replaced: Vec<_> = out
        .events
        .iter()
        .filter_map(|e| match e {
            Event::FieldCorrected { field, replaced } => Some((*field, replaced["min"].clone())),
            _ => None,
        })
        .collect();
    assert_eq!(replaced, [(FieldName::Budget, serde_json::json!(3000))]);

    h.say(&["sorry, Marta not Marga"]).await;
    assert_eq!(h.conversation.lead.name.as_deref(), Some("Marta"));
}

#[tokio::test]
async fn a_value_nobody_wrote_is_dropped_and_counted_and_a_reworded_one_kept() {
    let mut h = Harness::new(vec![Ok(with_fields(
        "¡Hola, Juan!",
        &[
            (FieldName::Name, "Juan"),
            (FieldName::Budget, "5000 USD"),
            (FieldName::Need, "a WhatsApp bot for sales"),
        ],
    ))]);
    let out = h
        .say(&["hi, we need a whatsapp bot for our sales, about 5k USD"])
        .await;
    let lead = &h.conversation.lead;
    assert_eq!(lead.name, None, "nobody said Juan");
    assert_eq!(lead.budget.as_ref().and_then(|b| b.min), Some(5000));
    assert_eq!(lead.need.as_deref(), Some("a WhatsApp bot for sales"));
    let ungrounded: Vec<FieldName> = out
        .events
        .iter()
        .filter_map(|e| match e {
            Event::FieldUngrounded { field } => Some(*field),
            _ => None,
        })
        .collect();
    assert_eq!(ungrounded, [FieldName::Name]);
}

#[tokio::test]
async fn a_request_in_so_many_words_is_served_whatever_the_brain_read() {
    // A small model answers "Sure, here it is" and "let's talk to someone"
    // without asking for the tool or the handoff.
    let mut tools = ToolRegistry::default();
    tools.register(Arc::new(Brochure));
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
        tools,
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

/// A two-passage folder, in Spanish, for the knowledge tests.
fn clinic() -> leadline_knowledge::Shared {
    leadline_knowledge::Shared::new(leadline_knowledge::Knowledge::from_files([(
        "faq.md",
        "# Integraciones\nNos integramos con Shopify y con cualquier CRM que acepte webhooks.\n\n\
         # Horario\nAtendemos de lunes a viernes de 9 a 18 h.\n",
    )]))
}

fn questions(events: &[Event]) -> Vec<(String, Grounded, Vec<String>)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::QuestionAsked {
                question,
                grounded,
                passages,
            } => Some((question.clone(), *grounded, passages.clone())),
            _ => None,
        })
        .collect()
}

fn citing(reply: &str, sources: &[&str]) -> Turn {
    Turn {
        sources: sources.iter().map(|s| (*s).to_owned()).collect(),
        ..turn(reply)
    }
}

impl Harness {
    fn knowing(answers: Vec<Result<Turn, BrainError>>) -> Self {
        let mut harness = Self::new(answers);
        let router = Agent::new(
            Arc::new(Playbook::builtin()),
            harness.script.clone(),
            ToolRegistry::default(),
        );
        harness.router = router.with_knowledge(clinic());
        harness
    }
}

#[tokio::test]
async fn a_question_answered_from_a_cited_passage_is_sent_and_recorded() {
    let mut h = Harness::knowing(vec![Ok(citing(
        "Sí, nos integramos con Shopify. ¿Cómo te llamas?",
        &["faq#integraciones"],
    ))]);
    let out = h.say(&["hola, ¿se integran con Shopify?"]).await;
    assert_eq!(
        out.replies,
        ["Sí, nos integramos con Shopify. ¿Cómo te llamas?"]
    );
    assert_eq!(
        questions(&out.events),
        [(
            "¿se integran con Shopify?".to_owned(),
            Grounded::Yes,
            vec!["faq#integraciones".to_owned()]
        )]
    );
    assert_eq!(h.conversation.unresolved, 0);
}

#[tokio::test]
async fn a_reply_stating_what_no_passage_supports_is_replaced_by_the_honest_answer() {
    // A yes with no passage cited, and a price the folder never gives.
    let mut h = Harness::knowing(vec![
        Ok(turn("¡Sí, claro! Funciona con Tiendanube.")),
        Ok(citing(
            "Atendemos de lunes a viernes, y el plan cuesta 99 dólares.",
            &["faq#horario"],
        )),
    ]);
    let out = h.say(&["¿funciona con Tiendanube?"]).await;
    assert_eq!(
        out.replies,
        [
            "Buena pregunta: lo consulto con el equipo y te confirmo. ¿Con quién tengo el gusto? ¿Cuál es tu nombre?"
        ]
    );
    assert_eq!(questions(&out.events)[0].1, Grounded::Replaced);

    let out = h.say(&["¿qué horario tienen y cuánto cuesta?"]).await;
    assert!(
        out.replies[0].starts_with("Buena pregunta"),
        "{:?}",
        out.replies
    );
    assert_eq!(questions(&out.events)[0].1, Grounded::Replaced);
}

#[tokio::test]
async fn questions_left_for_the_team_count_towards_the_unresolved_handoff() {
    let honest = "Lo consulto con el equipo y te confirmo.";
    let mut h = Harness::knowing(vec![Ok(turn(honest)), Ok(turn(honest)), Ok(turn(honest))]);
    for (n, asked) in ["¿tienen estacionamiento?", "¿y aceptan mascotas?"]
        .into_iter()
        .enumerate()
    {
        let out = h.say(&[asked]).await;
        assert_eq!(questions(&out.events)[0].1, Grounded::No);
        assert_eq!(h.conversation.unresolved as usize, n + 1);
        assert!(h.conversation.handoff.is_none());
    }
    let out = h.say(&["¿hacen envíos a Chile?"]).await;
    assert_eq!(
        h.conversation.handoff.as_ref().map(|h| h.reason),
        Some(HandoffReason::Unresolved),
        "{:?}",
        out.replies
    );
}

#[tokio::test]
async fn a_cited_id_the_server_did_not_show_counts_as_no_source() {
    let mut h = Harness::knowing(vec![Ok(citing(
        "Te lo confirma el equipo.",
        &["faq#invented"],
    ))]);
    let out = h.say(&["¿se integran con Shopify?"]).await;
    assert_eq!(questions(&out.events)[0].1, Grounded::No);
}

#[tokio::test]
async fn an_answer_that_stops_is_followed_by_the_stages_next_question() {
    let mut h = Harness::knowing(vec![Ok(citing(
        "Nos integramos con Shopify.",
        &["faq#integraciones"],
    ))]);
    let out = h.say(&["¿se integran con Shopify?"]).await;
    assert_eq!(
        out.replies,
        ["Nos integramos con Shopify. ¿Con quién tengo el gusto? ¿Cuál es tu nombre?"]
    );
}

#[tokio::test]
async fn an_opt_out_is_confirmed_once_in_the_customers_words_then_nothing_is_said() {
    let mut h = Harness::new(Vec::new());
    h.say(&["hola"]).await;
    let asked = h.script.seen_windows.lock().unwrap().len();

    let out = h.say(&["BAJA por favor"]).await;
    assert_eq!(out.replies.len(), 1);
    assert!(out.replies[0].contains("ALTA"), "{:?}", out.replies);
    assert!(out.events.contains(&Event::OptedOut));
    assert!(h.conversation.opted_out_at.is_some());

    for text in ["hola?", "cuánto cuesta?", "quiero hablar con una persona"] {
        let later = h.say(&[text]).await;
        assert!(later.replies.is_empty(), "{text}: {:?}", later.replies);
        assert!(later.events.is_empty(), "{text}: {:?}", later.events);
    }
    assert_eq!(
        h.script.seen_windows.lock().unwrap().len(),
        asked,
        "no brain is asked to read the opt-out or anything after it"
    );
    assert_eq!(
        h.conversation.history.last().map(|m| m.text.as_str()),
        Some("quiero hablar con una persona"),
        "kept for the team"
    );
    assert!(h.conversation.handoff.is_none());

    let back = h.say(&["ALTA"]).await;
    assert!(back.events.contains(&Event::OptedIn));
    assert!(h.conversation.opted_out_at.is_none());
    assert_eq!(back.replies.len(), 1);
    assert!(
        back.replies[0].contains('?'),
        "welcomed back with the stage's next question: {:?}",
        back.replies
    );
    let answered = h.say(&["me llamo Ana"]).await;
    assert!(!answered.replies.is_empty(), "the bot answers again");
}

#[tokio::test]
async fn an_english_stop_is_confirmed_in_english_and_other_words_are_not_an_opt_out() {
    let mut h = Harness::new(Vec::new());
    let out = h.say(&["Please stop messaging me"]).await;
    assert_eq!(
        out.replies,
        vec![
            "Done: you won't get any more messages from us. If you ever want them again, reply START."
                .to_owned()
        ]
    );
    assert_eq!(h.conversation.language, Language::En);

    let mut h = Harness::new(Vec::new());
    for text in [
        "we want to stop missing messages at night",
        "no quiero darme de baja, solo preguntaba",
    ] {
        let out = h.say(&[text]).await;
        assert!(!out.events.contains(&Event::OptedOut), "{text}");
        assert!(h.conversation.opted_out_at.is_none(), "{text}");
    }
}

#[tokio::test]
async fn a_handed_off_customer_can_opt_out_too_and_a_nudge_is_answered() {
    let ask = Turn {
        intent: Some("ask_human".into()),
        ..turn("")
    };
    let mut h = Harness::new(vec![Ok(ask)]);
    h.say(&["quiero hablar con una persona"]).await;
    assert!(h.conversation.handoff.is_some());
    let out = h.say(&["STOP"]).await;
    assert_eq!(out.replies.len(), 1, "the one confirmation");
    assert!(h.conversation.opted_out_at.is_some());

    let mut h = Harness::new(Vec::new());
    h.say(&["hola"]).await;
    h.conversation.nudges = 1;
    let out = h.say(&["perdón, aquí estoy"]).await;
    assert!(out.events.contains(&Event::FollowUpAnswered));
    assert_eq!(h.conversation.nudges, 0);
}

#[tokio::test]
async fn reminders_and_nudges_speak_the_customers_language_and_name_what_is_missing() {
    let mut h = Harness::new(Vec::new());
    h.conversation.language = Language::En;
    let (text, when) = h
        .router
        .reminder(&h.conversation, "2026-12-08T16:00:00Z")
        .unwrap();
    assert!(
        text.starts_with("A reminder of your call with our team: ")
            && text.ends_with(&format!("{when}.")),
        "{text}"
    );
    assert!(
        when.contains("December 8") && when.contains("10:00"),
        "{when}"
    );
    assert!(h.router.reminder(&h.conversation, "not a time").is_none());

    let nudge = h.router.follow_up(&h.conversation);
    assert!(nudge.starts_with("Still there? "), "{nudge}");
    assert!(nudge.contains('?'), "{nudge}");
    h.conversation.language = Language::Es;
    let nudge = h.router.follow_up(&h.conversation);
    assert!(nudge.starts_with("¿Sigues por ahí? "), "{nudge}");
}
