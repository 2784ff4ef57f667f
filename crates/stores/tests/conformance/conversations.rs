//! Conversations and leads: summaries absorbed in order, a lead outliving
//! its conversation, the inbox's depth.

use super::*;

pub(super) async fn a_newer_summary_is_absorbed_and_an_older_one_ignored<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    let claim = claimed(&s, &c, "m.1", "w").await;
    let started = Timestamp::now();
    let texts = ["1", "2", "3", "4", "5", "6", "7", "8"];
    let commit = TurnCommit {
        conversation: conversation(&c, started, &texts),
        replies: Vec::new(),
        events: Vec::new(),
        effects: Vec::new(),
    };
    s.commit_turn(&claim, commit).await.unwrap();

    s.put_summary(
        &c,
        &Summary {
            text: "first five".into(),
            through_seq: 5,
        },
    )
    .await
    .unwrap();
    s.put_summary(
        &c,
        &Summary {
            text: "stale".into(),
            through_seq: 3,
        },
    )
    .await
    .unwrap();
    let loaded = s.load(&c).await.unwrap().expect("saved");
    assert_eq!(loaded.summary.text, "first five");
    assert_eq!(
        loaded.history.iter().map(|m| m.seq).collect::<Vec<_>>(),
        [6, 7, 8]
    );

    // A turn that loaded the conversation before the summary arrived does
    // not erase it.
    s.enqueue(batch(vec![message("m.2", &c, "9")]))
        .await
        .unwrap();
    let claim = claim_one(&s, "w").await;
    let commit = TurnCommit {
        conversation: conversation(&c, started, &[texts.as_slice(), &["9"]].concat()),
        replies: Vec::new(),
        events: Vec::new(),
        effects: Vec::new(),
    };
    s.commit_turn(&claim, commit).await.unwrap();
    let loaded = s.load(&c).await.unwrap().expect("saved");
    assert_eq!(loaded.summary.text, "first five");
    assert_eq!(
        loaded.history.iter().map(|m| m.seq).collect::<Vec<_>>(),
        [6, 7, 8, 9]
    );
}

pub(super) async fn a_replaced_conversation_does_not_absorb_the_old_summary<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    let old_start = Timestamp::now() - SignedDuration::from_hours(30);
    for (id, conv) in [
        ("m.1", conversation(&c, old_start, &["1", "2", "3", "4"])),
        (
            "m.2",
            conversation(&c, Timestamp::now(), &["new 1", "new 2", "new 3"]),
        ),
    ] {
        s.enqueue(batch(vec![message(id, &c, "x")])).await.unwrap();
        let claim = claim_one(&s, "w").await;
        s.commit_turn(
            &claim,
            TurnCommit {
                conversation: conv,
                replies: Vec::new(),
                events: Vec::new(),
                effects: Vec::new(),
            },
        )
        .await
        .unwrap();
        if id == "m.1" {
            s.put_summary(
                &c,
                &Summary {
                    text: "old".into(),
                    through_seq: 2,
                },
            )
            .await
            .unwrap();
        }
    }
    let loaded = s.load(&c).await.unwrap().expect("saved");
    assert_eq!(loaded.summary, Summary::default());
    assert_eq!(loaded.history.len(), 3);
}

pub(super) async fn the_lead_outlives_the_conversation<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    assert_eq!(s.load_lead(&c).await.unwrap(), None);
    s.enqueue(batch(vec![message("m.1", &c, "soy Ana")]))
        .await
        .unwrap();
    let claim = claim_one(&s, "w").await;
    let long_ago = Timestamp::now() - SignedDuration::from_hours(48);
    let old = conversation(&c, long_ago, &["soy Ana"]);
    s.commit_turn(
        &claim,
        TurnCommit {
            conversation: old,
            replies: Vec::new(),
            events: Vec::new(),
            effects: Vec::new(),
        },
    )
    .await
    .unwrap();

    let loaded = s
        .load(&c)
        .await
        .unwrap()
        .expect("expired conversations still load");
    assert!(loaded.expired(Timestamp::now()));
    assert_eq!(
        s.load_lead(&c).await.unwrap().and_then(|l| l.name),
        Some("Ana".parse().unwrap())
    );
    assert_eq!(s.load_lead(&customer(2)).await.unwrap(), None);
}

pub(super) async fn depth_counts_waiting_messages<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let (a, c) = (customer(1), customer(2));
    assert_eq!(s.depth().await.unwrap(), 0);
    s.enqueue(batch(vec![
        message("a.1", &a, "1"),
        message("a.2", &a, "2"),
    ]))
    .await
    .unwrap();
    s.enqueue(batch(vec![message("c.1", &c, "1")]))
        .await
        .unwrap();
    assert_eq!(s.depth().await.unwrap(), 3);
    let claim = claim_one(&s, "w").await;
    assert_eq!(
        s.depth().await.unwrap(),
        3,
        "claimed messages still wait for their answer"
    );
    s.commit_turn(&claim, turn(&claim, Vec::new()))
        .await
        .unwrap();
    assert_eq!(s.depth().await.unwrap(), 1);
}
