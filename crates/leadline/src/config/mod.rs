//! Settings: defaults, overlaid by the TOML config file, overlaid by the
//! environment (CONTRACT.md: "every setting also has an environment
//! variable, and the environment wins"). A bad value is one clear line
//! naming the setting.

use ipnet::IpNet;
use leadline_brains::openai::ToolMode;
use leadline_domain::CustomerId;
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use reqwest::Url;

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

/// The listener's deadlines and limits: the webhook and the dashboard face
/// the internet, so no client may hold a connection, a file descriptor or
/// memory for long without sending a whole request.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// A request's line and headers must arrive within it.
    pub header_timeout: Duration,
    /// A request's body must arrive (and its answer be ready) within it.
    pub body_timeout: Duration,
    /// A kept-alive connection waiting for its next request is closed after it.
    pub idle_timeout: Duration,
    /// Connections served at once; unset, as many as the file-descriptor
    /// limit leaves room for, at most [`DEFAULT_MAX_CONNECTIONS`].
    pub max_connections: Option<usize>,
    /// Peers whose `X-Forwarded-For` / `Forwarded` name the client.
    pub trusted_proxies: Vec<IpNet>,
    /// Where `/metrics` is served instead of the public listener.
    pub metrics_listen: Option<SocketAddr>,
}

/// The connection cap when `LEADLINE_MAX_CONNECTIONS` is unset: far above
/// what Meta and a sales team need, and a bound on the memory slow clients
/// can hold (each connection buffers at most 64 KiB of headers).
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;

/// The CRM webhook (`LEADLINE_CRM_WEBHOOK_URL`).
#[derive(Debug, Clone)]
pub struct CrmSettings {
    pub url: Url,
    /// Signs each delivery (`X-Leadline-Signature`).
    pub secret: Option<Secret>,
    /// Attempts at one delivery before it is dead-lettered.
    pub max_attempts: u32,
    /// The wait after the first failed attempt; it doubles with each.
    pub first_retry: Duration,
}

/// The sales rep told of handoffs (`LEADLINE_REP_PHONE`).
#[derive(Debug, Clone)]
pub struct RepSettings {
    /// Digits only, as WhatsApp ids are.
    pub phone: CustomerId,
    /// An approved template for when the rep's 24-hour window is closed.
    pub template: Option<String>,
    /// The template's language code; the playbook's language when unset.
    pub template_language: Option<String>,
}

/// An OpenAI-compatible `/audio/transcriptions` endpoint.
#[derive(Debug, Clone)]
pub struct TranscriptionSettings {
    pub model: String,
    /// `LEADLINE_TRANSCRIBE_BASE_URL`, else `OPENAI_BASE_URL`.
    pub base_url: String,
    /// `LEADLINE_TRANSCRIBE_API_KEY`, else `OPENAI_API_KEY`.
    pub api_key: Option<Secret>,
}

/// A Google Calendar reached with a service account's key file.
#[derive(Debug, Clone)]
pub struct GoogleSettings {
    pub credentials: PathBuf,
    pub calendar_id: String,
    /// Overrides `https://www.googleapis.com` (tests point it at a fake).
    pub api_base: Option<String>,
}

/// `DATABASE_URL`, by backend.
#[derive(Debug, Clone)]
pub enum Database {
    /// `sqlite://PATH` (or `sqlite::memory:`), as given.
    Sqlite(String),
    /// `postgres://` or `postgresql://`: it may carry a password.
    Postgres(Secret),
}

impl Database {
    /// The URL to connect with.
    pub fn url(&self) -> &str {
        match self {
            Database::Sqlite(url) => url,
            Database::Postgres(url) => url.expose(),
        }
    }

    /// The URL as it may be shown to a person: any password hidden.
    pub fn redacted(&self) -> String {
        redacted_url(self.url())
    }
}

/// A URL with its password (if any) replaced by `***`.
pub fn redacted_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_owned(),
        Err(_) => "(not a URL)".to_owned(),
    }
}

#[derive(Debug, Clone)]
pub struct RedisSettings {
    pub url: Secret,
    /// Every key starts with it, so deployments can share one Redis.
    pub prefix: String,
}

#[derive(Debug, Clone)]
pub struct WhatsAppSettings {
    pub verify_token: Option<Secret>,
    pub app_secret: Option<Secret>,
    pub access_token: Option<Secret>,
    pub phone_number_id: Option<String>,
    pub api_base: String,
    pub api_version: String,
    /// An approved template reminding a customer of their call outside
    /// their 24-hour window (its body's one variable: the call's date and
    /// time); unset, no reminder goes then.
    pub reminder_template: Option<String>,
    /// The template's language; unset, the customer's.
    pub reminder_template_language: Option<String>,
}

#[derive(Debug, Clone)]
pub struct OpenAiSettings {
    pub api_key: Option<Secret>,
    pub base_url: String,
    pub model: String,
    /// One model call's deadline: a model on a CPU takes seconds.
    pub timeout: Duration,
    /// The reply's token cap.
    pub max_tokens: u32,
    /// How the model asks for tools.
    pub tools: ToolMode,
}

#[derive(Debug, Clone)]
pub struct EngineSettings {
    pub workers: usize,
    pub burst_window: Duration,
    pub send_concurrency: usize,
    /// How long a worker holds a conversation before another process may
    /// take it over: how soon a dead worker's turns are answered.
    pub lease: Duration,
    /// How long a send may take before another sender retries it: how soon
    /// a dead sender's replies go out.
    pub send_lease: Duration,
}

/// The config file: every key optional, named like the environment
/// variable without its prefix, grouped by service.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    role: Option<String>,
    listen: Option<String>,
    playbook: Option<String>,
    knowledge: Option<String>,
    log_format: Option<String>,
    database_url: Option<String>,
    redis_url: Option<String>,
    redis_prefix: Option<String>,
    brain: Option<String>,
    model: Option<String>,
    workers: Option<u64>,
    burst_window_ms: Option<u64>,
    send_concurrency: Option<u64>,
    lease_ms: Option<u64>,
    send_lease_ms: Option<u64>,
    admin_token: Option<String>,
    public_url: Option<String>,
    header_timeout_ms: Option<u64>,
    body_timeout_ms: Option<u64>,
    idle_timeout_ms: Option<u64>,
    max_connections: Option<u64>,
    trusted_proxies: Option<Vec<String>>,
    metrics_listen: Option<String>,
    retention_days: Option<u64>,
    #[serde(default)]
    crm: FileCrm,
    #[serde(default)]
    rep: FileRep,
    #[serde(default)]
    whatsapp: FileWhatsApp,
    #[serde(default)]
    openai: FileOpenAi,
    #[serde(default)]
    google: FileGoogle,
    #[serde(default)]
    transcription: FileTranscription,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTranscription {
    model: Option<String>,
    base_url: Option<String>,
    api_key: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileCrm {
    webhook_url: Option<String>,
    webhook_secret: Option<String>,
    max_attempts: Option<u64>,
    retry_ms: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRep {
    phone: Option<String>,
    template: Option<String>,
    template_language: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileGoogle {
    application_credentials: Option<String>,
    calendar_id: Option<String>,
    api_base: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileWhatsApp {
    verify_token: Option<String>,
    app_secret: Option<String>,
    access_token: Option<String>,
    phone_number_id: Option<String>,
    api_base: Option<String>,
    api_version: Option<String>,
    reminder_template: Option<String>,
    reminder_template_language: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileOpenAi {
    api_key: Option<String>,
    base_url: Option<String>,
    timeout_ms: Option<u64>,
    max_tokens: Option<u64>,
    tools: Option<String>,
}

/// The Graph API version Leadline is written against.
pub const DEFAULT_API_VERSION: &str = "v23.0";

impl Settings {
    /// Loads the settings from the optional config file and the process
    /// environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        Self::load_from(file, |name| std::env::var(name).ok())
    }

    /// Like [`Settings::load`], reading variables through `env` (tests).
    /// Each concern is read by a function of its own below; this one only
    /// hands each its part of the file.
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

/// The environment, read over the file: the environment wins, and empty
/// variables count as unset.
struct Vars<'a> {
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl Vars<'_> {
    fn pick(&self, name: &str, from_file: Option<String>) -> Option<String> {
        (self.env)(name)
            .filter(|v| !v.trim().is_empty())
            .or(from_file)
    }

    /// A whole number in `range`, `default` when unset.
    fn number(
        &self,
        name: &'static str,
        from_file: Option<u64>,
        default: u64,
        range: std::ops::RangeInclusive<u64>,
    ) -> Result<u64, ConfigError> {
        number(
            name,
            self.pick(name, from_file.map(|n| n.to_string())),
            default,
            range,
        )
    }

    /// A deadline in milliseconds: at least 100 ms, at most an hour.
    fn millis(
        &self,
        name: &'static str,
        from_file: Option<u64>,
        default: u64,
    ) -> Result<Duration, ConfigError> {
        self.number(name, from_file, default, 100..=3_600_000)
            .map(Duration::from_millis)
    }
}

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

fn whatsapp_settings(vars: &Vars, file: FileWhatsApp) -> Result<WhatsAppSettings, ConfigError> {
    let api_base = vars
        .pick("WHATSAPP_API_BASE", file.api_base)
        .unwrap_or_else(|| "https://graph.facebook.com".into());
    check_url("WHATSAPP_API_BASE", &api_base)?;
    let api_version = vars
        .pick("WHATSAPP_API_VERSION", file.api_version)
        .unwrap_or_else(|| DEFAULT_API_VERSION.into());
    if !is_api_version(&api_version) {
        return Err(bad(
            "WHATSAPP_API_VERSION",
            format!("{api_version:?} is not like v23.0"),
        ));
    }
    let phone_number_id = vars.pick("WHATSAPP_PHONE_NUMBER_ID", file.phone_number_id);
    if let Some(id) = &phone_number_id
        && !id.chars().all(|c| c.is_ascii_digit())
    {
        return Err(bad(
            "WHATSAPP_PHONE_NUMBER_ID",
            "must be the numeric phone number id from Meta's app dashboard",
        ));
    }
    Ok(WhatsAppSettings {
        verify_token: vars
            .pick("WHATSAPP_VERIFY_TOKEN", file.verify_token)
            .map(Secret),
        app_secret: vars
            .pick("WHATSAPP_APP_SECRET", file.app_secret)
            .map(Secret),
        access_token: vars
            .pick("WHATSAPP_ACCESS_TOKEN", file.access_token)
            .map(Secret),
        phone_number_id,
        api_base,
        api_version,
        reminder_template: vars.pick("LEADLINE_REMINDER_TEMPLATE", file.reminder_template),
        reminder_template_language: vars.pick(
            "LEADLINE_REMINDER_TEMPLATE_LANGUAGE",
            file.reminder_template_language,
        ),
    })
}

/// `DATABASE_URL` and `REDIS_URL`: which backend keeps what.
fn stores(
    vars: &Vars,
    database_url: Option<String>,
    redis_url: Option<String>,
    redis_prefix: Option<String>,
) -> Result<(Database, Option<RedisSettings>), ConfigError> {
    let url = vars
        .pick("DATABASE_URL", database_url)
        .unwrap_or_else(|| "sqlite://leadline.db".into());
    let database = if url.starts_with("sqlite:") {
        Database::Sqlite(url)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Url::parse(&url).map_err(|e| bad("DATABASE_URL", format!("is not a URL ({e})")))?;
        Database::Postgres(Secret(url))
    } else {
        return Err(bad(
            "DATABASE_URL",
            "must be sqlite://PATH or postgres://USER@HOST/DATABASE",
        ));
    };
    let redis = match vars.pick("REDIS_URL", redis_url) {
        None => None,
        Some(url) if !url.starts_with("redis://") || Url::parse(&url).is_err() => {
            return Err(bad("REDIS_URL", "must be redis://HOST:PORT"));
        }
        Some(_) if matches!(database, Database::Sqlite(_)) => {
            return Err(bad(
                "REDIS_URL",
                "needs DATABASE_URL=postgres://... for the records (leads, transcripts, outbox)",
            ));
        }
        Some(url) => {
            let prefix = vars
                .pick("LEADLINE_REDIS_PREFIX", redis_prefix)
                .unwrap_or_else(|| "leadline".into());
            if prefix.is_empty() || prefix.contains(['{', '}']) {
                return Err(bad(
                    "LEADLINE_REDIS_PREFIX",
                    "must be non-empty and hold no braces",
                ));
            }
            Some(RedisSettings {
                url: Secret(url),
                prefix,
            })
        }
    };
    Ok((database, redis))
}

/// `LEADLINE_BRAIN` and the OpenAI-compatible endpoint it may call.
fn model_settings(
    vars: &Vars,
    brain: Option<String>,
    model: Option<String>,
    file: FileOpenAi,
) -> Result<(BrainKind, OpenAiSettings), ConfigError> {
    let api_key = vars.pick("OPENAI_API_KEY", file.api_key).map(Secret);
    let brain = match vars.pick("LEADLINE_BRAIN", brain).as_deref() {
        None if api_key.is_some() => BrainKind::OpenAi,
        None | Some("local") => BrainKind::Local,
        Some("openai") => BrainKind::OpenAi,
        Some(other) => {
            return Err(bad(
                "LEADLINE_BRAIN",
                format!("{other:?} is not local or openai"),
            ));
        }
    };
    let base_url = vars
        .pick("OPENAI_BASE_URL", file.base_url)
        .unwrap_or_else(|| "https://api.openai.com/v1".into());
    check_url("OPENAI_BASE_URL", &base_url)?;
    let timeout_ms = vars.number(
        "LEADLINE_MODEL_TIMEOUT_MS",
        file.timeout_ms,
        20_000,
        500..=600_000,
    )?;
    let max_tokens = vars.number("LEADLINE_MODEL_MAX_TOKENS", file.max_tokens, 200, 16..=4096)?;
    let tools = match vars.pick("LEADLINE_MODEL_TOOLS", file.tools).as_deref() {
        None | Some("schema") => ToolMode::Schema,
        Some("native") => ToolMode::Native,
        Some(other) => {
            return Err(bad(
                "LEADLINE_MODEL_TOOLS",
                format!("{other:?} is not schema or native"),
            ));
        }
    };
    let openai = OpenAiSettings {
        api_key,
        base_url,
        model: vars
            .pick("LEADLINE_MODEL", model)
            .unwrap_or_else(|| "gpt-4o".into()),
        timeout: Duration::from_millis(timeout_ms),
        max_tokens: max_tokens as u32,
        tools,
    };
    Ok((brain, openai))
}

/// The file's top-level keys of the engine.
struct FileEngine {
    workers: Option<u64>,
    burst_window_ms: Option<u64>,
    send_concurrency: Option<u64>,
    lease_ms: Option<u64>,
    send_lease_ms: Option<u64>,
}

impl EngineSettings {
    fn read(vars: &Vars, file: FileEngine) -> Result<EngineSettings, ConfigError> {
        Ok(EngineSettings {
            workers: vars.number("LEADLINE_WORKERS", file.workers, 256, 1..=4096)? as usize,
            burst_window: Duration::from_millis(vars.number(
                "LEADLINE_BURST_WINDOW_MS",
                file.burst_window_ms,
                0,
                0..=60_000,
            )?),
            send_concurrency: vars.number(
                "LEADLINE_SEND_CONCURRENCY",
                file.send_concurrency,
                32,
                1..=1024,
            )? as usize,
            lease: Duration::from_millis(vars.number(
                "LEADLINE_LEASE_MS",
                file.lease_ms,
                30_000,
                1_000..=600_000,
            )?),
            send_lease: Duration::from_millis(vars.number(
                "LEADLINE_SEND_LEASE_MS",
                file.send_lease_ms,
                60_000,
                2_000..=600_000,
            )?),
        })
    }
}

/// Google Calendar: both the key file and the calendar, or neither.
fn google_settings(vars: &Vars, file: FileGoogle) -> Result<Option<GoogleSettings>, ConfigError> {
    match (
        vars.pick(
            "GOOGLE_APPLICATION_CREDENTIALS",
            file.application_credentials,
        ),
        vars.pick("GOOGLE_CALENDAR_ID", file.calendar_id),
    ) {
        (Some(credentials), Some(calendar_id)) => {
            let api_base = vars.pick("GOOGLE_API_BASE", file.api_base);
            if let Some(base) = &api_base {
                check_url("GOOGLE_API_BASE", base)?;
            }
            Ok(Some(GoogleSettings {
                credentials: PathBuf::from(credentials),
                calendar_id,
                api_base,
            }))
        }
        (Some(_), None) => Err(bad(
            "GOOGLE_CALENDAR_ID",
            "must be set with GOOGLE_APPLICATION_CREDENTIALS: the calendar calls are booked on",
        )),
        (None, Some(_)) => Err(bad(
            "GOOGLE_APPLICATION_CREDENTIALS",
            "must be set with GOOGLE_CALENDAR_ID: the service account's key file",
        )),
        (None, None) => Ok(None),
    }
}

fn crm_settings(vars: &Vars, file: FileCrm) -> Result<Option<CrmSettings>, ConfigError> {
    let Some(raw) = vars.pick("LEADLINE_CRM_WEBHOOK_URL", file.webhook_url) else {
        return Ok(None);
    };
    let url = http_url("LEADLINE_CRM_WEBHOOK_URL", &raw)?;
    let max_attempts = vars.number("LEADLINE_CRM_MAX_ATTEMPTS", file.max_attempts, 12, 1..=100)?;
    let retry_ms = vars.number(
        "LEADLINE_CRM_RETRY_MS",
        file.retry_ms,
        2_000,
        100..=3_600_000,
    )?;
    Ok(Some(CrmSettings {
        url,
        secret: vars
            .pick("LEADLINE_CRM_WEBHOOK_SECRET", file.webhook_secret)
            .map(Secret),
        max_attempts: max_attempts as u32,
        first_retry: Duration::from_millis(retry_ms),
    }))
}

fn rep_settings(vars: &Vars, file: FileRep) -> Result<Option<RepSettings>, ConfigError> {
    let Some(raw) = vars.pick("LEADLINE_REP_PHONE", file.phone) else {
        return Ok(None);
    };
    let digits = raw.trim().trim_start_matches('+');
    let phone = CustomerId::parse(digits)
        .ok()
        .filter(|_| (6..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()))
        .ok_or_else(|| {
            bad(
                "LEADLINE_REP_PHONE",
                "must be a phone number in international format, like +34600111222",
            )
        })?;
    Ok(Some(RepSettings {
        phone,
        template: vars.pick("LEADLINE_REP_TEMPLATE", file.template),
        template_language: vars.pick("LEADLINE_REP_TEMPLATE_LANGUAGE", file.template_language),
    }))
}

fn public_url_setting(
    vars: &Vars,
    from_file: Option<String>,
) -> Result<Option<String>, ConfigError> {
    let public_url = vars
        .pick("LEADLINE_PUBLIC_URL", from_file)
        .map(|url| url.trim_end_matches('/').to_owned());
    if let Some(url) = &public_url {
        check_url("LEADLINE_PUBLIC_URL", url)?;
    }
    Ok(public_url)
}

/// Speech to text: on with a model; the endpoint and key default to the
/// chat model's.
fn transcription_settings(
    vars: &Vars,
    file: FileTranscription,
    openai: &OpenAiSettings,
) -> Result<Option<TranscriptionSettings>, ConfigError> {
    match (
        vars.pick("LEADLINE_TRANSCRIBE_MODEL", file.model),
        vars.pick("LEADLINE_TRANSCRIBE_BASE_URL", file.base_url),
        vars.pick("LEADLINE_TRANSCRIBE_API_KEY", file.api_key),
    ) {
        (Some(model), base_url, key) => {
            let base_url = base_url.unwrap_or_else(|| openai.base_url.clone());
            check_url("LEADLINE_TRANSCRIBE_BASE_URL", &base_url)?;
            Ok(Some(TranscriptionSettings {
                model: model.trim().to_owned(),
                base_url,
                api_key: key.map(Secret).or_else(|| openai.api_key.clone()),
            }))
        }
        // A half-configured transcriber would stay off without a word.
        (None, Some(_), _) | (None, _, Some(_)) => Err(bad(
            "LEADLINE_TRANSCRIBE_MODEL",
            "must be set to transcribe voice notes (e.g. whisper-1) when LEADLINE_TRANSCRIBE_BASE_URL or LEADLINE_TRANSCRIBE_API_KEY is",
        )),
        (None, None, None) => Ok(None),
    }
}

fn admin_token_setting(
    vars: &Vars,
    from_file: Option<String>,
) -> Result<Option<Secret>, ConfigError> {
    let admin_token = vars.pick("LEADLINE_ADMIN_TOKEN", from_file).map(Secret);
    if let Some(token) = &admin_token
        && token.expose().chars().count() < MIN_ADMIN_TOKEN
    {
        return Err(bad(
            "LEADLINE_ADMIN_TOKEN",
            format!(
                "must be at least {MIN_ADMIN_TOKEN} characters; make one with `openssl rand -hex 32`"
            ),
        ));
    }
    Ok(admin_token)
}

/// The file's top-level keys of the listener.
struct FileHttp {
    header_timeout_ms: Option<u64>,
    body_timeout_ms: Option<u64>,
    idle_timeout_ms: Option<u64>,
    max_connections: Option<u64>,
    trusted_proxies: Option<Vec<String>>,
    metrics_listen: Option<String>,
}

impl HttpSettings {
    fn read(vars: &Vars, file: FileHttp) -> Result<HttpSettings, ConfigError> {
        Ok(HttpSettings {
            header_timeout: vars.millis(
                "LEADLINE_HEADER_TIMEOUT_MS",
                file.header_timeout_ms,
                10_000,
            )?,
            body_timeout: vars.millis("LEADLINE_BODY_TIMEOUT_MS", file.body_timeout_ms, 30_000)?,
            idle_timeout: vars.millis("LEADLINE_IDLE_TIMEOUT_MS", file.idle_timeout_ms, 75_000)?,
            max_connections: vars
                .pick(
                    "LEADLINE_MAX_CONNECTIONS",
                    file.max_connections.map(|n| n.to_string()),
                )
                .map(|raw| {
                    number("LEADLINE_MAX_CONNECTIONS", Some(raw), 0, 1..=1_000_000)
                        .map(|n| n as usize)
                })
                .transpose()?,
            trusted_proxies: match vars.pick(
                "LEADLINE_TRUSTED_PROXIES",
                file.trusted_proxies.map(|list| list.join(",")),
            ) {
                None => Vec::new(),
                Some(raw) => proxies(&raw)?,
            },
            metrics_listen: address(vars, "LEADLINE_METRICS_LISTEN", file.metrics_listen)?,
        })
    }
}

/// The shortest admin token accepted: it guards every lead, and a short
/// one falls to guessing however guesses are limited.
pub const MIN_ADMIN_TOKEN: usize = 32;

/// `LEADLINE_TRUSTED_PROXIES`: addresses or CIDR ranges, split by commas
/// or spaces.
fn proxies(raw: &str) -> Result<Vec<IpNet>, ConfigError> {
    raw.split([',', ' '])
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<IpNet>()
                .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    bad(
                        "LEADLINE_TRUSTED_PROXIES",
                        format!("{item:?} is not an address or a CIDR range like 10.0.0.0/8"),
                    )
                })
        })
        .collect()
}

fn read_file(path: &Path) -> Result<FileSettings, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        bad(
            "LEADLINE_CONFIG",
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| {
                text.as_bytes()[..s.start.min(text.len())]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count()
                    + 1
            })
            .unwrap_or(1);
        bad(
            "LEADLINE_CONFIG",
            format!("{} line {line}: {}", path.display(), e.message()),
        )
    })
}

fn check_url(name: &'static str, url: &str) -> Result<(), ConfigError> {
    http_url(name, url).map(drop)
}

/// An `http://` or `https://` URL with a host.
fn http_url(name: &'static str, url: &str) -> Result<Url, ConfigError> {
    match Url::parse(url) {
        Ok(parsed)
            if matches!(parsed.scheme(), "http" | "https") && parsed.host_str().is_some() =>
        {
            Ok(parsed)
        }
        _ => Err(bad(name, format!("{url:?} is not an http(s) URL"))),
    }
}

fn is_api_version(v: &str) -> bool {
    v.strip_prefix('v')
        .and_then(|rest| rest.split_once('.'))
        .is_some_and(|(major, minor)| {
            !major.is_empty()
                && major.chars().all(|c| c.is_ascii_digit())
                && minor.chars().all(|c| c.is_ascii_digit())
                && !minor.is_empty()
        })
}

fn number(
    name: &'static str,
    raw: Option<String>,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, ConfigError> {
    let Some(raw) = raw else { return Ok(default) };
    let n: u64 = raw
        .trim()
        .parse()
        .map_err(|_| bad(name, format!("{raw:?} is not a whole number")))?;
    if range.contains(&n) {
        Ok(n)
    } else {
        Err(bad(
            name,
            format!("{n} is outside {}..={}", range.start(), range.end()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(vars: &[(&str, &str)], file: Option<&str>) -> Result<Settings, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let path = file.map(|text| {
            let path = std::env::temp_dir().join(format!(
                "leadline-config-{}-{}.toml",
                std::process::id(),
                fastrand_suffix()
            ));
            std::fs::write(&path, text).unwrap();
            path
        });
        let result = Settings::load_from(path.as_deref(), |k| vars.get(k).cloned());
        if let Some(p) = path {
            let _ = std::fs::remove_file(p);
        }
        result
    }

    fn fastrand_suffix() -> u64 {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        N.fetch_add(1, Ordering::Relaxed)
    }

    #[test]
    fn retention_is_a_positive_number_of_days_or_unset() {
        assert_eq!(load(&[], None).unwrap().retention, None);
        let days = load(&[("LEADLINE_RETENTION_DAYS", " 30 ")], None).unwrap();
        assert_eq!(days.retention, Some(Duration::from_secs(30 * 24 * 3600)));
        let file = load(&[], Some("retention_days = 7\n")).unwrap();
        assert_eq!(file.retention, Some(Duration::from_secs(7 * 24 * 3600)));
        for bad in ["0", "-3", "1.5", "forever", "36501"] {
            let refused = load(&[("LEADLINE_RETENTION_DAYS", bad)], None);
            let message = refused.expect_err(bad).to_string();
            assert!(message.contains("LEADLINE_RETENTION_DAYS"), "{message}");
        }
    }

    #[test]
    fn runs_with_no_configuration_at_all() {
        let s = load(&[], None).unwrap();
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        assert!(matches!(&s.database, Database::Sqlite(url) if url == "sqlite://leadline.db"));
        assert_eq!(s.brain, BrainKind::Local);
        assert_eq!(s.whatsapp.api_base, "https://graph.facebook.com");
        assert_eq!(s.openai.model, "gpt-4o");
        assert_eq!(s.openai.timeout, Duration::from_secs(20));
        assert_eq!(s.openai.max_tokens, 200);
        assert_eq!(s.role, Role::All);
    }

    #[test]
    fn a_cpu_model_gets_its_deadline_and_token_cap_from_the_file_or_the_environment() {
        let file = "[openai]\ntimeout_ms = 90000\nmax_tokens = 80\n";
        let s = load(&[], Some(file)).unwrap();
        assert_eq!(s.openai.timeout, Duration::from_secs(90));
        assert_eq!(s.openai.max_tokens, 80);
        let s = load(&[("LEADLINE_MODEL_TIMEOUT_MS", "60000")], Some(file)).unwrap();
        assert_eq!(
            s.openai.timeout,
            Duration::from_secs(60),
            "the environment wins"
        );
    }

    #[test]
    fn tools_go_in_the_schema_unless_native_calls_are_asked_for() {
        assert_eq!(load(&[], None).unwrap().openai.tools, ToolMode::Schema);
        let file = "[openai]\ntools = \"native\"\n";
        assert_eq!(
            load(&[], Some(file)).unwrap().openai.tools,
            ToolMode::Native
        );
        let s = load(&[("LEADLINE_MODEL_TOOLS", "schema")], Some(file)).unwrap();
        assert_eq!(s.openai.tools, ToolMode::Schema, "the environment wins");
        let error = load(&[("LEADLINE_MODEL_TOOLS", "both")], None).unwrap_err();
        assert!(
            error.to_string().contains("LEADLINE_MODEL_TOOLS"),
            "{error}"
        );
    }

    #[test]
    fn google_calendar_needs_both_the_key_file_and_the_calendar() {
        assert!(load(&[], None).unwrap().google.is_none());
        let file = "[google]\napplication_credentials = \"/etc/sa.json\"\ncalendar_id = \"sales@x.example\"\n";
        let google = load(&[("GOOGLE_API_BASE", "http://127.0.0.1:9")], Some(file))
            .unwrap()
            .google
            .unwrap();
        assert_eq!(google.credentials, PathBuf::from("/etc/sa.json"));
        assert_eq!(google.calendar_id, "sales@x.example");
        assert_eq!(google.api_base.as_deref(), Some("http://127.0.0.1:9"));
        let half = load(&[("GOOGLE_APPLICATION_CREDENTIALS", "/etc/sa.json")], None);
        assert_eq!(half.unwrap_err().name, "GOOGLE_CALENDAR_ID");
        let half = load(&[("GOOGLE_CALENDAR_ID", "sales@x.example")], None);
        assert_eq!(half.unwrap_err().name, "GOOGLE_APPLICATION_CREDENTIALS");
        let bad_base = load(
            &[
                ("GOOGLE_CALENDAR_ID", "c"),
                ("GOOGLE_APPLICATION_CREDENTIALS", "/k.json"),
                ("GOOGLE_API_BASE", "not a url"),
            ],
            None,
        );
        assert_eq!(bad_base.unwrap_err().name, "GOOGLE_API_BASE");
    }

    #[test]
    fn the_crm_and_the_rep_come_from_the_file_or_the_environment() {
        let unset = load(&[], None).unwrap();
        assert!(unset.crm.is_none() && unset.rep.is_none() && unset.public_url.is_none());
        let file = "public_url = \"https://leads.example.com/\"\n[crm]\nwebhook_url = \"https://crm.example.com/hook\"\nwebhook_secret = \"s\"\n[rep]\nphone = \"+34 600111222\"\n";
        let bad_phone = load(&[], Some(file));
        assert_eq!(bad_phone.unwrap_err().name, "LEADLINE_REP_PHONE");
        let s = load(
            &[
                ("LEADLINE_REP_PHONE", "+34600111222"),
                ("LEADLINE_REP_TEMPLATE", "lead_handoff"),
                ("LEADLINE_CRM_MAX_ATTEMPTS", "5"),
            ],
            Some(file),
        )
        .unwrap();
        let crm = s.crm.unwrap();
        assert_eq!(crm.url.as_str(), "https://crm.example.com/hook");
        assert_eq!(crm.secret.unwrap().expose(), "s");
        assert_eq!(crm.max_attempts, 5);
        assert_eq!(crm.first_retry, Duration::from_secs(2));
        let rep = s.rep.unwrap();
        assert_eq!(rep.phone.as_str(), "34600111222");
        assert_eq!(rep.template.as_deref(), Some("lead_handoff"));
        assert_eq!(rep.template_language, None);
        assert_eq!(s.public_url.as_deref(), Some("https://leads.example.com"));
        for (name, value) in [
            ("LEADLINE_CRM_WEBHOOK_URL", "crm.example.com"),
            ("LEADLINE_PUBLIC_URL", "leads"),
        ] {
            assert_eq!(load(&[(name, value)], None).unwrap_err().name, name);
        }
        let zero = load(
            &[
                ("LEADLINE_CRM_WEBHOOK_URL", "http://127.0.0.1:9/"),
                ("LEADLINE_CRM_MAX_ATTEMPTS", "0"),
            ],
            None,
        );
        assert_eq!(zero.unwrap_err().name, "LEADLINE_CRM_MAX_ATTEMPTS");
    }

    #[test]
    fn transcription_is_on_with_a_model_and_borrows_the_openai_endpoint() {
        assert!(load(&[], None).unwrap().transcription.is_none());
        let s = load(
            &[
                ("LEADLINE_TRANSCRIBE_MODEL", "whisper-1"),
                ("OPENAI_API_KEY", "sk-chat"),
                ("OPENAI_BASE_URL", "https://llm.example/v1"),
            ],
            None,
        )
        .unwrap();
        let t = s.transcription.unwrap();
        assert_eq!(t.model, "whisper-1");
        assert_eq!(t.base_url, "https://llm.example/v1");
        assert_eq!(t.api_key.as_ref().map(Secret::expose), Some("sk-chat"));

        let file = "[transcription]\nmodel = \"whisper-large-v3\"\nbase_url = \"http://127.0.0.1:9/v1\"\napi_key = \"gsk-file\"\n";
        let t = load(&[("LEADLINE_TRANSCRIBE_API_KEY", "gsk-env")], Some(file))
            .unwrap()
            .transcription
            .unwrap();
        assert_eq!(t.model, "whisper-large-v3");
        assert_eq!(t.base_url, "http://127.0.0.1:9/v1");
        assert_eq!(t.api_key.as_ref().map(Secret::expose), Some("gsk-env"));

        let half = load(&[("LEADLINE_TRANSCRIBE_BASE_URL", "http://x:1/v1")], None);
        assert_eq!(half.unwrap_err().name, "LEADLINE_TRANSCRIBE_MODEL");
        let bad_base = load(
            &[
                ("LEADLINE_TRANSCRIBE_MODEL", "whisper-1"),
                ("LEADLINE_TRANSCRIBE_BASE_URL", "not a url"),
            ],
            None,
        );
        assert_eq!(bad_base.unwrap_err().name, "LEADLINE_TRANSCRIBE_BASE_URL");
    }

    #[test]
    fn the_role_comes_from_the_environment_or_the_file() {
        assert_eq!(
            load(&[("LEADLINE_ROLE", "worker")], None).unwrap().role,
            Role::Worker
        );
        let file = "role = \"ingress\"\n";
        assert_eq!(load(&[], Some(file)).unwrap().role, Role::Ingress);
        assert_eq!(
            load(&[("LEADLINE_ROLE", "all")], Some(file)).unwrap().role,
            Role::All
        );
    }

    #[test]
    fn the_environment_wins_over_the_file() {
        let file = "listen = \"127.0.0.1:9000\"\nmodel = \"from-file\"\n[whatsapp]\napi_version = \"v21.0\"\n";
        let s = load(&[("LEADLINE_MODEL", "from-env")], Some(file)).unwrap();
        assert_eq!(s.listen.port(), 9000);
        assert_eq!(s.openai.model, "from-env");
        assert_eq!(s.whatsapp.api_version, "v21.0");
    }

    #[test]
    fn an_openai_key_selects_the_openai_brain_unless_told_otherwise() {
        assert_eq!(
            load(&[("OPENAI_API_KEY", "sk-x")], None).unwrap().brain,
            BrainKind::OpenAi
        );
        let local = load(
            &[("OPENAI_API_KEY", "sk-x"), ("LEADLINE_BRAIN", "local")],
            None,
        )
        .unwrap();
        assert_eq!(local.brain, BrainKind::Local);
    }

    #[test]
    fn database_urls_select_sqlite_or_postgresql() {
        for url in [
            "sqlite://leadline.db",
            "sqlite::memory:",
            "postgres://leadline@db/leadline",
            "postgresql://leadline@db/leadline",
        ] {
            assert_eq!(
                load(&[("DATABASE_URL", url)], None).unwrap().database.url(),
                url
            );
        }
    }

    #[test]
    fn redis_keeps_the_inbox_next_to_postgresql_only() {
        let pg = ("DATABASE_URL", "postgres://leadline@db/leadline");
        let s = load(&[pg, ("REDIS_URL", "redis://cache:6379")], None).unwrap();
        let redis = s.redis.expect("redis settings");
        assert_eq!(redis.url.expose(), "redis://cache:6379");
        assert_eq!(redis.prefix, "leadline");
        let s = load(
            &[
                pg,
                ("REDIS_URL", "redis://cache:6379"),
                ("LEADLINE_REDIS_PREFIX", "acme"),
            ],
            None,
        )
        .unwrap();
        assert_eq!(s.redis.expect("redis settings").prefix, "acme");
        let err = load(&[("REDIS_URL", "redis://cache:6379")], None).unwrap_err();
        assert!(
            err.to_string().contains("DATABASE_URL=postgres://"),
            "{err}"
        );
        for (name, value) in [
            ("REDIS_URL", "cache:6379"),
            ("LEADLINE_REDIS_PREFIX", "{tag}"),
        ] {
            let err = load(&[pg, ("REDIS_URL", "redis://c"), (name, value)], None).unwrap_err();
            assert!(err.to_string().contains(name), "{err}");
        }
    }

    #[test]
    fn bad_values_name_the_setting() {
        let cases = [
            ("LEADLINE_LISTEN", "nonsense"),
            ("WHATSAPP_API_BASE", "ftp://x"),
            ("WHATSAPP_API_VERSION", "23"),
            ("LEADLINE_BRAIN", "gpt"),
            ("LEADLINE_WORKERS", "0"),
            ("LEADLINE_ROLE", "both"),
            ("LEADLINE_LEASE_MS", "10"),
            ("LEADLINE_SEND_LEASE_MS", "lots"),
            ("LEADLINE_MODEL_TIMEOUT_MS", "0"),
            ("LEADLINE_MODEL_MAX_TOKENS", "many"),
            ("LEADLINE_LOG_FORMAT", "xml"),
            ("DATABASE_URL", "mysql://x"),
            ("DATABASE_URL", "postgres:/x"),
        ];
        for (name, value) in cases {
            let err = load(&[(name, value)], None).unwrap_err();
            assert_eq!(err.name, name, "{value}");
            assert!(
                err.to_string().starts_with(&format!("setting {name}: ")),
                "{err}"
            );
        }
    }

    #[test]
    fn a_bad_config_file_names_the_line() {
        let err = load(&[], Some("listen = \"127.0.0.1:1\"\nunknown_key = 3\n")).unwrap_err();
        assert_eq!(err.name, "LEADLINE_CONFIG");
        assert!(err.to_string().contains("line 2"), "{err}");
    }

    #[test]
    fn secrets_never_print() {
        let s = load(
            &[
                ("WHATSAPP_APP_SECRET", "hunter2"),
                ("OPENAI_API_KEY", "sk-secret"),
            ],
            None,
        )
        .unwrap();
        let debug = format!("{s:?}");
        assert!(!debug.contains("hunter2") && !debug.contains("sk-secret"));
    }

    #[test]
    fn the_admin_token_comes_from_the_environment_or_the_file_and_never_prints() {
        assert!(load(&[], None).unwrap().admin_token.is_none());
        let (in_file, in_env) = ("from-file-".repeat(4), "from-env-".repeat(4));
        let file = format!("admin_token = \"{in_file}\"\n");
        let s = load(&[], Some(&file)).unwrap();
        assert_eq!(
            s.admin_token.as_ref().map(Secret::expose),
            Some(in_file.as_str())
        );
        let s = load(&[("LEADLINE_ADMIN_TOKEN", &in_env)], Some(&file)).unwrap();
        assert_eq!(
            s.admin_token.as_ref().map(Secret::expose),
            Some(in_env.as_str())
        );
        assert!(!format!("{s:?}").contains(&in_env));
    }

    #[test]
    fn a_short_admin_token_is_refused_saying_how_to_make_one() {
        let err = load(&[("LEADLINE_ADMIN_TOKEN", "a")], None).unwrap_err();
        assert_eq!(err.name, "LEADLINE_ADMIN_TOKEN");
        assert!(err.to_string().contains("openssl rand"), "{err}");
        assert!(load(&[("LEADLINE_ADMIN_TOKEN", &"x".repeat(32))], None).is_ok());
    }

    #[test]
    fn the_listener_limits_have_defaults_a_file_key_and_a_variable() {
        let http = load(&[], None).unwrap().http;
        assert_eq!(http.header_timeout, Duration::from_secs(10));
        assert_eq!(http.body_timeout, Duration::from_secs(30));
        assert_eq!(http.idle_timeout, Duration::from_secs(75));
        assert_eq!(http.max_connections, None);
        assert!(http.trusted_proxies.is_empty() && http.metrics_listen.is_none());
        let file = "header_timeout_ms = 2000\nmax_connections = 100\ntrusted_proxies = [\"10.0.0.0/8\", \"::1\"]\nmetrics_listen = \"127.0.0.1:9100\"\n";
        let http = load(&[("LEADLINE_BODY_TIMEOUT_MS", "5000")], Some(file))
            .unwrap()
            .http;
        assert_eq!(http.header_timeout, Duration::from_secs(2));
        assert_eq!(http.body_timeout, Duration::from_secs(5));
        assert_eq!(http.max_connections, Some(100));
        assert_eq!(http.trusted_proxies.len(), 2);
        assert!(
            http.trusted_proxies[0].contains(&"10.1.2.3".parse::<IpAddr>().unwrap())
                && http.trusted_proxies[1].contains(&"::1".parse::<IpAddr>().unwrap())
        );
        assert_eq!(http.metrics_listen.unwrap().port(), 9100);
        for (name, value) in [
            ("LEADLINE_TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal"),
            ("LEADLINE_HEADER_TIMEOUT_MS", "0"),
            ("LEADLINE_IDLE_TIMEOUT_MS", "soon"),
            ("LEADLINE_MAX_CONNECTIONS", "0"),
            ("LEADLINE_METRICS_LISTEN", "9100"),
        ] {
            assert_eq!(load(&[(name, value)], None).unwrap_err().name, name);
        }
    }
}
