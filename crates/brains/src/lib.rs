//! Brains: `local` (offline, deterministic) and `openai` (any
//! OpenAI-compatible chat-completions endpoint), plus the fallback that puts
//! the first in front of the second.

pub mod tokens;
