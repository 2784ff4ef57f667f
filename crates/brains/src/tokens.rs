//! Counting prompt tokens the way OpenAI's models do, so prompt size can be
//! exported as a metric and shown to stay flat.

use leadline_domain::context::PromptMessage;
use std::sync::OnceLock;
use tiktoken_rs::CoreBPE;

/// Tokens OpenAI adds around each chat message (role and separators).
const PER_MESSAGE_OVERHEAD: usize = 4;

fn encoder() -> &'static CoreBPE {
    static BPE: OnceLock<CoreBPE> = OnceLock::new();
    // The o200k vocabulary ships inside the crate: no download, no failure.
    BPE.get_or_init(|| tiktoken_rs::o200k_base().expect("tiktoken-rs embeds o200k_base"))
}

/// Prompt tokens of a chat request made of `messages`.
pub fn count(messages: &[PromptMessage]) -> usize {
    let bpe = encoder();
    3 + messages
        .iter()
        .map(|m| PER_MESSAGE_OVERHEAD + bpe.encode_ordinary(&m.content).len())
        .sum::<usize>()
}
