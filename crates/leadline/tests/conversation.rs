//! The conversation core through the full pipeline: signed webhooks in,
//! the local brain (or a fake OpenAI-compatible model), replies out on the
//! fake Graph API; state read back from the store the server writes.

mod support;

use leadline_domain::conversation::HandoffReason;
use leadline_domain::{Conversation, CustomerId};
use leadline_stores::ConversationStore;
use leadline_stores::sqlite::SqliteStore;
use leadline_testkit::graph::FakeGraph;
use std::time::{Duration, Instant};
use support::{ACCESS_TOKEN, Options, QUALIFY_EN, QUALIFY_ES, TestApp, plain_app};

const WAIT: Duration = Duration::from_secs(30);
const HANDOFF_ES: &str = "Te comunico ahora mismo con una persona de nuestro equipo.";
const HANDOFF_EN: &str = "Let me connect you with one of our team members right now.";

/// A customer talking to a running Leadline, one message at a time, each
/// answered before the next.
struct Chat<'a> {
    app: &'a TestApp,
    graph: &'a FakeGraph,
    wa_id: String,
    sent: usize,
}

impl<'a> Chat<'a> {
    fn new(app: &'a TestApp, graph: &'a FakeGraph, wa_id: &str) -> Self {
        Self {
            app,
            graph,
            wa_id: wa_id.to_owned(),
            sent: 0,
        }
    }

    /// Says `text` and returns the reply.
    async fn say(&mut self, text: &str) -> String {
        self.sent += 1;
        let id = format!("wamid.{}.{}", self.wa_id, self.sent);
        let before = self.replies().len();
        self.app.customer_says(&self.wa_id, &id, text).await;
        let deadline = Instant::now() + WAIT;
        loop {
            let replies = self.replies();
            if replies.len() > before {
                return replies[before..].join("\n");
            }
            assert!(Instant::now() < deadline, "no reply to {text:?}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    fn replies(&self) -> Vec<String> {
        self.graph
            .sent()
            .into_iter()
            .filter(|s| s.to == self.wa_id)
            // A list's body is what the customer reads above its button.
            .map(|s| {
                s.text
                    .or_else(|| {
                        s.body["interactive"]["body"]["text"]
                            .as_str()
                            .map(str::to_owned)
                    })
                    .unwrap_or_default()
            })
            .collect()
    }

    async fn conversation(&self) -> Conversation {
        let store = SqliteStore::open(&format!(
            "sqlite://{}",
            self.app.db_dir.join("leadline.db").display()
        ))
        .await
        .expect("open the store read-side");
        store
            .load(&CustomerId::parse(&self.wa_id).unwrap())
            .await
            .expect("load")
            .expect("the conversation exists")
    }

    /// Waits until the server has committed the turn for our last message.
    async fn committed(&self) -> Conversation {
        let deadline = Instant::now() + WAIT;
        let last_id = format!("wamid.{}.{}", self.wa_id, self.sent);
        loop {
            let c = self.conversation().await;
            if c.history
                .iter()
                .any(|m| m.wa_id.as_deref() == Some(last_id.as_str()))
            {
                return c;
            }
            assert!(
                Instant::now() < deadline,
                "turn for {last_id} never committed"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test]
async fn a_cooperative_english_lead_reaches_scheduling_within_six_messages() {
    let (app, graph) = plain_app().await;
    let mut chat = Chat::new(&app, &graph, "14155550101");
    for line in QUALIFY_EN {
        let reply = chat.say(line).await;
        assert!(!reply.is_empty());
    }
    let c = chat.committed().await;
    assert_eq!(c.stage, "scheduling", "lead: {:?}", c.lead);
    assert_eq!(c.lead.name.as_deref(), Some("Ana"));
    assert!(c.lead.budget.is_some() && c.lead.authority.is_some() && c.lead.timeline.is_some());
    assert_eq!(c.language, leadline_domain::Language::En);
    assert!(c.handoff.is_none());
}

#[tokio::test]
async fn a_cooperative_spanish_lead_reaches_scheduling_within_six_messages() {
    let (app, graph) = plain_app().await;
    let mut chat = Chat::new(&app, &graph, "5215550102");
    for line in QUALIFY_ES {
        chat.say(line).await;
    }
    let c = chat.committed().await;
    assert_eq!(c.stage, "scheduling", "lead: {:?}", c.lead);
    assert_eq!(c.language, leadline_domain::Language::Es);
}

#[tokio::test]
async fn asking_for_a_person_hands_off_at_once_and_the_bot_goes_quiet() {
    let (app, graph) = plain_app().await;
    let mut es = Chat::new(&app, &graph, "5215550103");
    es.say("Hola").await;
    assert_eq!(es.say("quiero hablar con una persona").await, HANDOFF_ES);
    let c = es.committed().await;
    assert_eq!(
        c.handoff.map(|h| h.reason),
        Some(HandoffReason::CustomerAsked)
    );

    // Silent from now on: the message is recorded, nothing is sent.
    let replies = es.replies().len();
    es.sent += 1;
    app.customer_says(
        &es.wa_id,
        &format!("wamid.{}.{}", es.wa_id, es.sent),
        "¿hola?",
    )
    .await;
    es.committed().await;
    assert_eq!(es.replies().len(), replies);

    let mut en = Chat::new(&app, &graph, "14155550104");
    assert_eq!(en.say("hi, can I talk to a human please").await, HANDOFF_EN);
}

#[tokio::test]
async fn three_gibberish_messages_hand_off() {
    let (app, graph) = plain_app().await;
    let mut chat = Chat::new(&app, &graph, "5215550105");
    chat.say("asdkjh qwpoe zzxq").await;
    chat.say("jjjjjjjj kkkk").await;
    let last = chat.say("qwe rty uiop asdf").await;
    assert_eq!(last, HANDOFF_ES);
    let c = chat.committed().await;
    assert_eq!(c.handoff.map(|h| h.reason), Some(HandoffReason::Unresolved));
}

#[tokio::test]
async fn a_burst_of_three_quick_messages_gets_one_reply_that_uses_all_three() {
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    let app =
        TestApp::spawn(Options::new(&graph.base_url()).env("LEADLINE_BURST_WINDOW_MS", "1500"))
            .await;
    let wa_id = "14155550106";
    app.customer_says(wa_id, "wamid.burst1", "hi").await;
    app.customer_says(wa_id, "wamid.burst2", "I'm Ana").await;
    app.customer_says(wa_id, "wamid.burst3", "from Acme, we need a sales chatbot")
        .await;
    graph.wait_for_sent(1, WAIT).await;
    let chat = Chat {
        app: &app,
        graph: &graph,
        wa_id: wa_id.into(),
        sent: 0,
    };
    let c = {
        let deadline = Instant::now() + WAIT;
        loop {
            let c = chat.conversation().await;
            if c.history
                .iter()
                .any(|m| m.wa_id.as_deref() == Some("wamid.burst3"))
            {
                break c;
            }
            assert!(Instant::now() < deadline);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    assert_eq!(
        app.settled(&[wa_id]).await.len(),
        1,
        "one reply for the burst"
    );
    assert_eq!(graph.sent().len(), 1);
    assert_eq!(c.lead.name.as_deref(), Some("Ana"));
    assert_eq!(c.lead.company.as_deref(), Some("Acme"));
    assert!(c.lead.need.is_some());
    assert_eq!(c.stage, "qualification");
}
