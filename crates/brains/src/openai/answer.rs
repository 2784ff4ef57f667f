//! The structured answer the model gives for a turn: its JSON Schema (sent
//! as `response_format`), the instruction that explains it, and the checks
//! that turn the model's text into a [`Turn`].

use leadline_domain::brain::Turn;
use leadline_domain::lead::FieldName;
use leadline_domain::playbook::Playbook;
use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use schemars::{JsonSchema, Schema};
use serde::Deserialize;
use serde_json::Value;
use std::fmt::Write as _;

// The doc comments of these two structs become the schema's
// descriptions: they are written for the model.

/// Your answer for this turn of the sales conversation.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct TurnAnswer {
    /// The message to send to the customer, in the language the
    /// instructions name.
    reply: String,
    /// One of the intent ids listed in the instructions, or null.
    intent: Option<String>,
    fields: AnswerFields,
    /// The lead field your reply asks the customer for, or null.
    #[schemars(extend("enum" = ["name", "company", "budget", "authority", "need", "timeline", "email", null]))]
    asks: Option<String>,
    /// From 0 to 1: how sure you are that you understood the customer.
    confidence: f64,
    /// Whether the customer's messages were understood and answered.
    resolved: bool,
}

/// Lead values the customer stated, in their words; null when not stated.
#[derive(Debug, Deserialize, JsonSchema)]
struct AnswerFields {
    name: Option<String>,
    company: Option<String>,
    budget: Option<String>,
    authority: Option<String>,
    need: Option<String>,
    timeline: Option<String>,
    /// An email address, only if the customer wrote one.
    email: Option<String>,
}

impl AnswerFields {
    fn into_pairs(self) -> Vec<(FieldName, String)> {
        [
            (FieldName::Name, self.name),
            (FieldName::Company, self.company),
            (FieldName::Budget, self.budget),
            (FieldName::Authority, self.authority),
            (FieldName::Need, self.need),
            (FieldName::Timeline, self.timeline),
            (FieldName::Email, self.email),
        ]
        .into_iter()
        .filter_map(|(field, value)| {
            let value = value?.trim().to_owned();
            (!value.is_empty()).then_some((field, value))
        })
        .collect()
    }
}

/// The JSON Schema of [`TurnAnswer`], made acceptable to OpenAI's strict
/// structured outputs: every property required (optional ones are
/// `["string", "null"]`), no additional properties, subschemas inlined and
/// no `format` keywords (schemars' `float`/`double` are not in the
/// supported subset).
pub(crate) fn schema() -> Value {
    SchemaSettings::draft2020_12()
        .with(|s| {
            s.inline_subschemas = true;
            s.meta_schema = None;
        })
        .with_transform(RecursiveTransform(make_strict as fn(&mut Schema)))
        .into_generator()
        .into_root_schema_for::<TurnAnswer>()
        .to_value()
}

fn make_strict(schema: &mut Schema) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    object.remove("format");
    let Some(properties) = object.get("properties").and_then(Value::as_object) else {
        return;
    };
    let required: Vec<Value> = properties.keys().cloned().map(Value::String).collect();
    object.insert("required".to_owned(), Value::Array(required));
    object.insert("additionalProperties".to_owned(), Value::Bool(false));
}

/// The output contract, appended to the system prompt: what each answer
/// field means and which intents exist.
pub(crate) fn instruction(playbook: &Playbook) -> String {
    let mut text = String::from(
        "Answer with one JSON object that follows the `turn` schema. `reply`: your message to the \
         customer, in the language named above. `fields`: only values the customer stated, in their words; null for anything not stated. \
         `confidence`: 0 to 1. `resolved`: false when you could not understand or answer them. \
         `intent`: null or one of these ids:",
    );
    for intent in &playbook.intents {
        let _ = write!(text, " {}", intent.id);
        if intent.hands_off {
            text.push_str(" (a person takes over; `reply` may be empty)");
        }
        text.push(',');
    }
    text.pop();
    text.push('.');
    text
}

/// Why an answer is not a usable turn. Two renderings: the full one goes
/// back to the model in the repair attempt; [`Problem::summary`] goes to
/// logs and errors and never quotes the answer's text.
#[derive(Debug)]
pub(crate) struct Problem {
    for_model: String,
    summary: String,
}

impl Problem {
    fn new(for_model: String, summary: String) -> Self {
        Self { for_model, summary }
    }

    pub(crate) fn for_model(&self) -> &str {
        &self.for_model
    }

    pub(crate) fn summary(&self) -> &str {
        &self.summary
    }
}

/// Checks the model's answer and maps it to a [`Turn`] (`prompt_tokens` is
/// filled in by the caller).
pub(crate) fn parse(content: &str, playbook: &Playbook) -> Result<Turn, Problem> {
    let answer: TurnAnswer = serde_json::from_str(content.trim()).map_err(|e| {
        let summary = match e.classify() {
            serde_json::error::Category::Data => format!(
                "does not match the schema (line {} column {})",
                e.line(),
                e.column()
            ),
            _ => format!("is not JSON (line {} column {})", e.line(), e.column()),
        };
        Problem::new(
            format!("Your answer is not valid: {e}."),
            format!("the answer {summary}"),
        )
    })?;
    if !(0.0..=1.0).contains(&answer.confidence) {
        let text = format!("confidence {} is outside 0..1", answer.confidence);
        return Err(Problem::new(
            format!("Your answer is not valid: {text}."),
            text,
        ));
    }
    let intent = answer.intent.filter(|id| playbook.intent(id).is_some());
    let hands_off = intent
        .as_deref()
        .and_then(|id| playbook.intent(id))
        .is_some_and(|i| i.hands_off);
    let reply = answer.reply.trim().to_owned();
    if reply.is_empty() && !hands_off {
        let text = "the reply is empty".to_owned();
        return Err(Problem::new(
            format!("Your answer is not valid: {text}; write a reply to the customer."),
            text,
        ));
    }
    Ok(Turn {
        reply,
        intent,
        fields: answer.fields.into_pairs(),
        asks: answer.asks.as_deref().and_then(FieldName::parse),
        // Checked to be within 0..1 above; f32 is precise enough for it.
        confidence: answer.confidence as f32,
        resolved: answer.resolved,
        prompt_tokens: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(reply: &str) -> String {
        serde_json::json!({
            "reply": reply, "intent": null, "confidence": 0.5, "resolved": false,
            "fields": { "name": null, "company": null, "budget": null, "authority": null, "need": null, "timeline": null },
            "extra": "providers add fields"
        })
        .to_string()
    }

    #[test]
    fn fields_a_provider_adds_are_ignored() {
        let playbook = Playbook::builtin();
        let turn = parse(&answer("Hola"), &playbook).unwrap();
        assert_eq!(turn.reply, "Hola");
        assert!(!turn.resolved);
    }

    #[test]
    fn problems_in_logs_never_quote_the_answer() {
        let playbook = Playbook::builtin();
        let bad = r#"{"reply": "call me on +34600111234", "confidence": "7"}"#;
        let problem = parse(bad, &playbook).unwrap_err();
        assert!(
            problem
                .summary()
                .starts_with("the answer does not match the schema"),
            "{}",
            problem.summary()
        );
        assert!(!problem.summary().contains("600111234"));
        assert!(
            problem.for_model().contains("invalid type"),
            "the model is told exactly what is wrong"
        );
        let problem = parse("call me on +34600111234", &playbook).unwrap_err();
        assert!(problem.summary().starts_with("the answer is not JSON"));
        assert!(!problem.summary().contains("600111234"));
    }

    #[test]
    fn the_schema_is_strict_compatible() {
        let schema = schema();
        let mut objects = vec![&schema];
        let mut seen = 0;
        while let Some(s) = objects.pop() {
            assert!(s.get("format").is_none(), "format keyword in {s}");
            assert!(s.get("$ref").is_none(), "subschemas are inlined: {s}");
            if let Some(properties) = s.get("properties").and_then(Value::as_object) {
                seen += 1;
                assert_eq!(s["additionalProperties"], false);
                let required: Vec<&str> = s["required"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                let keys: Vec<&str> = properties.keys().map(String::as_str).collect();
                assert_eq!(required, keys);
                objects.extend(properties.values());
            }
        }
        assert_eq!(seen, 2, "the answer and its fields");
        assert_eq!(
            schema["properties"]["intent"]["type"],
            serde_json::json!(["string", "null"])
        );
        assert_eq!(
            schema["properties"]["fields"]["properties"]["budget"]["type"],
            serde_json::json!(["string", "null"])
        );
        assert!(
            schema["properties"].get("language").is_none(),
            "the server decides the language"
        );
        assert_eq!(schema["properties"]["confidence"]["type"], "number");
    }
}
