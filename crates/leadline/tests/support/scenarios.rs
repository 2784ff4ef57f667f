//! Scenarios each store must pass the same way: the webhook tests play them
//! on SQLite, the PostgreSQL tests on a fresh database, so both answer to
//! one script.

use super::{Options, TestApp};
use leadline_testkit::graph::FakeGraph;
use leadline_testkit::webhook;
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

/// One notification of `messages` texts from 40 customers (numbers
/// `{numbers}00` to `{numbers}39`, in turn; ids `{ids}0`, `{ids}1`, ...)
/// is answered with one reply per customer, however many messages each
/// sent: a customer's messages in one batch are one burst.
pub async fn a_batch_answers_each_customer_once(
    app: &TestApp,
    graph: &FakeGraph,
    numbers: &str,
    ids: &str,
    messages: usize,
) {
    let messages = (0..messages)
        .map(|i| {
            webhook::text(
                &format!("{numbers}{:02}", i % 40),
                &format!("{ids}{i}"),
                "hola, quiero información",
            )
        })
        .collect();
    assert_eq!(
        app.post_webhook(&webhook::notification(messages))
            .await
            .status(),
        200
    );
    graph.wait_for_sent(40, WAIT).await;
    let customers: Vec<String> = (0..40).map(|i| format!("{numbers}{i:02}")).collect();
    let customers: Vec<&str> = customers.iter().map(String::as_str).collect();
    assert_eq!(app.settled(&customers).await.len(), 40);
    let mut answered: Vec<String> = graph.sent().into_iter().map(|s| s.to).collect();
    assert_eq!(
        answered.len(),
        40,
        "one reply per conversation: a customer's messages in one batch are one burst"
    );
    answered.sort();
    answered.dedup();
    assert_eq!(answered.len(), 40, "a reply for each conversation");
}
