//! A conversation worker: claims a conversation, runs its turn, commits.

use crate::Shared;
use crate::follow_through;
use jiff::Timestamp;
use leadline_domain::events::Event;
use leadline_domain::router::{SummaryJob, TurnOutcome};
use leadline_domain::{Conversation, InboundMessage};
use leadline_stores::{Claim, ListRow, OutgoingBody, OutgoingMessage, StoreError, TurnCommit};
use leadline_whatsapp::send::{INTERACTIVE_BODY_MAX_CHARS, TEXT_MAX_CHARS, split_text};
use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Longest pause after repeated store errors.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

pub(crate) struct Worker {
    shared: Arc<Shared>,
    id: String,
}

impl Worker {
    pub fn new(shared: Arc<Shared>, n: usize) -> Self {
        // Unique across processes, so leases tell workers of different
        // processes apart.
        let id = format!("{}-{}-{n}", std::process::id(), fastrand::u32(..));
        Self { shared, id }
    }

    pub async fn run(self, shutdown: CancellationToken) {
        let mut backoff = Duration::from_millis(50);
        while !shutdown.is_cancelled() {
            let config = &self.shared.config;
            match self
                .shared
                .store
                .claim(&self.id, config.lease, config.quiet_for)
                .await
            {
                Ok(Some(claim)) => {
                    metrics::counter!("leadline_claims_total", "result" => "claimed").increment(1);
                    backoff = Duration::from_millis(50);
                    // There may be more: let another idle worker look.
                    self.shared.inbox_ready.notify_one();
                    self.handle(claim).await;
                }
                Ok(None) => {
                    metrics::counter!("leadline_claims_total", "result" => "empty").increment(1);
                    self.idle(&shutdown).await;
                }
                Err(e) => {
                    metrics::counter!("leadline_claims_total", "result" => "error").increment(1);
                    tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "cannot claim from the inbox");
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = shutdown.cancelled() => {}
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
    }

    /// Waits for work. One idle worker at a time, the lookout, also looks
    /// again every `idle_poll` (or burst window) for what nobody announced:
    /// messages enqueued by another process, a burst gone quiet, a dead
    /// worker's lease run out. Whatever it finds wakes the next worker (see
    /// `run`), which becomes the lookout once it finds nothing: the role
    /// passes on, and the store's idle load does not grow with the workers.
    async fn idle(&self, shutdown: &CancellationToken) {
        let config = &self.shared.config;
        let lookout = &self.shared.lookout;
        if lookout.swap(true, Ordering::AcqRel) {
            tokio::select! {
                _ = self.shared.inbox_ready.notified() => {}
                _ = shutdown.cancelled() => {}
            }
            return;
        }
        let wait = if config.quiet_for.is_zero() {
            config.idle_poll
        } else {
            config.idle_poll.min(config.quiet_for)
        };
        tokio::select! {
            _ = self.shared.inbox_ready.notified() => {}
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.cancelled() => {}
        }
        lookout.store(false, Ordering::Release);
    }

    /// Runs one turn for a claim and commits it. Whatever fails, the claim's
    /// messages stay in the inbox until a commit acknowledges them.
    async fn handle(&self, claim: Claim) {
        let started = Instant::now();
        let now = self.shared.config.clock.now();
        let customer = claim.customer.clone();
        let mut conversation = match self.load(&claim, now).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(customer = %customer, error = %e, "cannot load the conversation; releasing it");
                self.release(&claim).await;
                return;
            }
        };
        if self.shared.config.mark_read && conversation.handoff.is_none() {
            self.mark_read(&claim.messages);
        }

        // Voice notes are heard before the turn, within half the lease, so
        // the turn still commits before another worker may take it over;
        // in a conversation handed to a person too, who reads them as text.
        let messages = match &self.shared.voice {
            Some(voice) => {
                let deadline = tokio::time::Instant::now() + self.shared.config.lease / 2;
                voice.transcribe(&claim.messages, deadline).await
            }
            None => Cow::Borrowed(claim.messages.as_slice()),
        };
        let outcome = self
            .shared
            .agent
            .run_turn(&mut conversation, &messages, now)
            .await;
        let replies = self.outgoing(&claim, &outcome);
        let reply_count = replies.len();
        let last_reply = outcome.replies.last().cloned();
        let TurnOutcome {
            events,
            summary_job,
            prompt_tokens,
            ..
        } = outcome;
        let effects = match claim.messages.last() {
            Some(last) => {
                let mut effects = self.shared.side_effects.for_turn(
                    &last.id,
                    &self.business_number(last),
                    &conversation,
                    &events,
                    now,
                );
                effects.extend(follow_through::schedule(
                    self.shared.agent.playbook(),
                    &last.id,
                    &conversation,
                    &events,
                    last_reply.as_deref(),
                    now,
                ));
                effects
            }
            None => Vec::new(),
        };
        let effect_count = effects.len();
        // Counted once the turn is committed: a fenced turn is run again.
        let ungrounded: Vec<&'static str> = events
            .iter()
            .filter_map(|event| match event {
                Event::FieldUngrounded { field } => Some(field.as_str()),
                _ => None,
            })
            .collect();
        let answers: Vec<&'static str> = events
            .iter()
            .filter_map(|event| match event {
                Event::QuestionAsked { grounded, .. } => Some(grounded.as_str()),
                _ => None,
            })
            .collect();
        let commit = TurnCommit {
            conversation,
            replies,
            events,
            effects,
        };
        match self.shared.store.commit_turn(&claim, commit).await {
            Ok(()) => {
                self.shared.outbox_ready.notify_one();
                if effect_count > 0 {
                    self.shared.effects_ready.notify_one();
                }
                metrics::counter!("leadline_turns_total", "outcome" => "committed").increment(1);
                for field in ungrounded {
                    metrics::counter!("leadline_model_ungrounded_total", "field" => field)
                        .increment(1);
                }
                for grounded in answers {
                    metrics::counter!("leadline_answers_total", "grounded" => grounded)
                        .increment(1);
                }
                metrics::histogram!("leadline_turn_seconds")
                    .record(started.elapsed().as_secs_f64());
                metrics::histogram!("leadline_burst_messages").record(claim.messages.len() as f64);
                if prompt_tokens > 0 {
                    metrics::histogram!("leadline_prompt_tokens").record(prompt_tokens as f64);
                }
                tracing::info!(customer = %customer, messages = claim.messages.len(), replies = reply_count, "turn committed");
                if let Some(job) = summary_job {
                    self.summarize_in_background(job);
                }
            }
            Err(StoreError::Fenced) => {
                metrics::counter!("leadline_turns_total", "outcome" => "fenced").increment(1);
                tracing::warn!(customer = %customer, "lease lost during the turn; another worker answers it");
            }
            Err(e) => {
                metrics::counter!("leadline_turns_total", "outcome" => "failed").increment(1);
                tracing::warn!(customer = %customer, error = %e, "cannot commit the turn; it will be retried");
                self.release(&claim).await;
            }
        }
    }

    async fn load(&self, claim: &Claim, now: Timestamp) -> Result<Conversation, StoreError> {
        let store = &self.shared.store;
        match store.load(&claim.customer).await? {
            Some(c) if !c.expired(now) => Ok(c),
            previous => {
                let lead = store.load_lead(&claim.customer).await?;
                let mut fresh = self.shared.agent.start(claim.customer.clone(), lead, now);
                // The customer's word on getting messages outlives the
                // conversation they gave it in.
                fresh.opted_out_at = previous.and_then(|c| c.opted_out_at);
                Ok(fresh)
            }
        }
    }

    /// The replies as outbox entries, each keyed by the newest inbound
    /// message it answers and its position, split to WhatsApp's size limit.
    /// An offer of slots goes with the last reply as a list; documents
    /// follow.
    fn outgoing(&self, claim: &Claim, outcome: &TurnOutcome) -> Vec<OutgoingMessage> {
        let Some(last) = claim.messages.last() else {
            return Vec::new();
        };
        let from = self.business_number(last);
        let mut bodies: Vec<OutgoingBody> = outcome
            .replies
            .iter()
            .flat_map(|reply| split_text(reply, TEXT_MAX_CHARS))
            .map(|body| OutgoingBody::Text { body })
            .collect();
        if let Some(offer) = &outcome.offer {
            let rows = offer
                .rows
                .iter()
                .map(|row| ListRow {
                    id: row.id.clone(),
                    title: row.title.clone(),
                    description: Some(row.description.clone()),
                })
                .collect();
            // The list carries the last reply as its body when it fits,
            // else it follows it with the button's label as its body.
            let body = match bodies.pop() {
                Some(OutgoingBody::Text { body })
                    if body.chars().count() <= INTERACTIVE_BODY_MAX_CHARS =>
                {
                    body
                }
                other => {
                    bodies.extend(other);
                    offer.button.clone()
                }
            };
            bodies.push(OutgoingBody::List {
                body,
                button: offer.button.clone(),
                rows,
            });
        }
        bodies.extend(
            outcome
                .documents
                .iter()
                .map(|document| OutgoingBody::Document {
                    source: document.source.clone(),
                    filename: document.filename.clone(),
                    caption: document.caption.clone(),
                }),
        );
        bodies
            .into_iter()
            .enumerate()
            .map(|(part, body)| OutgoingMessage {
                key: format!("{}#{part}", last.id),
                to: claim.customer.clone(),
                business_number_id: from.clone(),
                body,
            })
            .collect()
    }

    /// The number to answer from: `WHATSAPP_PHONE_NUMBER_ID` when set, else
    /// the one the customer wrote to.
    fn business_number(&self, message: &InboundMessage) -> String {
        self.shared
            .config
            .phone_number_id
            .clone()
            .unwrap_or_else(|| message.business_number_id.clone())
    }

    /// Best effort, off the turn's path: a failed read receipt changes
    /// nothing for the customer.
    fn mark_read(&self, messages: &[InboundMessage]) {
        let Some(last) = messages.last() else { return };
        let outlet = self.shared.outlet.clone();
        let from = self.business_number(last);
        let id = last.id.clone();
        tokio::spawn(async move {
            if let Err(e) = outlet.mark_read(&from, &id).await {
                tracing::debug!(error = %e, "could not mark a message read");
            }
        });
    }

    fn summarize_in_background(&self, job: SummaryJob) {
        let shared = self.shared.clone();
        tokio::spawn(async move {
            match shared.agent.summarize(&job).await {
                Ok(summary) => {
                    metrics::counter!("leadline_summaries_total", "outcome" => "ok").increment(1);
                    if let Err(e) = shared.store.put_summary(&job.customer, &summary).await {
                        tracing::warn!(customer = %job.customer, error = %e, "cannot store the summary");
                    }
                }
                Err(e) => {
                    metrics::counter!("leadline_summaries_total", "outcome" => "failed")
                        .increment(1);
                    tracing::warn!(customer = %job.customer, error = %e, "summary update failed; the next one covers it");
                }
            }
        });
    }

    async fn release(&self, claim: &Claim) {
        if let Err(e) = self.shared.store.release(claim).await {
            tracing::debug!(error = %e, "cannot release the claim; its lease will expire");
        }
    }
}
