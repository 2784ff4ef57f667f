//! When the model is down or answers badly: the local brain and the
//! fallback brain that stands in for the model.

use super::*;

/// A brain whose answers say they came from it.
struct Offline;

#[async_trait]
impl Brain for Offline {
    fn name(&self) -> &'static str {
        "offline"
    }
    async fn decide(
        &self,
        _ctx: &TurnContext<'_>,
        _tools: &leadline_domain::tools::ToolBox<'_>,
    ) -> Result<Turn, BrainError> {
        Ok(Turn {
            reply: "offline answer".to_owned(),
            intent: None,
            fields: Vec::new(),
            asks: None,
            confidence: 0.5,
            resolved: true,
            sources: Vec::new(),
            prompt_tokens: 0,
            usage: Default::default(),
        })
    }
    async fn summarize(&self, _req: &SummaryRequest<'_>) -> Result<String, BrainError> {
        Ok("offline summary".to_owned())
    }
}

/// A loopback address with nothing listening on it.
async fn closed_port_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/v1")
}

#[tokio::test]
async fn the_local_brain_answers_when_the_endpoint_is_down() {
    let fixture = Fixture::new("qualification");
    let local = Arc::new(LocalBrain::new(&fixture.playbook));
    let openai = OpenAiBrain::new(config(&closed_port_url().await)).unwrap();
    let brain = FallbackBrain::new(Arc::new(openai), local.clone());

    assert_eq!(brain.name(), "openai");
    let mut turn = fixture.decide(&brain).await.unwrap();
    assert!(!turn.reply.is_empty());
    assert!(turn.usage.fell_back, "the event log tells a fallback apart");
    turn.usage.fell_back = false;
    assert_eq!(
        turn,
        fixture.decide(local.as_ref()).await.unwrap(),
        "the local brain's answer"
    );
    let summary = fixture.summarize(&brain).await.unwrap();
    assert_eq!(summary, fixture.summarize(local.as_ref()).await.unwrap());
}

#[tokio::test]
async fn the_fallback_brain_answers_malformed_and_refused_turns_and_stays_out_of_good_ones() {
    let model = FakeOpenAi::start().await;
    model.push(FakeReply::Json(answer("Hi from the model", 0.9)));
    model.push(FakeReply::Raw("not json".to_owned()));
    model.push(FakeReply::Raw("still not json".to_owned()));
    model.push(FakeReply::Status(401));
    let brain = FallbackBrain::new(Arc::new(brain(&model)), Arc::new(Offline));
    let fixture = Fixture::new("qualification");

    assert_eq!(
        fixture.decide(&brain).await.unwrap().reply,
        "Hi from the model"
    );
    assert_eq!(
        fixture.decide(&brain).await.unwrap().reply,
        "offline answer",
        "malformed twice"
    );
    assert_eq!(
        fixture.decide(&brain).await.unwrap().reply,
        "offline answer",
        "refused"
    );
    assert_eq!(model.requests().len(), 4);
}
