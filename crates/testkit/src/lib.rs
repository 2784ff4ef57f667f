//! Fake peers for tests, on loopback, speaking the real wire formats: each
//! is reached through the same configurable base URL production uses.

pub mod graph;
pub mod openai;
pub mod webhook;
