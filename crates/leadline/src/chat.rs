//! `leadline chat`: talk to the agent in the terminal as a customer would
//! on WhatsApp, and the [`Session`] it shares with `leadline eval`: the same
//! inbox, engine, agent and store as a webhook, with replies delivered to
//! an in-process outlet instead of the Graph API.

use crate::app;
use crate::config::Settings;
use crate::knowledge::{Folder, Live};
use anyhow::Context;
use async_trait::async_trait;
use jiff::Timestamp;
use leadline_domain::documents::DocumentSource;
use leadline_domain::playbook::Playbook;
use leadline_domain::router::Agent;
use leadline_domain::{Content, Conversation, CustomerId, InboundMessage};
use leadline_engine::{Engine, EngineConfig, Outlet, SideEffects};
use leadline_stores::{InboxBatch, OutgoingBody, OutgoingMessage, Store, StoreError};
use leadline_whatsapp::send::SendError;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The business number id in-process messages are addressed to.
const SESSION_NUMBER_ID: &str = "0";
/// The shortest wait for the agent's answer to one turn; a slower model's
/// turn is waited on for as long as its lease lets it run.
const REPLY_TIMEOUT: Duration = Duration::from_secs(60);
/// How often a waiting turn looks at the store: a turn with no reply (a
/// handed-off conversation) leaves nothing else to wait on.
const POLL: Duration = Duration::from_millis(10);

/// Keeps each customer's replies, in the order the engine sends them,
/// instead of sending them to the Graph API.
#[derive(Default)]
struct InProcessOutlet {
    sent: Mutex<HashMap<CustomerId, Vec<String>>>,
}

impl InProcessOutlet {
    /// `customer`'s replies delivered so far.
    fn sent_to(&self, customer: &CustomerId) -> Vec<String> {
        self.lock().get(customer).cloned().unwrap_or_default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<CustomerId, Vec<String>>> {
        // A panic while holding the lock leaves the map whole: keep using it.
        self.sent
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A message as the terminal shows it: a list's rows under its body, one
/// a line, so a customer can answer with the time they want.
fn readable(body: &OutgoingBody) -> String {
    match body {
        OutgoingBody::Text { body } => body.clone(),
        OutgoingBody::List { body, button, rows } => {
            let mut text = format!("{body}\n[{button}]");
            for row in rows {
                text.push_str("\n  · ");
                text.push_str(&row.title);
            }
            text
        }
        OutgoingBody::Document {
            source,
            filename,
            caption,
        } => {
            let name = filename.clone().unwrap_or_else(|| match source {
                DocumentSource::Url(link) => link.clone(),
                DocumentSource::File(path) => path.clone(),
            });
            match caption {
                Some(caption) => format!("[document: {name}] {caption}"),
                None => format!("[document: {name}]"),
            }
        }
        OutgoingBody::Template {
            name, parameters, ..
        } => {
            format!("[template {name}: {}]", parameters.join(" | "))
        }
    }
}

#[async_trait]
impl Outlet for InProcessOutlet {
    async fn send(&self, message: &OutgoingMessage) -> Result<String, SendError> {
        let mut sent = self.lock();
        let replies = sent.entry(message.to.clone()).or_default();
        replies.push(readable(&message.body));
        Ok(format!("local.out.{}", replies.len()))
    }

    async fn mark_read(
        &self,
        _business_number_id: &str,
        _message_id: &str,
    ) -> Result<(), SendError> {
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no answer within {} s", .0.as_secs())]
    Timeout(Duration),
}

/// One message a customer sends in a turn, after `delay` of silence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    pub text: String,
    pub delay: Duration,
    /// The WhatsApp profile name the message carries.
    pub profile_name: Option<String>,
}

/// A running in-process Leadline: the given store, the configured agent
/// and real engine workers, driven by enqueuing messages as the webhook
/// does; replies stay in-process.
pub struct Session {
    store: Arc<dyn Store>,
    agent: Arc<Agent>,
    outlet: Arc<InProcessOutlet>,
    engine: Engine,
    shutdown: CancellationToken,
    running: JoinHandle<()>,
    /// How long a turn's replies are waited for.
    reply_timeout: Duration,
    /// Makes message ids unique across runs sharing a database.
    tag: i128,
    sequence: AtomicU64,
}

impl Session {
    /// Builds the configured brain and playbook and starts `workers` engine
    /// workers on `store`.
    pub fn start(
        settings: &Settings,
        store: Arc<dyn Store>,
        workers: usize,
    ) -> anyhow::Result<Self> {
        let playbook = Arc::new(app::load_playbook(settings)?);
        let knowledge = Live::load(Folder::of(settings, &playbook))?;
        let agent = app::build_agent(settings, playbook, store.clone(), &knowledge)?;
        let outlet = Arc::new(InProcessOutlet::default());
        let config = EngineConfig {
            workers,
            lease: settings.engine.lease,
            quiet_for: settings.engine.burst_window,
            mark_read: false,
            ..EngineConfig::default()
        };
        // Nothing in a terminal carries a voice note, and it is no place to
        // deliver leads to a CRM or a rep.
        let engine = Engine::new(
            store.clone(),
            agent.clone(),
            outlet.clone(),
            None,
            config,
            SideEffects::default(),
        );
        let shutdown = CancellationToken::new();
        let running = tokio::spawn({
            let engine = engine.clone();
            let shutdown = shutdown.clone();
            async move { engine.run(shutdown).await }
        });
        Ok(Self {
            store,
            agent,
            outlet,
            engine,
            shutdown,
            running,
            reply_timeout: REPLY_TIMEOUT.max(settings.engine.lease * 2),
            tag: Timestamp::now().as_nanosecond(),
            sequence: AtomicU64::new(0),
        })
    }

    pub fn playbook(&self) -> &Playbook {
        self.agent.playbook()
    }

    pub fn knowledge(&self) -> Arc<leadline_knowledge::Knowledge> {
        self.agent.knowledge()
    }

    /// Sends `messages` as `customer` and returns the agent's replies once
    /// every message is answered and its replies are out. Messages without
    /// a delay before them go in one enqueue, as one webhook delivery would
    /// bring a burst.
    pub async fn turn(
        &self,
        customer: &CustomerId,
        messages: &[Said],
    ) -> Result<Vec<String>, SessionError> {
        let before = Mark {
            conversation: self.store.load(customer).await?,
            delivered: self.outlet.sent_to(customer).len(),
        };
        let mut batch = Vec::new();
        let mut last_id = None;
        for said in messages {
            if !said.delay.is_zero() {
                self.enqueue(std::mem::take(&mut batch)).await?;
                tokio::time::sleep(said.delay).await;
            }
            let id = format!(
                "local.{}.{}",
                self.tag,
                self.sequence.fetch_add(1, Ordering::Relaxed)
            );
            batch.push(InboundMessage {
                id: id.clone(),
                customer: customer.clone(),
                business_number_id: SESSION_NUMBER_ID.into(),
                profile_name: said.profile_name.clone(),
                sent_at: Timestamp::now(),
                content: Content::Text {
                    body: said.text.clone(),
                },
            });
            last_id = Some(id);
        }
        self.enqueue(batch).await?;
        let Some(last_id) = last_id else {
            return Ok(Vec::new());
        };
        let deadline = tokio::time::Instant::now() + self.reply_timeout;
        loop {
            if let Some(replies) = self
                .answered(customer, &last_id, messages.len(), &before)
                .await?
            {
                return Ok(replies);
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(SessionError::Timeout(self.reply_timeout));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn enqueue(&self, messages: Vec<InboundMessage>) -> Result<(), StoreError> {
        if messages.is_empty() {
            return Ok(());
        }
        self.store
            .enqueue(InboxBatch {
                messages,
                statuses: Vec::new(),
            })
            .await?;
        self.engine.inbox_changed();
        Ok(())
    }

    /// The replies to the `said` messages ending with `last_id`, once the
    /// turn that took it in is committed and every reply it recorded has
    /// been delivered. Every message of a conversation gets the next `seq`,
    /// so the replies recorded are the new `seq`s minus the customer's.
    async fn answered(
        &self,
        customer: &CustomerId,
        last_id: &str,
        said: usize,
        before: &Mark,
    ) -> Result<Option<Vec<String>>, StoreError> {
        let Some(now) = self.store.load(customer).await? else {
            return Ok(None);
        };
        if !now
            .history
            .iter()
            .any(|m| m.wa_id.as_deref() == Some(last_id))
        {
            return Ok(None);
        }
        // A conversation past WhatsApp's window starts again from seq 1.
        let from_seq = before
            .conversation
            .as_ref()
            .filter(|c| c.started_at == now.started_at)
            .map_or(0, |c| c.last_seq);
        let recorded = now
            .last_seq
            .saturating_sub(from_seq)
            .saturating_sub(said as u64);
        let delivered = self.outlet.sent_to(customer);
        let fresh = delivered.get(before.delivered..).unwrap_or_default();
        if (fresh.len() as u64) < recorded {
            return Ok(None);
        }
        Ok(Some(fresh.to_vec()))
    }

    pub async fn conversation(
        &self,
        customer: &CustomerId,
    ) -> Result<Option<Conversation>, StoreError> {
        self.store.load(customer).await
    }

    /// Stops the workers once their current turns and sends are done.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        self.running.await.context("engine task failed")
    }
}

/// Where a customer's conversation and replies stood before a turn.
struct Mark {
    conversation: Option<Conversation>,
    delivered: usize,
}

pub async fn run(
    settings: Settings,
    customer: Option<String>,
    show_state: bool,
) -> anyhow::Result<()> {
    let store = app::open_store(&settings).await?;
    let session = Session::start(&settings, store, 2)?;
    let customer = match customer {
        Some(raw) => {
            CustomerId::parse(&raw).context("--customer must be a WhatsApp id (digits)")?
        }
        None => CustomerId::parse(&format!("9{:010}", fastrand::u64(..10_000_000_000)))
            .context("generated customer id")?,
    };
    say!(
        "You are customer {} talking to Leadline. Type a message; Ctrl-D to quit.",
        customer.masked()
    );

    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await? {
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        let said = Said {
            text: text.to_owned(),
            delay: Duration::ZERO,
            profile_name: None,
        };
        match session.turn(&customer, &[said]).await {
            Ok(replies) => {
                for reply in replies {
                    say!("agent> {reply}");
                }
            }
            Err(SessionError::Timeout(after)) => {
                say!("(no answer within {} s)", after.as_secs());
            }
            Err(e) => return Err(e.into()),
        }
        if show_state {
            print_state(&session, &customer).await?;
        }
    }
    session.stop().await
}

async fn print_state(session: &Session, customer: &CustomerId) -> anyhow::Result<()> {
    if let Some(c) = session.conversation(customer).await? {
        let lead = serde_json::to_string(&c.lead)?;
        let handoff = c
            .handoff
            .map_or("no".to_owned(), |h| h.reason.as_str().to_owned());
        say!(
            "  [stage {} · language {} · handed off: {handoff} · lead {lead}]",
            c.stage,
            c.language.code()
        );
    }
    Ok(())
}
