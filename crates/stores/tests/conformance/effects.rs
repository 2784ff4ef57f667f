//! Effects (CRM calls, nudges): recorded with their turn once, leased,
//! retried, finished, declared dead and revived.

use super::*;

pub(super) fn crm(key: &str, c: &CustomerId) -> Effect {
    Effect {
        key: key.to_owned(),
        customer: c.clone(),
        action: EffectAction::Crm {
            body: serde_json::json!({ "event": "lead.handed_off", "key": key }),
        },
        not_before: None,
    }
}

/// Commits one turn over a fresh message `id` of `c`, setting off `effects`.
pub(super) async fn effects_with<S: Store>(s: &S, c: &CustomerId, id: &str, effects: Vec<Effect>) {
    s.enqueue(batch(vec![message(id, c, "hola")]))
        .await
        .unwrap();
    let claim = claim_one(s, "w").await;
    let mut commit = turn(&claim, Vec::new());
    commit.effects = effects;
    s.commit_turn(&claim, commit).await.unwrap();
}

/// Up to 10 effects, in `state` and of `customer` when given.
pub(super) fn listing(state: Option<EffectState>, customer: Option<&CustomerId>) -> EffectQuery {
    EffectQuery {
        state,
        customer: customer.cloned(),
        before: None,
        limit: 10,
    }
}

pub(super) fn effect_keys(items: &[leadline_stores::EffectItem]) -> Vec<&str> {
    items.iter().map(|i| i.effect.key.as_str()).collect()
}

pub(super) async fn effects_are_recorded_with_their_turn_once<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    let first = crm("crm:m.1", &c);
    effects_with(&s, &c, "m.1", vec![first.clone()]).await;
    // A turn redone after a crash records its effect under the same key.
    let mut again = crm("crm:m.1", &c);
    again.action = EffectAction::Crm {
        body: serde_json::json!({ "event": "changed" }),
    };
    effects_with(&s, &c, "m.2", vec![again, crm("crm:m.2", &c)]).await;

    let due = s.due_effects(Timestamp::now(), 10, LONG).await.unwrap();
    assert_eq!(effect_keys(&due), ["crm:m.1", "crm:m.2"]);
    assert_eq!(due[0].effect, first, "the first recording stands");
    assert_eq!(due[0].attempts, 0);
    let listed = s.effect_entries(&listing(None, None)).await.unwrap();
    let listed: Vec<_> = listed
        .iter()
        .map(|e| (e.effect.key.as_str(), e.state))
        .collect();
    assert_eq!(
        listed,
        [
            ("crm:m.2", EffectState::Pending),
            ("crm:m.1", EffectState::Pending)
        ],
        "newest first"
    );
}

pub(super) async fn a_due_effect_is_leased_retried_and_finished<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    effects_with(&s, &c, "m.1", vec![crm("crm:m.1", &c)]).await;
    let now = Timestamp::now();
    assert!(s.next_effect_due().await.unwrap().is_some());
    let due = s.due_effects(now, 10, SHORT).await.unwrap();
    assert_eq!(effect_keys(&due), ["crm:m.1"]);
    assert!(
        s.due_effects(now, 10, SHORT).await.unwrap().is_empty(),
        "leased"
    );

    let not_before = now + SignedDuration::from_mins(5);
    s.effect_retry(due[0].id, not_before, "CRM answered 503")
        .await
        .unwrap();
    assert!(
        s.due_effects(now + SignedDuration::from_mins(1), 10, LONG)
            .await
            .unwrap()
            .is_empty(),
        "not before its retry time"
    );
    let retried = s.due_effects(not_before, 10, LONG).await.unwrap();
    assert_eq!(effect_keys(&retried), ["crm:m.1"]);
    assert_eq!(retried[0].attempts, 1);

    s.effect_done(retried[0].id).await.unwrap();
    // A late outcome of an earlier attempt changes nothing.
    s.effect_retry(retried[0].id, now, "late").await.unwrap();
    s.effect_dead(retried[0].id, "late").await.unwrap();
    let entries = s.effect_entries(&listing(None, None)).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].state, EffectState::Done);
    assert_eq!(entries[0].attempts, 1);
    assert_eq!(entries[0].last_error.as_deref(), Some("CRM answered 503"));
    assert!(entries[0].finished_at.is_some());
    assert_eq!(s.next_effect_due().await.unwrap(), None);
    assert!(
        s.due_effects(not_before + SignedDuration::from_mins(60), 10, LONG)
            .await
            .unwrap()
            .is_empty()
    );
}

pub(super) async fn a_dead_effect_is_listed_and_revived<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    effects_with(&s, &c, "m.1", vec![crm("crm:m.1", &c)]).await;
    effects_with(&s, &c, "m.2", vec![crm("crm:m.2", &c)]).await;
    let due = s.due_effects(Timestamp::now(), 10, LONG).await.unwrap();
    s.effect_retry(due[0].id, Timestamp::now(), "timeout")
        .await
        .unwrap();
    let again = s.due_effects(Timestamp::now(), 10, LONG).await.unwrap();
    assert_eq!(effect_keys(&again), ["crm:m.1"]);
    s.effect_dead(again[0].id, "CRM answered 410")
        .await
        .unwrap();

    let dead = s
        .effect_entries(&listing(Some(EffectState::Dead), None))
        .await
        .unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].effect.key, "crm:m.1");
    assert_eq!(dead[0].attempts, 2);
    assert_eq!(dead[0].last_error.as_deref(), Some("CRM answered 410"));
    // Paging: before the newest, only the older one is left.
    let older = s
        .effect_entries(&EffectQuery {
            before: Some(due[1].id),
            ..listing(None, None)
        })
        .await
        .unwrap();
    assert_eq!(older.len(), 1);
    assert_eq!(older[0].effect.key, "crm:m.1");

    assert!(!s.revive_effect(due[1].id).await.unwrap(), "not dead");
    assert!(s.revive_effect(dead[0].id).await.unwrap());
    assert!(!s.revive_effect(dead[0].id).await.unwrap(), "once");
    let revived = s
        .due_effects(Timestamp::now() + SignedDuration::from_secs(1), 10, LONG)
        .await
        .unwrap();
    assert_eq!(effect_keys(&revived), ["crm:m.1"]);
    assert_eq!(revived[0].attempts, 0, "a fresh count of attempts");
}

pub(super) async fn a_conversations_effects_are_listed_with_it<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let (one, other) = (customer(1), customer(2));
    effects_with(&s, &one, "m.1", vec![crm("crm:m.1", &one)]).await;
    effects_with(&s, &other, "m.2", vec![crm("crm:m.2", &other)]).await;
    effects_with(&s, &one, "m.3", vec![crm("crm:m.3", &one)]).await;
    let keys = |entries: Vec<leadline_stores::EffectEntry>| -> Vec<String> {
        entries.into_iter().map(|e| e.effect.key).collect()
    };
    let of_one = s.effect_entries(&listing(None, Some(&one))).await.unwrap();
    assert_eq!(keys(of_one), ["crm:m.3", "crm:m.1"]);
    let none_dead = s
        .effect_entries(&listing(Some(EffectState::Dead), Some(&other)))
        .await
        .unwrap();
    assert!(none_dead.is_empty());
    let view = s.conversation_view(&other).await.unwrap().expect("a view");
    assert_eq!(keys(view.effects), ["crm:m.2"]);
}
