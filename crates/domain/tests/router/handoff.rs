//! The handoff policy: the customer asking for a person, low confidence,
//! too many unresolved messages, and a brain that cannot answer.

use super::*;

#[tokio::test]
async fn asking_for_a_person_hands_off_with_the_policy_message_and_then_silence() {
    let ask = Turn {
        intent: Some("ask_human".into()),
        ..turn("")
    };
    let mut h = Harness::new(vec![Ok(ask)]);
    let out = h.say(&["can I talk to a human"]).await;
    assert_eq!(
        out.replies,
        vec!["Let me connect you with one of our team members right now.".to_owned()]
    );
    assert_eq!(
        h.conversation.handoff.as_ref().map(|h| h.reason),
        Some(HandoffReason::CustomerAsked)
    );

    let later = h.say(&["hello?"]).await;
    assert!(later.replies.is_empty());
    assert_eq!(
        later.prompt_tokens, 0,
        "the brain is not asked while a person has the conversation"
    );
    let last = h.conversation.history.last().unwrap();
    assert_eq!(
        (last.speaker, last.text.as_str()),
        (Speaker::Customer, "hello?"),
        "kept for the person taking over"
    );
}

#[tokio::test]
async fn low_confidence_hands_off_only_from_qualification_on() {
    let unsure = |reply: &str| Turn {
        confidence: 0.3,
        ..turn(reply)
    };
    let mut h = Harness::new(vec![
        Ok(unsure("hmm")),
        Ok(with_fields(
            "thanks",
            &[(FieldName::Name, "Ana"), (FieldName::Need, "a bot")],
        )),
        Ok(unsure("hmm")),
    ]);
    h.say(&["something vague"]).await;
    assert!(
        h.conversation.handoff.is_none(),
        "greeting tolerates an unsure reading"
    );
    h.say(&["I'm Ana and we need a bot"]).await;
    assert_eq!(h.conversation.stage, "qualification");
    let out = h.say(&["something vague again"]).await;
    assert_eq!(
        h.conversation.handoff.as_ref().map(|h| h.reason),
        Some(HandoffReason::LowConfidence)
    );
    assert_eq!(
        out.replies,
        vec!["Let me connect you with one of our team members right now.".to_owned()],
        "in the language the customer writes, which the server reads"
    );
}

#[tokio::test]
async fn three_unresolved_messages_in_a_row_hand_off_and_a_resolved_one_resets_the_count() {
    let lost = || {
        Ok(Turn {
            resolved: false,
            ..turn("¿Perdón?")
        })
    };
    let mut h = Harness::new(vec![lost(), lost(), Ok(turn("ok")), lost(), lost(), lost()]);
    h.say(&["asd"]).await;
    h.say(&["qwe"]).await;
    h.say(&["hola"]).await;
    assert_eq!(h.conversation.unresolved, 0);
    h.say(&["zxc"]).await;
    h.say(&["vbn"]).await;
    assert!(h.conversation.handoff.is_none());
    let out = h.say(&["mnb"]).await;
    assert_eq!(
        h.conversation.handoff.as_ref().map(|h| h.reason),
        Some(HandoffReason::Unresolved)
    );
    assert_eq!(
        out.replies,
        vec!["Te comunico ahora mismo con una persona de nuestro equipo.".to_owned()]
    );
}

#[tokio::test]
async fn a_brain_that_cannot_answer_hands_off_instead_of_leaving_the_customer_waiting() {
    let mut h = Harness::new(vec![Err(BrainError::Unavailable(
        "connection refused".into(),
    ))]);
    let out = h.say(&["hola"]).await;
    assert_eq!(
        h.conversation.handoff.as_ref().map(|h| h.reason),
        Some(HandoffReason::BrainUnavailable)
    );
    assert_eq!(out.replies.len(), 1);
    assert!(
        out.events
            .iter()
            .any(|e| matches!(e, Event::BrainFailed { .. }))
    );
}
