//! The dashboard's view and a person's actions: leads listed, a
//! conversation shown, take-over, human replies and hand-back.

use super::*;

/// A conversation of `c` committed by a turn answering message `id` (with
/// one reply), changed by `edit` before the commit.
pub(super) async fn committed<S: Store>(
    s: &S,
    c: &CustomerId,
    id: &str,
    edit: impl FnOnce(&mut Conversation),
) -> Conversation {
    s.enqueue(batch(vec![message(id, c, "hola")]))
        .await
        .expect("enqueue");
    let claim = claim_one(s, "w").await;
    let mut commit = turn(&claim, vec![reply(&format!("{id}#0"), c, "¡Hola!")]);
    edit(&mut commit.conversation);
    let saved = commit.conversation.clone();
    s.commit_turn(&claim, commit).await.expect("commit");
    saved
}

/// A turn in flight: `c`'s "m.1" answered, then "m.2" claimed by "w" and
/// not yet committed, for the tests of what fences it.
pub(super) async fn in_flight<S: Store>(s: &S, c: &CustomerId) -> Claim {
    committed(s, c, "m.1", |_| {}).await;
    s.enqueue(batch(vec![message("m.2", c, "¿sigues ahí?")]))
        .await
        .expect("enqueue");
    claim_one(s, "w").await
}

/// The late commit of [`in_flight`]'s turn, replying "m.2#0", is refused.
pub(super) async fn assert_late_commit_fenced<S: Store>(s: &S, in_flight: &Claim, c: &CustomerId) {
    let late = s
        .commit_turn(in_flight, turn(in_flight, vec![reply("m.2#0", c, "¡Sí!")]))
        .await;
    assert!(matches!(late, Err(StoreError::Fenced)), "{late:?}");
}

pub(super) fn all() -> LeadQuery {
    LeadQuery {
        limit: 50,
        ..LeadQuery::default()
    }
}

/// The customers `query` lists, in order.
pub(super) async fn listed<S: Store>(s: &S, query: &LeadQuery) -> Vec<String> {
    s.leads(query)
        .await
        .expect("leads")
        .into_iter()
        .map(|row| row.conversation.customer.as_str().to_owned())
        .collect()
}

pub(super) async fn leads_are_filtered_searched_and_paged_newest_first<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let (c1, c2, c3) = (customer(1), customer(2), customer(3));
    committed(&s, &c1, "m.1", |c| {
        c.lead.company = Some("Acme Tools".parse().unwrap());
    })
    .await;
    committed(&s, &c2, "m.2", |c| {
        c.stage = "qualification".to_owned();
        c.lead.name = Some("Bruno".parse().unwrap());
    })
    .await;
    committed(&s, &c3, "m.3", |c| {
        c.lead.name = Some("Carla".parse().unwrap());
        c.handoff = Some(Handoff {
            reason: HandoffReason::CustomerAsked,
            at: Timestamp::now(),
        });
    })
    .await;

    assert_eq!(
        listed(&s, &all()).await,
        [c3.as_str(), c2.as_str(), c1.as_str()]
    );
    let stage = LeadQuery {
        stage: Some("qualification".to_owned()),
        ..all()
    };
    assert_eq!(listed(&s, &stage).await, [c2.as_str()]);
    let reason = LeadQuery {
        handoff: Some("customer_asked".to_owned()),
        ..all()
    };
    assert_eq!(listed(&s, &reason).await, [c3.as_str()]);
    let other_reason = LeadQuery {
        handoff: Some("low_confidence".to_owned()),
        ..all()
    };
    assert!(listed(&s, &other_reason).await.is_empty());
    let handed_off = LeadQuery {
        handed_off: true,
        ..all()
    };
    assert_eq!(listed(&s, &handed_off).await, [c3.as_str()]);
    let by_company = LeadQuery {
        search: Some("ACME".to_owned()),
        ..all()
    };
    assert_eq!(listed(&s, &by_company).await, [c1.as_str()]);
    let by_name = LeadQuery {
        search: Some("brun".to_owned()),
        ..all()
    };
    assert_eq!(listed(&s, &by_name).await, [c2.as_str()]);
    let future = LeadQuery {
        updated_since: Some(Timestamp::now() + SignedDuration::from_hours(1)),
        ..all()
    };
    assert!(listed(&s, &future).await.is_empty());

    let first = s
        .leads(&LeadQuery { limit: 2, ..all() })
        .await
        .expect("first page");
    assert_eq!(first.len(), 2);
    let rest = LeadQuery {
        after: first.last().map(|row| row.cursor()),
        ..all()
    };
    assert_eq!(listed(&s, &rest).await, [c1.as_str()]);
}

pub(super) async fn a_conversation_view_has_its_outbox_and_events<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    let saved = committed(&s, &c, "m.1", |_| {}).await;
    let view = s
        .conversation_view(&c)
        .await
        .expect("view")
        .expect("a known conversation");
    assert_eq!(view.conversation, saved);
    let keys: Vec<&str> = view.outbox.iter().map(|e| e.message.key.as_str()).collect();
    assert_eq!(keys, ["m.1#0"]);
    let events: Vec<&Event> = view.events.iter().map(|e| &e.event).collect();
    assert_eq!(
        events,
        [&Event::StageChanged {
            from: "greeting".into(),
            to: "qualification".into()
        }]
    );
    assert!(
        s.conversation_view(&customer(2))
            .await
            .expect("view")
            .is_none()
    );
}

pub(super) async fn actions_on_an_unknown_conversation_are_not_found<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let actions = [
        HumanAction::TakeOver,
        HumanAction::Reply {
            text: "hola".to_owned(),
        },
        HumanAction::HandBack {
            stage: "greeting".to_owned(),
        },
    ];
    for action in actions {
        let refused = s.act(&customer(9), &action, Timestamp::now()).await;
        assert!(
            matches!(refused, Err(AdminError::NotFound)),
            "{action:?}: {refused:?}"
        );
    }
}

pub(super) async fn a_take_over_silences_the_bot_and_fences_a_turn_in_flight<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    let in_flight = in_flight(&s, &c).await;

    let taken = s
        .act(&c, &HumanAction::TakeOver, Timestamp::now())
        .await
        .expect("take over");
    assert_eq!(
        taken.handoff.as_ref().map(|h| h.reason),
        Some(HandoffReason::HumanTookOver)
    );
    assert_late_commit_fenced(&s, &in_flight, &c).await;
    assert_eq!(s.load(&c).await.unwrap(), Some(taken));
    // The fenced turn's message waits to be answered under the new state.
    let again = claim_one(&s, "w2").await;
    assert_eq!(ids(&again), ["m.2"]);
    assert!(events_of(&s, &c).await.contains(&Event::HandedOff {
        reason: HandoffReason::HumanTookOver
    }));
    // A second take over keeps the first handoff.
    let twice = s
        .act(&c, &HumanAction::TakeOver, Timestamp::now())
        .await
        .expect("take over again");
    assert_eq!(
        twice.handoff.map(|h| h.reason),
        Some(HandoffReason::HumanTookOver)
    );
}

pub(super) async fn a_human_reply_is_recorded_once_for_the_sender<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    committed(&s, &c, "m.1", |_| {}).await;
    let reply = HumanAction::Reply {
        text: "Soy Marta, de ventas".to_owned(),
    };
    let replied = s.act(&c, &reply, Timestamp::now()).await.expect("reply");
    let last = replied.history.last().expect("the reply in the history");
    assert_eq!(
        (last.speaker, last.text.as_str()),
        (Speaker::Human, "Soy Marta, de ventas")
    );
    assert!(
        replied.handoff.is_some(),
        "a person's reply silences the bot"
    );
    assert_eq!(s.load(&c).await.unwrap(), Some(replied));

    let outbox = s.conversation_view(&c).await.unwrap().expect("view").outbox;
    assert_eq!(outbox.len(), 2);
    let human = &outbox[1].message;
    assert_eq!(
        (human.business_number_id.as_str(), &human.body),
        (
            "1065",
            &OutgoingBody::Text {
                body: "Soy Marta, de ventas".to_owned()
            }
        )
    );
    // Due once the bot's reply before it has gone.
    let first = s.due(Timestamp::now(), 10, LONG).await.unwrap();
    assert_eq!(first.len(), 1);
    s.mark_sent(first[0].id, "wamid.bot").await.unwrap();
    let second = s.due(Timestamp::now(), 10, LONG).await.unwrap();
    assert_eq!(
        second.iter().map(|i| &i.message).collect::<Vec<_>>(),
        [human]
    );
}

pub(super) async fn a_human_reply_outside_the_window_is_refused_and_writes_nothing<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    let saved = committed(&s, &c, "m.1", |_| {}).await;
    let later = Timestamp::now() + SignedDuration::from_hours(25);
    let refused = s
        .act(
            &c,
            &HumanAction::Reply {
                text: "¿Seguimos?".to_owned(),
            },
            later,
        )
        .await;
    assert!(
        matches!(refused, Err(AdminError::WindowClosed)),
        "{refused:?}"
    );
    assert_eq!(s.load(&c).await.unwrap(), Some(saved));
    assert_eq!(outbox_of(&s, &c).await.len(), 1);
}

pub(super) async fn a_hand_back_clears_the_handoff_at_the_chosen_stage<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    let c = customer(1);
    committed(&s, &c, "m.1", |c| {
        c.unresolved = 3;
        c.handoff = Some(Handoff {
            reason: HandoffReason::Unresolved,
            at: Timestamp::now(),
        });
    })
    .await;
    let back = HumanAction::HandBack {
        stage: "qualification".to_owned(),
    };
    let handed = s.act(&c, &back, Timestamp::now()).await.expect("hand back");
    assert_eq!(
        (
            handed.handoff.as_ref(),
            handed.stage.as_str(),
            handed.unresolved
        ),
        (None, "qualification", 0)
    );
    assert_eq!(s.load(&c).await.unwrap(), Some(handed));
    let handed_off = LeadQuery {
        handed_off: true,
        ..all()
    };
    assert!(listed(&s, &handed_off).await.is_empty());
    let at_stage = LeadQuery {
        stage: Some("qualification".to_owned()),
        ..all()
    };
    assert_eq!(listed(&s, &at_stage).await, [c.as_str()]);
    assert_eq!(
        events_of(&s, &c).await.last(),
        Some(&Event::StageChanged {
            from: "greeting".into(),
            to: "qualification".into()
        })
    );
}
