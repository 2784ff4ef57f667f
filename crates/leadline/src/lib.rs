//! The `leadline` binary's parts: settings, command line, HTTP surface and
//! the wiring that builds an application from them.

pub mod app;
pub mod chat;
pub mod check;
pub mod cli;
pub mod config;
pub mod eval;
pub mod http;
pub mod knowledge;
pub mod telemetry;
