//! The dashboard's reads and a person's actions: reads go to PostgreSQL;
//! actions, follow-throughs and erasures first hold the conversation in
//! Redis under a new fence, so no turn in flight can finish over them.

use super::{ACTION_HOLD, ERASE, Finish, HOLD, RedisStore, micros, shard_of};
use crate::admin::{Acted, Change};
use crate::postgres::records::RedisErasure;
use crate::{
    AdminError, AdminStore, Claim, Effect, FollowThrough, FollowedThrough, Funnel, FunnelQuery,
    HumanAction, LeadQuery, LeadRow, OutboxEntry, QuestionQuery, QuestionRow, RecordedEvent,
    StoreError,
};
use async_trait::async_trait;
use jiff::Timestamp;
use leadline_domain::{Conversation, CustomerId};

#[async_trait]
impl AdminStore for RedisStore {
    async fn leads(&self, query: &LeadQuery) -> Result<Vec<LeadRow>, StoreError> {
        self.records.leads(query).await
    }

    async fn outbox_entries(&self, customer: &CustomerId) -> Result<Vec<OutboxEntry>, StoreError> {
        self.records.outbox_entries(customer).await
    }

    async fn events(&self, customer: &CustomerId) -> Result<Vec<RecordedEvent>, StoreError> {
        self.records.events(customer).await
    }

    async fn funnel(&self, query: &FunnelQuery) -> Result<Funnel, StoreError> {
        self.records.funnel(query).await
    }

    async fn questions(&self, query: &QuestionQuery) -> Result<Vec<QuestionRow>, StoreError> {
        self.records.questions(query).await
    }

    async fn stale(&self, before: Timestamp, limit: usize) -> Result<Vec<CustomerId>, StoreError> {
        self.records.stale(before, limit).await
    }

    /// Holds the conversation under a new fence (a turn in flight can no
    /// longer finish in Redis), erases the records in PostgreSQL raising
    /// the shard's fence floor there to that fence (a turn that passed its
    /// Redis check before the hold is refused in PostgreSQL, though no
    /// fence row names the customer any more), then the conversation's
    /// keys, with the dedup keys of every message id the records or the
    /// pending messages name.
    async fn erase(
        &self,
        customer: &CustomerId,
        effects: &[Effect],
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let shard = shard_of(customer);
        let mut redis = self.redis.clone();
        let known: i64 = redis::cmd("EXISTS")
            .arg(self.conversation_key("in", customer))
            .arg(self.conversation_key("q", customer))
            .arg(self.conversation_key("conv", customer))
            .arg(self.conversation_key("sum", customer))
            .query_async(&mut redis)
            .await?;
        // Without any key of the customer no claim can be in flight: no
        // hold, so an unknown customer leaves Redis as it was.
        let fence = if known > 0 {
            self.hold(customer, &format!("eraser-{}", fastrand::u64(..)))
                .await?
        } else {
            0
        };
        let answered = self.records.answered_ids(customer).await?;
        let erasure = RedisErasure {
            shard,
            fence,
            known: known > 0,
        };
        let erased = self
            .records
            .erase_records(customer, effects, now, &erasure)
            .await?;
        if !erased {
            return Ok(false);
        }
        let mut invocation = ERASE.prepare_invoke();
        invocation
            .key(self.key(shard, "ready"))
            .key(self.key(shard, "leases"))
            .key(self.key(shard, "depth"))
            .arg(self.base(shard))
            .arg(customer.as_str());
        for id in &answered {
            invocation.arg(id);
        }
        let _: i64 = invocation.invoke_async(&mut redis).await?;
        Ok(erased)
    }

    async fn act(
        &self,
        customer: &CustomerId,
        action: &HumanAction,
        now: Timestamp,
    ) -> Result<Conversation, AdminError> {
        let acted = self.change(customer, Change::Human(action.clone()), now);
        Ok(acted.await?.conversation)
    }

    async fn follow_through(
        &self,
        customer: &CustomerId,
        follow: &FollowThrough,
        now: Timestamp,
    ) -> Result<FollowedThrough, AdminError> {
        let acted = self.change(customer, Change::FollowThrough(follow.clone()), now);
        Ok(acted.await?.followed_through())
    }
}

impl RedisStore {
    /// Holds `customer`'s conversation for [`ACTION_HOLD`] under a new
    /// fence, as `holder`: no worker claims it meanwhile, and a turn in
    /// flight can no longer finish. The fence.
    async fn hold(&self, customer: &CustomerId, holder: &str) -> Result<u64, StoreError> {
        let shard = shard_of(customer);
        let until = self
            .records
            .clock()
            .now()
            .as_microsecond()
            .saturating_add(micros(ACTION_HOLD));
        Ok(HOLD
            .key(self.key(shard, "ready"))
            .key(self.key(shard, "leases"))
            .arg(self.base(shard))
            .arg(customer.as_str())
            .arg(holder)
            .arg(until)
            .invoke_async(&mut self.redis.clone())
            .await?)
    }

    /// Holds the conversation in Redis under a new fence, applies the
    /// change in PostgreSQL under that fence, then lets workers at it again.
    async fn change(
        &self,
        customer: &CustomerId,
        change: Change,
        now: Timestamp,
    ) -> Result<Acted, AdminError> {
        let holder = format!("admin-{}", fastrand::u64(..));
        let fence = self.hold(customer, &holder).await?;
        let result = self
            .records
            .change_fenced(customer, &change, now, fence)
            .await;
        let hold = Claim {
            customer: customer.clone(),
            messages: Vec::new(),
            arrived_at: Vec::new(),
            fence,
            worker: holder,
        };
        // Should this fail, the hold runs out by itself in ACTION_HOLD.
        if let Err(e) = self.finish(&hold, 0, Finish::Release).await {
            tracing::warn!(customer = %customer, error = %e, "cannot end a person's hold on a conversation");
        }
        result
    }
}
