//! The chat-completions wire format, as much of it as Leadline uses.
//! Responses tolerate unknown fields: providers add their own.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `POST {base_url}/chat/completions`.
#[derive(Debug, Serialize)]
pub(crate) struct ChatRequest<'a> {
    pub model: &'a str,
    pub messages: &'a [ChatMessage],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_format: Option<&'a ResponseFormat>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub tools: &'a [ToolSpec],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoice>,
    /// The answer's token cap: WhatsApp replies are short, and a CPU model
    /// spends seconds on every token it writes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
}

/// One message of the conversation sent to the model.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "role", rename_all = "lowercase")]
pub(crate) enum ChatMessage {
    System {
        content: String,
    },
    User {
        content: String,
    },
    Assistant {
        /// `null` when the message only calls tools.
        content: Option<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        tool_calls: Vec<ToolCall>,
    },
    Tool {
        tool_call_id: String,
        content: String,
    },
}

/// `{"type": "json_schema", "json_schema": {...}}`: structured output.
#[derive(Debug, Serialize)]
pub(crate) struct ResponseFormat {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub json_schema: JsonSchemaFormat,
}

#[derive(Debug, Serialize)]
pub(crate) struct JsonSchemaFormat {
    pub name: &'static str,
    pub strict: bool,
    pub schema: Value,
}

/// A function the model may call.
#[derive(Debug, Serialize)]
pub(crate) struct ToolSpec {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub function: FunctionSpec,
}

#[derive(Debug, Serialize)]
pub(crate) struct FunctionSpec {
    pub name: String,
    pub description: String,
    pub parameters: Value,
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ToolChoice {
    /// The model decides whether to call tools.
    Auto,
    /// The model must answer now.
    None,
}

/// A tool call, as the model sends it and as it is echoed back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ToolCall {
    pub id: String,
    /// Always "function"; some providers leave it out.
    #[serde(rename = "type", default = "function_kind")]
    pub kind: String,
    pub function: FunctionCall,
}

fn function_kind() -> String {
    "function".to_owned()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct FunctionCall {
    pub name: String,
    /// A JSON object, serialised as a string (and not always valid JSON).
    pub arguments: String,
}

/// A `chat.completion` object.
#[derive(Debug, Deserialize)]
pub(crate) struct ChatResponse {
    #[serde(default)]
    pub choices: Vec<Choice>,
    pub usage: Option<Usage>,
    /// llama.cpp's own timings, which say how much of the prompt its
    /// cache held even where `usage` does not.
    pub timings: Option<Timings>,
}

impl ChatResponse {
    /// Prompt tokens the provider's prompt cache served: OpenAI's
    /// `usage.prompt_tokens_details.cached_tokens`, else llama.cpp's
    /// `timings.cache_n`.
    pub fn cached_tokens(&self) -> Option<u64> {
        self.usage
            .as_ref()
            .and_then(|u| u.prompt_tokens_details.as_ref()?.cached_tokens)
            .or_else(|| self.timings.as_ref()?.cache_n)
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct Choice {
    pub message: ResponseMessage,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ResponseMessage {
    pub content: Option<String>,
    /// Some providers send `null` instead of leaving it out.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// Set instead of `content` when the model declines a structured answer.
    pub refusal: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Usage {
    pub prompt_tokens: Option<u64>,
    pub completion_tokens: Option<u64>,
    pub prompt_tokens_details: Option<PromptTokensDetails>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PromptTokensDetails {
    pub cached_tokens: Option<u64>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Timings {
    pub cache_n: Option<u64>,
}

/// OpenAI's error envelope: `{"error": {"message", "type", "code"}}`.
#[derive(Debug, Deserialize)]
pub(crate) struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ErrorBody {
    pub message: Option<String>,
}

fn null_as_empty<'de, D>(deserializer: D) -> Result<Vec<ToolCall>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Ok(Option::<Vec<ToolCall>>::deserialize(deserializer)?.unwrap_or_default())
}
