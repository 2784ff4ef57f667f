//! The live conversation in Redis and a turn's commit: load (repairing
//! from PostgreSQL's copy when Redis lost it), summaries, and the
//! three-step commit across both stores.

use super::{CONVERSATION_TTL_SECS, Finish, RedisStore, SUMMARY, shard_of};
use crate::postgres::records::Recorded;
use crate::{Claim, ConversationStore, StoreError, TurnCommit, TurnLog};
use async_trait::async_trait;
use leadline_domain::conversation::Summary;
use leadline_domain::{Conversation, CustomerId, Lead};

#[async_trait]
impl ConversationStore for RedisStore {
    async fn load(&self, customer: &CustomerId) -> Result<Option<Conversation>, StoreError> {
        let (body, through, text): (Option<String>, Option<u64>, Option<String>) = redis::pipe()
            .get(self.conversation_key("conv", customer))
            .cmd("HMGET")
            .arg(self.conversation_key("sum", customer))
            .arg("through")
            .arg("text")
            .query_async::<(Option<String>, (Option<u64>, Option<String>))>(&mut self.redis.clone())
            .await
            .map(|(body, (through, text))| (body, through, text))?;
        let conversation = match body {
            Some(body) => Some(
                serde_json::from_str::<Conversation>(&body)
                    .map_err(|e| StoreError::Corrupt(format!("conversation: {e}")))?,
            ),
            // Expired from Redis, or never cached: PostgreSQL has the copy
            // the last turn committed.
            None => self.records.load(customer).await?,
        };
        Ok(conversation.map(|mut conversation| {
            if let (Some(through_seq), Some(text)) = (through, text) {
                conversation.absorb_summary(Summary { text, through_seq });
            }
            conversation
        }))
    }

    async fn load_lead(&self, customer: &CustomerId) -> Result<Option<Lead>, StoreError> {
        self.records.load_lead(customer).await
    }

    async fn put_summary(
        &self,
        customer: &CustomerId,
        summary: &Summary,
    ) -> Result<(), StoreError> {
        let _: i64 = SUMMARY
            .key(self.conversation_key("sum", customer))
            .arg(summary.through_seq)
            .arg(&summary.text)
            .arg(CONVERSATION_TTL_SECS)
            .invoke_async(&mut self.redis.clone())
            .await?;
        Ok(())
    }
}

#[async_trait]
impl TurnLog for RedisStore {
    async fn commit_turn(&self, claim: &Claim, commit: TurnCommit) -> Result<(), StoreError> {
        if !self.holds(claim).await? {
            return Err(StoreError::Fenced);
        }
        match self
            .records
            .commit_records(claim, &commit, shard_of(&claim.customer))
            .await?
        {
            Recorded::Committed => {
                let acked = claim.messages.len();
                if self
                    .finish(claim, acked, Finish::Commit(&commit.conversation))
                    .await?
                {
                    Ok(())
                } else {
                    // Recorded in PostgreSQL: whoever claimed meanwhile
                    // finds the messages answered and repairs Redis.
                    Err(StoreError::Fenced)
                }
            }
            Recorded::AlreadyAnswered(answered) => {
                tracing::warn!(
                    customer = %claim.customer,
                    answered,
                    "messages answered by an earlier turn that did not finish in Redis; repairing"
                );
                self.finish(claim, answered, Finish::Repair).await?;
                Err(StoreError::Fenced)
            }
        }
    }
}
