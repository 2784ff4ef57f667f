//! Erasing a customer's data: on request (the admin API, the dashboard) or
//! once their conversation has been idle past the retention period
//! (`LEADLINE_RETENTION_DAYS`). Both go one way: the store erases every
//! record in one transaction, and, when a CRM webhook is configured,
//! records its `lead.erased` notice in that transaction, naming the lead by
//! its pseudonym only.

use jiff::{SignedDuration, Timestamp};
use leadline_domain::{Clock, CustomerId};
use leadline_integrations::CrmWebhook;
use leadline_stores::{Effect, EffectAction, Store, StoreError};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Conversations one retention round erases at most: a bounded
/// transaction count per round, whatever the backlog.
pub const RETENTION_BATCH: usize = 100;
/// How often retention looks for idle conversations when it found none
/// the last time.
pub const RETENTION_EVERY: Duration = Duration::from_secs(3600);

/// Why a customer's data was erased, for the metric and the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErasureReason {
    /// A person asked for it (the admin API, the dashboard).
    Request,
    /// The conversation was idle past the retention period.
    Retention,
}

impl ErasureReason {
    pub fn as_str(self) -> &'static str {
        match self {
            ErasureReason::Request => "request",
            ErasureReason::Retention => "retention",
        }
    }
}

/// Erases customers' data, on request or by retention.
pub struct Eraser {
    store: Arc<dyn Store>,
    /// Told of each erasure (`lead.erased`), when configured.
    crm: Option<Arc<CrmWebhook>>,
    clock: Clock,
}

impl Eraser {
    pub fn new(store: Arc<dyn Store>, crm: Option<Arc<CrmWebhook>>, clock: Clock) -> Self {
        Self { store, crm, clock }
    }

    /// Erases everything kept about `customer`; `false` when nothing was
    /// known of them.
    pub async fn erase(
        &self,
        customer: &CustomerId,
        reason: ErasureReason,
    ) -> Result<bool, StoreError> {
        let now = self.clock.now();
        let notice = match &self.crm {
            Some(crm) => vec![erased_notice(&crm.lead_id(customer), now)?],
            None => Vec::new(),
        };
        let erased = self.store.erase(customer, &notice, now).await?;
        if erased {
            metrics::counter!("leadline_erased_total", "reason" => reason.as_str()).increment(1);
            tracing::info!(customer = %customer, reason = reason.as_str(), "customer's data erased");
        }
        Ok(erased)
    }

    /// One retention round: erases up to `limit` conversations idle for
    /// longer than `retention`; returns how many it erased.
    pub async fn sweep(&self, retention: Duration, limit: usize) -> Result<usize, StoreError> {
        let retention = SignedDuration::try_from(retention).unwrap_or(SignedDuration::MAX);
        let before = self
            .clock
            .now()
            .checked_sub(retention)
            .unwrap_or(Timestamp::MIN);
        let mut erased = 0;
        for customer in self.store.stale(before, limit).await? {
            if self.erase(&customer, ErasureReason::Retention).await? {
                erased += 1;
            }
        }
        Ok(erased)
    }

    /// Runs retention until `shutdown`: a round every `every`, and rounds
    /// back to back while they find a full batch (a backlog). Failures are
    /// logged and retried at the next round.
    pub async fn retain(
        self: Arc<Self>,
        retention: Duration,
        every: Duration,
        shutdown: CancellationToken,
    ) {
        loop {
            let wait = match self.sweep(retention, RETENTION_BATCH).await {
                Ok(erased) => {
                    if erased > 0 {
                        tracing::info!(erased, "retention erased idle conversations");
                    }
                    if erased == RETENTION_BATCH {
                        Duration::ZERO
                    } else {
                        every
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "retention round failed; retrying later");
                    every
                }
            };
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(wait) => {}
            }
        }
    }
}

/// The CRM's `lead.erased`: the pseudonym and times only. The effect is
/// filed under the pseudonym too, so even its row names nobody.
fn erased_notice(lead_id: &str, now: Timestamp) -> Result<Effect, StoreError> {
    let key = format!("erased:{lead_id}:{}", now.as_millisecond());
    let customer = CustomerId::parse(lead_id)
        .map_err(|e| StoreError::Corrupt(format!("a lead id is no valid customer id: {e}")))?;
    let body = json!({
        "event": "lead.erased",
        "idempotency_key": key,
        "occurred_at": now.to_string(),
        "lead_id": lead_id,
    });
    Ok(Effect {
        key,
        customer,
        action: EffectAction::Crm { body },
        not_before: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use leadline_domain::{Content, Conversation, InboundMessage, Language, ManualClock};
    use leadline_integrations::LeadIds;
    use leadline_stores::sqlite::SqliteStore;
    use leadline_stores::{
        ConversationStore, EffectQuery, Effects, Inbox, InboxBatch, TurnCommit, TurnLog,
    };

    const DAY: Duration = Duration::from_secs(24 * 3600);

    /// One answered message of `number`, committed at the clock's time.
    async fn conversation_of(store: &SqliteStore, number: &str) -> CustomerId {
        let customer = CustomerId::parse(number).expect("a customer");
        let message = InboundMessage {
            id: format!("wamid.{number}"),
            customer: customer.clone(),
            business_number_id: "1065".to_owned(),
            profile_name: Some("Ana".to_owned()),
            sent_at: Timestamp::UNIX_EPOCH,
            content: Content::Text {
                body: "hola".to_owned(),
            },
        };
        store
            .enqueue(InboxBatch {
                messages: vec![message],
                statuses: Vec::new(),
            })
            .await
            .expect("enqueue");
        let claim = store
            .claim("w", Duration::from_secs(60), Duration::ZERO)
            .await
            .expect("claim")
            .expect("a conversation");
        let commit = TurnCommit {
            conversation: Conversation::new(
                customer.clone(),
                "greeting".to_owned(),
                Language::Es,
                Timestamp::UNIX_EPOCH,
            ),
            replies: Vec::new(),
            events: Vec::new(),
            effects: Vec::new(),
        };
        store.commit_turn(&claim, commit).await.expect("commit");
        customer
    }

    #[tokio::test]
    async fn retention_erases_only_what_outlived_it_and_tells_the_crm_by_pseudonym() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let manual = ManualClock::new("2026-03-02T10:00:00Z".parse().expect("a time"));
        let url = format!("sqlite://{}", dir.path().join("retention.db").display());
        let store = SqliteStore::open_with_clock(&url, manual.clock())
            .await
            .expect("open");
        store.migrate().await.expect("migrate");
        let crm = CrmWebhook::new(
            "http://127.0.0.1:9/hook".parse().expect("a URL"),
            None,
            LeadIds::derive(b"secret"),
        )
        .expect("a CRM client");
        let eraser = Eraser::new(Arc::new(store.clone()), Some(Arc::new(crm)), manual.clock());
        let old = conversation_of(&store, "34600000001").await;
        manual.advance(10 * DAY);
        let recent = conversation_of(&store, "34600000002").await;

        // Seven days: only the conversation idle for ten goes.
        assert_eq!(
            eraser.sweep(7 * DAY, RETENTION_BATCH).await.expect("sweep"),
            1
        );
        assert_eq!(store.load(&old).await.expect("load"), None);
        assert!(store.load(&recent).await.expect("load").is_some());
        assert_eq!(
            eraser.sweep(7 * DAY, RETENTION_BATCH).await.expect("sweep"),
            0
        );
        manual.advance(8 * DAY);
        assert_eq!(eraser.sweep(7 * DAY, 1).await.expect("sweep"), 1);
        assert_eq!(store.load(&recent).await.expect("load"), None);

        // Each erasure left the CRM one notice naming the pseudonym alone.
        let notices = store
            .effect_entries(&EffectQuery {
                limit: 10,
                ..EffectQuery::default()
            })
            .await
            .expect("effects");
        assert_eq!(notices.len(), 2);
        for notice in notices {
            let stored = serde_json::to_string(&notice.effect).expect("JSON");
            assert!(!stored.contains("3460000000"), "{stored}");
            let EffectAction::Crm { body } = &notice.effect.action else {
                panic!("not a CRM delivery: {stored}");
            };
            assert_eq!(body["event"], "lead.erased");
            assert_eq!(body["lead_id"], notice.effect.customer.as_str());
            let mut fields: Vec<&str> = body
                .as_object()
                .expect("an object")
                .keys()
                .map(String::as_str)
                .collect();
            fields.sort_unstable();
            assert_eq!(
                fields,
                ["event", "idempotency_key", "lead_id", "occurred_at"]
            );
        }
    }
}
