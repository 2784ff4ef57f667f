//! What the model is asked and how its answers are read: one strict
//! schema call per turn, intents kept to the playbook, the one repair of
//! a malformed or wrong-language answer, and the plain summary call.

use super::*;

#[tokio::test]
async fn one_request_per_turn_with_a_strict_schema_maps_the_answer() {
    let model = FakeOpenAi::start_with_key(KEY).await;
    model.push(FakeReply::Json(answer(
        "Thanks, Ana! When would you like to start?",
        0.85,
    )));
    let fixture = Fixture::new("qualification");

    let (turn, calls) = fixture.decide_recording(&brain(&model)).await;
    let turn = turn.unwrap();

    assert_eq!(turn.reply, "Thanks, Ana! When would you like to start?");
    assert_eq!(turn.intent.as_deref(), Some("provide_info"));
    assert_eq!(
        turn.fields,
        vec![
            (FieldName::Name, "Ana".to_owned()),
            (FieldName::Company, "Acme".to_owned()),
            (FieldName::Budget, "around 5k USD".to_owned()),
            (FieldName::Authority, "I decide".to_owned()),
        ],
        "empty values and unknown fields are not proposed; values are trimmed"
    );
    assert!((turn.confidence - 0.85).abs() < 1e-6);
    assert!(turn.resolved);
    assert!(calls.is_empty());

    let requests = model.requests();
    assert_eq!(requests.len(), 1, "one model call per turn");
    let request = &requests[0];
    assert_eq!(request["model"], MODEL);
    assert_eq!(request["max_tokens"], 120, "replies are WhatsApp-short");
    let format = &request["response_format"];
    assert_eq!(format["type"], "json_schema");
    assert_eq!(format["json_schema"]["name"], "turn");
    assert_eq!(format["json_schema"]["strict"], true);
    assert_eq!(
        format["json_schema"]["schema"]["additionalProperties"],
        false
    );
    let messages = messages(request);
    assert_eq!(
        messages.len(),
        7,
        "the system prompt and the 6-message window"
    );
    assert_eq!(messages[0]["role"], "system");
    let system = messages[0]["content"].as_str().unwrap();
    assert!(system.starts_with(SYSTEM_PROMPT));
    assert!(
        system.contains("Ana asked about pricing earlier."),
        "the summary is in the prompt"
    );
    assert!(
        system.contains("ask_human"),
        "the playbook's intents are listed"
    );
    assert_eq!(
        messages[6],
        json!({ "role": "user", "content": "and I decide" })
    );
    assert_eq!(messages[4]["role"], "assistant");
    assert!(
        request.get("tools").is_none(),
        "no tools registered for this stage"
    );
    // The fake counts prompt tokens as characters / 4.
    let chars: usize = messages
        .iter()
        .map(|m| m["content"].as_str().unwrap().len())
        .sum();
    assert_eq!(
        turn.prompt_tokens,
        chars / 4,
        "usage.prompt_tokens is reported"
    );
}

#[tokio::test]
async fn intents_outside_the_playbook_are_dropped_and_an_empty_reply_is_fine_on_handoff() {
    let model = FakeOpenAi::start().await;
    let mut invented = answer("Sure.", 0.9);
    invented["intent"] = json!("buy_a_boat");
    model.push(FakeReply::Json(invented));
    let mut handoff = answer("", 0.9);
    handoff["intent"] = json!("ask_human");
    // Values with a handoff would be an answer read as a request (see
    // `answer::parse`); a bare request is what this is about.
    handoff["fields"] = json!([]);
    model.push(FakeReply::Json(handoff));
    let mut fixture = Fixture::new("qualification");
    // A request for a person, not an answer the model read as one.
    fixture.recent[4].text = "hmm".to_owned();
    fixture.recent[5].text = "actually, can I talk to a person?".to_owned();
    let brain = brain(&model);

    assert_eq!(fixture.decide(&brain).await.unwrap().intent, None);
    let turn = fixture.decide(&brain).await.unwrap();
    assert_eq!(turn.intent.as_deref(), Some("ask_human"));
    assert_eq!(turn.reply, "");
    assert_eq!(model.requests().len(), 2, "neither needed a repair");
}

#[tokio::test]
async fn a_reply_in_the_wrong_language_is_repaired_once_then_given_up() {
    let model = FakeOpenAi::start().await;
    model.push(FakeReply::Json(answer(
        "¡Gracias, Ana! ¿Cuándo te gustaría empezar?",
        0.9,
    )));
    model.push(FakeReply::Json(answer(
        "Thanks, Ana! When would you like to start?",
        0.9,
    )));
    let fixture = Fixture::new("qualification");
    let brain = brain(&model);

    let turn = fixture.decide(&brain).await.unwrap();
    assert_eq!(turn.reply, "Thanks, Ana! When would you like to start?");
    assert!(turn.usage.repaired);
    let requests = model.requests();
    let asked = messages(&requests[1]).last().unwrap()["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(asked.contains("write `reply` in English"), "{asked}");

    model.set_default(|_| FakeReply::Json(answer("¡Hola! ¿Qué presupuesto tienes en mente?", 0.9)));
    let error = fixture.decide(&brain).await.unwrap_err();
    assert!(matches!(error, BrainError::Malformed(_)), "{error:?}");
}

#[tokio::test]
async fn a_malformed_answer_gets_one_repair_attempt() {
    let model = FakeOpenAi::start().await;
    model.push(FakeReply::Raw("Sure! Ana wants a bot.".to_owned()));
    model.push(FakeReply::Json(answer("What is your timeline?", 0.8)));
    let fixture = Fixture::new("qualification");

    let turn = fixture.decide(&brain(&model)).await.unwrap();

    assert_eq!(turn.reply, "What is your timeline?");
    let requests = model.requests();
    assert_eq!(requests.len(), 2);
    let repair = messages(&requests[1]);
    assert_eq!(repair.len(), messages(&requests[0]).len() + 2);
    assert_eq!(
        repair[repair.len() - 2],
        json!({ "role": "assistant", "content": "Sure! Ana wants a bot." })
    );
    assert_eq!(repair[repair.len() - 1]["role"], "user");
    assert!(
        repair[repair.len() - 1]["content"]
            .as_str()
            .unwrap()
            .contains("not valid")
    );
    assert!(
        requests[1].get("response_format").is_some(),
        "the repair is still a turn call"
    );
}

#[tokio::test]
async fn malformed_twice_is_malformed() {
    let model = FakeOpenAi::start().await;
    model.push(FakeReply::Json(answer("Great!", 1.7)));
    model.push(FakeReply::Raw("{\"reply\": \"Great!\"".to_owned()));
    let fixture = Fixture::new("qualification");

    let error = fixture.decide(&brain(&model)).await.unwrap_err();

    assert!(matches!(error, BrainError::Malformed(_)), "{error:?}");
    assert!(
        messages(&model.requests()[1]).last().unwrap()["content"]
            .as_str()
            .unwrap()
            .contains("confidence 1.7"),
        "the model is told what was wrong"
    );
    assert_eq!(model.requests().len(), 2);
}

#[tokio::test]
async fn an_empty_reply_without_a_handoff_is_malformed() {
    let model = FakeOpenAi::start().await;
    model.set_default(|_| FakeReply::Json(answer("   ", 0.9)));
    let fixture = Fixture::new("qualification");

    let error = fixture.decide(&brain(&model)).await.unwrap_err();

    assert_eq!(
        error,
        BrainError::Malformed("the reply is empty".to_owned())
    );
}

#[tokio::test]
async fn a_handoff_read_into_an_answer_is_ruled_out_of_the_repairs_schema() {
    let model = FakeOpenAi::start().await;
    let mut handoff = answer("Let me connect you with the team.", 0.9);
    handoff["intent"] = json!("ask_human");
    model.push(FakeReply::Json(handoff));
    model.push(FakeReply::Json(answer(
        "Thanks! When would you like to start?",
        0.9,
    )));
    let fixture = Fixture::new("qualification");

    let turn = fixture.decide(&brain(&model)).await.unwrap();
    assert_eq!(turn.reply, "Thanks! When would you like to start?");
    assert!(turn.usage.repaired);
    let requests = model.requests();
    let intents = |request: &Value| {
        request["response_format"]["json_schema"]["schema"]["properties"]["intent"]["enum"]
            .as_array()
            .unwrap()
            .clone()
    };
    assert!(intents(&requests[0]).contains(&json!("ask_human")));
    let repair = intents(&requests[1]);
    assert!(!repair.contains(&json!("ask_human")), "{repair:?}");
    assert!(repair.contains(&json!("greet")) && repair.contains(&Value::Null));
}

#[tokio::test]
async fn summaries_are_plain_calls_without_a_response_format() {
    let model = FakeOpenAi::start_with_key(KEY).await;
    model.push(FakeReply::Raw(
        "  Ana (Acme) wants a WhatsApp sales assistant; decides herself.  \n".to_owned(),
    ));
    model.push(FakeReply::Raw("   ".to_owned()));
    let fixture = Fixture::new("qualification");
    let brain = brain(&model);

    let summary = fixture.summarize(&brain).await.unwrap();

    assert_eq!(
        summary,
        "Ana (Acme) wants a WhatsApp sales assistant; decides herself."
    );
    assert_eq!(model.summary_calls(), 1);
    let request = &model.requests()[0];
    assert!(request.get("tools").is_none());
    assert_eq!(request["model"], MODEL);
    let messages = messages(request);
    assert_eq!(messages[0]["role"], "system");
    assert!(
        messages[0]["content"]
            .as_str()
            .unwrap()
            .contains("running summary")
    );
    let user = messages[1]["content"].as_str().unwrap();
    assert!(
        user.contains("Ana from Acme wants a sales assistant."),
        "the previous summary"
    );
    assert!(
        user.contains("Customer: Hi, I'm Ana from Acme"),
        "the messages leaving the window"
    );
    assert!(!user.contains("Around 5k USD"), "only the leaving messages");

    let error = fixture.summarize(&brain).await.unwrap_err();
    assert!(matches!(error, BrainError::Malformed(_)), "{error:?}");
}
