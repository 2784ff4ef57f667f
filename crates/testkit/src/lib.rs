//! Fake peers for tests, on loopback, speaking the real wire formats: each
//! is reached through the same configurable base URL production uses.

pub mod crm;
pub mod google;
pub mod graph;
pub mod openai;
pub mod postgres;
pub mod proxy;
pub mod redis;
pub mod webhook;

mod server;
