//! The [`Outbox`] and [`Effects`] traits: what is due to send or to do,
//! handed out under leases and settled through the writer (the statements
//! live in `outbox` and `effects`). Apart from the store's opening and
//! shared helpers in the parent.

use super::{SqliteStore, effects, outbox};
use crate::{
    EffectEntry, EffectItem, EffectQuery, EffectState, Effects, Outbox, OutboxItem, StoreError,
};
use async_trait::async_trait;
use jiff::Timestamp;
use leadline_domain::CustomerId;
use std::time::Duration;

#[async_trait]
impl Outbox for SqliteStore {
    async fn due(
        &self,
        now: Timestamp,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        self.writer
            .run(move |conn| outbox::due(conn, now, limit, lease))
            .await
    }

    async fn mark_sent(&self, id: i64, wa_message_id: &str) -> Result<(), StoreError> {
        let (wamid, now) = (wa_message_id.to_owned(), self.now_ms());
        self.writer
            .run(move |conn| outbox::mark_sent(conn, id, &wamid, now))
            .await
    }

    async fn mark_retry(
        &self,
        id: i64,
        not_before: Timestamp,
        error: &str,
    ) -> Result<(), StoreError> {
        let error = error.to_owned();
        self.writer
            .run(move |conn| outbox::mark_retry(conn, id, not_before, &error))
            .await
    }

    async fn mark_failed(&self, id: i64, error: &str) -> Result<(), StoreError> {
        let (error, now) = (error.to_owned(), self.now_ms());
        self.writer
            .run(move |conn| outbox::mark_failed(conn, id, &error, now))
            .await
    }

    async fn next_due(&self) -> Result<Option<Timestamp>, StoreError> {
        crate::sql::next_at(&self.readers, crate::sql::NEXT_DUE).await
    }
}

#[async_trait]
impl Effects for SqliteStore {
    async fn due_effects(
        &self,
        now: Timestamp,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<EffectItem>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        self.writer
            .run(move |conn| effects::due(conn, now, limit, lease))
            .await
    }

    async fn effect_done(&self, id: i64) -> Result<(), StoreError> {
        let now = self.now_ms();
        self.writer
            .run(move |conn| effects::done(conn, id, now))
            .await
    }

    async fn effect_retry(
        &self,
        id: i64,
        not_before: Timestamp,
        error: &str,
    ) -> Result<(), StoreError> {
        let error = error.to_owned();
        self.writer
            .run(move |conn| effects::retry(conn, id, not_before, &error))
            .await
    }

    async fn effect_dead(&self, id: i64, error: &str) -> Result<(), StoreError> {
        let (error, now) = (error.to_owned(), self.now_ms());
        self.writer
            .run(move |conn| effects::dead(conn, id, &error, now))
            .await
    }

    async fn next_effect_due(&self) -> Result<Option<Timestamp>, StoreError> {
        crate::sql::next_at(&self.readers, crate::sql::NEXT_EFFECT_DUE).await
    }

    async fn effect_entries(&self, query: &EffectQuery) -> Result<Vec<EffectEntry>, StoreError> {
        let rows: Vec<effects::EntryRow> = sqlx::query_as(effects::ENTRIES)
            .bind(query.state.map(EffectState::as_str))
            .bind(query.customer.as_ref().map(CustomerId::as_str))
            .bind(query.before)
            .bind(i64::try_from(query.limit).unwrap_or(i64::MAX))
            .fetch_all(&self.readers)
            .await?;
        rows.into_iter().map(effects::entry).collect()
    }

    async fn revive_effect(&self, id: i64) -> Result<bool, StoreError> {
        let now = self.now_ms();
        self.writer
            .run(move |conn| effects::revive(conn, id, now))
            .await
    }
}
