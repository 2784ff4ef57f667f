//! Tools an agent can call (find slots, book a call, send a document...).
//! The playbook names them per stage; the registry holds the ones this
//! deployment has; a brain sees only its stage's tools.

use crate::customer::CustomerId;
use crate::lead::Lead;
use async_trait::async_trait;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

/// What a tool did, as the server reads it: the router matches on these,
/// and the model reads them as JSON ([`ToolOutcome::to_json`]), the only
/// place their shape is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolOutcome {
    /// `find_slots`: free times for a call, soonest first.
    SlotsFound(Vec<FoundSlot>),
    /// `book_call`: the call is on the calendar.
    CallBooked {
        /// The calendar's id for it, which `cancel_call` takes.
        event_id: String,
        /// The slot's id (its start, RFC 3339).
        start: String,
    },
    /// `book_call`: another call took the slot meanwhile.
    SlotTaken,
    /// `cancel_call`: the call is off the calendar.
    CallCancelled { event_id: String },
    /// `send_document`: the playbook's document to send.
    DocumentSent { document: String, title: String },
}

/// A free time `find_slots` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundSlot {
    /// The slot's start (RFC 3339, with the business's UTC offset): what
    /// `book_call` takes.
    pub id: String,
    /// The time in words, for the model.
    pub when: String,
}

/// The tool that lists free slots: `{}` -> [`ToolOutcome::SlotsFound`].
pub const FIND_SLOTS: &str = "find_slots";
/// The tool that books one: `{"slot": id}` -> [`ToolOutcome::CallBooked`]
/// or [`ToolOutcome::SlotTaken`].
pub const BOOK_CALL: &str = "book_call";
/// The tool that cancels a booked call: `{"event_id": id}` ->
/// [`ToolOutcome::CallCancelled`].
pub const CANCEL_CALL: &str = "cancel_call";
/// The name of [`ToolOutcome::CallBooked`]: a playbook stage whose success
/// it is books calls, which the funnel counts.
pub const CALL_BOOKED: &str = "call_booked";

impl ToolOutcome {
    /// What a playbook's `outcome` success criterion names it by.
    pub fn name(&self) -> &'static str {
        match self {
            ToolOutcome::SlotsFound(_) => "slots_found",
            ToolOutcome::CallBooked { .. } => CALL_BOOKED,
            ToolOutcome::SlotTaken => "slot_taken",
            ToolOutcome::CallCancelled { .. } => "call_cancelled",
            ToolOutcome::DocumentSent { .. } => "document_sent",
        }
    }

    /// The outcome as the model reads it.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            ToolOutcome::SlotsFound(slots) => {
                let slots: Vec<_> = slots
                    .iter()
                    .map(|s| json!({ "id": s.id, "when": s.when }))
                    .collect();
                json!({ "slots": slots })
            }
            ToolOutcome::CallBooked { event_id, start } => {
                json!({ "outcome": self.name(), "event_id": event_id, "start": start })
            }
            ToolOutcome::SlotTaken => json!({ "outcome": self.name() }),
            ToolOutcome::CallCancelled { event_id } => {
                json!({ "outcome": self.name(), "event_id": event_id })
            }
            ToolOutcome::DocumentSent { document, title } => {
                json!({ "document": document, "title": title })
            }
        }
    }
}

/// Why a tool did nothing; the model reads it as `{"error": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToolError {
    /// The calendar could not be reached or refused the request.
    #[error("the calendar failed: {0}")]
    CalendarFailed(String),
    /// The call was refused as asked (an unknown tool or document, a
    /// missing or bad argument): the model is told why.
    #[error("{0}")]
    Refused(String),
}

/// A tool call made during a turn, as [`ToolBox`] records it.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCallRecord {
    pub name: String,
    pub arguments: serde_json::Value,
    /// What the tool did, or why it did nothing.
    pub result: Result<ToolOutcome, ToolError>,
}

/// Who and what a tool call is about.
#[derive(Debug, Clone, Copy)]
pub struct ToolInvocation<'a> {
    pub customer: &'a CustomerId,
    pub lead: &'a Lead,
    pub arguments: &'a serde_json::Value,
}

#[async_trait]
pub trait Tool: Send + Sync {
    /// The name the playbook and the model use.
    fn name(&self) -> &str;
    /// What the tool does, for the model.
    fn description(&self) -> &str;
    /// JSON Schema of the arguments object.
    fn parameters(&self) -> serde_json::Value;
    async fn call(&self, invocation: ToolInvocation<'_>) -> Result<ToolOutcome, ToolError>;
}

/// The tools this deployment offers, by name.
#[derive(Clone, Default)]
pub struct ToolRegistry {
    tools: BTreeMap<String, Arc<dyn Tool>>,
}

impl ToolRegistry {
    pub fn register(&mut self, tool: Arc<dyn Tool>) {
        self.tools.insert(tool.name().to_owned(), tool);
    }

    pub fn get(&self, name: &str) -> Option<&Arc<dyn Tool>> {
        self.tools.get(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.tools.contains_key(name)
    }

    /// The tools named by a stage, in the stage's order, for one turn.
    pub fn toolbox<'a>(
        &'a self,
        names: &[String],
        customer: &'a CustomerId,
        lead: &'a Lead,
    ) -> ToolBox<'a> {
        let tools = names.iter().filter_map(|n| self.tools.get(n)).collect();
        ToolBox {
            tools,
            customer,
            lead,
            ledger: Mutex::default(),
        }
    }
}

/// The tools one turn may call, bound to its customer and lead.
///
/// It keeps the ledger of every call made through it, so what a tool did
/// (a call booked on a calendar) is known to the server whatever becomes of
/// the brain's answer: a turn that ends in a malformed answer or a fallback
/// to another brain still reports the booking it made.
pub struct ToolBox<'a> {
    tools: Vec<&'a Arc<dyn Tool>>,
    customer: &'a CustomerId,
    lead: &'a Lead,
    ledger: Mutex<Vec<ToolCallRecord>>,
}

impl ToolBox<'_> {
    pub fn tools(&self) -> impl Iterator<Item = &dyn Tool> {
        self.tools.iter().map(|t| t.as_ref())
    }

    pub fn is_empty(&self) -> bool {
        self.tools.is_empty()
    }

    /// Calls a tool by name and records the call; an unknown name is an
    /// error the model can see.
    pub async fn call(
        &self,
        name: &str,
        arguments: &serde_json::Value,
    ) -> Result<ToolOutcome, ToolError> {
        let result = match self.tools.iter().find(|t| t.name() == name) {
            Some(tool) => {
                tool.call(ToolInvocation {
                    customer: self.customer,
                    lead: self.lead,
                    arguments,
                })
                .await
            }
            None => Err(ToolError::Refused(format!(
                "no tool named {name:?} in this stage"
            ))),
        };
        self.ledger
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(ToolCallRecord {
                name: name.to_owned(),
                arguments: arguments.clone(),
                result: result.clone(),
            });
        result
    }

    /// Every call made through this toolbox so far, in order.
    pub fn calls(&self) -> Vec<ToolCallRecord> {
        self.ledger
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The ledger, once the turn is over.
    pub fn into_calls(self) -> Vec<ToolCallRecord> {
        self.ledger
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
