//! The offline brain: no key, no network, same input -> same output. It
//! classifies the customer's intent with a model trained on the playbook's
//! example phrases, finds field values with the domain's parsers, and
//! answers with the playbook's reply templates. It runs `leadline` on a
//! fresh machine, drives deterministic tests, and keeps customers answered
//! when the model provider is down.

mod classifier;
mod summary;

use crate::tokens;
use async_trait::async_trait;
use classifier::{Classifier, Reading};
use leadline_domain::answers::excerpt;
use leadline_domain::brain::{Brain, BrainError, SummaryRequest, Turn, TurnContext};
use leadline_domain::context::prompt_messages;
use leadline_domain::conversation::{Message, Speaker};
use leadline_domain::documents::{ASK_DOCUMENT, SEND_DOCUMENT};
use leadline_domain::fields;
use leadline_domain::language::Language;
use leadline_domain::lead::{FieldName, Lead};
use leadline_domain::playbook::{Playbook, Stage};
use leadline_domain::reading::{asks_for_person, correction, speaks_of_others, statements};
use leadline_domain::tools::FIND_SLOTS;
use leadline_domain::tools::ToolBox;
use std::collections::BTreeSet;

/// Confidence when fields were found or the intent is clear.
const SURE: f32 = 0.9;
/// Confidence for an unrecognisable message: the brain is sure it did not
/// understand; `resolved = false` is what the handoff policy counts.
const SURE_NOT_UNDERSTOOD: f32 = 0.8;
/// Confidence when the two best intents are this close and no field was
/// found: an ambiguous reading, below the default handoff threshold.
const AMBIGUOUS_MARGIN: f32 = 0.15;
const AMBIGUOUS: f32 = 0.6;
/// A hands-off intent silences the bot for good, so it must be read more
/// surely than any other: "somos unas 10 personas" reads as ask_human at
/// ~0.55, "quiero hablar con una persona" far above.
const HANDOFF_PROBABILITY: f32 = 0.65;

/// Intents whose tool the brain calls when the stage offers it.
const INTENT_TOOLS: [(&str, &str); 2] = [(ASK_DOCUMENT, SEND_DOCUMENT), ("book_call", FIND_SLOTS)];

pub struct LocalBrain {
    classifier: Classifier,
    /// Intents that hand the conversation to a person.
    hands_off: BTreeSet<String>,
    /// Every intent id, in playbook order, for summaries.
    intents: Vec<String>,
}

impl LocalBrain {
    /// Trains the intent classifier on the playbook's example phrases
    /// (milliseconds: a few hundred short phrases).
    pub fn new(playbook: &Playbook) -> LocalBrain {
        let examples = playbook.brain_intents().flat_map(|intent| {
            intent
                .examples
                .values()
                .flatten()
                .map(move |phrase| (intent.id.as_str(), phrase.as_str()))
        });
        LocalBrain {
            classifier: Classifier::train(examples),
            hands_off: playbook
                .brain_intents()
                .filter(|i| i.hands_off)
                .map(|i| i.id.clone())
                .collect(),
            intents: playbook.brain_intents().map(|i| i.id.clone()).collect(),
        }
    }

    /// The intent the classifier reads in `text`, with its probability.
    pub fn classify(&self, text: &str) -> Option<(&str, f32)> {
        let reading = self.classifier.classify(text);
        reading.intent.map(|i| (i, reading.probability))
    }
}

/// This turn's customer messages. Computed here rather than with
/// `TurnContext::burst`, which would panic on a `burst_len` longer than
/// `recent`.
fn burst<'a>(ctx: &TurnContext<'a>) -> &'a [Message] {
    &ctx.recent[ctx.recent.len().saturating_sub(ctx.burst_len)..]
}

/// The first field the stage still needs and may still ask for: what its
/// last question asked.
fn first_missing(stage: &Stage, lead: &Lead, deferred: &[FieldName]) -> Option<FieldName> {
    stage.missing(lead, deferred).next()
}

/// A short acknowledgement of what the customer just told us.
fn acknowledgement(language: Language, new_name: Option<&str>, accepted: bool) -> Option<String> {
    match (new_name, accepted, language) {
        (Some(name), _, Language::Es) => Some(format!("¡Gracias, {name}!")),
        (Some(name), _, Language::En) => Some(format!("Thanks, {name}!")),
        (None, true, Language::Es) => Some("¡Perfecto, gracias!".to_owned()),
        (None, true, Language::En) => Some("Great, thanks!".to_owned()),
        (None, false, _) => None,
    }
}

#[async_trait]
impl Brain for LocalBrain {
    fn name(&self) -> &'static str {
        "local"
    }

    async fn decide(&self, ctx: &TurnContext<'_>, tools: &ToolBox<'_>) -> Result<Turn, BrainError> {
        let playbook = ctx.playbook;
        let text = burst(ctx)
            .iter()
            .filter(|m| m.speaker == Speaker::Customer)
            .map(|m| m.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let language = ctx.language;
        let reading: Reading<'_> = self.classifier.classify(&text);
        // A person is asked for in so many words, or read surely in a
        // message that does not speak of other people ("when a customer
        // wants a real person", "does the bot sound human?").
        let person = asks_for_person(&text);
        let intent = reading
            .intent
            .filter(|i| {
                !self.hands_off.contains(*i)
                    || person
                    || (reading.probability >= HANDOFF_PROBABILITY && !speaks_of_others(&text))
            })
            .or_else(|| {
                person
                    .then(|| self.hands_off.first())
                    .flatten()
                    .map(String::as_str)
            });
        // Only fields not known yet: a pattern-based reading of "quiero
        // agendar" as a need must not overwrite the need the customer
        // stated earlier. Corrections of known values are left to the
        // model-backed brain.
        // Fields are read from what the customer states: a question ("¿se
        // integra con WooCommerce?") tells nothing about them.
        let found: Vec<(FieldName, String)> = fields::find_about(
            &statements(&text),
            first_missing(ctx.stage, ctx.lead, ctx.deferred),
            ctx.today,
            &playbook.need_topics,
        )
        .into_iter()
        .filter(|(field, _)| ctx.lead.open(*field))
        .collect();
        let prompt_tokens = tokens::count(&prompt_messages(ctx, ""));

        if let Some(id) = intent.filter(|i| self.hands_off.contains(*i)) {
            return Ok(Turn {
                reply: playbook.handoff_message(language).to_owned(),
                intent: Some(id.to_owned()),
                fields: found,
                asks: None,
                confidence: SURE.max(reading.probability),
                resolved: true,
                sources: Vec::new(),
                prompt_tokens,
                usage: Default::default(),
            });
        }

        // Where the lead will be once the server applies these values, with
        // the same validation it uses: refused values change nothing.
        let mut lead = ctx.lead.clone();
        for (field, raw) in &found {
            // A refused value is the server's to report; here it only
            // does not count as learned.
            let _ = fields::apply(&mut lead, *field, raw, ctx.today);
        }
        // Something new was learned (repeating a known value is not news),
        // or a value was put right, which the server has done already.
        let corrected = correction(&text).is_some();
        let accepted = lead != *ctx.lead || corrected;
        let new_name = lead.name.as_deref().filter(|_| ctx.lead.name.is_none());

        let mut no_document = false;
        let mut document_sent = false;
        if let Some((_, tool)) = INTENT_TOOLS.iter().find(|(i, _)| Some(*i) == intent)
            && tools.tools().any(|t| t.name() == *tool)
        {
            // The document is picked by the words of the request ("la
            // lista de precios"); slots need no arguments.
            let arguments = if *tool == SEND_DOCUMENT {
                serde_json::json!({ "query": text })
            } else {
                serde_json::json!({})
            };
            // The toolbox records the call and its result; a failure is
            // the server's to act on, except a document the playbook does
            // not have, which the customer is told about.
            let result = tools.call(tool, &arguments).await;
            no_document = *tool == SEND_DOCUMENT && result.is_err();
            document_sent = *tool == SEND_DOCUMENT && result.is_ok();
        }

        // The customer's questions, answered from the knowledge folder's
        // best passage each (once per passage), or honestly left for the
        // team; a document sent on request answers them too.
        let mut sources: Vec<String> = Vec::new();
        let mut answers: Vec<String> = Vec::new();
        let mut unanswered = false;
        for question in ctx.questions.iter().filter(|_| !document_sent) {
            match question.answer() {
                Some(found) if sources.contains(&found.id) => {}
                Some(found) => {
                    sources.push(found.id.clone());
                    answers.push(excerpt(&found.body));
                }
                None => unanswered = true,
            }
        }
        if unanswered {
            answers.push(playbook.no_answer(ctx.stage, ctx.lead, language));
        }

        let understood = intent.is_some() || !found.is_empty() || corrected || !sources.is_empty();
        let target = playbook.stage_reached(&ctx.stage.id, |field| {
            lead.has(field) || ctx.deferred.contains(&field)
        });
        let moved = playbook.position(&target.id) > playbook.position(&ctx.stage.id);
        let mut parts: Vec<String> = acknowledgement(language, new_name, accepted)
            .into_iter()
            .collect();
        // The answers come before anything else is asked: they stand for
        // the intent's own reply and count as something said.
        let answered = !answers.is_empty();
        parts.extend(answers);
        let ack_len = parts.len();
        let mut asks = None;
        let mut ask_missing = |parts: &mut Vec<String>| {
            let field = first_missing(target, &lead, ctx.deferred)?;
            parts.extend(playbook.render_reply(target, &format!("ask_{field}"), &lead, language));
            asks = Some(field);
            Some(())
        };
        if moved {
            parts.extend(playbook.render_reply(target, "enter", &lead, language));
            ask_missing(&mut parts);
        } else if understood {
            // A message that gave us values answered our question; its
            // intent gets its own answer only when it also asks something
            // ("soy Ana, ¿cuánto cuesta?"), not for "hola, soy Ana" or
            // "no hay prisa" (read as greet / not_interested).
            let answers_intent = (!accepted || text.contains('?')) && !answered;
            if let Some(id) = intent.filter(|_| answers_intent) {
                let key = if no_document {
                    "no_document".to_owned()
                } else {
                    format!("intent_{id}")
                };
                parts.extend(playbook.render_reply(target, &key, &lead, language));
            }
            if ask_missing(&mut parts).is_none() && parts.len() == ack_len && !answered {
                // Nothing left to ask here and nothing else to say: restate
                // what the stage is for ("what day suits you for the call?").
                parts.extend(playbook.render_reply(target, "enter", &lead, language));
            }
        }
        if parts.len() == ack_len && !answered {
            parts.extend(playbook.render_reply(target, "fallback", &lead, language));
        } else if parts.len() == ack_len {
            // A question answered while nothing else was understood: the
            // stage's question follows all the same.
            ask_missing(&mut parts);
        }
        let reply = if parts.is_empty() {
            playbook.handoff_message(language).to_owned()
        } else {
            parts.join(" ")
        };

        let confidence = if !understood {
            SURE_NOT_UNDERSTOOD
        } else if found.is_empty()
            && !corrected
            && sources.is_empty()
            && reading.margin < AMBIGUOUS_MARGIN
        {
            AMBIGUOUS
        } else {
            SURE.max(reading.probability)
        };
        Ok(Turn {
            reply,
            intent: intent.map(str::to_owned),
            fields: found,
            asks,
            confidence,
            resolved: understood,
            sources,
            prompt_tokens,
            usage: Default::default(),
        })
    }

    async fn summarize(&self, req: &SummaryRequest<'_>) -> Result<String, BrainError> {
        let topics = req
            .leaving
            .iter()
            .filter(|m| m.speaker == Speaker::Customer)
            .filter_map(|m| self.classifier.classify(&m.text).intent)
            .collect::<BTreeSet<_>>();
        Ok(summary::fold(req, &self.intents, &topics))
    }
}
