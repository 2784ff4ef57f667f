//! The offline brain through its public seam: `Brain::decide` and
//! `Brain::summarize` over the built-in playbook.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::{Date, date};
use leadline_brains::local::LocalBrain;
use leadline_domain::brain::{Brain, SummaryRequest, Turn, TurnContext};
use leadline_domain::conversation::{Message, Speaker};
use leadline_domain::customer::CustomerId;
use leadline_domain::fields;
use leadline_domain::language::{self, Language};
use leadline_domain::lead::{FieldName, Lead};
use leadline_domain::playbook::Playbook;
use leadline_domain::tools::{
    FoundSlot, Tool, ToolCallRecord, ToolError, ToolInvocation, ToolOutcome, ToolRegistry,
};
use std::sync::Arc;

const TODAY: Date = date(2026, 11, 25);

fn message(seq: u64, speaker: Speaker, text: &str) -> Message {
    Message {
        seq,
        speaker,
        text: text.to_owned(),
        at: Timestamp::UNIX_EPOCH,
        wa_id: None,
    }
}

/// A conversation as the server holds it between turns.
struct Chat {
    playbook: Playbook,
    stage: String,
    language: Language,
    lead: Lead,
    history: Vec<Message>,
    registry: ToolRegistry,
    /// The tools the last turn called, as its toolbox recorded them.
    calls: Vec<ToolCallRecord>,
}

impl Chat {
    fn new(language: Language) -> Chat {
        let playbook = Playbook::builtin();
        let stage = playbook.first_stage().id.clone();
        Chat {
            playbook,
            stage,
            language,
            lead: Lead::default(),
            history: Vec::new(),
            registry: ToolRegistry::default(),
            calls: Vec::new(),
        }
    }

    fn in_stage(mut self, stage: &str) -> Chat {
        self.stage = stage.to_owned();
        self
    }

    /// One turn: the burst goes to the brain; the Turn's fields, stage and
    /// reply are applied the way the server applies them.
    async fn turn(&mut self, brain: &LocalBrain, burst: &[&str]) -> Turn {
        for text in burst {
            let seq = self.history.len() as u64 + 1;
            self.history.push(message(seq, Speaker::Customer, text));
        }
        // As the router does: the customer's words decide the language.
        if let Some(language) = burst.iter().rev().find_map(|t| language::detect(t)) {
            self.language = language;
        }
        let stage = self
            .playbook
            .stage(&self.stage)
            .expect("the chat's stage exists")
            .clone();
        let prompt = self
            .playbook
            .render_prompt(&stage, &self.lead, self.language);
        let start = self.history.len().saturating_sub(6.max(burst.len()));
        let customer = CustomerId::parse("34600111234").expect("a valid test id");
        let toolbox = self.registry.toolbox(&stage.tools, &customer, &self.lead);
        let ctx = TurnContext {
            playbook: &self.playbook,
            stage: &stage,
            language: self.language,
            lead: &self.lead,
            summary: "",
            recent: &self.history[start..],
            burst_len: burst.len(),
            system_prompt: &prompt,
            today: TODAY,
            deferred: &[],
            questions: &[],
        };
        let turn = brain
            .decide(&ctx, &toolbox)
            .await
            .expect("the local brain always answers");
        self.calls = toolbox.into_calls();
        for (field, raw) in &turn.fields {
            let _ = fields::apply(&mut self.lead, *field, raw, TODAY);
        }
        self.stage = self
            .playbook
            .stage_after(&self.stage, &self.lead)
            .id
            .clone();
        let seq = self.history.len() as u64 + 1;
        self.history.push(message(seq, Speaker::Agent, &turn.reply));
        turn
    }
}

/// A `send_document` tool that records nothing and always picks the price
/// list.
struct Documents;

#[async_trait]
impl Tool for Documents {
    fn name(&self) -> &str {
        "send_document"
    }
    fn description(&self) -> &str {
        "Sends the price list."
    }
    fn parameters(&self) -> serde_json::Value {
        serde_json::json!({"type": "object", "properties": {}})
    }
    async fn call(&self, _: ToolInvocation<'_>) -> Result<ToolOutcome, ToolError> {
        Ok(precios())
    }
}

/// A `find_slots` tool with one free slot.
struct Slots;

#[async_trait]
impl Tool for Slots {
    fn name(&self) -> &str {
        "find_slots"
    }
    fn description(&self) -> &str {
        "Free times on the sales calendar."
    }
    fn parameters(&self) -> serde_json::Value {
        serde_json::json!({"type": "object", "properties": {}})
    }
    async fn call(&self, invocation: ToolInvocation<'_>) -> Result<ToolOutcome, ToolError> {
        assert_eq!(invocation.arguments, &serde_json::json!({}));
        Ok(ToolOutcome::SlotsFound(vec![FoundSlot {
            id: "2026-11-26T10:00:00-06:00".to_owned(),
            when: "Thursday 26 November, 10:00".to_owned(),
        }]))
    }
}

/// What [`Documents`] answers.
fn precios() -> ToolOutcome {
    ToolOutcome::DocumentSent {
        document: "precios".to_owned(),
        title: "Lista de precios".to_owned(),
    }
}

#[test]
fn the_classifier_reads_held_out_phrasings_in_both_languages() {
    let brain = LocalBrain::new(&Playbook::builtin());
    // None of these is a training example.
    let held_out: &[(&str, &[&str], &[&str])] = &[
        (
            "greet",
            &["hola, buenas tardes", "buen día a todos"],
            &["hi there", "hello, good morning"],
        ),
        (
            "provide_info",
            &["mi nombre es Pedro y tengo un restaurante"],
            &["we are a bakery and I am the owner"],
        ),
        (
            "ask_price",
            &["¿cuánto me costaría?", "¿qué precios manejan?"],
            &["how much would it cost me?", "what's the pricing?"],
        ),
        (
            "ask_product",
            &[
                "¿cómo funciona el asistente?",
                "¿qué es lo que hacen ustedes?",
            ],
            &["how does your assistant work?", "what exactly do you do?"],
        ),
        (
            "ask_document",
            &[
                "¿me envías el catálogo en PDF?",
                "mándame la lista de precios por favor",
            ],
            &[
                "could you send me the price list?",
                "please send the brochure",
            ],
        ),
        (
            "book_call",
            &["quiero agendar una demo", "¿podemos hacer una llamada?"],
            &["can we book a demo?", "I'd like to schedule a call"],
        ),
        (
            "ask_human",
            &["quiero hablar con un asesor", "pásame con una persona real"],
            &[
                "I want to talk to a real person",
                "can I speak to a human agent?",
            ],
        ),
        (
            "thanks",
            &["muchas gracias por todo", "gracias, muy amable"],
            &["thank you so much", "thanks a lot for the help"],
        ),
        (
            "goodbye",
            &["adiós, hasta luego", "chao, nos vemos"],
            &["goodbye, see you", "bye, talk later"],
        ),
        (
            "not_interested",
            &["no, gracias, no me interesa", "ya no estoy interesado"],
            &["no thanks, not interested", "I'm not interested anymore"],
        ),
        (
            "complaint",
            &[
                "tengo una queja, pésima atención",
                "estoy molesto, nadie me responde",
            ],
            &[
                "I want to make a complaint",
                "terrible service, nobody answers",
            ],
        ),
    ];
    for (language, pick) in [("es", 1usize), ("en", 2)] {
        let mut total = 0;
        let mut right = 0;
        let mut misses = Vec::new();
        for (intent, es, en) in held_out {
            let phrases = if pick == 1 { es } else { en };
            for phrase in phrases.iter() {
                total += 1;
                let got = brain.classify(phrase).map(|(i, _)| i);
                if got == Some(*intent) {
                    right += 1;
                } else {
                    misses.push(format!("{phrase:?} -> {got:?} (want {intent})"));
                }
            }
        }
        let accuracy = right as f32 / total as f32;
        assert!(
            accuracy >= 0.8,
            "{language}: {right}/{total} right; misses: {misses:#?}"
        );
    }
}

#[test]
fn gibberish_is_no_intent() {
    let brain = LocalBrain::new(&Playbook::builtin());
    for text in [
        "asdkjh qwpoe zzxq",
        "xkcd vbnm qwrt",
        "zzzzzz",
        "ñññ jjjj kkk",
        "",
        "?!...",
    ] {
        assert_eq!(brain.classify(text), None, "{text:?}");
    }
}

#[test]
fn asking_for_a_person_is_ask_human() {
    let brain = LocalBrain::new(&Playbook::builtin());
    for text in [
        "quiero hablar con una persona",
        "can I talk to a human",
        "pásame con un asesor",
    ] {
        assert_eq!(
            brain.classify(text).map(|(i, _)| i),
            Some("ask_human"),
            "{text:?}"
        );
    }
}

/// Handing off silences the bot, so a message that merely mentions people
/// ("somos unas 10 personas") must not read as a request for one.
#[tokio::test]
async fn talking_about_people_is_not_asking_for_one() {
    let brain = LocalBrain::new(&Playbook::builtin());
    for text in [
        "somos unas 10 personas",
        "tenemos 3 personas en ventas",
        "we are a team of 5 people",
        "our 4 sales people are overwhelmed",
        "atendemos a muchas personas por WhatsApp",
    ] {
        let mut chat = Chat::new(Language::Es).in_stage("qualification");
        let turn = chat.turn(&brain, &[text]).await;
        assert_ne!(
            turn.intent.as_deref(),
            Some("ask_human"),
            "{text:?}: {turn:?}"
        );
    }
}

#[tokio::test]
async fn a_hands_off_intent_is_resolved_with_high_confidence() {
    let brain = LocalBrain::new(&Playbook::builtin());
    let mut chat = Chat::new(Language::Es).in_stage("qualification");
    let turn = chat.turn(&brain, &["pásame con un asesor por favor"]).await;
    assert_eq!(turn.intent.as_deref(), Some("ask_human"));
    assert!(turn.resolved);
    assert!(turn.confidence >= 0.8, "{turn:?}");
    assert_eq!(
        turn.reply,
        "Te comunico ahora mismo con una persona de nuestro equipo."
    );
}

#[tokio::test]
async fn an_unrecognisable_message_gets_the_fallback_unresolved_but_confident() {
    let brain = LocalBrain::new(&Playbook::builtin());
    let mut chat = Chat::new(Language::Es).in_stage("qualification");
    let turn = chat.turn(&brain, &["asdkjh qwpoe zzxq"]).await;
    assert_eq!(turn.intent, None);
    assert!(turn.fields.is_empty());
    assert!(!turn.resolved);
    // One unclear message must not hand off on confidence alone.
    assert!(turn.confidence >= 0.7, "{turn:?}");
    assert_eq!(
        turn.reply,
        "Perdona, no te entendí bien. ¿Me lo puedes explicar de otra forma?"
    );
    assert!(turn.prompt_tokens > 0);
}

#[tokio::test]
async fn an_intent_is_answered_then_the_missing_field_is_asked() {
    let brain = LocalBrain::new(&Playbook::builtin());
    let mut chat = Chat::new(Language::En);
    let turn = chat.turn(&brain, &["how much does it cost?"]).await;
    assert_eq!(turn.intent.as_deref(), Some("ask_price"));
    assert!(turn.resolved);
    assert!(turn.confidence >= 0.8, "{turn:?}");
    assert_eq!(
        turn.reply,
        "Plans depend on how many conversations your business handles; with a couple of details I can give you a clear idea. \
         Who am I talking to? What's your name?"
    );
}

#[tokio::test]
async fn the_same_input_gives_the_same_turn() {
    let playbook = Playbook::builtin();
    let (a, b) = (LocalBrain::new(&playbook), LocalBrain::new(&playbook));
    for burst in [
        &["hola"][..],
        &["¿cuánto cuesta?", "y cómo funciona"],
        &["asdkjh"],
        &["me llamo Ana"],
    ] {
        let first = Chat::new(Language::Es).turn(&a, burst).await;
        let again = Chat::new(Language::Es).turn(&a, burst).await;
        let other = Chat::new(Language::Es).turn(&b, burst).await;
        assert_eq!(first, again);
        assert_eq!(first, other);
    }
}

#[tokio::test]
async fn a_document_request_calls_the_stage_tool_when_there_is_one() {
    let brain = LocalBrain::new(&Playbook::builtin());
    let mut chat = Chat::new(Language::Es).in_stage("qualification");
    let without = chat
        .turn(&brain, &["¿me mandas la lista de precios?"])
        .await;
    assert_eq!(without.intent.as_deref(), Some("ask_document"));
    assert!(chat.calls.is_empty());
    assert!(
        without
            .reply
            .starts_with("¡Claro! Te comparto nuestra información."),
        "{}",
        without.reply
    );

    let mut chat = Chat::new(Language::Es).in_stage("qualification");
    chat.registry.register(Arc::new(Documents));
    chat.turn(&brain, &["¿me mandas la lista de precios?"])
        .await;
    assert_eq!(chat.calls.len(), 1);
    assert_eq!(chat.calls[0].name, "send_document");
    assert_eq!(chat.calls[0].result, Ok(precios()));
}

#[tokio::test]
async fn asking_for_a_call_in_scheduling_looks_for_slots() {
    let brain = LocalBrain::new(&Playbook::builtin());
    let mut chat = Chat::new(Language::En).in_stage("scheduling");
    chat.registry.register(Arc::new(Slots));
    let turn = chat.turn(&brain, &["can we schedule a meeting?"]).await;
    assert_eq!(turn.intent.as_deref(), Some("book_call"));
    assert_eq!(chat.calls.len(), 1);
    assert_eq!(chat.calls[0].name, "find_slots");
    assert!(chat.calls[0].result.is_ok());
    assert_eq!(
        turn.reply,
        "Great! What day and time work for you? We're available Monday to Friday, 9:00 to 18:00."
    );
    assert_eq!(chat.stage, "scheduling");
}

#[tokio::test]
async fn a_burst_of_three_messages_is_read_as_one() {
    let brain = LocalBrain::new(&Playbook::builtin());
    let mut chat = Chat::new(Language::Es).in_stage("qualification");
    chat.registry.register(Arc::new(Documents));
    // Only the last message says what they want.
    let turn = chat
        .turn(&brain, &["ok", "mira", "¿me mandas la lista de precios?"])
        .await;
    assert_eq!(turn.intent.as_deref(), Some("ask_document"));
    assert_eq!(chat.calls.len(), 1);
}

/// Needs `fields::find` (the extractor): values from the first and the last
/// message of the burst are both found.
#[tokio::test]
async fn a_burst_yields_the_fields_of_every_message() {
    let brain = LocalBrain::new(&Playbook::builtin());
    let mut chat = Chat::new(Language::Es);
    let turn = chat
        .turn(
            &brain,
            &[
                "me llamo Ana",
                "una pregunta",
                "quiero automatizar las respuestas de WhatsApp",
            ],
        )
        .await;
    let found: Vec<FieldName> = turn.fields.iter().map(|(f, _)| *f).collect();
    assert!(
        found.contains(&FieldName::Name) && found.contains(&FieldName::Need),
        "{turn:?}"
    );
    assert_eq!(chat.stage, "qualification");
}

/// Needs `fields::find` (the extractor): a lead walks greeting ->
/// qualification -> scheduling through the brain's own turns.
#[tokio::test]
async fn a_scripted_walk_reaches_scheduling() {
    let brain = LocalBrain::new(&Playbook::builtin());
    let mut chat = Chat::new(Language::Es);

    let hello = chat.turn(&brain, &["hola"]).await;
    assert_eq!(hello.intent.as_deref(), Some("greet"));
    assert!(
        hello
            .reply
            .ends_with("¿Con quién tengo el gusto? ¿Cuál es tu nombre?"),
        "{}",
        hello.reply
    );

    let name = chat.turn(&brain, &["Ana"]).await;
    assert_eq!(chat.lead.name.as_deref(), Some("Ana"), "{name:?}");
    assert!(name.reply.starts_with("¡Gracias, Ana!"), "{}", name.reply);
    assert_eq!(chat.stage, "greeting");

    let need = chat
        .turn(
            &brain,
            &["quiero automatizar la atención de mi tienda en WhatsApp"],
        )
        .await;
    assert!(chat.lead.need.is_some(), "{need:?}");
    assert_eq!(chat.stage, "qualification");
    assert!(
        need.reply.contains("te haré unas preguntas rápidas"),
        "{}",
        need.reply
    );
    assert!(
        need.reply
            .ends_with("¿Qué presupuesto mensual tienes en mente para esto?"),
        "{}",
        need.reply
    );

    chat.turn(&brain, &["unos 5000 dólares"]).await;
    assert!(chat.lead.budget.is_some());
    chat.turn(&brain, &["sí, decido yo"]).await;
    assert!(chat.lead.authority.is_some());
    let last = chat.turn(&brain, &["lo antes posible"]).await;
    assert!(chat.lead.timeline.is_some());
    assert_eq!(chat.stage, "scheduling");
    assert!(
        last.reply.contains("agendarte una llamada"),
        "{}",
        last.reply
    );
    assert!(last.resolved && last.confidence >= 0.8);
}

/// Needs `fields::find` (the extractor): a value already known is not
/// proposed again from a message that merely resembles it.
#[tokio::test]
async fn known_fields_are_not_proposed_again() {
    let brain = LocalBrain::new(&Playbook::builtin());
    let mut chat = Chat::new(Language::Es).in_stage("scheduling");
    chat.lead.need = Some("automatizar WhatsApp".parse().unwrap());
    let turn = chat
        .turn(&brain, &["quiero agendar una cita para el jueves"])
        .await;
    assert_eq!(turn.intent.as_deref(), Some("book_call"));
    assert!(
        turn.fields.iter().all(|(f, _)| *f != FieldName::Need),
        "{turn:?}"
    );
    assert_eq!(chat.lead.need.as_deref(), Some("automatizar WhatsApp"));
}

#[tokio::test]
async fn the_summary_stays_bounded_over_a_hundred_folds() {
    let playbook = Playbook::builtin();
    let brain = LocalBrain::new(&playbook);
    let lead = Lead {
        name: Some("Ana María de los Ángeles Fernández".parse().unwrap()),
        // The longest need the parser keeps (300 characters).
        need: Some("automatizar ".repeat(25).trim().parse().unwrap()),
        company: Some(
            "Comercializadora Internacional del Norte y del Sur"
                .parse()
                .unwrap(),
        ),
        ..Lead::default()
    };
    let mut summary = String::new();
    let texts = [
        "¿cuánto cuesta el plan más grande que tienen?",
        "¿me mandas la lista de precios?",
        "quiero agendar una llamada",
        "ok",
    ];
    for fold in 0..100u64 {
        let leaving = [
            message(fold * 2 + 1, Speaker::Customer, texts[(fold % 4) as usize]),
            message(fold * 2 + 2, Speaker::Agent, "Claro, te cuento."),
        ];
        let req = SummaryRequest {
            playbook: &playbook,
            language: Language::Es,
            lead: &lead,
            previous: &summary,
            leaving: &leaving,
        };
        summary = brain
            .summarize(&req)
            .await
            .expect("the local summary never fails");
        assert!(
            summary.chars().count() <= 600,
            "fold {fold}: {} chars",
            summary.chars().count()
        );
    }
    assert!(summary.contains("Mensajes resumidos: 200"), "{summary}");
    assert!(
        summary.contains("ask_price")
            && summary.contains("ask_document")
            && summary.contains("book_call"),
        "{summary}"
    );
    assert!(
        summary.contains("Pregunta abierta: ¿me mandas la lista de precios?"),
        "{summary}"
    );
    assert!(summary.contains("nombre Ana María"), "{summary}");
}

#[tokio::test]
async fn the_summary_is_written_in_the_requested_language() {
    let playbook = Playbook::builtin();
    let brain = LocalBrain::new(&playbook);
    let lead = Lead {
        name: Some("John".parse().unwrap()),
        ..Lead::default()
    };
    let leaving = [message(1, Speaker::Customer, "how much does it cost?")];
    let previous = "Mensajes resumidos: 4\nTemas: greet";
    let req = SummaryRequest {
        playbook: &playbook,
        language: Language::En,
        lead: &lead,
        previous,
        leaving: &leaving,
    };
    let summary = brain
        .summarize(&req)
        .await
        .expect("the local summary never fails");
    assert_eq!(
        summary,
        "Messages summarised: 5\nTopics: greet, ask_price\nOpen question: how much does it cost?\nCustomer: name John."
    );
}
