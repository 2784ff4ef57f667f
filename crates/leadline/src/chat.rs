//! `leadline chat`: talk to the agent in the terminal as a customer would
//! on WhatsApp. Each line goes through the same inbox, engine, router and
//! store as a webhook; replies come back through a terminal outlet instead
//! of the Graph API.

use crate::app;
use crate::config::Settings;
use anyhow::Context;
use async_trait::async_trait;
use jiff::Timestamp;
use leadline_domain::{Content, CustomerId, InboundMessage};
use leadline_engine::{Engine, EngineConfig, Outlet};
use leadline_stores::{InboxBatch, OutgoingBody, OutgoingMessage, Store};
use leadline_whatsapp::send::SendError;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// The business number id chat messages are addressed to.
const CHAT_NUMBER_ID: &str = "0";
/// How long to wait for the agent before giving the prompt back.
const REPLY_TIMEOUT: Duration = Duration::from_secs(60);

/// Prints replies instead of sending them.
struct TerminalOutlet {
    replies: mpsc::UnboundedSender<String>,
    next_id: AtomicU64,
}

#[async_trait]
impl Outlet for TerminalOutlet {
    async fn send(&self, message: &OutgoingMessage) -> Result<String, SendError> {
        let OutgoingBody::Text { body } = &message.body;
        // The receiver only goes away when chat is exiting.
        let _ = self.replies.send(body.clone());
        Ok(format!(
            "chat.out.{}",
            self.next_id.fetch_add(1, Ordering::Relaxed)
        ))
    }

    async fn mark_read(
        &self,
        _business_number_id: &str,
        _message_id: &str,
    ) -> Result<(), SendError> {
        Ok(())
    }
}

pub async fn run(
    settings: Settings,
    customer: Option<String>,
    show_state: bool,
) -> anyhow::Result<()> {
    let store = app::open_store(&settings).await?;
    let router = app::build_router(&settings)?;
    let (tx, mut replies) = mpsc::unbounded_channel();
    let outlet = Arc::new(TerminalOutlet {
        replies: tx,
        next_id: AtomicU64::new(1),
    });
    let config = EngineConfig {
        workers: 2,
        mark_read: false,
        ..EngineConfig::default()
    };
    let engine = Engine::new(store.clone(), router, outlet, config);
    let shutdown = CancellationToken::new();
    let running = tokio::spawn({
        let engine = engine.clone();
        let shutdown = shutdown.clone();
        async move { engine.run(shutdown).await }
    });

    let customer = match customer {
        Some(raw) => {
            CustomerId::parse(&raw).context("--customer must be a WhatsApp id (digits)")?
        }
        None => CustomerId::parse(&format!("9{:010}", fastrand::u64(..10_000_000_000)))
            .context("generated customer id")?,
    };
    println!(
        "You are customer {} talking to Leadline. Type a message; Ctrl-D to quit.",
        customer.masked()
    );

    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut sequence = 0u64;
    let session = Timestamp::now().as_nanosecond();
    while let Some(line) = lines.next_line().await? {
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        sequence += 1;
        let id = format!("chat.{session}.{sequence}");
        let message = InboundMessage {
            id: id.clone(),
            customer: customer.clone(),
            business_number_id: CHAT_NUMBER_ID.into(),
            profile_name: None,
            sent_at: Timestamp::now(),
            content: Content::Text {
                body: text.to_owned(),
            },
        };
        store
            .enqueue(InboxBatch {
                messages: vec![message],
                statuses: Vec::new(),
            })
            .await?;
        engine.inbox_changed();
        wait_for_turn(store.as_ref(), &customer, &id, &mut replies).await?;
        if show_state {
            print_state(store.as_ref(), &customer).await?;
        }
    }
    shutdown.cancel();
    running.await.context("engine task failed")?;
    Ok(())
}

/// Prints the agent's replies until the turn that took in `message_id` is
/// committed and its replies are out (a handed-off conversation stays
/// silent: then nothing is printed).
async fn wait_for_turn(
    store: &dyn Store,
    customer: &CustomerId,
    message_id: &str,
    replies: &mut mpsc::UnboundedReceiver<String>,
) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + REPLY_TIMEOUT;
    loop {
        tokio::select! {
            Some(reply) = replies.recv() => println!("agent> {reply}"),
            _ = tokio::time::sleep(Duration::from_millis(25)) => {
                if turn_done(store, customer, message_id).await? && replies.is_empty() {
                    return Ok(());
                }
            }
            _ = tokio::time::sleep_until(deadline) => {
                println!("(no answer within {} s)", REPLY_TIMEOUT.as_secs());
                return Ok(());
            }
        }
    }
}

/// The turn is committed and nothing of it is left to send.
async fn turn_done(
    store: &dyn Store,
    customer: &CustomerId,
    message_id: &str,
) -> anyhow::Result<bool> {
    let committed = store.load(customer).await?.is_some_and(|c| {
        c.history
            .iter()
            .any(|m| m.wa_id.as_deref() == Some(message_id))
    });
    Ok(committed && store.next_due().await?.is_none())
}

async fn print_state(store: &dyn Store, customer: &CustomerId) -> anyhow::Result<()> {
    if let Some(c) = store.load(customer).await? {
        let lead = serde_json::to_string(&c.lead)?;
        let handoff = c
            .handoff
            .map_or("no".to_owned(), |h| h.reason.as_str().to_owned());
        println!(
            "  [stage {} · language {} · handed off: {handoff} · lead {lead}]",
            c.stage,
            c.language.code()
        );
    }
    Ok(())
}
