//! The customer's word on getting messages (opting out and back in), and
//! the reminders and nudges the agent sends on its own.

use super::*;

#[tokio::test]
async fn an_opt_out_is_confirmed_once_in_the_customers_words_then_nothing_is_said() {
    let mut h = Harness::new(Vec::new());
    h.say(&["hola"]).await;
    let asked = h.script.seen_windows.lock().unwrap().len();

    let out = h.say(&["BAJA por favor"]).await;
    assert_eq!(out.replies.len(), 1);
    assert!(out.replies[0].contains("ALTA"), "{:?}", out.replies);
    assert!(out.events.contains(&Event::OptedOut));
    assert!(h.conversation.opted_out_at.is_some());

    for text in ["hola?", "cuánto cuesta?", "quiero hablar con una persona"] {
        let later = h.say(&[text]).await;
        assert!(later.replies.is_empty(), "{text}: {:?}", later.replies);
        assert!(later.events.is_empty(), "{text}: {:?}", later.events);
    }
    assert_eq!(
        h.script.seen_windows.lock().unwrap().len(),
        asked,
        "no brain is asked to read the opt-out or anything after it"
    );
    assert_eq!(
        h.conversation.history.last().map(|m| m.text.as_str()),
        Some("quiero hablar con una persona"),
        "kept for the team"
    );
    assert!(h.conversation.handoff.is_none());

    let back = h.say(&["ALTA"]).await;
    assert!(back.events.contains(&Event::OptedIn));
    assert!(h.conversation.opted_out_at.is_none());
    assert_eq!(back.replies.len(), 1);
    assert!(
        back.replies[0].contains('?'),
        "welcomed back with the stage's next question: {:?}",
        back.replies
    );
    let answered = h.say(&["me llamo Ana"]).await;
    assert!(!answered.replies.is_empty(), "the bot answers again");
}

#[tokio::test]
async fn an_english_stop_is_confirmed_in_english_and_other_words_are_not_an_opt_out() {
    let mut h = Harness::new(Vec::new());
    let out = h.say(&["Please stop messaging me"]).await;
    assert_eq!(
        out.replies,
        vec![
            "Done: you won't get any more messages from us. If you ever want them again, reply START."
                .to_owned()
        ]
    );
    assert_eq!(h.conversation.language, Language::En);

    let mut h = Harness::new(Vec::new());
    for text in [
        "we want to stop missing messages at night",
        "no quiero darme de baja, solo preguntaba",
    ] {
        let out = h.say(&[text]).await;
        assert!(!out.events.contains(&Event::OptedOut), "{text}");
        assert!(h.conversation.opted_out_at.is_none(), "{text}");
    }
}

#[tokio::test]
async fn a_handed_off_customer_can_opt_out_too_and_a_nudge_is_answered() {
    let ask = Turn {
        intent: Some("ask_human".into()),
        ..turn("")
    };
    let mut h = Harness::new(vec![Ok(ask)]);
    h.say(&["quiero hablar con una persona"]).await;
    assert!(h.conversation.handoff.is_some());
    let out = h.say(&["STOP"]).await;
    assert_eq!(out.replies.len(), 1, "the one confirmation");
    assert!(h.conversation.opted_out_at.is_some());

    let mut h = Harness::new(Vec::new());
    h.say(&["hola"]).await;
    h.conversation.nudges = 1;
    let out = h.say(&["perdón, aquí estoy"]).await;
    assert!(out.events.contains(&Event::FollowUpAnswered));
    assert_eq!(h.conversation.nudges, 0);
}

#[tokio::test]
async fn reminders_and_nudges_speak_the_customers_language_and_name_what_is_missing() {
    let mut h = Harness::new(Vec::new());
    h.conversation.language = Language::En;
    let (text, when) = h
        .router
        .reminder(&h.conversation, "2026-12-08T16:00:00Z")
        .unwrap();
    assert!(
        text.starts_with("A reminder of your call with our team: ")
            && text.ends_with(&format!("{when}.")),
        "{text}"
    );
    assert!(
        when.contains("December 8") && when.contains("10:00"),
        "{when}"
    );
    assert!(h.router.reminder(&h.conversation, "not a time").is_none());

    let nudge = h.router.follow_up(&h.conversation);
    assert!(nudge.starts_with("Still there? "), "{nudge}");
    assert!(nudge.contains('?'), "{nudge}");
    h.conversation.language = Language::Es;
    let nudge = h.router.follow_up(&h.conversation);
    assert!(nudge.starts_with("¿Sigues por ahí? "), "{nudge}");
}
