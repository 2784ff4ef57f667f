//! Settings: defaults, overlaid by the TOML config file, overlaid by the
//! environment (CONTRACT.md: "every setting also has an environment
//! variable, and the environment wins"). A bad value is one clear line
//! naming the setting.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use reqwest::Url;

mod file;
mod server;
mod services;
mod stores;
mod values;

use file::{FileSettings, read_file};
pub use server::{DEFAULT_MAX_CONNECTIONS, EngineSettings, HttpSettings, MIN_ADMIN_TOKEN};
use server::{FileEngine, FileHttp, admin_token_setting, public_url_setting};
pub use services::{
    CrmSettings, DEFAULT_API_VERSION, GoogleSettings, OpenAiSettings, RepSettings,
    TranscriptionSettings, WhatsAppSettings,
};
use services::{
    crm_settings, google_settings, model_settings, rep_settings, transcription_settings,
    whatsapp_settings,
};
use stores::stores;
pub use stores::{Database, RedisSettings, redacted_url};
use values::{Vars, number};

/// A setting that cannot be used; the message names it.
#[derive(Debug, thiserror::Error)]
#[error("setting {name}: {problem}")]
pub struct ConfigError {
    pub name: &'static str,
    pub problem: String,
}

fn bad(name: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        name,
        problem: problem.into(),
    }
}

/// Which brain answers customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrainKind {
    Local,
    OpenAi,
}

/// Which half of Leadline a `serve` process runs, so several processes can
/// share one store: ingresses take webhooks, workers answer and send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Role {
    /// The webhook (plus probes and metrics); no workers, no sender.
    Ingress,
    /// The workers and the sender; only probes and metrics over HTTP.
    Worker,
    /// Both, in one process.
    #[default]
    All,
}

impl Role {
    /// Takes webhooks.
    pub fn ingress(self) -> bool {
        matches!(self, Role::Ingress | Role::All)
    }

    /// Runs the engine (workers and sender).
    pub fn worker(self) -> bool {
        matches!(self, Role::Worker | Role::All)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// A secret: never printed, not even by `Debug`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub role: Role,
    pub listen: SocketAddr,
    pub playbook: Option<PathBuf>,
    /// The folder the agent answers questions from; unset, the built-in
    /// playbook's own.
    pub knowledge: Option<PathBuf>,
    pub log_format: LogFormat,
    pub whatsapp: WhatsAppSettings,
    /// Where the records live (and, without Redis, the inbox and the
    /// conversations).
    pub database: Database,
    /// When set, conversations and the inbox live in Redis (the records
    /// stay in PostgreSQL, which `database_url` must then name).
    pub redis: Option<RedisSettings>,
    pub brain: BrainKind,
    pub openai: OpenAiSettings,
    pub engine: EngineSettings,
    /// The admin API's bearer token; unset, the admin API refuses everything.
    pub admin_token: Option<Secret>,
    /// Where calls are booked: Google Calendar when set, else the local
    /// calendar in the store.
    pub google: Option<GoogleSettings>,
    /// Where handed-off and booked leads are delivered.
    pub crm: Option<CrmSettings>,
    /// Who is told of a handoff on WhatsApp.
    pub rep: Option<RepSettings>,
    /// The dashboard's address as the team reaches it
    /// (`https://leads.example.com`), for links in the rep's notices and
    /// the CRM's records.
    pub public_url: Option<String>,
    /// Speech to text for voice notes; unset, customers who send one are
    /// asked to write instead.
    pub transcription: Option<TranscriptionSettings>,
    /// What the listener allows a client.
    pub http: HttpSettings,
    /// Conversations idle for longer are erased (`LEADLINE_RETENTION_DAYS`);
    /// unset, kept.
    pub retention: Option<Duration>,
}

impl Settings {
    /// Loads the settings from the optional config file and the process
    /// environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        Self::load_from(file, |name| std::env::var(name).ok())
    }

    /// Like [`Settings::load`], reading variables through `env` (tests).
    /// Each concern is read by a function of its own (in the section
    /// modules); this one only hands each its part of the file.
    pub fn load_from(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Settings, ConfigError> {
        let file = match file {
            Some(path) => read_file(path)?,
            None => FileSettings::default(),
        };
        let vars = Vars { env: &env };
        let FileSettings {
            role,
            listen,
            playbook,
            knowledge,
            log_format,
            database_url,
            redis_url,
            redis_prefix,
            brain,
            model,
            workers,
            burst_window_ms,
            send_concurrency,
            lease_ms,
            send_lease_ms,
            admin_token,
            public_url,
            header_timeout_ms,
            body_timeout_ms,
            idle_timeout_ms,
            max_connections,
            trusted_proxies,
            metrics_listen,
            retention_days,
            crm,
            rep,
            whatsapp,
            openai,
            google,
            transcription,
        } = file;

        let (database, redis) = stores(&vars, database_url, redis_url, redis_prefix)?;
        let (brain, openai) = model_settings(&vars, brain, model, openai)?;
        let transcription = transcription_settings(&vars, transcription, &openai)?;
        Ok(Settings {
            role: role_setting(&vars, role)?,
            listen: address(&vars, "LEADLINE_LISTEN", listen)?.unwrap_or(DEFAULT_LISTEN),
            playbook: vars.pick("LEADLINE_PLAYBOOK", playbook).map(PathBuf::from),
            knowledge: vars
                .pick("LEADLINE_KNOWLEDGE", knowledge)
                .map(PathBuf::from),
            log_format: log_format_setting(&vars, log_format)?,
            whatsapp: whatsapp_settings(&vars, whatsapp)?,
            database,
            redis,
            brain,
            openai,
            engine: EngineSettings::read(
                &vars,
                FileEngine {
                    workers,
                    burst_window_ms,
                    send_concurrency,
                    lease_ms,
                    send_lease_ms,
                },
            )?,
            admin_token: admin_token_setting(&vars, admin_token)?,
            google: google_settings(&vars, google)?,
            crm: crm_settings(&vars, crm)?,
            rep: rep_settings(&vars, rep)?,
            public_url: public_url_setting(&vars, public_url)?,
            transcription,
            http: HttpSettings::read(
                &vars,
                FileHttp {
                    header_timeout_ms,
                    body_timeout_ms,
                    idle_timeout_ms,
                    max_connections,
                    trusted_proxies,
                    metrics_listen,
                },
            )?,
            retention: retention_setting(&vars, retention_days)?,
        })
    }
}

/// `LEADLINE_RETENTION_DAYS`: a whole number of days, at least one (and
/// at most a century, so the duration cannot overflow); unset keeps
/// conversations forever.
fn retention_setting(vars: &Vars, from_file: Option<u64>) -> Result<Option<Duration>, ConfigError> {
    const NAME: &str = "LEADLINE_RETENTION_DAYS";
    vars.pick(NAME, from_file.map(|n| n.to_string()))
        .map(|raw| {
            number(NAME, Some(raw), 0, 1..=36_500).map(|days| Duration::from_secs(days * 24 * 3600))
        })
        .transpose()
}

/// Where `serve` listens when nothing says otherwise.
const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8080);

fn role_setting(vars: &Vars, from_file: Option<String>) -> Result<Role, ConfigError> {
    match vars.pick("LEADLINE_ROLE", from_file) {
        None => Ok(Role::default()),
        Some(raw) => <Role as clap::ValueEnum>::from_str(raw.trim(), false).map_err(|_| {
            bad(
                "LEADLINE_ROLE",
                format!("{raw:?} is not ingress, worker or all"),
            )
        }),
    }
}

/// An `address:port` setting, when set.
fn address(
    vars: &Vars,
    name: &'static str,
    from_file: Option<String>,
) -> Result<Option<SocketAddr>, ConfigError> {
    vars.pick(name, from_file)
        .map(|raw| {
            raw.trim()
                .parse()
                .map_err(|_| bad(name, format!("{raw:?} is not an address:port")))
        })
        .transpose()
}

fn log_format_setting(vars: &Vars, from_file: Option<String>) -> Result<LogFormat, ConfigError> {
    match vars.pick("LEADLINE_LOG_FORMAT", from_file).as_deref() {
        None | Some("text") => Ok(LogFormat::Text),
        Some("json") => Ok(LogFormat::Json),
        Some(other) => Err(bad(
            "LEADLINE_LOG_FORMAT",
            format!("{other:?} is not text or json"),
        )),
    }
}

#[cfg(test)]
mod tests;
