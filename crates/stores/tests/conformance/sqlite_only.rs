//! What only the SQLite backend can show: its file, its pruning, its
//! failure modes.

use super::*;
use leadline_stores::sqlite::SqliteStore;
use sqlx::{Connection, SqliteConnection};

async fn raw(backend: &SqliteBackend, sql: &str) {
    let mut conn = SqliteConnection::connect(&backend.url())
        .await
        .expect("raw connection");
    sqlx::query(sql)
        .execute(&mut conn)
        .await
        .expect("raw statement");
    conn.close().await.expect("close");
}

#[tokio::test]
async fn ids_are_remembered_for_seven_days_then_forgotten() {
    let b = SqliteBackend::new().await;
    let s = b.handle().await;
    let sent = answered_and_pending(&s).await;
    let day = 24 * 3600 * 1000;
    raw(&b, &format!("UPDATE inbox SET enqueued_at = enqueued_at - 8 * {day} WHERE msg_id IN ('old', 'pending')")).await;
    raw(
        &b,
        &format!("UPDATE inbox SET enqueued_at = enqueued_at - 6 * {day} WHERE msg_id = 'recent'"),
    )
    .await;

    s.migrate().await.expect("migrate prunes");
    assert_only_the_old_answered_id_is_forgotten(&s, sent).await;
}

#[tokio::test]
async fn undecodable_rows_are_corrupt() {
    let b = SqliteBackend::new().await;
    let s = b.handle().await;
    let c = customer(1);
    answer(&s, &c, "m.1").await;
    raw(&b, "UPDATE conversations SET body = '{\"stage\": 1}'").await;
    raw(&b, "UPDATE leads SET body = 'not json'").await;
    assert!(matches!(s.load(&c).await, Err(StoreError::Corrupt(_))));
    assert!(matches!(s.load_lead(&c).await, Err(StoreError::Corrupt(_))));

    s.enqueue(batch(vec![message("m.2", &c, "x")]))
        .await
        .unwrap();
    raw(&b, "UPDATE inbox SET payload = '[]' WHERE msg_id = 'm.2'").await;
    assert!(matches!(
        s.claim("w", LONG, NO_QUIET).await,
        Err(StoreError::Corrupt(_))
    ));
}

#[tokio::test]
async fn a_database_that_cannot_be_opened_is_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let missing = format!(
        "sqlite://{}",
        dir.path().join("no/such/dir/leadline.db").display()
    );
    assert!(matches!(
        SqliteStore::open(&missing).await,
        Err(StoreError::Unavailable(_))
    ));

    let not_a_db = dir.path().join("notes.db");
    std::fs::write(
        &not_a_db,
        "this is not a database, just some text that is long enough",
    )
    .unwrap();
    let opened = SqliteStore::open(&format!("sqlite://{}", not_a_db.display())).await;
    assert!(matches!(opened, Err(StoreError::Unavailable(_))));
    assert!(matches!(
        SqliteStore::open("postgres://nope").await,
        Err(StoreError::Unavailable(_))
    ));
}

#[tokio::test]
async fn an_in_memory_store_works() {
    let s = SqliteStore::open("sqlite::memory:").await.expect("open");
    s.migrate().await.expect("migrate");
    let c = customer(1);
    assert_eq!(
        s.enqueue(batch(vec![message("m.1", &c, "hola")]))
            .await
            .unwrap(),
        report(1, 0, 0)
    );
    let claim = claim_one(&s, "w").await;
    s.commit_turn(&claim, turn(&claim, vec![reply("m.1#0", &c, "¡Hola!")]))
        .await
        .unwrap();
    assert!(s.load(&c).await.unwrap().is_some());
    assert!(s.next_due().await.unwrap().is_some());
    s.ping().await.expect("ping");
}

#[tokio::test]
async fn a_second_process_sees_committed_writes() {
    let b = SqliteBackend::new().await;
    let (server, reader) = (b.handle().await, b.handle().await);
    let c = customer(1);
    server
        .enqueue(batch(vec![message("m.1", &c, "hola")]))
        .await
        .unwrap();
    assert_eq!(reader.depth().await.unwrap(), 1);
    let claim = claim_one(&server, "w").await;
    server
        .commit_turn(&claim, turn(&claim, Vec::new()))
        .await
        .unwrap();
    assert!(reader.load(&c).await.unwrap().is_some());
    assert_eq!(reader.depth().await.unwrap(), 0);
}
