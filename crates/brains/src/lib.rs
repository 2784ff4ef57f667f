//! Brains: `local` (offline, deterministic) and `openai` (any
//! OpenAI-compatible chat-completions endpoint), plus the fallback that puts
//! the first in front of the second.

pub mod fallback;
pub mod local;
pub mod openai;
pub mod tokens;
