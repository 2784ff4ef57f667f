//! The command line.

use crate::config::Role;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// The version and the commit the binary was built from (`unknown` when
/// built outside a git checkout without `LEADLINE_GIT_COMMIT`; see build.rs).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("LEADLINE_GIT_COMMIT"),
    ")"
);

/// Leadline: a WhatsApp AI sales agent server.
#[derive(Debug, Parser)]
#[command(version = VERSION, about, propagate_version = true)]
pub struct Cli {
    /// TOML config file; every setting also has an environment variable,
    /// and the environment wins.
    #[arg(long, global = true, env = "LEADLINE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the webhook ingress, the workers and the admin endpoints.
    Serve {
        /// Run one half only, to run several processes on one shared store:
        /// `ingress` takes webhooks, `worker` answers and sends (both serve
        /// /healthz, /readyz and /metrics). Default: `all`, or
        /// `LEADLINE_ROLE` / `role` in the config file.
        #[arg(long, value_enum, value_name = "ROLE")]
        role: Option<Role>,
    },
    /// Talk to the agent in the terminal as a customer would on WhatsApp,
    /// through the same engine and store as the webhook.
    Chat {
        /// Continue the conversation of this WhatsApp id (default: a new
        /// customer each run).
        #[arg(long, value_name = "WA_ID")]
        customer: Option<String>,
        /// Print the stage and the lead after each reply.
        #[arg(long)]
        show_state: bool,
    },
    /// Run scripted customer conversations through the full pipeline (on
    /// a temporary store) and print outcome figures; exit 1 when an
    /// expectation fails, 2 for a bad scenario file.
    Eval {
        /// Scenario files (TOML; see evals/README.md).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Print the figures and every scenario's outcome as JSON.
        #[arg(long)]
        json: bool,
        /// Run only the scenarios with this tag (e.g. `model`, the fixed
        /// subset run against a real model).
        #[arg(long, value_name = "TAG")]
        tag: Option<String>,
        /// Scenarios run at once; 1 measures a single-slot model's latency
        /// without queueing.
        #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
        parallel: u16,
        /// Fail the run when a model did not answer a turn itself (the
        /// fallback brain did): a real-model run must measure the model.
        #[arg(long)]
        require_model: bool,
    },
    /// Apply database migrations and exit (serve also applies them).
    Migrate,
    /// Check the settings.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Ask a running `leadline serve` on this machine whether it is up (a
    /// GET of /healthz at LEADLINE_LISTEN, loopback for 0.0.0.0); exit 0
    /// when it answers 200, 1 otherwise. For container health checks:
    /// the image needs no HTTP client of its own.
    Health {
        /// The path to ask, e.g. /readyz (stores reachable).
        #[arg(long, default_value = "/healthz", value_name = "PATH")]
        path: String,
        /// Give up after this long.
        #[arg(long, default_value_t = 3000, value_name = "MS")]
        timeout_ms: u64,
    },
    /// Work with playbook files.
    Playbook {
        #[command(subcommand)]
        command: PlaybookCommand,
    },
    /// Work with knowledge folders (Markdown and text files the agent
    /// answers customers' questions from).
    Knowledge {
        #[command(subcommand)]
        command: KnowledgeCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum KnowledgeCommand {
    /// List the folder's passages and what is wrong with them, as
    /// file:line; exit 1 when something is, 2 when the folder cannot be
    /// read.
    Check {
        /// The knowledge folder.
        dir: PathBuf,
    },
    /// Show the passages that best answer a question, with their
    /// relevance and whether it clears the threshold.
    Search {
        /// The knowledge folder.
        dir: PathBuf,
        /// The question, as a customer would write it.
        query: String,
        /// How many passages to show.
        #[arg(long, short, default_value_t = 3)]
        k: usize,
        /// What the customer said before (their need, the rest of the
        /// message), which tells what a short question is about: "¿cuánto
        /// cuesta?" after "quiero una limpieza".
        #[arg(long, default_value = "")]
        context: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Load and check every setting as `serve` would (the config file, the
    /// environment, the playbook, the knowledge folder, key files, URLs),
    /// say which brain, store and calendar would run, and start nothing:
    /// no listener, no database connection, no outside call. Secrets are
    /// never printed. Exit 0 when `serve` would start, 2 when it would not.
    Check,
}

#[derive(Debug, Subcommand)]
pub enum PlaybookCommand {
    /// Validate a playbook file; errors name the line and the field.
    Check {
        /// The playbook TOML file.
        file: PathBuf,
    },
}
