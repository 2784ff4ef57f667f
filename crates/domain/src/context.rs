//! What the model sees: the agent's prompt, the lead so far, the rolling
//! summary of everything older than the window, and the last
//! [`WINDOW`] messages. The prompt's size stays flat however long the
//! conversation gets.

use crate::answers;
use crate::brain::TurnContext;
use crate::conversation::Speaker;
use crate::playbook::LeadView;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// Messages the model sees verbatim; older ones reach it through the summary.
pub const WINDOW: usize = 6;

/// One chat message of a prompt, in the roles every chat model knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromptMessage {
    pub role: PromptRole,
    pub content: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PromptRole {
    System,
    User,
    Assistant,
}

impl PromptRole {
    pub fn as_str(self) -> &'static str {
        match self {
            PromptRole::System => "system",
            PromptRole::User => "user",
            PromptRole::Assistant => "assistant",
        }
    }
}

/// The prompt for one turn: one system message, then the window's messages.
///
/// The system message puts what stays the same from turn to turn first
/// (the stage's prompt and the brain's `contract`, how it must answer) and
/// what changes last (the lead, what is still missing, the summary), so a
/// provider's prompt cache (OpenAI's, llama.cpp's) serves the stable part
/// again from the second turn on.
pub fn prompt_messages(ctx: &TurnContext<'_>, contract: &str) -> Vec<PromptMessage> {
    let mut system = ctx.system_prompt.trim().to_owned();
    if !contract.is_empty() {
        system.push_str("\n\n");
        system.push_str(contract);
    }
    system.push_str("\n\n");
    system.push_str(&state(ctx));
    let mut messages = Vec::with_capacity(ctx.recent.len() + 1);
    messages.push(PromptMessage {
        role: PromptRole::System,
        content: system,
    });
    messages.extend(ctx.recent.iter().map(|m| PromptMessage {
        role: match m.speaker {
            Speaker::Customer => PromptRole::User,
            Speaker::Agent | Speaker::Human => PromptRole::Assistant,
        },
        content: m.text.clone(),
    }));
    messages
}

/// Where the conversation stands: the part of the prompt that changes.
fn state(ctx: &TurnContext<'_>) -> String {
    // The known values as the customer would read them, unknown ones left
    // out: the typed record's JSON is several times longer.
    let lead = serde_json::to_string(&LeadView::new(ctx.lead, ctx.language)).unwrap_or_default();
    // The server's reading of the customer's latest words, not the business
    // default nor the model's guess (see `language::detect`).
    let language = ctx.language.name();
    let mut text =
        format!("The customer writes {language}: reply in {language}.\nLead so far (JSON): {lead}");
    let missing: Vec<&str> = ctx
        .stage
        .missing(ctx.lead, ctx.deferred)
        .map(|f| f.as_str())
        .collect();
    if missing.is_empty() {
        text.push_str("\nThis stage has everything it needs.");
    } else {
        let _ = write!(
            text,
            "\nStill missing (ask for the first one next): {}.",
            missing.join(", ")
        );
    }
    if !ctx.deferred.is_empty() {
        let deferred: Vec<&str> = ctx.deferred.iter().map(|f| f.as_str()).collect();
        let _ = write!(
            text,
            "\nAsked twice without an answer, do not ask again: {}.",
            deferred.join(", ")
        );
    }
    if !ctx.summary.is_empty() {
        text.push_str("\nSummary of the earlier conversation: ");
        text.push_str(ctx.summary);
    }
    if !ctx.questions.is_empty() {
        passages(ctx, &mut text);
    }
    text
}

/// The passages that answer the customer's questions, each once, cut to
/// WhatsApp length: what the model may answer from, and nothing else.
fn passages(ctx: &TurnContext<'_>, text: &mut String) {
    let mut shown: Vec<&str> = Vec::new();
    for found in ctx
        .questions
        .iter()
        .flat_map(|q| q.answer())
        .take(answers::MAX_QUESTIONS)
    {
        if shown.contains(&found.id.as_str()) {
            continue;
        }
        if shown.is_empty() {
            text.push_str("\nAnswer their question only from these passages of the business's knowledge, citing the ids you use in `sources`:");
        }
        shown.push(&found.id);
        let _ = write!(
            text,
            "\n[{}] {}: {}",
            found.id,
            found.title,
            answers::excerpt(&found.body)
        );
    }
    if ctx.questions.iter().any(|q| q.answer().is_none()) {
        text.push_str(if shown.is_empty() {
            "\nNo passage of the business's knowledge answers their question: say the team will confirm it, and state no price, number, date or yes/no about it."
        } else {
            "\nNo passage answers their other question: say the team will confirm it."
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Language;
    use crate::lead::{FieldName, Lead};
    use crate::playbook::Playbook;

    fn system(language: Language, lead: &Lead, deferred: &[FieldName], summary: &str) -> String {
        let playbook = Playbook::builtin();
        let stage = playbook.stage("qualification").unwrap();
        let ctx = TurnContext {
            playbook: &playbook,
            stage,
            language,
            lead,
            summary,
            recent: &[],
            burst_len: 0,
            system_prompt: &playbook.render_prompt(stage, lead, language),
            today: jiff::civil::date(2026, 12, 3),
            deferred,
            questions: &[],
        };
        prompt_messages(&ctx, "CONTRACT").remove(0).content
    }

    #[test]
    fn what_changes_between_turns_comes_after_what_does_not() {
        let first = system(Language::En, &Lead::default(), &[], "");
        let ana = Lead {
            name: Some("Ana".parse().unwrap()),
            need: Some("a sales bot".parse().unwrap()),
            ..Lead::default()
        };
        let later = system(Language::Es, &ana, &[FieldName::Budget], "Ana wants a bot.");
        let stable = first.find("The customer writes").unwrap();
        // The same for every turn and every conversation, whatever the
        // customer's language: one cached prefix serves them all.
        assert_eq!(first[..stable], later[..stable], "the cached prefix");
        assert!(first[..stable].trim_end().ends_with("CONTRACT"));
        assert!(
            first.ends_with(
                "Still missing (ask for the first one next): budget, authority, need, timeline."
            ),
            "{first}"
        );
        assert!(first[stable..].starts_with("The customer writes English: reply in English."));
        let state = &later[stable..];
        assert!(state.starts_with("The customer writes Spanish: reply in Spanish."));
        assert!(
            state.contains(r#"{"name":"Ana","need":"a sales bot"}"#),
            "{state}"
        );
        assert!(state.contains("next): authority, timeline."), "{state}");
        assert!(state.contains("do not ask again: budget."), "{state}");
        assert!(state.ends_with("Summary of the earlier conversation: Ana wants a bot."));
    }
}
