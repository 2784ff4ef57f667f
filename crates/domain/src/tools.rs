//! Tools an agent can call (find slots, book a call, send a document...).
//! The playbook names them per stage; the registry holds the ones this
//! deployment has; a brain sees only its stage's tools.

use crate::brain::ToolCallRecord;
use crate::customer::CustomerId;
use crate::lead::Lead;
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ToolError(pub String);

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
    async fn call(&self, invocation: ToolInvocation<'_>) -> Result<serde_json::Value, ToolError>;
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
    ) -> Result<serde_json::Value, ToolError> {
        let result = match self.tools.iter().find(|t| t.name() == name) {
            Some(tool) => {
                tool.call(ToolInvocation {
                    customer: self.customer,
                    lead: self.lead,
                    arguments,
                })
                .await
            }
            None => Err(ToolError(format!("no tool named {name:?} in this stage"))),
        };
        self.ledger
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(ToolCallRecord {
                name: name.to_owned(),
                arguments: arguments.clone(),
                result: result.clone().map_err(|e| e.0),
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
