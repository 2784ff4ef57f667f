//! One customer turn: the prompt, the model's structured answer, the tool
//! it asks for (through the schema or native tool calls) and the one
//! repair of an unusable answer. Apart from the HTTP calls it makes and
//! from the summary, which is a plain completion.

use super::wire::{
    ChatMessage, ChatRequest, ChatResponse, FunctionSpec, JsonSchemaFormat, ResponseFormat,
    ResponseMessage, ToolCall, ToolChoice, ToolSpec,
};
use super::{Kind, OpenAiBrain, ToolMode, answer, first_message};
use crate::tokens;
use leadline_domain::brain::{BrainError, ModelUsage, Turn, TurnContext};
use leadline_domain::context::{self, PromptMessage, PromptRole};
use leadline_domain::router::shown_to_customer;
use leadline_domain::tools::{Tool, ToolBox};
use std::time::Instant;

/// Tool rounds per turn; the call after the last one must answer.
const MAX_TOOL_ROUNDS: usize = 3;

impl OpenAiBrain {
    pub(super) async fn turn(
        &self,
        ctx: &TurnContext<'_>,
        tools: &ToolBox<'_>,
    ) -> Result<Turn, BrainError> {
        let started = Instant::now();
        let offered: Vec<&dyn Tool> = tools.tools().collect();
        let (in_schema, native): (&[&dyn Tool], Vec<ToolSpec>) = match self.config.tools {
            ToolMode::Schema => (&offered, Vec::new()),
            ToolMode::Native => (&[], offered.iter().map(|t| tool_spec(*t)).collect()),
        };
        let prompt = context::prompt_messages(ctx, &answer::instruction(ctx.playbook, in_schema));
        let mut exchange = Exchange {
            messages: prompt.iter().map(chat_message).collect(),
            usage: ModelUsage::default(),
            prompt_tokens: None,
        };
        let first = self
            .answer(ctx, tools, &mut exchange, in_schema, &native)
            .await?;
        let mut turn = match first.tool {
            None => first.turn,
            Some(request) => {
                let result = tools
                    .call(&request.name, &request.arguments)
                    .await
                    .map_err(|e| e.to_string());
                tracing::info!(tool = %request.name, ok = result.is_ok(), "model asked for a tool");
                if result.is_ok() && shown_to_customer(&request.name) {
                    first.turn
                } else {
                    // The reply must say what the tool did: one more call,
                    // with no tool to ask for this time.
                    let told = match &result {
                        Ok(outcome) => outcome.to_json().to_string(),
                        Err(error) => serde_json::json!({ "error": error }).to_string(),
                    };
                    exchange.messages.push(ChatMessage::Assistant {
                        content: Some(first.content),
                        tool_calls: Vec::new(),
                    });
                    exchange.messages.push(ChatMessage::User {
                        content: format!(
                            "[server] {} answered: {told}. Answer again with the JSON object of the `turn` schema, \
                             your reply telling the customer what this result means.",
                            request.name
                        ),
                    });
                    let second = self.answer(ctx, tools, &mut exchange, &[], &[]).await?;
                    merge_fields(second.turn, first.turn)
                }
            }
        };
        turn.prompt_tokens = match exchange.prompt_tokens {
            Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
            None => tokens::count(&prompt),
        };
        turn.usage = ModelUsage {
            millis: Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)),
            ..exchange.usage
        };
        record_tokens(&turn);
        tracing::info!(
            model = %self.config.model,
            calls = turn.usage.calls,
            repaired = turn.usage.repaired,
            prompt_tokens = turn.prompt_tokens,
            cached_tokens = turn.usage.cached_tokens,
            generated_tokens = turn.usage.generated_tokens,
            "model answered the turn"
        );
        Ok(turn)
    }

    /// Calls the model until it gives a usable answer: native tool calls
    /// (when `native` offers tools) are run and sent back, a few rounds at
    /// most; a malformed answer gets the turn's one repair.
    async fn answer(
        &self,
        ctx: &TurnContext<'_>,
        tools: &ToolBox<'_>,
        exchange: &mut Exchange,
        in_schema: &[&dyn Tool],
        native: &[ToolSpec],
    ) -> Result<Answered, BrainError> {
        let schema = |handoff| {
            response_format(answer::schema(
                in_schema,
                &answer::intent_ids(ctx.playbook, handoff),
            ))
        };
        let mut format = schema(true);
        let mut rounds = 0;
        // Ends: every pass either returns, uses up a tool round or uses up
        // the one repair.
        loop {
            let tool_choice = match (native.is_empty(), rounds < MAX_TOOL_ROUNDS) {
                (true, _) => None,
                (false, true) => Some(ToolChoice::Auto),
                (false, false) => Some(ToolChoice::None),
            };
            let request = ChatRequest {
                model: &self.config.model,
                messages: &exchange.messages,
                response_format: Some(&format),
                tools: native,
                tool_choice,
                max_tokens: self.config.max_tokens,
            };
            let response = self.complete(Kind::Turn, &request).await?;
            exchange.count(&response);
            let message = first_message(response)?;

            if !message.tool_calls.is_empty() {
                if rounds >= MAX_TOOL_ROUNDS {
                    return Err(BrainError::Malformed(format!(
                        "the model kept calling tools after {MAX_TOOL_ROUNDS} rounds"
                    )));
                }
                rounds += 1;
                run_tools(tools, message, &mut exchange.messages).await;
                continue;
            }

            let content = message.content.unwrap_or_default();
            // A refusal (structured outputs' way to decline) gets the same
            // single retry as a malformed answer.
            let problem = match message.refusal {
                Some(_) => None,
                None => match answer::parse(&content, ctx) {
                    Ok(answer) => {
                        return Ok(Answered {
                            turn: answer.turn,
                            tool: answer.tool,
                            content,
                        });
                    }
                    Err(problem) => Some(problem),
                },
            };
            let summary = problem
                .as_ref()
                .map_or("the model declined to answer", |p| p.summary());
            if exchange.usage.repaired {
                return Err(BrainError::Malformed(summary.to_owned()));
            }
            tracing::warn!(model = %self.config.model, problem = summary, "unusable model answer, asking once more");
            exchange.usage.repaired = true;
            // A handoff read into an answer is ruled out by the schema
            // too: small models repeat it when only told.
            if problem.as_ref().is_some_and(|p| p.no_handoff) {
                format = schema(false);
            }
            let correction = problem
                .as_ref()
                .map_or("You did not answer.", |p| p.for_model());
            exchange.messages.push(ChatMessage::Assistant {
                content: Some(content),
                tool_calls: Vec::new(),
            });
            exchange.messages.push(ChatMessage::User {
                content: format!("{correction} Answer again with only the JSON object that follows the `turn` schema."),
            });
        }
    }
}

/// One turn's conversation with the model, and what it has cost so far.
struct Exchange {
    messages: Vec<ChatMessage>,
    usage: ModelUsage,
    /// The first call's prompt, as the provider counted it: the turn's
    /// prompt (later calls repeat it with a tool result or a repair added).
    prompt_tokens: Option<u64>,
}

impl Exchange {
    fn count(&mut self, response: &ChatResponse) {
        let usage = response.usage.as_ref();
        let first = self.usage.calls == 0;
        self.usage.calls += 1;
        if first {
            self.prompt_tokens = usage.and_then(|u| u.prompt_tokens);
            self.usage.cached_tokens = response.cached_tokens().map(to_usize);
        }
        if let Some(generated) = usage.and_then(|u| u.completion_tokens) {
            let so_far = self.usage.generated_tokens.unwrap_or(0);
            self.usage.generated_tokens = Some(so_far.saturating_add(to_usize(generated)));
        }
    }
}

/// A usable answer and the text it came as (sent back when the model must
/// answer again with a tool's result).
struct Answered {
    turn: Turn,
    tool: Option<answer::ToolRequest>,
    content: String,
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// The answer worded from a tool's result, with what the first answer
/// read from the customer that the second left out.
fn merge_fields(mut second: Turn, first: Turn) -> Turn {
    for (field, value) in first.fields {
        if !second.fields.iter().any(|(f, _)| *f == field) {
            second.fields.push((field, value));
        }
    }
    second.intent = second.intent.or(first.intent);
    second
}

fn record_tokens(turn: &Turn) {
    let kinds = [
        ("prompt", Some(turn.prompt_tokens)),
        ("cached", turn.usage.cached_tokens),
        ("generated", turn.usage.generated_tokens),
    ];
    for (kind, tokens) in kinds {
        if let Some(tokens) = tokens {
            metrics::histogram!("leadline_model_tokens", "kind" => kind).record(tokens as f64);
        }
    }
}

fn response_format(schema: serde_json::Value) -> ResponseFormat {
    ResponseFormat {
        kind: "json_schema",
        json_schema: JsonSchemaFormat {
            name: "turn",
            strict: true,
            schema,
        },
    }
}

fn tool_spec(tool: &dyn Tool) -> ToolSpec {
    ToolSpec {
        kind: "function",
        function: FunctionSpec {
            name: tool.name().to_owned(),
            description: tool.description().to_owned(),
            parameters: tool.parameters(),
        },
    }
}

fn chat_message(m: &PromptMessage) -> ChatMessage {
    let content = m.content.clone();
    match m.role {
        PromptRole::System => ChatMessage::System { content },
        PromptRole::User => ChatMessage::User { content },
        PromptRole::Assistant => ChatMessage::Assistant {
            content: Some(content),
            tool_calls: Vec::new(),
        },
    }
}

/// Runs the tool calls of one model message, in order, and appends the
/// message and one `tool` message per call to the conversation. The
/// toolbox records each call.
async fn run_tools(tools: &ToolBox<'_>, message: ResponseMessage, messages: &mut Vec<ChatMessage>) {
    let mut results = Vec::with_capacity(message.tool_calls.len());
    for call in &message.tool_calls {
        // Arguments that are not JSON run nothing: the model sees why.
        let result = match serde_json::from_str::<serde_json::Value>(&call.function.arguments) {
            Ok(arguments) => tools
                .call(&call.function.name, &arguments)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(format!("the arguments are not a JSON object: {e}")),
        };
        tracing::info!(tool = %call.function.name, ok = result.is_ok(), "model called a tool");
        let content = match &result {
            Ok(outcome) => outcome.to_json().to_string(),
            Err(error) => serde_json::json!({ "error": error }).to_string(),
        };
        results.push(ChatMessage::Tool {
            tool_call_id: call.id.clone(),
            content,
        });
    }
    let calls: Vec<ToolCall> = message.tool_calls;
    messages.push(ChatMessage::Assistant {
        content: message.content,
        tool_calls: calls,
    });
    messages.extend(results);
}
