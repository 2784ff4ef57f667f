//! Puts one brain in front of another: the primary (a model provider)
//! answers when it can; when it cannot, the fallback (the offline local
//! brain) answers the same turn, so the customer is never left waiting on
//! a provider outage, a malformed answer or a misconfigured key.

use async_trait::async_trait;
use leadline_domain::brain::{Brain, BrainError, SummaryRequest, Turn, TurnContext};
use leadline_domain::tools::ToolBox;
use std::sync::Arc;

pub struct FallbackBrain {
    primary: Arc<dyn Brain>,
    fallback: Arc<dyn Brain>,
}

impl FallbackBrain {
    pub fn new(primary: Arc<dyn Brain>, fallback: Arc<dyn Brain>) -> FallbackBrain {
        FallbackBrain { primary, fallback }
    }

    /// Logs and counts a fallback. A refusal is a configuration problem
    /// (bad key, unknown model) an operator must fix: it is an error.
    fn falling_back(&self, op: &'static str, error: &BrainError) {
        let reason = match error {
            BrainError::Unavailable(_) => "unavailable",
            BrainError::Malformed(_) => "malformed",
            BrainError::Refused(_) => "refused",
        };
        let (primary, fallback) = (self.primary.name(), self.fallback.name());
        if matches!(error, BrainError::Refused(_)) {
            tracing::error!(op, primary, fallback, %error, "primary brain refused; the fallback brain answers");
        } else {
            tracing::warn!(op, primary, fallback, %error, "primary brain failed; the fallback brain answers");
        }
        metrics::counter!("leadline_brain_fallbacks_total", "reason" => reason).increment(1);
    }
}

#[async_trait]
impl Brain for FallbackBrain {
    /// The primary's name: it is the brain this deployment is set up with.
    fn name(&self) -> &'static str {
        self.primary.name()
    }

    async fn decide(&self, ctx: &TurnContext<'_>, tools: &ToolBox<'_>) -> Result<Turn, BrainError> {
        match self.primary.decide(ctx, tools).await {
            Ok(turn) => Ok(turn),
            Err(error) => {
                self.falling_back("decide", &error);
                let mut turn = self.fallback.decide(ctx, tools).await?;
                turn.usage.fell_back = true;
                Ok(turn)
            }
        }
    }

    async fn summarize(&self, req: &SummaryRequest<'_>) -> Result<String, BrainError> {
        match self.primary.summarize(req).await {
            Ok(summary) => Ok(summary),
            Err(error) => {
                self.falling_back("summarize", &error);
                self.fallback.summarize(req).await
            }
        }
    }
}
