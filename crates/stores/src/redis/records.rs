//! What Redis leaves to PostgreSQL: effects, the outbox, the local
//! calendar and dashboard logins are records, handed straight to
//! [`PgStore`](crate::postgres::PgStore).

use super::RedisStore;
use crate::{
    CalendarCall, CalendarStore, EffectEntry, EffectItem, EffectQuery, Effects, LoginSession,
    Outbox, OutboxItem, Reservation, SessionStore, StoreError,
};
use async_trait::async_trait;
use jiff::Timestamp;
use std::time::Duration;

/// Effects are records: PostgreSQL keeps them.
#[async_trait]
impl Effects for RedisStore {
    async fn due_effects(
        &self,
        now: Timestamp,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<EffectItem>, StoreError> {
        self.records.due_effects(now, limit, lease).await
    }

    async fn effect_done(&self, id: i64) -> Result<(), StoreError> {
        self.records.effect_done(id).await
    }

    async fn effect_retry(
        &self,
        id: i64,
        not_before: Timestamp,
        error: &str,
    ) -> Result<(), StoreError> {
        self.records.effect_retry(id, not_before, error).await
    }

    async fn effect_dead(&self, id: i64, error: &str) -> Result<(), StoreError> {
        self.records.effect_dead(id, error).await
    }

    async fn next_effect_due(&self) -> Result<Option<Timestamp>, StoreError> {
        self.records.next_effect_due().await
    }

    async fn effect_entries(&self, query: &EffectQuery) -> Result<Vec<EffectEntry>, StoreError> {
        self.records.effect_entries(query).await
    }

    async fn revive_effect(&self, id: i64) -> Result<bool, StoreError> {
        self.records.revive_effect(id).await
    }
}

#[async_trait]
impl Outbox for RedisStore {
    async fn due(
        &self,
        now: Timestamp,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        self.records.due(now, limit, lease).await
    }

    async fn mark_sent(&self, id: i64, wa_message_id: &str) -> Result<(), StoreError> {
        self.records.mark_sent(id, wa_message_id).await
    }

    async fn mark_retry(
        &self,
        id: i64,
        not_before: Timestamp,
        error: &str,
    ) -> Result<(), StoreError> {
        self.records.mark_retry(id, not_before, error).await
    }

    async fn mark_failed(&self, id: i64, error: &str) -> Result<(), StoreError> {
        self.records.mark_failed(id, error).await
    }

    async fn next_due(&self) -> Result<Option<Timestamp>, StoreError> {
        self.records.next_due().await
    }
}

/// The local calendar is a record: it lives in PostgreSQL.
#[async_trait]
impl CalendarStore for RedisStore {
    async fn calls_between(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<CalendarCall>, StoreError> {
        self.records.calls_between(from, to).await
    }

    async fn reserve(&self, call: &CalendarCall) -> Result<Reservation, StoreError> {
        self.records.reserve(call).await
    }

    async fn cancel_call(&self, key: &str) -> Result<(), StoreError> {
        self.records.cancel_call(key).await
    }
}

/// Dashboard logins are records too: they live in PostgreSQL.
#[async_trait]
impl SessionStore for RedisStore {
    async fn open_session(&self, key: &str, session: &LoginSession) -> Result<(), StoreError> {
        self.records.open_session(key, session).await
    }

    async fn session(&self, key: &str, now: Timestamp) -> Result<Option<LoginSession>, StoreError> {
        self.records.session(key, now).await
    }

    async fn close_session(&self, key: &str) -> Result<(), StoreError> {
        self.records.close_session(key).await
    }

    async fn count_login_attempt(
        &self,
        peer: &str,
        now: Timestamp,
        window: Duration,
    ) -> Result<u32, StoreError> {
        self.records.count_login_attempt(peer, now, window).await
    }
}
