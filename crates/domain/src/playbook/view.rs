//! What templates see: the lead as human text in the conversation's
//! language ("5.000 USD", "next month"), never the raw typed values.

use crate::language::Language;
use crate::lead::{Authority, Budget, DecisionPower, FieldName, Lead, Timeline};
use serde::Serialize;

/// The lead as templates and summaries print it. Unknown fields are left
/// out of the serialized form, so a template's `{% if lead.budget %}` is
/// false and `{{ lead.budget }}` prints nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LeadView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub need: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl LeadView {
    pub fn new(lead: &Lead, language: Language) -> LeadView {
        LeadView {
            name: lead.name.as_deref().map(str::to_owned),
            company: lead.company.as_deref().map(str::to_owned),
            budget: lead.budget.as_ref().map(|b| budget_text(b, language)),
            authority: lead.authority.as_ref().map(|a| authority_text(a, language)),
            need: lead.need.as_deref().map(str::to_owned),
            timeline: lead.timeline.as_ref().map(|t| timeline_text(t, language)),
            email: lead.email.as_deref().map(str::to_owned),
        }
    }

    /// One field's text, if known.
    pub fn get(&self, field: FieldName) -> Option<&str> {
        match field {
            FieldName::Name => self.name.as_deref(),
            FieldName::Company => self.company.as_deref(),
            FieldName::Budget => self.budget.as_deref(),
            FieldName::Authority => self.authority.as_deref(),
            FieldName::Need => self.need.as_deref(),
            FieldName::Timeline => self.timeline.as_deref(),
            FieldName::Email => self.email.as_deref(),
        }
    }
}

/// Groups thousands the way each language writes them ("5.000" / "5,000").
/// Hand-written: two separators for two languages do not justify a
/// locale-data crate.
fn amount(n: u64, language: Language) -> String {
    let separator = match language {
        Language::Es => '.',
        Language::En => ',',
    };
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

fn budget_text(budget: &Budget, language: Language) -> String {
    let es = language == Language::Es;
    let range = match (budget.min(), budget.max()) {
        (Some(min), Some(max)) if min == max => amount(min, language),
        (Some(min), Some(max)) => format!("{}–{}", amount(min, language), amount(max, language)),
        (None, Some(max)) => format!(
            "{} {}",
            if es { "hasta" } else { "up to" },
            amount(max, language)
        ),
        (Some(min), None) => format!(
            "{} {}",
            if es { "al menos" } else { "at least" },
            amount(min, language)
        ),
        (None, None) => (if es { "sin cifra" } else { "no figure" }).to_owned(),
    };
    let mut text = String::new();
    if budget.approximate() {
        text.push_str(if es { "unos " } else { "around " });
    }
    text.push_str(&range);
    if let Some(currency) = budget.currency() {
        text.push(' ');
        text.push_str(currency.code());
    }
    text
}

fn authority_text(authority: &Authority, language: Language) -> String {
    let power = match (authority.power(), language) {
        (DecisionPower::DecisionMaker, Language::Es) => Some("decide la compra"),
        (DecisionPower::DecisionMaker, Language::En) => Some("makes the decision"),
        (DecisionPower::NeedsApproval, Language::Es) => Some("necesita aprobación"),
        (DecisionPower::NeedsApproval, Language::En) => Some("needs approval"),
        (DecisionPower::Unknown, _) => None,
    };
    match (authority.role(), power) {
        (Some(role), Some(power)) => format!("{role} ({power})"),
        (Some(role), None) => role.to_owned(),
        (None, Some(power)) => power.to_owned(),
        (None, None) => (if language == Language::Es {
            "sin definir"
        } else {
            "unclear"
        })
        .to_owned(),
    }
}

fn timeline_text(timeline: &Timeline, language: Language) -> String {
    match (timeline, language) {
        (Timeline::Asap, Language::Es) => "lo antes posible".to_owned(),
        (Timeline::Asap, Language::En) => "as soon as possible".to_owned(),
        (Timeline::Undecided, Language::Es) => "sin fecha definida".to_owned(),
        (Timeline::Undecided, Language::En) => "no date yet".to_owned(),
        (Timeline::By(deadline), _) => deadline.said().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn amounts_use_each_languages_thousands_separator() {
        assert_eq!(amount(5, Language::En), "5");
        assert_eq!(amount(5000, Language::Es), "5.000");
        assert_eq!(amount(1_234_567, Language::En), "1,234,567");
        assert_eq!(amount(100_000, Language::En), "100,000");
    }

    #[test]
    fn a_lead_reads_as_human_text() {
        let lead = Lead {
            name: Some("Ana".parse().unwrap()),
            budget: Some("around 3000-5000 USD".parse().unwrap()),
            authority: Some("I'm the CEO and I decide".parse().unwrap()),
            timeline: Some(Timeline::parse("next month", date(2026, 11, 10)).unwrap()),
            ..Lead::default()
        };
        let en = LeadView::new(&lead, Language::En);
        assert_eq!(en.budget.as_deref(), Some("around 3,000–5,000 USD"));
        assert_eq!(en.authority.as_deref(), Some("CEO (makes the decision)"));
        assert_eq!(en.timeline.as_deref(), Some("next month"));
        let es = LeadView::new(&lead, Language::Es);
        assert_eq!(es.budget.as_deref(), Some("unos 3.000–5.000 USD"));
        assert_eq!(es.get(FieldName::Name), Some("Ana"));
        assert_eq!(es.get(FieldName::Need), None);
        let bound: Budget = "hasta 2000".parse().unwrap();
        assert_eq!(budget_text(&bound, Language::Es), "hasta 2.000");
    }
}
