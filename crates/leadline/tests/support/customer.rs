//! A customer writing to a running Leadline through signed webhooks, and
//! reading what it is sent on the fake Graph API.

use super::TestApp;
use jiff::Timestamp;
use leadline_domain::{Conversation, CustomerId};
use leadline_stores::ConversationStore;
use leadline_stores::sqlite::SqliteStore;
use leadline_testkit::graph::{FakeGraph, SentMessage};
use leadline_testkit::webhook;
use serde_json::Value;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(30);

/// A customer writing to a running Leadline, each message answered before
/// the next.
pub struct Customer<'a> {
    app: &'a TestApp,
    graph: &'a FakeGraph,
    pub wa_id: String,
    sent: usize,
    /// How many messages to it were already returned.
    pub seen: usize,
}

impl<'a> Customer<'a> {
    pub fn new(app: &'a TestApp, graph: &'a FakeGraph, wa_id: &str) -> Self {
        Self {
            app,
            graph,
            wa_id: wa_id.to_owned(),
            sent: 0,
            seen: 0,
        }
    }

    /// Sends one message and returns the `replies` it is answered with.
    pub async fn send(&mut self, message: Value, replies: usize) -> Vec<SentMessage> {
        let response = self
            .app
            .post_webhook(&webhook::notification(vec![message]))
            .await;
        assert_eq!(response.status(), 200);
        self.receive(replies).await
    }

    /// Waits for `replies` more messages to the customer, and returns them.
    pub async fn receive(&mut self, replies: usize) -> Vec<SentMessage> {
        let deadline = Instant::now() + WAIT;
        loop {
            let sent: Vec<SentMessage> = self
                .graph
                .sent()
                .into_iter()
                .filter(|s| s.to == self.wa_id)
                .collect();
            if sent.len() >= self.seen + replies {
                let new = sent[self.seen..].to_vec();
                self.seen = sent.len();
                return new;
            }
            assert!(Instant::now() < deadline, "waiting for {replies} replies");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub fn next_id(&mut self) -> String {
        self.sent += 1;
        format!("wamid.{}.{}", self.wa_id, self.sent)
    }

    pub async fn say(&mut self, text: &str, replies: usize) -> Vec<SentMessage> {
        let id = self.next_id();
        self.send(webhook::text(&self.wa_id, &id, text), replies)
            .await
    }

    pub async fn pick(&mut self, row: &Row, replies: usize) -> Vec<SentMessage> {
        let id = self.next_id();
        self.send(
            webhook::list_reply(&self.wa_id, &id, &row.id, &row.title),
            replies,
        )
        .await
    }

    /// Qualifies with `script`; returns the rows of the list the last
    /// answer offers.
    pub async fn qualify(&mut self, script: &[&str], button: &str) -> Vec<Row> {
        let (last, first) = script.split_last().unwrap();
        for line in first {
            self.say(line, 1).await;
        }
        let offer = self.say(last, 1).await;
        list_rows(&offer[0], button)
    }

    pub async fn conversation(&self) -> Conversation {
        store(self.app)
            .await
            .load(&CustomerId::parse(&self.wa_id).unwrap())
            .await
            .expect("load")
            .expect("the conversation exists")
    }
}

pub async fn store(app: &TestApp) -> SqliteStore {
    SqliteStore::open(&format!(
        "sqlite://{}",
        app.db_dir.join("leadline.db").display()
    ))
    .await
    .expect("open the store")
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: String,
    pub title: String,
}

impl Row {
    pub fn start(&self) -> Timestamp {
        self.id.parse().expect("a row id is an RFC 3339 start")
    }
}

/// The rows of an interactive list message, checking it is one.
pub fn list_rows(message: &SentMessage, button: &str) -> Vec<Row> {
    let body = &message.body;
    assert_eq!(body["type"], "interactive", "{body}");
    assert_eq!(body["interactive"]["type"], "list", "{body}");
    assert_eq!(body["interactive"]["action"]["button"], button, "{body}");
    let rows: Vec<Row> = body["interactive"]["action"]["sections"][0]["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| Row {
            id: r["id"].as_str().unwrap().to_owned(),
            title: r["title"].as_str().unwrap().to_owned(),
        })
        .collect();
    assert!((1..=10).contains(&rows.len()), "{body}");
    rows
}

pub fn text(message: &SentMessage) -> &str {
    message.text.as_deref().unwrap_or_default()
}

/// The body of an interactive message: what the customer reads above a
/// list's button.
pub fn list_body(message: &SentMessage) -> &str {
    message.body["interactive"]["body"]["text"]
        .as_str()
        .expect("an interactive message with a body")
}
