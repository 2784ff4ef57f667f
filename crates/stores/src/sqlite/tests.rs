//! The SQLite store's own checks: how it tells in-memory URLs from files,
//! that hot statements use their indexes, and the keying of old questions
//! at start.

use super::*;

/// The writer must open the very database sqlx's readers open.
#[test]
fn in_memory_urls_are_told_from_files() {
    assert!(in_memory("sqlite::memory:"));
    assert!(in_memory("sqlite://:memory:"));
    assert!(in_memory("sqlite://?mode=memory"));
    assert!(!in_memory("sqlite://leadline.db"));
    assert!(!in_memory("sqlite://memory.db?mode=rwc"));
}

/// The statements that run per message, per turn or per send must find
/// their rows through an index, never by scanning a table that holds
/// every message or reply.
#[tokio::test]
async fn hot_statements_use_their_indexes() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = SqliteStore::open(&format!(
        "sqlite://{}",
        dir.path().join("plan.db").display()
    ))
    .await
    .expect("open");
    store.migrate().await.expect("migrate");
    let statements = [
        ("enqueue: waiting", inbox::UPSERT_QUEUE),
        ("claim", inbox::CLAIM),
        ("claimed messages", inbox::CLAIMED_MESSAGES),
        ("requeue", inbox::REQUEUE),
        ("ack", inbox::ACK),
        ("record reply", inbox::RECORD_REPLY),
        ("prune", inbox::PRUNE),
        ("due", outbox::TAKE_DUE),
        ("promote", outbox::PROMOTE_NEXT),
        ("next due", crate::sql::NEXT_DUE),
        ("effects due", effects::TAKE_DUE),
        ("next effect due", crate::sql::NEXT_EFFECT_DUE),
        ("depth", crate::sql::DEPTH),
        ("unkeyed questions, at every start", admin::UNKEYED),
        ("stale conversations, every retention round", admin::STALE),
    ];
    for (name, sql) in statements {
        let plan: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(&format!("EXPLAIN QUERY PLAN {sql}"))
                .fetch_all(&store.readers)
                .await
                .expect("plan");
        for (.., detail) in &plan {
            let full_scan = detail.starts_with("SCAN ") && !detail.contains("INDEX");
            assert!(!full_scan, "{name} scans a table: {detail}");
        }
    }
}

/// Questions recorded before events carried their key are keyed at
/// the next start, and listed like any other.
#[tokio::test]
async fn questions_recorded_before_their_key_are_keyed_at_start() {
    use crate::{AdminStore, QuestionQuery};
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    let store = SqliteStore::open(&url).await.expect("open");
    store.migrate().await.expect("migrate");
    store
        .writer
        .run(|conn| {
            conn.execute(
                "INSERT INTO events (customer, kind, body, at) VALUES ('34600111234', 'question_asked', \
                 '{\"kind\":\"question_asked\",\"question\":\"¿Abren los SÁBADOS?\",\"grounded\":\"no\"}', 1)",
                [],
            )?;
            Ok(())
        })
        .await
        .expect("an old event");
    let all = QuestionQuery {
        limit: 10,
        ..QuestionQuery::default()
    };
    assert_eq!(store.questions(&all).await.expect("questions"), []);
    store.migrate().await.expect("migrate again");
    let rows = store.questions(&all).await.expect("questions");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].key, "abren los sabados");
    assert_eq!(rows[0].question, "¿Abren los SÁBADOS?");
    assert!(!rows[0].answered);
}
