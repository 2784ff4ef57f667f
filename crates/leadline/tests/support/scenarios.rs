//! Scenarios each store must pass the same way: the webhook tests play them
//! on SQLite, the PostgreSQL tests on a fresh database, so both answer to
//! one script.

use super::{Options, TestApp};
use leadline_testkit::graph::FakeGraph;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

/// A process killed while `wa_id`'s first message (`ids[0]`) waits in the
/// inbox answers it once after a restart; Meta's retry of that delivery is
/// dropped, and the next message (`ids[1]`) is answered: two replies in
/// all. `options` picks the store.
pub async fn killed_before_the_turn_answers_once(
    options: Options,
    graph: &FakeGraph,
    wa_id: &str,
    ids: [&str; 2],
) {
    // A long burst window keeps the message in the inbox, unanswered.
    let mut app = TestApp::spawn(options.env("LEADLINE_BURST_WINDOW_MS", "60000")).await;
    app.customer_says(wa_id, ids[0], "hola").await;
    app.kill_and_restart(&[("LEADLINE_BURST_WINDOW_MS", "0")])
        .await;
    graph.wait_for_sent(1, WAIT).await;
    // Meta retries the delivery that was in flight when we died: dropped.
    app.customer_says(wa_id, ids[0], "hola").await;
    app.customer_says(wa_id, ids[1], "soy Ana").await;
    graph.wait_for_sent(2, WAIT).await;
    assert_eq!(app.settled(&[wa_id]).await.len(), 2);
    assert_eq!(graph.sent().len(), 2);
}
