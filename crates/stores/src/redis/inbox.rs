//! The inbox in Redis: enqueue with dedup keys, claims under leases and
//! fences, release, depth and word of arrivals. Apart from the connection
//! plumbing in the parent so each reads as one job.

use super::{
    ARRIVAL_TOKENS, CLAIM, CLAIM_SCAN, CONVERSATION_TTL_SECS, DEDUP_TTL_SECS, ENQUEUE, Finish,
    RedisStore, SHARDS, decode_entry, micros, shard_of,
};
use crate::{Claim, EnqueueReport, Inbox, InboxBatch, StoreError};
use async_trait::async_trait;
use leadline_domain::{CustomerId, InboundMessage};
use std::collections::BTreeMap;
use std::time::Duration;

#[async_trait]
impl Inbox for RedisStore {
    async fn enqueue(&self, batch: InboxBatch) -> Result<EnqueueReport, StoreError> {
        let mut report = EnqueueReport::default();
        let now = self.records.clock().now().as_microsecond();
        let mut by_shard: BTreeMap<u16, Vec<&InboundMessage>> = BTreeMap::new();
        for message in &batch.messages {
            by_shard
                .entry(shard_of(&message.customer))
                .or_default()
                .push(message);
        }
        for (shard, messages) in by_shard {
            let mut invocation = ENQUEUE.prepare_invoke();
            invocation
                .key(self.key(shard, "ready"))
                .key(self.key(shard, "depth"))
                .arg(self.base(shard))
                .arg(now)
                .arg(DEDUP_TTL_SECS)
                .arg(CONVERSATION_TTL_SECS);
            for message in messages {
                let payload = serde_json::to_string(message)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                invocation
                    .arg(message.customer.as_str())
                    .arg(&message.id)
                    .arg(payload);
            }
            let accepted: Vec<u8> = invocation.invoke_async(&mut self.redis.clone()).await?;
            for fresh in accepted {
                if fresh == 1 {
                    report.accepted += 1;
                } else {
                    report.duplicates += 1;
                }
            }
        }
        if report.accepted > 0 {
            // Only word for idle workers: if it is lost, they poll.
            let wake = self.wake_key();
            let _: () = redis::pipe()
                .lpush(&wake, 1)
                .ignore()
                .ltrim(&wake, 0, ARRIVAL_TOKENS - 1)
                .ignore()
                .query_async(&mut self.redis.clone())
                .await?;
        }
        if !batch.statuses.is_empty() {
            let statuses = InboxBatch {
                messages: Vec::new(),
                statuses: batch.statuses,
            };
            report.statuses = self.records.enqueue(statuses).await?.statuses;
        }
        Ok(report)
    }

    async fn claim(
        &self,
        worker: &str,
        lease: Duration,
        quiet_for: Duration,
    ) -> Result<Option<Claim>, StoreError> {
        self.records.prune_if_due().await;
        let now = self.records.clock().now().as_microsecond();
        for shard in self.shards_by_urgency(now).await? {
            let claimed: Option<(String, u64, Vec<String>)> = CLAIM
                .key(self.key(shard, "ready"))
                .key(self.key(shard, "leases"))
                .arg(self.base(shard))
                .arg(now)
                .arg(now.saturating_sub(micros(quiet_for)))
                .arg(now.saturating_add(micros(lease)))
                .arg(worker)
                .arg(CLAIM_SCAN)
                .invoke_async(&mut self.redis.clone())
                .await?;
            let Some((customer, fence, entries)) = claimed else {
                continue;
            };
            let customer =
                CustomerId::parse(&customer).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            // Decoded after the claim: should an entry not decode, the lease
            // stands and this conversation waits it out instead of being
            // picked first by every claim.
            let (arrived_at, messages) = entries
                .iter()
                .map(|e| decode_entry(e))
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .unzip();
            return Ok(Some(Claim {
                customer,
                messages,
                arrived_at,
                fence,
                worker: worker.to_owned(),
            }));
        }
        Ok(None)
    }

    async fn release(&self, claim: &Claim) -> Result<(), StoreError> {
        self.finish(claim, 0, Finish::Release).await?;
        Ok(())
    }

    async fn depth(&self) -> Result<u64, StoreError> {
        let mut pipe = redis::pipe();
        for shard in 0..SHARDS {
            pipe.get(self.key(shard, "depth"));
        }
        let depths: Vec<Option<i64>> = pipe.query_async(&mut self.redis.clone()).await?;
        Ok(depths.into_iter().flatten().sum::<i64>().unsigned_abs())
    }

    async fn arrivals(&self, timeout: Duration) -> Option<Result<bool, StoreError>> {
        Some(self.wait_for_arrival(timeout).await)
    }
}
