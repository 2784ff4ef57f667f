//! Several handles at once: concurrent enqueues add up and two handles
//! never claim the same conversation.

use super::*;

pub(super) async fn concurrent_enqueues_add_up_exactly<B: Backend>() {
    const TASKS: u32 = 32;
    const PAIRS: u32 = TASKS / 2;
    const BATCHES: u32 = 25;
    const PER_BATCH: u32 = 4;
    let b = B::new().await;
    let s = b.handle().await;
    // Tasks t and t + PAIRS send the same ids (Meta retrying), so exactly
    // half of everything is a duplicate.
    let tasks: Vec<_> = (0..TASKS)
        .map(|t| {
            let s = s.clone();
            tokio::spawn(async move {
                let c = customer(t % PAIRS);
                let mut total = EnqueueReport::default();
                for j in 0..BATCHES {
                    let messages = (0..PER_BATCH)
                        .map(|k| message(&format!("m.{}.{j:02}.{k}", t % PAIRS), &c, "x"))
                        .collect();
                    let r = s.enqueue(batch(messages)).await.expect("enqueue");
                    total.accepted += r.accepted;
                    total.duplicates += r.duplicates;
                }
                total
            })
        })
        .collect();
    let mut total = EnqueueReport::default();
    for task in tasks {
        let r = task.await.expect("task");
        total.accepted += r.accepted;
        total.duplicates += r.duplicates;
    }
    let unique = (PAIRS * BATCHES * PER_BATCH) as usize;
    assert_eq!(total, report(unique, unique, 0));
    assert_eq!(s.depth().await.unwrap(), unique as u64);

    for _ in 0..PAIRS {
        let claim = claim_one(&s, "w").await;
        let got = ids(&claim);
        let mut sorted = got.clone();
        sorted.sort_unstable();
        assert_eq!(got.len(), (BATCHES * PER_BATCH) as usize);
        assert_eq!(got, sorted, "each conversation's messages in arrival order");
    }
}

pub(super) async fn two_handles_never_claim_the_same_conversation<B: Backend>() {
    const CONVERSATIONS: u32 = 40;
    let b = B::new().await;
    let (one, two) = (b.handle().await, b.handle().await);
    for n in 0..CONVERSATIONS {
        let c = customer(n);
        let messages = (0..3)
            .map(|k| message(&format!("m.{n}.{k}"), &c, "x"))
            .collect();
        one.enqueue(batch(messages)).await.unwrap();
    }
    let in_flight = Arc::new(Mutex::new(HashSet::new()));
    let claimed = Arc::new(Mutex::new(HashMap::<CustomerId, Vec<String>>::new()));
    let mut workers = Vec::new();
    for (h, store) in [one.clone(), two.clone()].into_iter().enumerate() {
        for w in 0..4 {
            let (store, in_flight, claimed) = (store.clone(), in_flight.clone(), claimed.clone());
            workers.push(tokio::spawn(async move {
                let worker = format!("p{h}-w{w}");
                loop {
                    let Some(claim) = store.claim(&worker, LONG, NO_QUIET).await.expect("claim")
                    else {
                        if store.depth().await.expect("depth") == 0 {
                            return;
                        }
                        tokio::time::sleep(Duration::from_millis(5)).await;
                        continue;
                    };
                    assert!(
                        in_flight.lock().unwrap().insert(claim.customer.clone()),
                        "claimed twice at once"
                    );
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    in_flight.lock().unwrap().remove(&claim.customer);
                    let got = claim.messages.iter().map(|m| m.id.clone());
                    claimed
                        .lock()
                        .unwrap()
                        .entry(claim.customer.clone())
                        .or_default()
                        .extend(got);
                    store
                        .commit_turn(&claim, turn(&claim, Vec::new()))
                        .await
                        .expect("commit");
                }
            }));
        }
    }
    for worker in workers {
        worker.await.expect("worker");
    }
    let claimed = claimed.lock().unwrap();
    assert_eq!(claimed.len(), CONVERSATIONS as usize);
    for n in 0..CONVERSATIONS {
        let expected: Vec<_> = (0..3).map(|k| format!("m.{n}.{k}")).collect();
        assert_eq!(
            claimed[&customer(n)],
            expected,
            "claimed exactly once, in order"
        );
    }
}
