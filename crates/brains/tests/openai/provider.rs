//! A provider that fails: 429s and server errors retried, timeouts,
//! refused keys and bad requests not retried, the circuit breaker, and
//! settings refused at startup.

use super::*;

#[tokio::test]
async fn a_429_is_retried_and_its_retry_after_is_capped() {
    let model = FakeOpenAi::start().await;
    // An hour: only the cap (max_backoff, 20 ms) lets this test finish.
    model.push(FakeReply::RateLimited {
        retry_after_secs: 3600,
    });
    model.push(FakeReply::Json(answer("Hello again!", 0.9)));
    let fixture = Fixture::new("qualification");

    let turn = tokio::time::timeout(Duration::from_secs(30), fixture.decide(&brain(&model)))
        .await
        .expect("Retry-After is capped by max_backoff")
        .unwrap();

    assert_eq!(turn.reply, "Hello again!");
    assert_eq!(model.requests().len(), 2);
}

#[tokio::test]
async fn server_errors_on_every_attempt_make_the_provider_unavailable() {
    let model = FakeOpenAi::start().await;
    model.set_default(|_| FakeReply::Status(500));
    let fixture = Fixture::new("qualification");

    let error = fixture.decide(&brain(&model)).await.unwrap_err();

    assert!(matches!(error, BrainError::Unavailable(_)), "{error:?}");
    assert_eq!(model.requests().len(), 3, "max_attempts");
}

#[tokio::test]
async fn a_provider_that_does_not_answer_in_time_is_retried_then_unavailable() {
    let model = FakeOpenAi::start().await;
    model.push(FakeReply::Hang);
    model.push(FakeReply::Json(answer("Sorry for the wait!", 0.9)));
    let fixture = Fixture::new("qualification");
    let brain = OpenAiBrain::new(OpenAiConfig {
        timeout: Duration::from_millis(300),
        ..config(&model.base_url())
    })
    .unwrap();

    assert_eq!(
        fixture.decide(&brain).await.unwrap().reply,
        "Sorry for the wait!"
    );
    assert_eq!(model.requests().len(), 2);

    model.set_default(|_| FakeReply::Hang);
    let error = fixture.decide(&brain).await.unwrap_err();
    assert!(matches!(error, BrainError::Unavailable(_)), "{error:?}");
    assert_eq!(model.requests().len(), 2 + 3);
}

#[tokio::test]
async fn a_refused_key_is_not_retried() {
    let model = FakeOpenAi::start_with_key("sk-the-right-one").await;
    let fixture = Fixture::new("qualification");

    let error = fixture.decide(&brain(&model)).await.unwrap_err();

    match error {
        BrainError::Refused(message) => assert!(message.contains("401"), "{message}"),
        other => panic!("expected Refused, got {other:?}"),
    }
    assert_eq!(model.requests().len(), 1);
}

#[tokio::test]
async fn a_bad_request_is_refused_too() {
    let model = FakeOpenAi::start().await;
    model.push(FakeReply::Status(404));
    let fixture = Fixture::new("qualification");

    let error = fixture.decide(&brain(&model)).await.unwrap_err();

    assert!(matches!(error, BrainError::Refused(_)), "{error:?}");
    assert_eq!(model.requests().len(), 1);
}

#[tokio::test]
async fn the_breaker_fails_fast_while_open_and_closes_after_the_cooldown() {
    let model = FakeOpenAi::start().await;
    model.set_default(|_| FakeReply::Status(503));
    let fixture = Fixture::new("qualification");
    let brain = OpenAiBrain::new(OpenAiConfig {
        max_attempts: 1,
        breaker_threshold: 2,
        breaker_cooldown: Duration::from_millis(200),
        ..config(&model.base_url())
    })
    .unwrap();

    for _ in 0..2 {
        assert!(matches!(
            fixture.decide(&brain).await,
            Err(BrainError::Unavailable(_))
        ));
    }
    assert_eq!(model.requests().len(), 2);
    for _ in 0..3 {
        assert!(matches!(
            fixture.decide(&brain).await,
            Err(BrainError::Unavailable(_))
        ));
        assert!(matches!(
            fixture.summarize(&brain).await,
            Err(BrainError::Unavailable(_))
        ));
    }
    assert_eq!(
        model.requests().len(),
        2,
        "no HTTP call while the breaker is open"
    );

    model.set_default(|_| FakeReply::Json(answer("Back online.", 0.9)));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        fixture.decide(&brain).await.unwrap().reply,
        "Back online.",
        "the trial call goes through"
    );
    assert_eq!(
        fixture.decide(&brain).await.unwrap().reply,
        "Back online.",
        "and closed the breaker"
    );
    assert_eq!(model.requests().len(), 4);
}

#[test]
fn the_config_debug_hides_the_key() {
    let printed = format!("{:?}", config("http://127.0.0.1:9/v1"));
    assert!(!printed.contains(KEY), "{printed}");
    assert!(printed.contains("[redacted]"));
}

#[test]
fn a_base_url_that_is_not_http_is_refused_at_startup() {
    for base_url in ["", "api.openai.com/v1", "ftp://example.com/v1"] {
        let result = OpenAiBrain::new(config(base_url));
        assert!(
            matches!(result, Err(BrainError::Refused(_))),
            "{base_url:?}"
        );
    }
    let result = OpenAiBrain::new(OpenAiConfig {
        max_attempts: 0,
        ..config("http://127.0.0.1:9/v1")
    });
    assert!(matches!(result, Err(BrainError::Refused(_))));
}
