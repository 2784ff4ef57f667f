//! What only the Redis backend can show: where its keys live and for how
//! long, its failure modes, and the repair after a crash between Redis and
//! PostgreSQL.

use super::admin::{assert_late_commit_fenced, in_flight};
use super::*;
use leadline_stores::redis::RedisStore;

async fn raw(backend: &RedisBackend) -> ::redis::aio::MultiplexedConnection {
    ::redis::Client::open(backend.redis.url())
        .expect("a Redis url")
        .get_multiplexed_async_connection()
        .await
        .expect("raw connection")
}

/// Every key of the backend's prefix, sorted.
async fn keys(backend: &RedisBackend) -> Vec<String> {
    let mut conn = raw(backend).await;
    let mut keys: Vec<String> = ::redis::cmd("KEYS")
        .arg(format!("{}:*", backend.redis.prefix()))
        .query_async(&mut conn)
        .await
        .expect("keys");
    keys.sort();
    keys
}

/// The one key of `customer` of this kind (`q`, `in`, `conv`, `sum`).
async fn key_of(backend: &RedisBackend, kind: &str, customer: &CustomerId) -> String {
    let suffix = format!(":{kind}:{}", customer.as_str());
    let found: Vec<String> = keys(backend)
        .await
        .into_iter()
        .filter(|k| k.ends_with(&suffix))
        .collect();
    assert_eq!(found.len(), 1, "one {kind} key for the customer: {found:?}");
    found[0].clone()
}

/// The hash tag Redis Cluster places a key by.
fn hash_tag(key: &str) -> &str {
    let open = key.find('{').expect("a hash tag");
    let close = open + key[open..].find('}').expect("a closed hash tag");
    &key[open + 1..close]
}

#[tokio::test]
async fn every_key_is_under_the_prefix_and_a_conversation_shares_its_shards_tag() {
    let b = RedisBackend::new().await;
    let s = b.handle().await;
    let customers = [customer(1), customer(2), customer(3)];
    for (n, c) in customers.iter().enumerate() {
        s.enqueue(batch(vec![message(&format!("m.{n}"), c, "hola")]))
            .await
            .unwrap();
    }
    let claim = claim_one(&s, "w").await;
    s.commit_turn(&claim, turn(&claim, Vec::new()))
        .await
        .unwrap();
    let summary = Summary {
        text: "Ana".into(),
        through_seq: 1,
    };
    s.put_summary(&claim.customer, &summary).await.unwrap();

    let all = keys(&b).await;
    assert!(all.len() >= 10, "{all:?}");
    for key in &all {
        assert!(key.starts_with(&format!("{}:", b.redis.prefix())), "{key}");
    }
    for c in &customers {
        let mine: Vec<&String> = all
            .iter()
            .filter(|k| k.ends_with(&format!(":{}", c.as_str())))
            .collect();
        assert!(!mine.is_empty());
        let tag = hash_tag(mine[0]);
        for key in &mine {
            assert_eq!(hash_tag(key), tag, "{key}");
        }
        // The shard's queues, which every script touches with them.
        for queue in ["ready", "leases", "depth"] {
            let shared = format!("{}:{{{tag}}}:{queue}", b.redis.prefix());
            assert!(
                all.contains(&shared) || queue != "depth",
                "{shared} in {all:?}"
            );
        }
    }
}

#[tokio::test]
async fn dedup_lasts_seven_days_and_a_conversation_a_day_from_its_last_message() {
    let b = RedisBackend::new().await;
    let s = b.handle().await;
    let c = customer(1);
    answer(&s, &c, "m.1").await;
    let mut conn = raw(&b).await;
    let probe = conn.clone();
    let ttl = |key: String| {
        let mut conn = probe.clone();
        async move {
            ::redis::cmd("TTL")
                .arg(key)
                .query_async::<i64>(&mut conn)
                .await
                .expect("ttl")
        }
    };
    let seen = keys(&b)
        .await
        .into_iter()
        .find(|k| k.ends_with(":seen:m.1"))
        .expect("a dedup key");
    let week = 7 * 24 * 3600;
    assert!((week - 60..=week).contains(&ttl(seen).await));
    let conv = key_of(&b, "conv", &c).await;
    let day = 24 * 3600;
    assert!((day - 60..=day).contains(&ttl(conv.clone()).await));

    let _: () = ::redis::cmd("EXPIRE")
        .arg(&conv)
        .arg(100)
        .query_async(&mut conn)
        .await
        .unwrap();
    s.enqueue(batch(vec![message("m.2", &c, "sigo aquí")]))
        .await
        .unwrap();
    assert!(
        ttl(conv).await > day - 60,
        "a customer message refreshes the conversation's TTL"
    );
}

#[tokio::test]
async fn an_unreachable_redis_is_unavailable() {
    let records = PostgresBackend::new().await;
    let refused = RedisStore::connect("redis://127.0.0.1:1", "x", records.handle().await).await;
    assert!(matches!(refused, Err(StoreError::Unavailable(_))));
    let braces = RedisStore::connect("redis://127.0.0.1:6379", "a{b}", records.handle().await);
    assert!(matches!(braces.await, Err(StoreError::Unavailable(_))));
}

/// A worker commits in PostgreSQL and dies before Redis heard of it:
/// its messages are still pending there, with its lease. The turn that
/// claims them again is dropped (it would answer them twice) and
/// Redis is repaired from PostgreSQL: messages acknowledged, the
/// conversation PostgreSQL's.
#[tokio::test]
async fn a_turn_redone_after_a_crash_between_the_stores_is_dropped_and_redis_repaired() {
    let b = RedisBackend::new().await;
    let s = b.handle().await;
    let c = customer(1);
    s.enqueue(batch(vec![
        message("m.1", &c, "hola"),
        message("m.2", &c, "soy Ana"),
    ]))
    .await
    .unwrap();
    let mut conn = raw(&b).await;
    let (inbox, q) = (key_of(&b, "in", &c).await, key_of(&b, "q", &c).await);
    let first = s.claim("dies", SHORT, NO_QUIET).await.unwrap().unwrap();
    // What Redis held before the commit, to put back as if the commit
    // never reached it.
    let pending: Vec<String> = ::redis::cmd("LRANGE")
        .arg(&inbox)
        .arg(0)
        .arg(-1)
        .query_async(&mut conn)
        .await
        .unwrap();
    let committed = turn(&first, vec![reply("m.2#0", &c, "¡Hola, Ana!")]);
    let theirs = committed.conversation.clone();
    s.commit_turn(&first, committed).await.unwrap();
    let shard = |name: &str| format!("{}:{{{}}}:{name}", b.redis.prefix(), hash_tag(&inbox));
    let _: () = ::redis::pipe()
        .rpush(&inbox, &pending)
        .incr(shard("depth"), pending.len())
        .hset(&q, "owner", "dies")
        .hset(&q, "lease_until", 1)
        .zadd(shard("leases"), c.as_str(), 1)
        .del(key_of(&b, "conv", &c).await)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(s.depth().await.unwrap(), 2);

    let again = claim_one(&s, "successor").await;
    assert_eq!(ids(&again), ["m.1", "m.2"]);
    let redone = turn(&again, vec![reply("m.2#0", &c, "otra respuesta")]);
    assert!(matches!(
        s.commit_turn(&again, redone).await,
        Err(StoreError::Fenced)
    ));
    assert_eq!(s.depth().await.unwrap(), 0, "repaired: acknowledged");
    assert!(s.claim("w", LONG, NO_QUIET).await.unwrap().is_none());
    assert_eq!(s.load(&c).await.unwrap(), Some(theirs));
    let outbox = outbox_of(&s, &c).await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].text, "¡Hola, Ana!");
    assert_eq!(events_of(&s, &c).await.len(), 1, "one turn's events");
}

/// A turn whose Redis check passed just before an erasure held the
/// conversation, and that reaches PostgreSQL after the erasure, writes
/// nothing there: the shard's fence floor refuses it, though no fence
/// row names the customer any more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_turn_checked_before_an_erasure_writes_nothing_after_it() {
    let b = RedisBackend::new().await;
    let s = b.handle().await;
    let c = customer(1);
    let in_flight = in_flight(&s, &c).await;
    let q = key_of(&b, "q", &c).await;
    assert!(s.erase(&c, &[], Timestamp::now()).await.unwrap());
    // Redis as the turn saw it before the erasure: its claim stands.
    let mut conn = raw(&b).await;
    let _: () = ::redis::pipe()
        .hset(&q, "fence", in_flight.fence)
        .hset(&q, "owner", "w")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_late_commit_fenced(&s, &in_flight, &c).await;
    let _: () = ::redis::cmd("DEL")
        .arg(&q)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(s.load(&c).await.unwrap(), None);
    assert!(outbox_of(&s, &c).await.is_empty());
    assert!(events_of(&s, &c).await.is_empty());
    let dump = b.everything().await;
    assert!(!dump.contains(c.as_str()), "{dump}");
}
