//! What makes a turn (a burst of messages, not a reaction) and when the
//! rolling summary is requested.

use super::*;

#[tokio::test]
async fn reactions_and_unknown_types_are_not_a_turn() {
    let mut h = Harness::new(Vec::new());
    let reaction = h.message(Content::Reaction {
        emoji: "👍".into(),
        message_id: "wamid.x".into(),
    });
    let unknown = h.message(Content::Other {
        type_name: "hologram".into(),
    });
    let out = h
        .router
        .run_turn(&mut h.conversation, &[reaction, unknown], Timestamp::now())
        .await;
    assert!(out.replies.is_empty() && out.events.is_empty());
    assert!(h.conversation.history.is_empty());
    assert!(
        h.script.seen_windows.lock().unwrap().is_empty(),
        "no brain call"
    );
}

#[tokio::test]
async fn a_burst_is_one_turn_and_the_window_widens_to_hold_all_of_it() {
    let mut h = Harness::new(Vec::new());
    for _ in 0..4 {
        h.say(&["hola"]).await;
    }
    let out = h
        .say(&[
            "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho",
        ])
        .await;
    assert_eq!(out.replies.len(), 1);
    let windows = h.script.seen_windows.lock().unwrap().clone();
    assert_eq!(windows, vec![1, 3, 5, 6, 8]);
}

#[tokio::test]
async fn summaries_are_requested_at_most_once_per_six_messages_and_cover_what_left_the_window() {
    let mut h = Harness::new(Vec::new());
    let mut jobs = Vec::new();
    for n in 0..30 {
        let out = h.say(&[&format!("message {n}")]).await;
        if let Some(job) = out.summary_job {
            // Every message outside the window that no summary covers yet.
            assert!(job.leaving.len() >= 6);
            assert!(
                job.leaving
                    .iter()
                    .all(|m| m.seq > h.conversation.summary.through_seq)
            );
            let summary = h.router.summarize(&job).await.unwrap();
            h.conversation.absorb_summary(summary);
            jobs.push(n);
        }
        assert!(
            h.conversation.history.len() <= 6 + 6 + 2,
            "history stays bounded once summaries land"
        );
    }
    // 60 messages: a request each time 6 more have left the window.
    assert_eq!(jobs.len(), (60 - 6) / 6);
    assert!(
        jobs.windows(2).all(|w| w[1] - w[0] == 3),
        "one request per 3 turns (6 messages): {jobs:?}"
    );
}

#[tokio::test]
async fn a_summary_still_running_is_not_requested_again() {
    let mut h = Harness::new(Vec::new());
    let mut requested = 0;
    for n in 0..9 {
        if h.say(&[&format!("m{n}")]).await.summary_job.is_some() {
            requested += 1; // never absorbed: as if the summary call were slow
        }
    }
    // 18 messages, 12 outside the window: two requests, not one per turn.
    assert_eq!(requested, 2);
}
