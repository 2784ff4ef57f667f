//! What a turn sets off besides its replies: on a handoff the lead goes to
//! the CRM and the sales rep is told; on a booking the CRM gets the call;
//! an opt-out (or back in) reaches the CRM too.
//! [`SideEffects::for_turn`] builds them from the turn's events, the worker
//! records them in the turn's transaction, and the dispatcher
//! (`dispatcher`) carries them out.

use jiff::Timestamp;
use leadline_domain::conversation::{HandoffReason, Speaker};
use leadline_domain::events::Event;
use leadline_domain::playbook::LeadView;
use leadline_domain::{Conversation, CustomerId, Language};
use leadline_integrations::CrmWebhook;
use leadline_stores::{Effect, EffectAction, OutgoingBody, OutgoingMessage};
use leadline_whatsapp::send::RetryPolicy;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// What one attempt at carrying out an effect came to.
pub(crate) enum Outcome {
    Done,
    Retry(Duration, String),
    Dead(String),
}

/// The dashboard's link to a conversation (it knows the opaque ids).
pub type ConversationLink = Arc<dyn Fn(&CustomerId) -> String + Send + Sync>;

/// How handoffs and bookings reach the team. Without a CRM or a rep
/// nothing is set off: the lead stays in the database for the dashboard.
#[derive(Clone)]
pub struct SideEffects {
    /// Where leads are delivered (`LEADLINE_CRM_WEBHOOK_URL`).
    pub crm: Option<Arc<CrmWebhook>>,
    /// Retries of a CRM delivery; the last failure dead-letters it.
    pub crm_retry: RetryPolicy,
    /// Who is told of a handoff on WhatsApp (`LEADLINE_REP_PHONE`).
    pub rep: Option<RepContact>,
    pub conversation_link: Option<ConversationLink>,
    /// The team's language: the rep's notices are written in it.
    pub team_language: Language,
    /// Effects carried out at once.
    pub concurrency: usize,
    /// How long an attempt may take before another dispatcher repeats it.
    pub lease: Duration,
}

impl Default for SideEffects {
    fn default() -> Self {
        Self {
            crm: None,
            crm_retry: RetryPolicy {
                base: Duration::from_secs(2),
                factor: 2,
                cap: Duration::from_secs(600),
                // About 45 minutes of a CRM being down before a person
                // has to look.
                max_attempts: 12,
            },
            rep: None,
            conversation_link: None,
            team_language: Language::default(),
            concurrency: 8,
            lease: Duration::from_secs(60),
        }
    }
}

/// The sales rep's WhatsApp number, and the approved template that reaches
/// them outside their 24-hour window.
#[derive(Debug, Clone)]
pub struct RepContact {
    pub phone: CustomerId,
    pub template: Option<RepTemplate>,
}

/// A template whose body takes three variables: the lead's name, the
/// handoff reason and the link to the conversation.
#[derive(Debug, Clone)]
pub struct RepTemplate {
    pub name: String,
    pub language: String,
}

/// A free-form WhatsApp text holds 4096 characters.
const NOTICE_MAX_CHARS: usize = 4000;
/// Customer messages quoted to the rep when there is no summary yet.
const QUOTED_MESSAGES: usize = 3;
const QUOTE_MAX_CHARS: usize = 200;

impl SideEffects {
    /// The effects of a committed turn: one CRM delivery when the turn
    /// handed off, booked a call or cancelled one, and a notice to the rep
    /// when it handed off or cancelled. Keyed by the newest message the
    /// turn answered, so a turn redone after a crash sets off nothing twice.
    pub fn for_turn(
        &self,
        turn_key: &str,
        business_number_id: &str,
        conversation: &Conversation,
        events: &[Event],
        now: Timestamp,
    ) -> Vec<Effect> {
        let Some(news) = News::of(events) else {
            return Vec::new();
        };
        let customer = &conversation.customer;
        let link = self.conversation_link.as_ref().map(|link| link(customer));
        let mut effects = Vec::new();
        if let Some(crm) = &self.crm {
            let key = format!("crm:{turn_key}");
            let body = json!({
                "event": news.crm_event(),
                "idempotency_key": key,
                "occurred_at": now.to_string(),
                "lead_id": crm.lead_id(customer),
                "whatsapp_id": customer.as_str(),
                "profile_name": conversation.profile_name,
                "stage": conversation.stage,
                "language": conversation.language.code(),
                "lead": conversation.lead,
                "lead_text": LeadView::new(&conversation.lead, conversation.language),
                "summary": conversation.summary.text,
                "handoff": news.handoff.map(|reason| json!({ "reason": reason.as_str() })),
                "call": news.booked.as_ref().map(|(start, event_id)| json!({ "start": start, "event_id": event_id })),
                "cancelled_call": news.cancelled.map(|start| json!({ "start": start })),
                "opted_out_at": conversation.opted_out_at.map(|at| at.to_string()),
                "conversation_url": link,
            });
            effects.push(Effect {
                key,
                customer: customer.clone(),
                action: EffectAction::Crm { body },
                not_before: None,
            });
        }
        let Some(rep) = &self.rep else {
            return effects;
        };
        let language = self.team_language;
        let Some(why) = news.rep_reason(conversation, language) else {
            return effects;
        };
        let key = format!("rep:{turn_key}");
        let text = notice(conversation, why, &news, link.as_deref(), language);
        let fallback = rep.template.as_ref().map(|t| OutgoingBody::Template {
            name: t.name.clone(),
            language: t.language.clone(),
            parameters: vec![
                or_dash(lead_name(conversation)),
                why.to_owned(),
                or_dash(link.as_deref()),
            ],
        });
        effects.push(Effect {
            key: key.clone(),
            customer: customer.clone(),
            action: EffectAction::NotifyRep {
                message: OutgoingMessage {
                    key,
                    to: rep.phone.clone(),
                    business_number_id: business_number_id.to_owned(),
                    body: OutgoingBody::Text { body: text },
                },
                fallback,
            },
            not_before: None,
        });
        effects
    }
}

/// What a turn did that the team must hear of.
struct News<'e> {
    handoff: Option<HandoffReason>,
    /// The booked call's start and calendar id.
    booked: Option<(Option<&'e str>, Option<&'e str>)>,
    /// The cancelled call's start.
    cancelled: Option<&'e str>,
    /// The customer opted out (`true`) or back in (`false`).
    opted_out: Option<bool>,
}

impl<'e> News<'e> {
    fn of(events: &'e [Event]) -> Option<Self> {
        let mut news = News {
            handoff: None,
            booked: None,
            cancelled: None,
            opted_out: None,
        };
        for event in events {
            match event {
                Event::HandedOff { reason } => news.handoff = Some(*reason),
                Event::CallBooked { slot, event_id } => {
                    news.booked = Some((slot.as_deref(), event_id.as_deref()));
                }
                Event::CallCancelled { slot, .. } => news.cancelled = Some(slot),
                Event::OptedOut => news.opted_out = Some(true),
                Event::OptedIn => news.opted_out = Some(false),
                _ => {}
            }
        }
        (news.handoff.is_some()
            || news.booked.is_some()
            || news.cancelled.is_some()
            || news.opted_out.is_some())
        .then_some(news)
    }

    fn crm_event(&self) -> &'static str {
        if let Some(out) = self.opted_out {
            if out {
                "lead.opted_out"
            } else {
                "lead.opted_in"
            }
        } else if self.booked.is_some() {
            "lead.call_booked"
        } else if self.cancelled.is_some() {
            "lead.call_cancelled"
        } else {
            "lead.handed_off"
        }
    }

    /// Why the rep is told, in the team's language; `None` when the turn
    /// only booked (which hands off, and that is told).
    fn rep_reason(&self, conversation: &Conversation, language: Language) -> Option<&'static str> {
        if let Some(reason) = self.handoff {
            return Some(reason_text(reason, self.booked.is_some(), language));
        }
        self.cancelled?;
        // A move goes back to booking: the bot answers again.
        Some(if conversation.handoff.is_none() {
            in_language(
                language,
                "pidió cambiar la hora de la llamada",
                "asked to move the call",
            )
        } else {
            in_language(language, "canceló la llamada", "cancelled the call")
        })
    }
}

/// The rep's notice: who, why, what is known, and where to pick it up.
fn notice(
    conversation: &Conversation,
    why: &str,
    news: &News<'_>,
    link: Option<&str>,
    language: Language,
) -> String {
    let label = |es: &'static str, en: &'static str| in_language(language, es, en);
    let mut lines = vec![
        format!(
            "{} {}",
            label("Nuevo lead para el equipo:", "New lead for the team:"),
            lead_name(conversation).unwrap_or_else(|| label("(sin nombre)", "(no name)"))
        ),
        format!("{} {why}", label("Motivo:", "Reason:")),
    ];
    if let Some(start) = news.cancelled {
        lines.push(format!(
            "{} {start}",
            label("Llamada cancelada:", "Cancelled call:")
        ));
    }
    if let Some((Some(start), _)) = news.booked {
        lines.push(format!("{} {start}", label("Llamada:", "Call:")));
    }
    let view = LeadView::new(&conversation.lead, language);
    let fields = [
        (label("Empresa", "Company"), view.company),
        (label("Necesidad", "Need"), view.need),
        (label("Presupuesto", "Budget"), view.budget),
        (label("Decisión", "Authority"), view.authority),
        (label("Plazo", "Timeline"), view.timeline),
    ];
    for (name, value) in fields {
        if let Some(value) = value {
            lines.push(format!("{name}: {value}"));
        }
    }
    let summary = conversation.summary.text.trim();
    if summary.is_empty() {
        let said: Vec<&str> = conversation
            .history
            .iter()
            .rev()
            .filter(|m| m.speaker == Speaker::Customer)
            .take(QUOTED_MESSAGES)
            .map(|m| m.text.as_str())
            .collect();
        if !said.is_empty() {
            lines.push(label("Últimos mensajes:", "Last messages:").to_owned());
            lines.extend(said.iter().rev().map(|text| format!("> {}", clip(text))));
        }
    } else {
        lines.push(format!("{} {summary}", label("Resumen:", "Summary:")));
    }
    if let Some(link) = link {
        lines.push(link.to_owned());
    }
    leadline_domain::clip::to_chars(&lines.join("\n"), NOTICE_MAX_CHARS)
}

fn lead_name(conversation: &Conversation) -> Option<&str> {
    conversation
        .lead
        .name
        .as_deref()
        .or(conversation.profile_name.as_deref())
}

fn reason_text(reason: HandoffReason, booked: bool, language: Language) -> &'static str {
    let (es, en) = match reason {
        HandoffReason::FlowCompleted if booked => ("llamada agendada", "call booked"),
        HandoffReason::FlowCompleted => ("calificado", "qualified"),
        HandoffReason::CustomerAsked => ("pidió hablar con una persona", "asked for a person"),
        HandoffReason::LowConfidence => ("el bot no estaba seguro", "the bot was unsure"),
        HandoffReason::Unresolved => ("mensajes sin resolver", "unresolved messages"),
        HandoffReason::BrainUnavailable => ("el modelo no respondió", "the model was unavailable"),
        HandoffReason::HumanTookOver => ("tomada por una persona", "taken over by a person"),
    };
    in_language(language, es, en)
}

/// The team's words, in Spanish or English.
fn in_language(language: Language, es: &'static str, en: &'static str) -> &'static str {
    match language {
        Language::Es => es,
        Language::En => en,
    }
}

/// Template variables may not be empty.
fn or_dash(value: Option<&str>) -> String {
    value
        .filter(|v| !v.trim().is_empty())
        .unwrap_or("-")
        .to_owned()
}

fn clip(text: &str) -> String {
    leadline_domain::clip::to_chars(text, QUOTE_MAX_CHARS)
}
