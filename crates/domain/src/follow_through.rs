//! What Leadline does between turns, and the customer's say over it:
//! reminders before a booked call, nudges to a lead who went quiet, and
//! the word to stop (or start again) getting messages at all.
//!
//! The rules are on the [`Conversation`] as stored when a reminder or a
//! nudge comes due, so every store applies them alike inside the
//! transaction that records the message.

use crate::conversation::{Conversation, Speaker};
use crate::language::{Language, fold};
use jiff::Timestamp;
use std::time::Duration;

/// The playbook intent whose examples, besides [`OPT_OUT_ES`] and
/// [`OPT_OUT_EN`], ask to get no more messages.
pub const OPT_OUT_INTENT: &str = "opt_out";
/// The playbook intent whose examples, besides the built-in ones, ask to
/// get messages again after opting out.
pub const OPT_IN_INTENT: &str = "opt_in";

/// The reply templates of follow-through, each optional (built-in words
/// otherwise): the confirmation of an opt-out, the welcome back, the
/// reminder (followed by the call's date and time) and the nudge.
pub const OPTED_OUT: &str = "opted_out";
pub const OPTED_IN: &str = "opted_in";
pub const REMINDER: &str = "reminder";
pub const FOLLOW_UP: &str = "follow_up";

/// Understood whatever the playbook says: WhatsApp's Business Messaging
/// Policy wants an opt-out honoured in the words customers use, so a
/// playbook can add phrases but not lose these.
const OPT_OUT_ES: [&str; 14] = [
    "baja",
    "stop",
    "darme de baja",
    "denme de baja",
    "no me escriban mas",
    "no me escribas mas",
    "dejen de escribirme",
    "deja de escribirme",
    "no me manden mas mensajes",
    "no quiero recibir mas mensajes",
    "no me contacten mas",
    "dejen de enviarme mensajes",
    "borrenme de la lista",
    "sacame de la lista",
];
const OPT_OUT_EN: [&str; 11] = [
    "stop",
    "unsubscribe",
    "opt out",
    "dont message me again",
    "don t message me again",
    "stop messaging me",
    "stop texting me",
    "stop sending me messages",
    "remove me from your list",
    "do not contact me",
    "don t contact me",
];
const OPT_IN_ES: [&str; 5] = [
    "alta",
    "darme de alta",
    "quiero volver a recibir mensajes",
    "vuelvan a escribirme",
    "pueden volver a escribirme",
];
const OPT_IN_EN: [&str; 5] = [
    "start",
    "subscribe",
    "opt in",
    "you can message me again",
    "resume messages",
];

/// What is said when the playbook has no template for `key` (one of
/// this module's template keys).
pub fn builtin_words(key: &str, language: Language) -> &'static str {
    match (key, language) {
        (OPTED_OUT, Language::Es) => {
            "Listo, no te enviaremos más mensajes. Si algún día quieres volver a recibirlos, responde ALTA."
        }
        (OPTED_OUT, Language::En) => {
            "Done: you won't get any more messages from us. If you ever want them again, reply START."
        }
        (OPTED_IN, Language::Es) => {
            "¡Qué bueno tenerte de vuelta! Volverás a recibir nuestros mensajes."
        }
        (OPTED_IN, Language::En) => "Welcome back! You'll get our messages again.",
        (REMINDER, Language::Es) => "Te recuerdo tu llamada con nuestro equipo:",
        (REMINDER, Language::En) => "A reminder of your call with our team:",
        (_, Language::Es) => "¿Sigues por ahí?",
        (_, Language::En) => "Still there?",
    }
}

/// Words around a one-word phrase that leave it alone ("STOP please",
/// "baja por favor").
const COURTESIES: [&str; 11] = [
    "por", "favor", "porfa", "please", "pls", "plz", "gracias", "thanks", "ya", "ok", "now",
];
/// A word among the two before a phrase that turns it round ("no quiero
/// darme de baja", "I don't remove me from...": "don't" folds to "don t").
const NEGATIONS: [&str; 6] = ["no", "not", "t", "dont", "nunca", "never"];

/// Phrases that say one thing (opt out, opt in), per language, folded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Phrases {
    phrases: Vec<(Language, Vec<String>)>,
}

impl Phrases {
    /// The built-in opt-out phrases plus the playbook's `extra`.
    pub fn opt_out(extra: &[(Language, Vec<String>)]) -> Self {
        Self::of(
            &[(Language::Es, &OPT_OUT_ES[..]), (Language::En, &OPT_OUT_EN)],
            extra,
        )
    }

    /// The built-in opt-in phrases plus the playbook's `extra`.
    pub fn opt_in(extra: &[(Language, Vec<String>)]) -> Self {
        Self::of(
            &[(Language::Es, &OPT_IN_ES[..]), (Language::En, &OPT_IN_EN)],
            extra,
        )
    }

    fn of(builtin: &[(Language, &[&str])], extra: &[(Language, Vec<String>)]) -> Self {
        let builtin = builtin
            .iter()
            .flat_map(|(l, phrases)| phrases.iter().map(|p| (*l, (*p).to_owned())));
        let extra = extra
            .iter()
            .flat_map(|(l, phrases)| phrases.iter().map(|p| (*l, p.clone())));
        let mut phrases: Vec<(Language, Vec<String>)> = Vec::new();
        for (language, phrase) in builtin.chain(extra) {
            let words = words(&phrase);
            if words.is_empty() || phrases.iter().any(|(l, w)| *l == language && *w == words) {
                continue;
            }
            phrases.push((language, words));
        }
        Self { phrases }
    }

    /// Whether `text` says one of the phrases, and in which language when
    /// only one language has it ("baja": Spanish; "STOP": either). A
    /// one-word phrase must be the whole message, but for courtesies; a
    /// longer one may sit inside it, unless a negation comes just before.
    pub fn said_in(&self, text: &str) -> Option<Option<Language>> {
        let said = words(text);
        let plain: Vec<&String> = said
            .iter()
            .filter(|w| !COURTESIES.contains(&w.as_str()))
            .collect();
        let mut languages = self.phrases.iter().filter_map(|(language, phrase)| {
            let found = if phrase.len() == 1 {
                plain.len() == 1 && *plain[0] == phrase[0]
            } else {
                said.windows(phrase.len()).enumerate().any(|(i, window)| {
                    window == phrase.as_slice()
                        && !said[i.saturating_sub(2)..i]
                            .iter()
                            .any(|w| NEGATIONS.contains(&w.as_str()))
                })
            };
            found.then_some(*language)
        });
        let first = languages.next()?;
        Some(languages.all(|l| l == first).then_some(first))
    }
}

/// Folded words, punctuation and symbols dropped.
fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The playbook's `[follow_up]`: a lead who stops answering before a call
/// is booked is nudged `max` times at most, `after` apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FollowUpPolicy {
    pub after: Duration,
    /// 0: never.
    pub max: u32,
}

/// Why a reminder or a nudge that came due was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// The customer asked for no more messages.
    OptedOut,
    /// The call was moved or cancelled since the reminder was set.
    CallChanged,
    /// WhatsApp delivers only templates outside the 24-hour window, and
    /// none applies.
    WindowClosed,
    /// The customer wrote since: the silence the nudge was for is over.
    CustomerWrote,
    /// A person has the conversation, or wrote in it.
    TeamHasIt,
    /// A call is booked: nothing to nudge towards.
    CallBooked,
    /// An earlier nudge of the silence was not sent, or enough were.
    NotNext,
}

impl Skip {
    pub fn as_str(self) -> &'static str {
        match self {
            Skip::OptedOut => "opted_out",
            Skip::CallChanged => "call_changed",
            Skip::WindowClosed => "window_closed",
            Skip::CustomerWrote => "customer_wrote",
            Skip::TeamHasIt => "team_has_it",
            Skip::CallBooked => "call_booked",
            Skip::NotNext => "not_next",
        }
    }
}

/// Whether a reminder may be free-form text or must be a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Inside the customer's 24-hour window: any text.
    Open,
    /// Outside it: an approved template only.
    Closed,
}

impl Conversation {
    /// Whether the reminder of the call `event_id` may go now, and how.
    /// A handed-off conversation still gets it: the call is the team's
    /// reason to hand off, and the customer asked for it.
    pub fn reminder(&self, event_id: &str, now: Timestamp) -> Result<Window, Skip> {
        if self.opted_out_at.is_some() {
            return Err(Skip::OptedOut);
        }
        if self.booked.as_ref().is_none_or(|b| b.event_id != event_id) {
            return Err(Skip::CallChanged);
        }
        Ok(if self.expired(now) {
            Window::Closed
        } else {
            Window::Open
        })
    }

    /// Whether the `n`th nudge (from 1) of the silence that started with
    /// the customer's message at `quiet_since` may go now: only inside the
    /// window, only to a lead the bot still talks to, none after a
    /// person's message, and each only after the one before it.
    pub fn nudge(&self, quiet_since: Timestamp, n: u32, now: Timestamp) -> Result<(), Skip> {
        if self.opted_out_at.is_some() {
            return Err(Skip::OptedOut);
        }
        if self.last_customer_at != quiet_since {
            return Err(Skip::CustomerWrote);
        }
        let team_wrote = self
            .history
            .iter()
            .any(|m| m.speaker == Speaker::Human && m.at >= quiet_since);
        if self.handoff.is_some() || team_wrote {
            return Err(Skip::TeamHasIt);
        }
        if self.booked.is_some() {
            return Err(Skip::CallBooked);
        }
        if self.nudges.saturating_add(1) != n {
            return Err(Skip::NotNext);
        }
        if self.expired(now) {
            return Err(Skip::WindowClosed);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(phrases: &Phrases, text: &str) -> Option<Option<Language>> {
        phrases.said_in(text)
    }

    #[test]
    fn opt_outs_in_the_words_customers_use() {
        let out = Phrases::opt_out(&[]);
        assert_eq!(said(&out, "STOP"), Some(None));
        assert_eq!(said(&out, "Stop!!"), Some(None));
        assert_eq!(said(&out, "baja"), Some(Some(Language::Es)));
        assert_eq!(said(&out, "BAJA por favor"), Some(Some(Language::Es)));
        assert_eq!(
            said(&out, "por favor ya no me escriban más"),
            Some(Some(Language::Es))
        );
        assert_eq!(
            said(&out, "dejen de escribirme!!"),
            Some(Some(Language::Es))
        );
        assert_eq!(
            said(&out, "Please don't message me again."),
            Some(Some(Language::En))
        );
        assert_eq!(said(&out, "unsubscribe"), Some(Some(Language::En)));
    }

    #[test]
    fn words_that_only_look_like_an_opt_out() {
        let out = Phrases::opt_out(&[]);
        for text in [
            "la baja de precios me interesa",
            "stop, what does it cost?",
            "no quiero darme de baja, solo preguntaba",
            "we want to stop missing messages at night",
            "hola",
            "",
        ] {
            assert_eq!(said(&out, text), None, "{text}");
        }
    }

    #[test]
    fn a_playbook_adds_phrases_it_cannot_remove_builtin_ones() {
        let extra = vec![(Language::Es, vec!["¡Ya no quiero saber nada!".to_owned()])];
        let out = Phrases::opt_out(&extra);
        assert_eq!(
            said(&out, "ya no quiero saber nada"),
            Some(Some(Language::Es))
        );
        assert_eq!(said(&out, "STOP"), Some(None));
        let back = Phrases::opt_in(&[]);
        assert_eq!(said(&back, "ALTA"), Some(Some(Language::Es)));
        assert_eq!(said(&back, "start"), Some(Some(Language::En)));
        assert_eq!(said(&back, "let's start with the basics"), None);
    }
}
