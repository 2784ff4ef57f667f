//! What only the PostgreSQL backend can show: its dashboard tables, its
//! pruning, its failure modes.

use super::*;
use leadline_domain::conversation::{Handoff, HandoffReason};
use leadline_stores::postgres::PgStore;
use leadline_testkit::proxy::TcpProxy;
use sqlx::{Connection, PgConnection};

async fn raw(backend: &PostgresBackend) -> PgConnection {
    PgConnection::connect(backend.db.url())
        .await
        .expect("raw connection")
}

#[tokio::test]
async fn ids_are_remembered_for_seven_days_then_forgotten() {
    let b = PostgresBackend::new().await;
    let s = b.handle().await;
    let sent = answered_and_pending(&s).await;
    let day: i64 = 24 * 3600 * 1000;
    let mut conn = raw(&b).await;
    for (ids, days) in [(&["old", "pending"][..], 8), (&["recent"][..], 6)] {
        sqlx::query("UPDATE inbox SET enqueued_at = enqueued_at - $1 WHERE msg_id = ANY($2)")
            .bind(days * day)
            .bind(ids)
            .execute(&mut conn)
            .await
            .unwrap();
    }

    s.migrate().await.expect("migrate prunes");
    assert_only_the_old_answered_id_is_forgotten(&s, sent).await;
}

#[tokio::test]
async fn processes_starting_together_migrate_once() {
    let db = leadline_testkit::postgres::TestDatabase::create().await;
    let (one, two) = (
        PgStore::connect(db.url()).await.unwrap(),
        PgStore::connect(db.url()).await.unwrap(),
    );
    let (a, b) = tokio::join!(one.migrate(), two.migrate());
    a.expect("first migration");
    b.expect("second migration");
    one.migrate()
        .await
        .expect("migrating again changes nothing");
    assert_eq!(one.depth().await.unwrap(), 0);
}

#[tokio::test]
async fn leads_and_the_transcript_are_kept_for_the_dashboard() {
    let b = PostgresBackend::new().await;
    let s = b.handle().await;
    let c = customer(1);
    s.enqueue(batch(vec![message(
        "wamid.in.1",
        &c,
        "quiero hablar con alguien",
    )]))
    .await
    .unwrap();
    let claim = claim_one(&s, "w").await;
    let mut commit = turn(
        &claim,
        vec![reply("wamid.in.1#0", &c, "Te paso con ventas")],
    );
    commit.conversation.stage = "handoff".into();
    commit.conversation.handoff = Some(Handoff {
        reason: HandoffReason::CustomerAsked,
        at: Timestamp::now(),
    });
    s.commit_turn(&claim, commit).await.unwrap();
    let due = s.due(Timestamp::now(), 10, LONG).await.unwrap();
    s.mark_sent(due[0].id, "wamid.out.1").await.unwrap();
    s.enqueue(statuses(&[("wamid.out.1", DeliveryState::Read)]))
        .await
        .unwrap();

    let mut conn = raw(&b).await;
    let lead: (String, Option<String>, Option<String>) = sqlx::query_as(
        "SELECT stage, handoff_reason, fields ->> 'name' FROM leads WHERE customer = $1",
    )
    .bind(c.as_str())
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        lead,
        (
            "handoff".into(),
            Some("customer_asked".into()),
            Some("Ana".into())
        )
    );
    let transcript: Vec<(String, Option<String>, Option<i64>)> = sqlx::query_as(
        "SELECT direction, wa_id, delivery FROM transcript_view WHERE customer = $1 ORDER BY id",
    )
    .bind(c.as_str())
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        transcript,
        [
            ("in".into(), Some("wamid.in.1".into()), None),
            ("out".into(), Some("wamid.out.1".into()), Some(3)),
        ]
    );
}

#[tokio::test]
async fn undecodable_rows_are_corrupt() {
    let b = PostgresBackend::new().await;
    let s = b.handle().await;
    let c = customer(1);
    answer(&s, &c, "m.1").await;
    let mut conn = raw(&b).await;
    for sql in [
        r#"UPDATE conversations SET body = '{"stage": 1}'"#,
        r#"UPDATE leads SET fields = '"not a lead"'"#,
    ] {
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
    assert!(matches!(s.load(&c).await, Err(StoreError::Corrupt(_))));
    assert!(matches!(s.load_lead(&c).await, Err(StoreError::Corrupt(_))));

    s.enqueue(batch(vec![message("m.2", &c, "x")]))
        .await
        .unwrap();
    sqlx::query("UPDATE inbox SET payload = '[]' WHERE msg_id = 'm.2'")
        .execute(&mut conn)
        .await
        .unwrap();
    assert!(matches!(
        s.claim("w", LONG, NO_QUIET).await,
        Err(StoreError::Corrupt(_))
    ));
}

#[tokio::test]
async fn an_unreachable_database_is_unavailable() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap();
    assert!(matches!(
        PgStore::connect(&format!("postgres://postgres@{closed}/x")).await,
        Err(StoreError::Unavailable(_))
    ));
    assert!(matches!(
        PgStore::connect("postgres://[::1").await,
        Err(StoreError::Unavailable(_))
    ));
}

#[tokio::test]
async fn an_outage_is_unavailable_and_passes_by_itself() {
    let b = PostgresBackend::new().await;
    let server: std::net::SocketAddr = "127.0.0.1:5432".parse().unwrap();
    let proxy = TcpProxy::start(server).await;
    let url =
        b.db.url()
            .replace("127.0.0.1:5432", &proxy.addr().to_string());
    let s = PgStore::connect(&url)
        .await
        .expect("connect through the proxy");
    let c = customer(1);
    s.enqueue(batch(vec![message("m.1", &c, "hola")]))
        .await
        .unwrap();

    proxy.cut();
    assert!(matches!(s.ping().await, Err(StoreError::Unavailable(_))));
    assert!(matches!(
        s.enqueue(batch(vec![message("m.2", &c, "x")])).await,
        Err(StoreError::Unavailable(_))
    ));

    proxy.restore();
    s.ping().await.expect("reconnects by itself");
    let r = s
        .enqueue(batch(vec![
            message("m.1", &c, "hola"),
            message("m.2", &c, "x"),
        ]))
        .await
        .unwrap();
    assert_eq!(r, report(1, 1, 0), "nothing written before the cut is lost");
}
