//! What a turn learns of the lead and where the stage goes: values are
//! validated, grounded in what the customer wrote and corrected; the
//! stage moves only along the playbook; the language and the name come
//! from the customer's own words.

use super::*;
use leadline_domain::lead::BudgetPeriod;

#[tokio::test]
async fn a_value_that_does_not_parse_never_reaches_the_lead() {
    let mut h = Harness::new(vec![Ok(with_fields(
        "hi",
        &[
            (FieldName::Budget, "lots of love"),
            (FieldName::Name, "Ana"),
        ],
    ))]);
    let out = h.say(&["hola, soy Ana"]).await;
    assert!(h.conversation.lead.budget.is_none());
    assert_eq!(h.conversation.lead.name.as_deref(), Some("Ana"));
    assert!(out.events.iter().any(|e| matches!(
        e,
        Event::FieldRejected {
            field: FieldName::Budget,
            ..
        }
    )));
    assert!(out.events.iter().any(|e| matches!(
        e,
        Event::FieldSet {
            field: FieldName::Name
        }
    )));
}

#[tokio::test]
async fn the_stage_moves_only_along_the_playbook_as_fields_arrive() {
    let everything = [
        (FieldName::Name, "Ana"),
        (FieldName::Need, "a WhatsApp assistant for sales"),
        (FieldName::Budget, "5k USD"),
        (FieldName::Authority, "I'm the CEO"),
        (FieldName::Timeline, "next month"),
    ];
    let mut h = Harness::new(vec![
        Ok(turn("hello")),
        Ok(with_fields("great", &everything)),
    ]);
    let first = h.say(&["hello"]).await;
    assert_eq!(h.conversation.stage, "greeting");
    assert!(stage_changes(&first.events).is_empty());

    let second = h
        .say(&["I'm Ana, CEO, 5k, next month, we need a bot"])
        .await;
    assert_eq!(
        stage_changes(&second.events),
        vec![
            ("greeting".into(), "qualification".into()),
            ("qualification".into(), "scheduling".into())
        ]
    );
    assert_eq!(h.conversation.stage, "scheduling");
    // Scheduling's success is a booked call: fields alone never leave it.
    assert!(h.conversation.handoff.is_none());
}

#[tokio::test]
async fn a_returning_lead_resumes_where_their_known_fields_reach() {
    let h = Harness::new(Vec::new());
    let mut lead = Lead::default();
    let today = jiff::civil::date(2026, 11, 25);
    for (field, value) in [(FieldName::Name, "Ana"), (FieldName::Need, "a bot")] {
        leadline_domain::fields::apply(&mut lead, field, value, today).unwrap();
    }
    let c = h.router.start(
        CustomerId::parse("5215550199").unwrap(),
        Some(lead.clone()),
        Timestamp::now(),
    );
    assert_eq!(c.stage, "qualification");
    assert_eq!(c.lead, lead);
}

#[tokio::test]
async fn the_server_reads_the_language_from_the_customers_words_before_the_brain_is_asked() {
    let mut h = Harness::new(Vec::new());
    assert_eq!(
        h.conversation.language,
        Language::Es,
        "the business default"
    );
    h.say(&["Hello! I'm the CTO at Acme"]).await;
    h.say(&["5000"]).await;
    h.say(&["perdón, mejor en español"]).await;
    assert_eq!(
        *h.script.seen_languages.lock().unwrap(),
        [Language::En, Language::En, Language::Es],
        "a message that tells nothing keeps the language; a switch is followed"
    );
}

#[tokio::test]
async fn the_profile_name_is_the_name_until_the_customer_states_theirs() {
    let mut h = Harness::new(Vec::new());
    let mut hello = h.message(Content::Text {
        body: "hola".into(),
    });
    hello.profile_name = Some("andrea vidal".into());
    h.router
        .run_turn(&mut h.conversation, &[hello], Timestamp::now())
        .await;
    assert_eq!(h.conversation.lead.name.as_deref(), Some("Andrea Vidal"));

    // The brain proposes nothing; the extractors that run beside it read
    // the stated name, which replaces the profile's.
    h.say(&["perdón, me llamo Andy Vidal"]).await;
    assert_eq!(h.conversation.lead.name.as_deref(), Some("Andy Vidal"));
    assert!(!h.conversation.name_from_profile);
}

#[tokio::test]
async fn a_business_profile_name_is_not_taken_for_the_customers() {
    let mut h = Harness::new(Vec::new());
    let mut hello = h.message(Content::Text {
        body: "hola".into(),
    });
    hello.profile_name = Some("Ventas Altamar 🛥️".into());
    h.router
        .run_turn(&mut h.conversation, &[hello], Timestamp::now())
        .await;
    assert_eq!(h.conversation.lead.name, None);
}

#[tokio::test]
async fn a_field_asked_twice_without_an_answer_waits_and_the_flow_moves_on() {
    let asking_name = |fields: &[(FieldName, &str)]| {
        Ok(Turn {
            asks: Some(FieldName::Name),
            ..with_fields("¿Cómo te llamas?", fields)
        })
    };
    let mut h = Harness::new(vec![
        asking_name(&[(FieldName::Need, "un bot de ventas")]),
        asking_name(&[]),
        asking_name(&[]),
    ]);
    h.say(&["quiero un bot de ventas"]).await;
    assert_eq!(h.conversation.stage, "greeting");
    h.say(&["prefiero no decirlo"]).await;
    assert_eq!(
        h.conversation.deferred(),
        [],
        "asked twice, but not yet left unanswered twice"
    );
    assert_eq!(h.conversation.stage, "greeting");
    let out = h.say(&["da igual, sigamos con lo demás"]).await;
    assert_eq!(h.conversation.deferred(), [FieldName::Name]);
    assert_eq!(
        h.conversation.stage, "qualification",
        "the name waits; the need is known, so greeting is done"
    );
    assert_eq!(
        stage_changes(&out.events),
        [("greeting".to_owned(), "qualification".to_owned())]
    );
    assert!(
        !out.replies.iter().any(|r| r.contains("¿Cómo te llamas?")),
        "the question for the name that waits is not asked a third time: {:?}",
        out.replies
    );
}

#[tokio::test]
async fn a_correction_replaces_the_value_and_the_event_keeps_the_old_one() {
    let mut h = Harness::new(vec![Ok(with_fields(
        "¡Gracias!",
        &[
            (FieldName::Name, "Marga"),
            (FieldName::Budget, "3 mil dólares"),
        ],
    ))]);
    h.say(&["soy Marga, tenemos 3 mil dólares"]).await;
    let out = h.say(&["perdón, son 5 mil, no 3 mil"]).await;
    let budget = h.conversation.lead.budget.as_ref().unwrap();
    assert_eq!((budget.min(), budget.max()), (Some(5000), Some(5000)));
    let replaced: Vec<_> = out
        .events
        .iter()
        .filter_map(|e| match e {
            Event::FieldCorrected { field, replaced } => Some((*field, replaced["min"].clone())),
            _ => None,
        })
        .collect();
    assert_eq!(replaced, [(FieldName::Budget, serde_json::json!(3000))]);

    h.say(&["sorry, Marta not Marga"]).await;
    assert_eq!(h.conversation.lead.name.as_deref(), Some("Marta"));

    // Only the period taken back: the amount stays, the period changes.
    h.say(&["son 5 mil dólares al año"]).await;
    let out = h.say(&["perdón, quise decir al mes, no al año"]).await;
    let budget = h.conversation.lead.budget.as_ref().unwrap();
    assert_eq!(
        (budget.min(), budget.period()),
        (Some(5000), Some(leadline_domain::lead::BudgetPeriod::Month))
    );
    assert!(out.events.iter().any(|e| matches!(
        e,
        Event::FieldCorrected {
            field: FieldName::Budget,
            ..
        }
    )));
}

#[tokio::test]
async fn a_value_nobody_wrote_is_dropped_and_counted_and_a_reworded_one_kept() {
    let mut h = Harness::new(vec![Ok(with_fields(
        "¡Hola, Juan!",
        &[
            (FieldName::Name, "Juan"),
            (FieldName::Budget, "5000 USD"),
            (FieldName::Need, "a WhatsApp bot for sales"),
        ],
    ))]);
    let out = h
        .say(&["hi, we need a whatsapp bot for our sales, about 5k USD"])
        .await;
    let lead = &h.conversation.lead;
    assert_eq!(lead.name, None, "nobody said Juan");
    assert_eq!(lead.budget.as_ref().and_then(|b| b.min()), Some(5000));
    assert_eq!(lead.need.as_deref(), Some("a WhatsApp bot for sales"));
    let ungrounded: Vec<FieldName> = out
        .events
        .iter()
        .filter_map(|e| match e {
            Event::FieldUngrounded { field } => Some(*field),
            _ => None,
        })
        .collect();
    assert_eq!(ungrounded, [FieldName::Name]);
}

#[tokio::test]
async fn a_correction_at_the_end_of_a_burst_replaces_the_value_and_keeps_what_it_does_not_say() {
    let mut h = Harness::new(vec![Ok(turn("¡Gracias!")), Ok(turn("¡Gracias!"))]);
    h.say(&[
        "el presupuesto son 3 millones de pesos colombianos mensuales",
        "perdón, 2 millones, no 3",
    ])
    .await;
    let budget = h.conversation.lead.budget.clone().unwrap();
    assert_eq!(
        (budget.min(), budget.max()),
        (Some(2_000_000), Some(2_000_000))
    );
    assert_eq!(
        budget.currency().map(|c| c.to_string()).as_deref(),
        Some("COP")
    );
    assert_eq!(budget.period(), Some(BudgetPeriod::Month));
    h.say(&["ay perdón, son 2.500.000, me equivoqué"]).await;
    let budget = h.conversation.lead.budget.clone().unwrap();
    assert_eq!(
        (budget.min(), budget.max()),
        (Some(2_500_000), Some(2_500_000))
    );
    assert_eq!(
        budget.currency().map(|c| c.to_string()).as_deref(),
        Some("COP")
    );
    assert_eq!(budget.period(), Some(BudgetPeriod::Month));
}

#[tokio::test]
async fn a_later_need_that_says_more_adds_to_the_known_one() {
    let mut h = Harness::new(vec![
        Ok(turn("¡Gracias!")),
        Ok(turn("Thanks!")),
        Ok(turn("Ok")),
    ]);
    h.say(&["We want a bot that sounds human"]).await;
    h.say(&["our sales reps are overloaded with custom sofa inquiries on WhatsApp"])
        .await;
    assert_eq!(
        h.conversation.lead.need.as_deref(),
        Some("a bot that sounds human; overloaded with custom sofa inquiries on WhatsApp")
    );
    h.say(&["we want a bot that sounds human"]).await;
    assert_eq!(
        h.conversation.lead.need.as_deref(),
        Some("a bot that sounds human; overloaded with custom sofa inquiries on WhatsApp"),
        "a need said again adds nothing"
    );
}

#[tokio::test]
async fn a_company_corrected_once_leaves_the_name_alone_and_a_lookalike_corrects_it_bare() {
    let mut h = Harness::new(vec![Ok(turn("Thanks!")), Ok(turn("Ok")), Ok(turn("Ok"))]);
    h.say(&["Hi, I'm Dan from Bluefish Charters, we need a WhatsApp bot for leads"])
        .await;
    h.say(&["oops typo, it's Bluefin Charters not Bluefish Charters"])
        .await;
    assert_eq!(h.conversation.lead.name.as_deref(), Some("Dan"));
    assert_eq!(
        h.conversation.lead.company.as_deref(),
        Some("Bluefin Charters")
    );
    h.say(&["sorry, Bluefin Charter Co"]).await;
    assert_eq!(
        h.conversation.lead.company.as_deref(),
        Some("Bluefin Charter Co")
    );
    assert_eq!(h.conversation.lead.name.as_deref(), Some("Dan"));
}

#[tokio::test]
async fn one_word_put_right_fixes_the_name_and_a_word_or_two_does_not_switch_the_language() {
    let mut h = Harness::new(vec![
        Ok(turn("¡Gracias!")),
        Ok(turn("¡Gracias!")),
        Ok(turn("¡Perfecto!")),
    ]);
    h.say(&["hola, soy Migel Angel Torres y quiero un bot de ventas"])
        .await;
    h.say(&["*Miguel jaja"]).await;
    assert_eq!(
        h.conversation.lead.name.as_deref(),
        Some("Miguel Angel Torres")
    );
    h.say(&["asap"]).await;
    assert_eq!(h.conversation.language, leadline_domain::Language::Es);
}

#[tokio::test]
async fn a_bare_budget_answering_the_monthly_question_is_monthly() {
    let asking_budget = Ok(Turn {
        asks: Some(FieldName::Budget),
        ..turn("What monthly budget do you have in mind for this?")
    });
    let mut h = Harness::new(vec![asking_budget, Ok(turn("Thanks!"))]);
    h.say(&["hi, I'm Mike from Acme Roofing, we want a WhatsApp bot for leads"])
        .await;
    h.say(&["5k"]).await;
    let budget = h.conversation.lead.budget.clone().expect("a budget");
    assert_eq!(budget.max(), Some(5000));
    assert_eq!(budget.period(), Some(BudgetPeriod::Month));
}

#[tokio::test]
async fn dollars_from_a_customer_in_another_dollar_country_are_theirs() {
    let mut h = Harness::new(vec![Ok(turn("Thanks!")), Ok(turn("Thanks!"))]);
    h.say(&["hi, I'm Jess, I run a gym in Perth and want a WhatsApp bot for trial bookings"])
        .await;
    h.say(&["around 300 bucks a month"]).await;
    let budget = h.conversation.lead.budget.clone().expect("a budget");
    assert_eq!(
        budget.currency().map(|c| c.to_string()).as_deref(),
        Some("AUD")
    );
    assert!(!budget.currency_assumed());
}
