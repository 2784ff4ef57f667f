//! Messages without words of their own (voice notes nobody transcribed,
//! files without a caption, locations, contact cards): what the agent reads
//! for them and how it answers a burst of only those. Kept apart because no
//! brain is asked about them.

use super::{Agent, TurnOutcome};
use crate::conversation::Conversation;
use crate::inbound::Content;
use crate::playbook::{MEDIA_RECEIVED, Stage, VOICE_NOTE};
use jiff::Timestamp;

impl Agent {
    /// Answers a burst of only files and voice notes nobody transcribed:
    /// asks for the voice note in writing, or acknowledges the files and
    /// carries on with the stage's next question.
    pub(super) fn acknowledge(
        &self,
        conversation: &mut Conversation,
        stage: &Stage,
        voice: bool,
        now: Timestamp,
        outcome: &mut TurnOutcome,
    ) {
        let text = if voice {
            self.media_reply(stage, VOICE_NOTE, conversation)
        } else {
            let (lead, language) = (&conversation.lead, conversation.language);
            let next = stage
                .collects
                .iter()
                .find(|f| !lead.has(**f))
                .and_then(|f| {
                    self.playbook
                        .render_reply(stage, &format!("ask_{f}"), lead, language)
                });
            let received = self.media_reply(stage, MEDIA_RECEIVED, conversation);
            [received]
                .into_iter()
                .chain(next)
                .filter(|part| !part.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        };
        self.say(conversation, text, now, outcome);
    }

    /// The stage's `key` reply ([`VOICE_NOTE`], [`MEDIA_RECEIVED`]), or its
    /// `fallback` in a playbook that has none: both keys are optional, so
    /// playbooks written before them still load.
    pub(super) fn media_reply(
        &self,
        stage: &Stage,
        key: &str,
        conversation: &Conversation,
    ) -> String {
        let (lead, language) = (&conversation.lead, conversation.language);
        self.playbook
            .render_reply(stage, key, lead, language)
            .or_else(|| {
                self.playbook
                    .render_reply(stage, "fallback", lead, language)
            })
            .unwrap_or_default()
    }
}

/// What the brain cannot read in a message, for a message that has no
/// words of its own.
pub(super) enum Unread {
    /// A voice note (or audio file) nobody transcribed.
    Voice,
    /// An image, document, video or sticker without a caption.
    File,
}

pub(super) fn unread(content: &Content) -> Option<Unread> {
    let Content::Media { kind, .. } = content else {
        return None;
    };
    if content.text().is_some_and(|t| !t.trim().is_empty()) {
        return None;
    }
    Some(if kind == "audio" {
        Unread::Voice
    } else {
        Unread::File
    })
}

/// What an agent reads for a message: its text, or a description of what
/// was sent. `None` for what calls for no turn (reactions, unknown types).
pub(super) fn readable(content: &Content) -> Option<String> {
    if !content.wants_reply() {
        return None;
    }
    if let Some(text) = content.text().map(str::trim).filter(|t| !t.is_empty()) {
        return Some(text.to_owned());
    }
    Some(match content {
        Content::Media { kind, filename, .. } => match filename {
            Some(name) => format!("[{kind}: {name}]"),
            None => format!("[{kind}]"),
        },
        Content::Location { name, address, .. } => {
            let place: Vec<&str> = [name, address]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect();
            format!("[location: {}]", place.join(", "))
        }
        Content::Contacts { names } => format!("[contact card: {}]", names.join(", ")),
        _ => "[empty message]".to_owned(),
    })
}
