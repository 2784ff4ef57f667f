//! What a turn learns of the lead: the brain's proposals validated, the
//! server's own extractors run beside it, and corrections of known values.
//! Kept apart so every way a value reaches the lead reads in one place.

use super::understanding::{CORRECTABLE, field_value, holding};
use super::{Agent, TurnOutcome};
use crate::conversation::{Conversation, Message, Speaker};
use crate::events::Event;
use crate::fields;
use crate::lead::{FieldName, Lead};
use crate::playbook::Stage;
use crate::reading;
use jiff::civil::Date;

impl Agent {
    /// Validates every proposed value; a value that does not parse never
    /// reaches the lead.
    pub(super) fn apply_fields(
        &self,
        conversation: &mut Conversation,
        proposed: &[(FieldName, String)],
        today: Date,
        outcome: &mut TurnOutcome,
    ) {
        for (field, raw) in proposed {
            let before = conversation.lead.clone();
            match fields::apply(&mut conversation.lead, *field, raw, today) {
                Ok(()) if conversation.lead != before => {
                    self.assume_currency(&mut conversation.lead, &conversation.history);
                    if *field == FieldName::Name {
                        conversation.name_from_profile = false;
                    }
                    outcome.events.push(Event::FieldSet { field: *field })
                }
                Ok(()) => {}
                Err(e) => outcome.events.push(Event::FieldRejected {
                    field: *field,
                    reason: e.to_string(),
                }),
            }
        }
    }

    /// The deterministic extractors, run beside any brain on every turn:
    /// they fill what the brain did not propose, and a name the customer
    /// states replaces the one taken from their WhatsApp profile. Cue
    /// phrases count here ("I'm Ana", "our budget is 5k"), never a
    /// question's words, and a bare answer for the field the stage wants
    /// next, which its agent asks for ("Mike" after "how can I help?", "5k"
    /// or "asap" while qualifying), when that field's parser is strict
    /// enough that nothing else passes for it: not a need or a company,
    /// which a bare sentence would fill with whatever it says.
    pub(super) fn read_beside(
        &self,
        conversation: &mut Conversation,
        stage: &Stage,
        said: &str,
        today: Date,
        outcome: &mut TurnOutcome,
    ) {
        // What the last reply asked for is what a bare answer gives, even
        // once the flow has moved on ("maybe 150-200/month?" after the
        // budget was asked and times offered).
        let asked_before = conversation.last_asked;
        let wanted = conversation
            .last_asked
            .filter(|f| conversation.lead.open(*f))
            .or_else(|| next_field(conversation, stage))
            .filter(|f| !matches!(f, FieldName::Need | FieldName::Company));
        let statements = reading::statements(said);
        let topics = &self.playbook.need_topics;
        let stated_need = fields::stated_need(&statements, topics);
        let stated = stated_need.is_some();
        let mut missed: Vec<(FieldName, String)> =
            fields::find_about(&statements, wanted, today, topics)
                .into_iter()
                .filter(|(field, value)| {
                    conversation.lead.open(*field)
                        || (*field == FieldName::Name && conversation.name_from_profile)
                        || (*field == FieldName::Need && conversation.need_inferred && stated)
                        || (*field == FieldName::Need
                            && self.names_a_better_need(conversation, value))
                })
                .collect();
        // A need stated in so many words that says what the known one does
        // not adds to it: "a bot that sounds human", then "our sales reps
        // are overloaded with custom sofa inquiries".
        if !missed.iter().any(|(field, _)| *field == FieldName::Need)
            && !conversation.need_inferred
            && let Some(known) = conversation.lead.need.as_deref()
            && let Some(both) = stated_need.and_then(|new| added(known, &new))
        {
            missed.push((FieldName::Need, both));
        }
        // What the questions still tell, for fields nothing else filled.
        for question in reading::asked(said) {
            for (field, value) in fields::find_in_question(question, today, topics) {
                let told = field != FieldName::Need || self.playbook.needs_named;
                if told && conversation.lead.open(field) && !missed.iter().any(|(f, _)| *f == field)
                {
                    missed.push((field, value));
                }
            }
        }
        self.apply_fields(conversation, &missed, today, outcome);
        self.period_asked_for(conversation, stage, asked_before, outcome);
        // Whatever set the need this turn (the brain or the extractors),
        // it was stated in so many words or only inferred.
        let need_set = outcome.events.iter().any(|e| {
            matches!(e, Event::FieldSet { field } | Event::FieldCorrected { field, .. } if *field == FieldName::Need)
        });
        if need_set {
            conversation.need_inferred = !stated;
        }
    }

    /// "5k" in answer to "what monthly budget do you have in mind?" is 5k a
    /// month: a budget given bare when the question named its period
    /// takes that period.
    fn period_asked_for(
        &self,
        conversation: &mut Conversation,
        stage: &Stage,
        asked: Option<FieldName>,
        outcome: &TurnOutcome,
    ) {
        let set_now = outcome.events.iter().any(|e| {
            matches!(
                e,
                Event::FieldSet {
                    field: FieldName::Budget
                }
            )
        });
        if asked != Some(FieldName::Budget) || !set_now {
            return;
        }
        let question = self.playbook.render_reply(
            stage,
            "ask_budget",
            &conversation.lead,
            conversation.language,
        );
        // "¿por mes o en total?" leaves the period to the answer.
        let one_period = question
            .as_deref()
            .filter(|q| !q.contains(" o ") && !q.contains(" or "))
            .and_then(fields::said_period);
        if let Some(budget) = &mut conversation.lead.budget
            && budget.period().is_none()
            && let Some(period) = one_period
        {
            budget.set_period(period);
        }
    }

    /// Whether `need` names something the playbook's business sells where
    /// the known need names nothing it sells ("I want to stay longer than
    /// 90 days", then "I'd be doing the intensive spanish course"): the
    /// later one says what the customer came for.
    fn names_a_better_need(&self, conversation: &Conversation, need: &str) -> bool {
        let topics = &self.playbook.need_topics;
        self.playbook.needs_named
            && topics.names(need)
            && conversation
                .lead
                .need
                .as_deref()
                .is_some_and(|known| !topics.names(known))
    }

    /// A correction ("perdón, son 5 mil, no 3 mil", "sorry, I'm Marta, not
    /// Marga") replaces the known value it is about, and the event keeps
    /// the value replaced. The field is the one whose value it takes
    /// back, else the known field it states a new value for.
    pub(super) fn apply_correction(
        &self,
        conversation: &mut Conversation,
        said: &str,
        today: Date,
        outcome: &mut TurnOutcome,
    ) {
        let Some(correction) = reading::correction(said) else {
            return;
        };
        // Read once a turn: after the brain, only when the burst stated the
        // value it corrects ("3 millones" / "perdón, 2 millones, no 3") and
        // nothing was corrected yet, so a value just corrected is never
        // read as the old one again.
        if outcome
            .events
            .iter()
            .any(|e| matches!(e, Event::FieldCorrected { .. }))
        {
            return;
        }
        let lead = &conversation.lead;
        let about = correction
            .taken_back
            .as_deref()
            .and_then(|old| holding(lead, old, today));
        let mut proposed: Vec<(FieldName, String)> = fields::find(&correction.says, None, today)
            .into_iter()
            .filter(|(field, _)| lead.has(*field) && about.is_none_or(|a| a == *field))
            .collect();
        if proposed.is_empty() {
            // Without the old value to go by, only an amount or a date is
            // taken as a bare correction: "sorry, 250" is a budget, but
            // "ay perdón, mejor en español" names no company; a name or a
            // company only when it resembles the one it corrects ("sorry,
            // Zenith Motors" after "Zenith Autos").
            let resembled = [
                (FieldName::Company, lead.company.as_deref()),
                (FieldName::Name, lead.name.as_deref()),
            ]
            .into_iter()
            .find(|(_, known)| known.is_some_and(|k| resembles(k, &correction.value)))
            .map(|(field, _)| field);
            // "*Miguel jaja", "*Kris with a K lol": one word of the known
            // name put right.
            let one_word = resembled.and_then(|field| {
                let known = match field {
                    FieldName::Company => lead.company.as_deref(),
                    _ => lead.name.as_deref(),
                }?;
                Some((field, fixed_word(known, &correction.value)?))
            });
            let candidates = match about.or(resembled) {
                Some(field) => vec![field],
                None => CORRECTABLE.into_iter().filter(|f| lead.has(*f)).collect(),
            };
            let bare = one_word.or_else(|| {
                candidates.into_iter().find_map(|field| {
                    fields::find(&correction.value, Some(field), today)
                        .into_iter()
                        .find(|(found, _)| *found == field)
                })
            });
            proposed.extend(bare);
        }
        for (field, raw) in proposed {
            let mut corrected = conversation.lead.clone();
            if fields::apply(&mut corrected, field, &raw, today).is_err()
                || corrected == conversation.lead
            {
                continue;
            }
            let replaced = field_value(&conversation.lead, field);
            self.assume_currency(&mut corrected, &conversation.history);
            conversation.lead = corrected;
            if field == FieldName::Name {
                conversation.name_from_profile = false;
            }
            outcome
                .events
                .push(Event::FieldCorrected { field, replaced });
        }
        // "perdón, quise decir al mes, no al año": only the period changes.
        if !outcome
            .events
            .iter()
            .any(|e| matches!(e, Event::FieldCorrected { .. }))
            && let Some(budget) = &conversation.lead.budget
            && let Some(period) = fields::said_period(&correction.value)
            && budget.period() != Some(period)
        {
            let replaced = field_value(&conversation.lead, FieldName::Budget);
            if let Some(budget) = &mut conversation.lead.budget {
                budget.set_period(period);
            }
            outcome.events.push(Event::FieldCorrected {
                field: FieldName::Budget,
                replaced,
            });
        }
    }

    /// A budget that names no currency is in the business's, marked as
    /// assumed so the team knows to confirm it; so are "pesos" (or
    /// "lucas") whose country was not said, when the business counts in
    /// pesos. Pesos from a customer who named where they are ("tengo una
    /// clínica en Monterrey") are that country's, and so is an amount in
    /// the hundreds of thousands with no currency: no assumption.
    fn assume_currency(&self, lead: &mut Lead, history: &[Message]) {
        let said: Vec<&str> = history
            .iter()
            .filter(|m| m.speaker == Speaker::Customer)
            .map(|m| m.text.as_str())
            .collect();
        // "asta 2 millones al mes" from Pereira: an amount no dollar budget
        // reaches is in the pesos of the place the customer named.
        let pesos_sized = |budget: &crate::lead::Budget| {
            budget
                .max()
                .or(budget.min())
                .is_some_and(|amount| amount >= 100_000)
        };
        if let Some(budget) = &mut lead.budget
            && budget.currency().is_none()
            && (!budget.currency_assumed() || pesos_sized(budget))
            && let Some(pesos) = said.iter().find_map(|text| fields::pesos_of(text))
        {
            budget.name_currency(Some(pesos));
            return;
        }
        // "300 bucks a month" from Perth: the dollars of the customer's
        // country, unless they said US dollars.
        if let Some(local) = said.iter().find_map(|text| fields::dollars_of(text))
            && !said.iter().any(|text| US_DOLLARS.is_match(text))
            && let Some(budget) = &mut lead.budget
            && !budget.currency_assumed()
            && budget.currency().is_some_and(|c| c.to_string() == "USD")
        {
            budget.name_currency(Some(local));
            return;
        }
        if let Some(business) = self.playbook.business.currency
            && let Some(budget) = &mut lead.budget
            && budget.currency().is_none()
            && (budget.currency_assumed() || business.is_peso())
        {
            budget.assume_currency(business);
        }
    }
}

/// US dollars named as such, which no place of the customer's changes.
static US_DOLLARS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"(?i)\b(?:usd|us\s*\$|u\$s|us\s+dollars?|american\s+dollars?)")
        .expect("a valid pattern")
});

/// Whether a name or company `said` looks like a fix of `known`: a word of
/// each is the same or a typo apart ("Zenith Motors" for "Zenith Autos",
/// "Marta" for "Marga").
fn resembles(known: &str, said: &str) -> bool {
    let words = |text: &str| -> Vec<String> {
        crate::language::fold(text)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 3)
            .map(str::to_owned)
            .collect()
    };
    let (known, said) = (words(known), words(said));
    !said.is_empty()
        && said.len() <= 6
        && known.iter().any(|k| {
            said.iter()
                .any(|s| strsim::levenshtein(k, s) <= 1 + k.len() / 5)
        })
}

/// `known` with the one word `said` corrects: "Migel Angel Torres" and
/// "Miguel jaja" make "Miguel Angel Torres". `None` when `said` is a whole
/// name of its own ("Bluefin Charter Co") or fixes no word of `known`.
fn fixed_word(known: &str, said: &str) -> Option<String> {
    let mut words = said.split_whitespace();
    let word = words.next()?.trim_matches(|c: char| !c.is_alphanumeric());
    if words
        .next()
        .is_some_and(|next| next.starts_with(char::is_uppercase))
    {
        return None;
    }
    let folded = crate::language::fold(word);
    let known_words: Vec<&str> = known.split_whitespace().collect();
    let at = known_words.iter().position(|k| {
        let k = crate::language::fold(k);
        k != folded && strsim::levenshtein(&k, &folded) <= 1 + k.len() / 5
    })?;
    let mut fixed = known_words;
    fixed[at] = word;
    Some(fixed.join(" "))
}

/// `known` and `new` as one need, when `new` says at least two things
/// `known` does not and both fit in one.
fn added(known: &str, new: &str) -> Option<String> {
    let content = |text: &str| -> Vec<String> {
        crate::language::fold(text)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 4)
            .map(str::to_owned)
            .collect()
    };
    let had = content(known);
    let news = content(new)
        .into_iter()
        .filter(|w| !had.contains(w))
        .count();
    let both = format!("{known}; {new}");
    (news >= 2 && fields::parse_need(&both).is_ok()).then_some(both)
}

/// The first field `stage` still needs and may still ask for: what its
/// agent asks next.
pub(super) fn next_field(conversation: &Conversation, stage: &Stage) -> Option<FieldName> {
    stage
        .missing(&conversation.lead, &conversation.deferred())
        .next()
}
