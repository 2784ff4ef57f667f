//! The structured answer the model gives for a turn: its JSON Schema (sent
//! as `response_format`), the instruction that explains it, and the checks
//! that turn the model's text into a [`Turn`].
//!
//! With tools requested through the schema (the default), the answer also
//! carries the one tool to run, if any, with its typed arguments: a turn is
//! then one call on any server that does `json_schema` structured output,
//! which small open models do far more reliably than native tool calls.

use leadline_domain::brain::{Turn, TurnContext};
use leadline_domain::language;
use leadline_domain::lead::FieldName;
use leadline_domain::playbook::Playbook;
use leadline_domain::reading;
use leadline_domain::tools::Tool;
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
    /// Lead values the customer stated in their latest messages, in their
    /// words; empty when they stated none.
    fields: Vec<StatedField>,
    /// The lead field your reply asks the customer for, or null.
    #[schemars(extend("enum" = ["name", "company", "budget", "authority", "need", "timeline", "email", null]))]
    asks: Option<String>,
    /// From 0 to 1: how sure you are that you understood the customer.
    confidence: f64,
    /// Whether the customer's messages were understood and answered.
    resolved: bool,
    /// The ids of the knowledge passages your reply answers from; empty
    /// when it answers from none.
    #[serde(default)]
    sources: Vec<String>,
    /// Added to the schema by [`schema`] only when the stage has tools.
    #[serde(default)]
    #[schemars(skip)]
    tool: Option<ToolRequest>,
}

/// A tool the model asks the server to run, from the structured answer.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ToolRequest {
    pub name: String,
    #[serde(default)]
    pub arguments: Value,
}

/// One lead value the customer stated. A list of these, rather than an
/// object with every field, keeps the answer short: a small model on a CPU
/// spends a second per few tokens, and most turns state one value or none.
#[derive(Debug, Deserialize, JsonSchema)]
struct StatedField {
    #[schemars(extend("enum" = ["name", "company", "budget", "authority", "need", "timeline", "email"]))]
    field: String,
    value: String,
}

/// The playbook's intent ids the answer may name; without the hands-off
/// ones when `handoff` is false.
pub(crate) fn intent_ids(playbook: &Playbook, handoff: bool) -> Vec<&str> {
    playbook
        .brain_intents()
        .filter(|i| handoff || !i.hands_off)
        .map(|i| i.id.as_str())
        .collect()
}

/// The stated values the server knows, trimmed, empty ones left out.
fn stated_pairs(fields: Vec<StatedField>) -> Vec<(FieldName, String)> {
    fields
        .into_iter()
        .filter_map(|f| {
            let value = f.value.trim();
            let field = FieldName::parse(&f.field)?;
            (!value.is_empty()).then(|| (field, value.to_owned()))
        })
        .collect()
}

/// The JSON Schema of [`TurnAnswer`], made acceptable to OpenAI's strict
/// structured outputs: every property required (optional ones are
/// `["string", "null"]`), no additional properties, subschemas inlined and
/// no `format` keywords (schemars' `float`/`double` are not in the
/// supported subset).
///
/// `tools` (empty for native tool calls) add a `tool` property: null, or
/// one of them by name with its own arguments' schema, so even a grammar-
/// constrained small model can only ask for a tool that exists, with
/// arguments of the right shape.
///
/// `intent` may only be one of `intents` (or null): the ids the playbook
/// has, less those a repair rules out (a handoff read into an answer).
pub(crate) fn schema(tools: &[&dyn Tool], intents: &[&str]) -> Value {
    let mut schema = SchemaSettings::draft2020_12()
        .with(|s| {
            s.inline_subschemas = true;
            s.meta_schema = None;
        })
        .with_transform(RecursiveTransform(make_strict as fn(&mut Schema)))
        .into_generator()
        .into_root_schema_for::<TurnAnswer>();
    if let Some(Value::Object(properties)) =
        schema.as_object_mut().and_then(|o| o.get_mut("properties"))
    {
        let mut allowed: Vec<Value> = intents.iter().map(|i| Value::from(*i)).collect();
        allowed.push(Value::Null);
        properties.insert(
            "intent".to_owned(),
            serde_json::json!({ "type": ["string", "null"], "enum": allowed }),
        );
    }
    if !tools.is_empty() {
        let mut choices = vec![serde_json::json!({ "type": "null" })];
        for tool in tools {
            let arguments = strict_arguments(tool.parameters());
            choices.push(serde_json::json!({
                "type": "object",
                "properties": {
                    "name": { "type": "string", "enum": [tool.name()] },
                    "arguments": arguments,
                },
                "required": ["name", "arguments"],
                "additionalProperties": false,
            }));
        }
        if let Some(object) = schema.as_object_mut() {
            if let Some(Value::Object(properties)) = object.get_mut("properties") {
                properties.insert("tool".to_owned(), serde_json::json!({ "anyOf": choices }));
            }
            if let Some(Value::Array(required)) = object.get_mut("required") {
                required.push(Value::String("tool".to_owned()));
            }
        }
    }
    schema.to_value()
}

/// A tool's arguments schema in the strict subset: every property
/// required, those that were optional made nullable, nothing else allowed.
fn strict_arguments(mut parameters: Value) -> Value {
    let Some(object) = parameters.as_object_mut() else {
        return serde_json::json!({ "type": "object", "properties": {}, "required": [], "additionalProperties": false });
    };
    let required: Vec<String> = object
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let mut all = Vec::new();
    if let Some(Value::Object(properties)) = object.get_mut("properties") {
        for (name, property) in properties.iter_mut() {
            all.push(Value::String(name.clone()));
            if required.contains(name) {
                continue;
            }
            if let Some(kind) = property.get("type").cloned().filter(Value::is_string) {
                property["type"] = serde_json::json!([kind, "null"]);
            }
            if let Some(Value::Array(values)) = property.get_mut("enum") {
                values.push(Value::Null);
            }
        }
    } else {
        object.insert("properties".to_owned(), serde_json::json!({}));
    }
    object.insert("required".to_owned(), Value::Array(all));
    object.insert("additionalProperties".to_owned(), Value::Bool(false));
    parameters
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

/// The output contract, appended to the stable part of the system prompt:
/// what each answer field means, which intents exist and, with `tools`
/// (the tools requested through the schema), what each tool does.
pub(crate) fn instruction(playbook: &Playbook, tools: &[&dyn Tool]) -> String {
    let mut text = String::from(
        "Answer with one JSON object that follows the `turn` schema. `reply`: your message to the \
         customer, one or two short sentences, in the customer's language (named below). `fields`: the values the customer \
         stated in their latest messages, in their words, each once; [] when none. `asks`: the field your reply asks for, or null. \
         `confidence`: 0 to 1. `resolved`: false when you could not understand or answer them. \
         `sources`: the ids of the passages you answer from, [] when none.",
    );
    if !tools.is_empty() {
        text.push_str(
            " `tool`: null, or a tool for the server to run with this answer, by `name` with its `arguments`:",
        );
        for tool in tools {
            let _ = write!(
                text,
                " {} ({}),",
                tool.name(),
                tool.description().trim_end_matches('.')
            );
        }
        text.pop();
        text.push('.');
    }
    text.push_str(" `intent`: null or one of these ids:");
    for intent in playbook.brain_intents() {
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
    /// The answer read a handoff into a customer's answer: the repair may
    /// not name a hands-off intent.
    pub(crate) no_handoff: bool,
}

impl Problem {
    fn new(for_model: String, summary: String) -> Self {
        Self {
            for_model,
            summary,
            no_handoff: false,
        }
    }

    pub(crate) fn for_model(&self) -> &str {
        &self.for_model
    }

    pub(crate) fn summary(&self) -> &str {
        &self.summary
    }
}

/// A usable answer: the turn, and the tool it asks the server to run.
#[derive(Debug)]
pub(crate) struct Answer {
    pub turn: Turn,
    pub tool: Option<ToolRequest>,
}

/// Checks the model's answer and maps it to a [`Turn`] (`prompt_tokens` and
/// `usage` are filled in by the caller). Two readings a small model gets
/// wrong are problems like a broken answer, sent back once: a reply in
/// another language than the server chose, and a handoff read into a
/// customer's answer ("soy el dueño, decido yo") that asks for nobody.
pub(crate) fn parse(content: &str, ctx: &TurnContext<'_>) -> Result<Answer, Problem> {
    let (playbook, language) = (ctx.playbook, ctx.language);
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
    let fields = stated_pairs(answer.fields);
    if hands_off {
        let said: Vec<&str> = ctx.burst().iter().map(|m| m.text.as_str()).collect();
        let said = said.join("\n");
        // An answer: the model or the server's own extractors read a value
        // in it ("soy el dueño" is an authority).
        let answered = !fields.is_empty()
            || !leadline_domain::fields::find_about(
                &reading::statements(&said),
                None,
                ctx.today,
                &playbook.need_topics,
            )
            .is_empty();
        if answered && !reading::asks_for_person(&said) {
            let text = "a handoff intent on an answer that asks for no person".to_owned();
            return Err(Problem {
                no_handoff: true,
                ..Problem::new(
                    "Your answer is not valid: the customer answered and did not ask for a person; \
                     do not hand off, reply to what they said."
                        .to_owned(),
                    text,
                )
            });
        }
    }
    if let Some(written) = language::detect(&reply).filter(|l| *l != language) {
        let text = format!(
            "the reply is in {} but the customer writes {}",
            written.name(),
            language.name()
        );
        return Err(Problem::new(
            format!(
                "Your answer is not valid: {text}; write `reply` in {}.",
                language.name()
            ),
            text,
        ));
    }
    Ok(Answer {
        turn: Turn {
            reply,
            intent,
            fields,
            asks: answer.asks.as_deref().and_then(FieldName::parse),
            // Checked to be within 0..1 above; f32 is precise enough for it.
            confidence: answer.confidence as f32,
            resolved: answer.resolved,
            // Only ids the server showed count: see the router's check.
            sources: answer
                .sources
                .into_iter()
                .filter(|id| {
                    ctx.questions
                        .iter()
                        .flat_map(|q| &q.passages)
                        .any(|f| &f.id == id)
                })
                .collect(),
            prompt_tokens: 0,
            usage: Default::default(),
        },
        tool: answer.tool,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use leadline_domain::Language;
    use leadline_domain::conversation::{Message, Speaker};
    use leadline_domain::lead::Lead;

    /// Parses `content` as the answer to the customer saying `said`.
    fn parse_as(content: &str, language: Language, said: &str) -> Result<Answer, Problem> {
        let playbook = Playbook::builtin();
        let lead = Lead::default();
        let recent = [Message {
            seq: 1,
            speaker: Speaker::Customer,
            text: said.to_owned(),
            at: jiff::Timestamp::UNIX_EPOCH,
            wa_id: None,
        }];
        let ctx = TurnContext {
            playbook: &playbook,
            stage: playbook.first_stage(),
            language,
            lead: &lead,
            summary: "",
            recent: &recent,
            burst_len: 1,
            system_prompt: "",
            today: jiff::civil::date(2026, 12, 3),
            deferred: &[],
            questions: &[],
        };
        parse(content, &ctx)
    }

    fn answer(reply: &str) -> String {
        serde_json::json!({
            "reply": reply, "intent": null, "confidence": 0.5, "resolved": false,
            "fields": [],
            "extra": "providers add fields"
        })
        .to_string()
    }

    #[test]
    fn fields_a_provider_adds_are_ignored() {
        let answer = parse_as(&answer("Hola"), Language::Es, "hola").unwrap();
        assert_eq!(answer.turn.reply, "Hola");
        assert!(!answer.turn.resolved);
        assert!(answer.tool.is_none());
    }

    #[test]
    fn problems_in_logs_never_quote_the_answer() {
        let bad = r#"{"reply": "call me on +34600111234", "confidence": "7"}"#;
        let problem = parse_as(bad, Language::Es, "hola").unwrap_err();
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
        let problem = parse_as("call me on +34600111234", Language::Es, "hola").unwrap_err();
        assert!(problem.summary().starts_with("the answer is not JSON"));
        assert!(!problem.summary().contains("600111234"));
    }

    #[test]
    fn the_schema_is_strict_compatible() {
        let schema = schema(&[], &["greet", "ask_human"]);
        assert_eq!(
            schema["properties"]["intent"]["enum"],
            serde_json::json!(["greet", "ask_human", null])
        );
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
            objects.extend(s.get("items"));
        }
        assert_eq!(seen, 2, "the answer and a stated field");
        assert_eq!(
            schema["properties"]["intent"]["type"],
            serde_json::json!(["string", "null"])
        );
        let stated = &schema["properties"]["fields"]["items"]["properties"];
        assert_eq!(stated["field"]["enum"][2], "budget");
        assert_eq!(stated["value"]["type"], "string");
        assert!(
            schema["properties"].get("language").is_none(),
            "the server decides the language"
        );
        assert_eq!(schema["properties"]["confidence"]["type"], "number");
    }

    #[test]
    fn a_reply_in_another_language_than_the_servers_is_sent_back() {
        let english = answer("Thanks! What is your name, and what company are you with?");
        let problem = parse_as(&english, Language::Es, "hola").unwrap_err();
        assert_eq!(
            problem.summary(),
            "the reply is in English but the customer writes Spanish"
        );
        assert!(problem.for_model().contains("write `reply` in Spanish"));
        assert!(parse_as(&english, Language::En, "hola").is_ok());
    }

    struct Documents;

    #[async_trait::async_trait]
    impl Tool for Documents {
        fn name(&self) -> &str {
            "send_document"
        }
        fn description(&self) -> &str {
            "Sends a document."
        }
        fn parameters(&self) -> Value {
            serde_json::json!({
                "type": "object",
                "properties": {
                    "document": { "type": "string", "enum": ["brochure"] },
                    "query": { "type": "string" },
                    "copies": { "type": "integer" }
                },
                "required": ["copies"],
                "additionalProperties": false
            })
        }
        async fn call(
            &self,
            _: leadline_domain::tools::ToolInvocation<'_>,
        ) -> Result<leadline_domain::tools::ToolOutcome, leadline_domain::tools::ToolError>
        {
            Err(leadline_domain::tools::ToolError::Refused(
                "never called".to_owned(),
            ))
        }
    }

    #[test]
    fn tools_in_the_schema_are_typed_and_strict() {
        let schema = schema(&[&Documents], &[]);
        let required = schema["required"].as_array().unwrap();
        assert!(required.contains(&Value::from("tool")));
        let choices = schema["properties"]["tool"]["anyOf"].as_array().unwrap();
        assert_eq!(choices[0], serde_json::json!({ "type": "null" }));
        let tool = &choices[1];
        assert_eq!(
            tool["properties"]["name"]["enum"],
            serde_json::json!(["send_document"])
        );
        let arguments = &tool["properties"]["arguments"];
        assert_eq!(
            arguments["required"],
            serde_json::json!(["copies", "document", "query"])
        );
        assert_eq!(arguments["additionalProperties"], false);
        // What was optional may be null; what was required may not.
        assert_eq!(
            arguments["properties"]["document"]["enum"],
            serde_json::json!(["brochure", null])
        );
        assert_eq!(
            arguments["properties"]["query"]["type"],
            serde_json::json!(["string", "null"])
        );
        assert_eq!(arguments["properties"]["copies"]["type"], "integer");
        assert!(super::schema(&[], &[])["properties"].get("tool").is_none());

        let playbook = Playbook::builtin();
        let mut with_tool: Value =
            serde_json::from_str(&answer("Te lo envío ahora mismo")).unwrap();
        with_tool["tool"] = serde_json::json!({
            "name": "send_document", "arguments": { "document": "brochure", "query": null, "copies": 1 }
        });
        let answer = parse_as(&with_tool.to_string(), Language::Es, "hola").unwrap();
        let tool = answer.tool.unwrap();
        assert_eq!(tool.name, "send_document");
        assert_eq!(tool.arguments["document"], "brochure");
        let text = instruction(&playbook, &[&Documents]);
        assert!(text.contains("`tool`: null, or a tool"), "{text}");
        assert!(text.contains("send_document (Sends a document)"), "{text}");
        assert!(!instruction(&playbook, &[]).contains("`tool`"));
    }

    #[test]
    fn a_handoff_read_into_an_answer_is_sent_back_but_a_request_is_kept() {
        let mut handoff: Value = serde_json::from_str(&answer("")).unwrap();
        handoff["intent"] = Value::from("ask_human");
        let bare = handoff.to_string();
        handoff["fields"] = serde_json::json!([{ "field": "authority", "value": "decido yo" }]);
        let handoff = handoff.to_string();
        let problem = parse_as(&handoff, Language::Es, "Soy el dueño, decido yo").unwrap_err();
        assert!(problem.for_model().contains("did not ask for a person"));
        // The server reads the answer even when the model proposes nothing.
        let problem = parse_as(
            &bare,
            Language::En,
            "I need to check with my boss, he signs off on purchases",
        );
        assert!(
            problem.is_err(),
            "an authority answer is not a request for a person"
        );
        assert!(parse_as(&bare, Language::En, "can I talk to a human?").is_ok());
        let kept = parse_as(
            &handoff,
            Language::Es,
            "decido yo, pero pásame con un asesor",
        )
        .unwrap();
        assert_eq!(kept.turn.intent.as_deref(), Some("ask_human"));
    }
}
