//! A conversation: one customer, one stage, the lead so far, the messages
//! the model still sees and the rolling summary of the rest.

use crate::customer::CustomerId;
use crate::language::Language;
use crate::lead::{FieldName, Lead};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// WhatsApp's customer-service window: a conversation lives this long after
/// the customer's last message.
pub const SERVICE_WINDOW: SignedDuration = SignedDuration::from_hours(24);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    Customer,
    Agent,
    /// A person of the sales team, writing after a handoff.
    Human,
}

/// One message of the history. `seq` numbers every message of the
/// conversation from 1, so a summary can say how far it reaches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub seq: u64,
    pub speaker: Speaker,
    pub text: String,
    pub at: Timestamp,
    /// The WhatsApp message id of an inbound message.
    pub wa_id: Option<String>,
}

/// The rolling summary of every message up to and including `through_seq`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub text: String,
    pub through_seq: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoffReason {
    /// The customer asked for a person.
    CustomerAsked,
    /// The model's confidence fell below the playbook's threshold.
    LowConfidence,
    /// Too many consecutive customer messages went unresolved.
    Unresolved,
    /// The playbook's flow reached its handoff stage (e.g. call booked).
    FlowCompleted,
    /// No brain could answer (provider down and no fallback left).
    BrainUnavailable,
    /// A person of the sales team took the conversation over from the bot.
    HumanTookOver,
}

impl HandoffReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CustomerAsked => "customer_asked",
            Self::LowConfidence => "low_confidence",
            Self::Unresolved => "unresolved",
            Self::FlowCompleted => "flow_completed",
            Self::BrainUnavailable => "brain_unavailable",
            Self::HumanTookOver => "human_took_over",
        }
    }
}

/// Set when the bot hands the conversation to a person; while it is set the
/// bot stays silent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Handoff {
    pub reason: HandoffReason,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub customer: CustomerId,
    /// The playbook stage id (validated against the playbook when loaded).
    pub stage: String,
    pub language: Language,
    pub lead: Lead,
    /// Messages not yet folded into `summary`, oldest first.
    pub history: Vec<Message>,
    pub summary: Summary,
    /// The newest `seq` a background summary was asked to cover, so a
    /// summary is requested at most once per [`crate::context::WINDOW`]
    /// messages even while the last one is still being computed.
    #[serde(default)]
    pub summary_requested_through: u64,
    /// Consecutive customer messages the agent could not resolve.
    pub unresolved: u32,
    pub handoff: Option<Handoff>,
    pub started_at: Timestamp,
    pub last_customer_at: Timestamp,
    /// The `seq` of the newest message.
    pub last_seq: u64,
    /// The name on the customer's WhatsApp profile, as Meta last sent it:
    /// how the sales team recognises a conversation before the lead has a
    /// name.
    #[serde(default)]
    pub profile_name: Option<String>,
    /// The ids of the slots last offered ([`crate::schedule::Slot::id`]),
    /// which a reply like "the first one" or a list pick refers to.
    #[serde(default)]
    pub offered: Vec<String>,
    /// The ids of the documents sent so far, oldest first: one is sent
    /// again only when the customer asks again.
    #[serde(default)]
    pub documents_sent: Vec<String>,
    /// The call the bot booked, while it stands: what a customer asking to
    /// move or cancel "the call" means.
    #[serde(default)]
    pub booked: Option<BookedCall>,
    /// The lead's name came from the WhatsApp profile, not the customer's
    /// words: the name they state replaces it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub name_from_profile: bool,
    /// The lead's need was read from a sentence that only speaks of the
    /// topic, or from a bare reply ("we get tons of WhatsApp messages"):
    /// a need the customer states in so many words ("what we need is...")
    /// replaces it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub need_inferred: bool,
    /// How often the customer replied to the agent's question for each
    /// field without giving it: a field asked twice without an answer
    /// waits, so the flow never blocks on it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub asked: BTreeMap<FieldName, u8>,
    /// The field the agent's last reply asked for: the customer's next
    /// message answers it, or counts as not answering it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_asked: Option<FieldName>,
    /// When the customer asked for no more messages: until they opt in
    /// again nothing automated reaches them (no reply, reminder or nudge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opted_out_at: Option<Timestamp>,
    /// Nudges sent since the customer last wrote
    /// ([`crate::follow_through`]).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub nudges: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// Replies that do not give a field asked for, after which it is left for
/// later (or for the sales rep).
pub const MAX_ASKS: u8 = 2;

/// A call on the calendar, as `book_call` reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookedCall {
    /// The calendar's id for it, what cancelling takes.
    pub event_id: String,
    /// Its start, RFC 3339.
    pub start: String,
}

impl Conversation {
    pub fn new(customer: CustomerId, stage: String, language: Language, now: Timestamp) -> Self {
        Self {
            customer,
            stage,
            language,
            lead: Lead::default(),
            history: Vec::new(),
            summary: Summary::default(),
            summary_requested_through: 0,
            unresolved: 0,
            handoff: None,
            started_at: now,
            last_customer_at: now,
            last_seq: 0,
            profile_name: None,
            offered: Vec::new(),
            documents_sent: Vec::new(),
            booked: None,
            name_from_profile: false,
            need_inferred: false,
            asked: BTreeMap::new(),
            last_asked: None,
            opted_out_at: None,
            nudges: 0,
        }
    }

    /// The fields asked for and not given [`MAX_ASKS`] times: the flow
    /// moves on without them.
    pub fn deferred(&self) -> Vec<FieldName> {
        self.asked
            .iter()
            .filter(|&(field, &times)| times >= MAX_ASKS && !self.lead.has(*field))
            .map(|(field, _)| *field)
            .collect()
    }

    /// Whether WhatsApp's 24-hour window has closed on this conversation.
    pub fn expired(&self, now: Timestamp) -> bool {
        now.duration_since(self.last_customer_at) >= SERVICE_WINDOW
    }

    /// Appends a message and returns its `seq`.
    pub fn push(
        &mut self,
        speaker: Speaker,
        text: String,
        at: Timestamp,
        wa_id: Option<String>,
    ) -> u64 {
        self.last_seq += 1;
        if speaker == Speaker::Customer {
            self.last_customer_at = at;
        }
        self.history.push(Message {
            seq: self.last_seq,
            speaker,
            text,
            at,
            wa_id,
        });
        self.last_seq
    }

    /// Takes in a summary computed in the background: keeps it if it reaches
    /// further than the current one and drops the messages it now covers.
    pub fn absorb_summary(&mut self, summary: Summary) {
        if summary.through_seq <= self.summary.through_seq {
            return;
        }
        self.history.retain(|m| m.seq > summary.through_seq);
        self.summary = summary;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv() -> Conversation {
        let id = CustomerId::parse("34600111234").unwrap();
        Conversation::new(id, "greeting".into(), Language::Es, Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn the_window_closes_24_hours_after_the_last_customer_message() {
        let mut c = conv();
        let t = Timestamp::UNIX_EPOCH + SignedDuration::from_hours(5);
        c.push(Speaker::Customer, "hola".into(), t, None);
        c.push(
            Speaker::Agent,
            "¡Hola!".into(),
            t + SignedDuration::from_hours(20),
            None,
        );
        assert!(!c.expired(t + SignedDuration::from_hours(23)));
        assert!(c.expired(t + SignedDuration::from_hours(24)));
    }

    #[test]
    fn a_summary_only_moves_forward_and_drops_what_it_covers() {
        let mut c = conv();
        for i in 0..8 {
            c.push(
                Speaker::Customer,
                format!("m{i}"),
                Timestamp::UNIX_EPOCH,
                None,
            );
        }
        c.absorb_summary(Summary {
            text: "first five".into(),
            through_seq: 5,
        });
        assert_eq!(c.history.first().unwrap().seq, 6);
        c.absorb_summary(Summary {
            text: "stale".into(),
            through_seq: 3,
        });
        assert_eq!(c.summary.text, "first five");
        assert_eq!(c.history.len(), 3);
    }
}
