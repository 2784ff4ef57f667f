//! Booking calls: the `find_slots`, `book_call` and `cancel_call` tools over any
//! [`Calendar`], and the local calendar kept in the store for deployments
//! without an outside one.

use async_trait::async_trait;
use jiff::Timestamp;
use leadline_domain::language::Language;
use leadline_domain::playbook::LeadView;
use leadline_domain::router::MAX_OFFERED;
use leadline_domain::schedule::{Interval, SlotRules, free_slots};
use leadline_domain::tools::{BOOK_CALL, CANCEL_CALL, FIND_SLOTS};
use leadline_domain::tools::{
    FoundSlot, Tool, ToolError, ToolInvocation, ToolOutcome, ToolRegistry,
};
use leadline_domain::{Clock, FieldName, Lead};
use leadline_integrations::{BookedEvent, Booking, Calendar, CalendarError};
use leadline_stores::{CalendarCall, CalendarStore, Reservation, StoreError};
use serde_json::{Value, json};
use std::sync::Arc;

/// Registers `find_slots`, `book_call` and `cancel_call` over `calendar`,
/// offering slots by the playbook's `rules` from `clock`'s now.
pub fn register_booking_tools(
    registry: &mut ToolRegistry,
    calendar: Arc<dyn Calendar>,
    rules: SlotRules,
    clock: Clock,
) {
    let rules = Arc::new(rules);
    registry.register(Arc::new(FindSlots {
        calendar: calendar.clone(),
        rules: rules.clone(),
        clock: clock.clone(),
    }));
    registry.register(Arc::new(BookCall {
        calendar: calendar.clone(),
        rules,
        clock,
    }));
    registry.register(Arc::new(CancelCall { calendar }));
}

/// Lists the first free slots of the calendar.
struct FindSlots {
    calendar: Arc<dyn Calendar>,
    rules: Arc<SlotRules>,
    clock: Clock,
}

#[async_trait]
impl Tool for FindSlots {
    fn name(&self) -> &str {
        FIND_SLOTS
    }

    fn description(&self) -> &str {
        "Free times for a call with the sales team, soonest first. Each slot's id is its start \
         (RFC 3339, with the business's UTC offset); pass it to book_call."
    }

    fn parameters(&self) -> Value {
        json!({ "type": "object", "properties": {}, "additionalProperties": false })
    }

    async fn call(&self, _: ToolInvocation<'_>) -> Result<ToolOutcome, ToolError> {
        let now = self.clock.now();
        let horizon =
            now + jiff::SignedDuration::from_hours(24 * (i64::from(self.rules.horizon_days) + 1));
        let busy = self
            .calendar
            .busy(now, horizon)
            .await
            .map_err(|e| failed("find_slots", &e))?;
        let slots = free_slots(&busy, now, &self.rules, MAX_OFFERED)
            .iter()
            .map(|slot| FoundSlot {
                id: slot.id(),
                when: slot.description(Language::En),
            })
            .collect();
        Ok(ToolOutcome::SlotsFound(slots))
    }
}

/// Books one slot for the lead of the conversation.
struct BookCall {
    calendar: Arc<dyn Calendar>,
    rules: Arc<SlotRules>,
    clock: Clock,
}

#[async_trait]
impl Tool for BookCall {
    fn name(&self) -> &str {
        BOOK_CALL
    }

    fn description(&self) -> &str {
        "Books the call at a slot find_slots returned. Answers outcome call_booked, or \
         slot_taken when the slot was taken meanwhile (offer others)."
    }

    fn parameters(&self) -> Value {
        json!({
            "type": "object",
            "properties": { "slot": { "type": "string", "description": "a slot id from find_slots" } },
            "required": ["slot"],
            "additionalProperties": false
        })
    }

    async fn call(&self, invocation: ToolInvocation<'_>) -> Result<ToolOutcome, ToolError> {
        let id = invocation
            .arguments
            .get("slot")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                ToolError::Refused("`slot` is required: a slot id from find_slots".into())
            })?;
        let slot = self
            .rules
            .slot_of(id)
            .and_then(|slot| self.rules.slot_at(&slot.start, self.clock.now()))
            .ok_or_else(|| ToolError::Refused(format!("{id:?} is not a bookable time")))?;
        let lead = invocation.lead;
        let booking = Booking {
            summary: summary(lead),
            description: qualification(lead),
            attendee_email: lead.email.as_deref().map(str::to_owned),
            // One key per customer and start: a retry after a timeout or
            // a 500 finds the event the first attempt made.
            idempotency_key: format!(
                "call-{}-{}",
                invocation.customer.as_str(),
                slot.start.timestamp().as_second()
            ),
            slot,
        };
        match self.calendar.book(&booking).await {
            Ok(event) => Ok(ToolOutcome::CallBooked {
                event_id: event.id,
                start: booking.slot.id(),
            }),
            Err(CalendarError::SlotTaken) => Ok(ToolOutcome::SlotTaken),
            Err(e) => Err(failed("book_call", &e)),
        }
    }
}

/// Cancels a call booked earlier, by the calendar's id for it.
struct CancelCall {
    calendar: Arc<dyn Calendar>,
}

#[async_trait]
impl Tool for CancelCall {
    fn name(&self) -> &str {
        CANCEL_CALL
    }

    fn description(&self) -> &str {
        "Cancels the call booked earlier in this conversation. Answers outcome call_cancelled."
    }

    fn parameters(&self) -> Value {
        json!({
            "type": "object",
            "properties": { "event_id": { "type": "string", "description": "the event_id book_call answered" } },
            "required": ["event_id"],
            "additionalProperties": false
        })
    }

    async fn call(&self, invocation: ToolInvocation<'_>) -> Result<ToolOutcome, ToolError> {
        let id = invocation
            .arguments
            .get("event_id")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                ToolError::Refused("`event_id` is required: the id book_call answered".into())
            })?;
        self.calendar
            .cancel(id)
            .await
            .map_err(|e| failed("cancel_call", &e))?;
        Ok(ToolOutcome::CallCancelled {
            event_id: id.to_owned(),
        })
    }
}

/// Logs a calendar failure and turns it into what the brain sees.
fn failed(tool: &'static str, error: &CalendarError) -> ToolError {
    tracing::warn!(tool, error = %error, retryable = error.is_retryable(), "calendar call failed");
    ToolError::CalendarFailed(error.to_string())
}

/// The event's title: who the call is with.
fn summary(lead: &Lead) -> String {
    let view = LeadView::new(lead, Language::En);
    match (view.get(FieldName::Name), view.get(FieldName::Company)) {
        (Some(name), Some(company)) => format!("Call with {name} ({company})"),
        (Some(name), None) => format!("Call with {name}"),
        (None, Some(company)) => format!("Call with {company}"),
        (None, None) => "Call with a WhatsApp lead".to_owned(),
    }
}

/// The event's description: the lead's qualification for whoever takes
/// the call.
fn qualification(lead: &Lead) -> String {
    let view = LeadView::new(lead, Language::En);
    [
        ("Need", FieldName::Need),
        ("Budget", FieldName::Budget),
        ("Authority", FieldName::Authority),
        ("Timeline", FieldName::Timeline),
    ]
    .into_iter()
    .map(|(label, field)| format!("{label}: {}", view.get(field).unwrap_or("unknown")))
    .collect::<Vec<_>>()
    .join("\n")
}

/// The calendar kept in the store: what `leadline serve` books on when no
/// Google Calendar is configured. The store's unique slot index settles
/// two customers picking one slot at once.
pub struct LocalCalendar {
    store: Arc<dyn CalendarStore>,
}

impl LocalCalendar {
    pub fn new(store: Arc<dyn CalendarStore>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl Calendar for LocalCalendar {
    async fn busy(&self, from: Timestamp, to: Timestamp) -> Result<Vec<Interval>, CalendarError> {
        let calls = self
            .store
            .calls_between(from, to)
            .await
            .map_err(unavailable)?;
        Ok(calls
            .into_iter()
            .map(|call| Interval {
                start: call.start,
                end: call.end,
            })
            .collect())
    }

    async fn book(&self, booking: &Booking) -> Result<BookedEvent, CalendarError> {
        let call = CalendarCall {
            key: booking.idempotency_key.clone(),
            start: booking.slot.start.timestamp(),
            end: booking.slot.end.timestamp(),
            summary: booking.summary.clone(),
            description: booking.description.clone(),
            attendee: booking.attendee_email.clone(),
        };
        match self.store.reserve(&call).await.map_err(unavailable)? {
            Reservation::Booked(call) => Ok(BookedEvent {
                id: call.key,
                start: call.start,
                end: call.end,
                link: None,
            }),
            Reservation::Taken => Err(CalendarError::SlotTaken),
            Reservation::Cancelled => Err(CalendarError::Cancelled),
        }
    }

    async fn cancel(&self, event_id: &str) -> Result<(), CalendarError> {
        self.store.cancel_call(event_id).await.map_err(unavailable)
    }
}

fn unavailable(e: StoreError) -> CalendarError {
    CalendarError::Unreachable(e.to_string())
}
