//! Settings: defaults, overlaid by the TOML config file, overlaid by the
//! environment (CONTRACT.md: "every setting also has an environment
//! variable, and the environment wins"). A bad value is one clear line
//! naming the setting.

use ipnet::IpNet;
use leadline_brains::openai::ToolMode;
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

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
    pub database_url: String,
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
    pub url: String,
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
    pub phone: String,
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
    pub fn load_from(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Settings, ConfigError> {
        let file = match file {
            Some(path) => read_file(path)?,
            None => FileSettings::default(),
        };
        // The environment wins over the file; empty variables count as unset.
        let pick = |name: &str, from_file: Option<String>| -> Option<String> {
            env(name).filter(|v| !v.trim().is_empty()).or(from_file)
        };

        let role = match pick("LEADLINE_ROLE", file.role) {
            None => Role::default(),
            Some(raw) => <Role as clap::ValueEnum>::from_str(raw.trim(), false).map_err(|_| {
                bad(
                    "LEADLINE_ROLE",
                    format!("{raw:?} is not ingress, worker or all"),
                )
            })?,
        };

        let listen_raw =
            pick("LEADLINE_LISTEN", file.listen).unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen = listen_raw.parse().map_err(|_| {
            bad(
                "LEADLINE_LISTEN",
                format!("{listen_raw:?} is not an address:port"),
            )
        })?;

        let log_format = match pick("LEADLINE_LOG_FORMAT", file.log_format).as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(bad(
                    "LEADLINE_LOG_FORMAT",
                    format!("{other:?} is not text or json"),
                ));
            }
        };

        let api_base = pick("WHATSAPP_API_BASE", file.whatsapp.api_base)
            .unwrap_or_else(|| "https://graph.facebook.com".into());
        check_url("WHATSAPP_API_BASE", &api_base)?;
        let api_version = pick("WHATSAPP_API_VERSION", file.whatsapp.api_version)
            .unwrap_or_else(|| DEFAULT_API_VERSION.into());
        if !is_api_version(&api_version) {
            return Err(bad(
                "WHATSAPP_API_VERSION",
                format!("{api_version:?} is not like v23.0"),
            ));
        }
        let phone_number_id = pick("WHATSAPP_PHONE_NUMBER_ID", file.whatsapp.phone_number_id);
        if let Some(id) = &phone_number_id
            && !id.chars().all(|c| c.is_ascii_digit())
        {
            return Err(bad(
                "WHATSAPP_PHONE_NUMBER_ID",
                "must be the numeric phone number id from Meta's app dashboard",
            ));
        }

        let database_url = pick("DATABASE_URL", file.database_url)
            .unwrap_or_else(|| "sqlite://leadline.db".into());
        if !["sqlite:", "postgres://", "postgresql://"]
            .iter()
            .any(|scheme| database_url.starts_with(scheme))
        {
            return Err(bad(
                "DATABASE_URL",
                "must be sqlite://PATH or postgres://USER@HOST/DATABASE",
            ));
        }
        let redis = match pick("REDIS_URL", file.redis_url) {
            None => None,
            Some(url) if !url.starts_with("redis://") => {
                return Err(bad("REDIS_URL", "must be redis://HOST:PORT"));
            }
            Some(_) if database_url.starts_with("sqlite:") => {
                return Err(bad(
                    "REDIS_URL",
                    "needs DATABASE_URL=postgres://... for the records (leads, transcripts, outbox)",
                ));
            }
            Some(url) => {
                let prefix = pick("LEADLINE_REDIS_PREFIX", file.redis_prefix)
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

        let api_key = pick("OPENAI_API_KEY", file.openai.api_key).map(Secret);
        let brain = match pick("LEADLINE_BRAIN", file.brain).as_deref() {
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
        let openai_base = pick("OPENAI_BASE_URL", file.openai.base_url)
            .unwrap_or_else(|| "https://api.openai.com/v1".into());
        check_url("OPENAI_BASE_URL", &openai_base)?;

        let workers = number(
            "LEADLINE_WORKERS",
            pick("LEADLINE_WORKERS", file.workers.map(|n| n.to_string())),
            256,
            1..=4096,
        )?;
        let burst_ms = number(
            "LEADLINE_BURST_WINDOW_MS",
            pick(
                "LEADLINE_BURST_WINDOW_MS",
                file.burst_window_ms.map(|n| n.to_string()),
            ),
            0,
            0..=60_000,
        )?;
        let send_concurrency = number(
            "LEADLINE_SEND_CONCURRENCY",
            pick(
                "LEADLINE_SEND_CONCURRENCY",
                file.send_concurrency.map(|n| n.to_string()),
            ),
            32,
            1..=1024,
        )?;

        let model_timeout_ms = number(
            "LEADLINE_MODEL_TIMEOUT_MS",
            pick(
                "LEADLINE_MODEL_TIMEOUT_MS",
                file.openai.timeout_ms.map(|n| n.to_string()),
            ),
            20_000,
            500..=600_000,
        )?;
        let model_max_tokens = number(
            "LEADLINE_MODEL_MAX_TOKENS",
            pick(
                "LEADLINE_MODEL_MAX_TOKENS",
                file.openai.max_tokens.map(|n| n.to_string()),
            ),
            200,
            16..=4096,
        )?;

        let model_tools = match pick("LEADLINE_MODEL_TOOLS", file.openai.tools).as_deref() {
            None | Some("schema") => ToolMode::Schema,
            Some("native") => ToolMode::Native,
            Some(other) => {
                return Err(bad(
                    "LEADLINE_MODEL_TOOLS",
                    format!("{other:?} is not schema or native"),
                ));
            }
        };

        let lease_ms = number(
            "LEADLINE_LEASE_MS",
            pick("LEADLINE_LEASE_MS", file.lease_ms.map(|n| n.to_string())),
            30_000,
            1_000..=600_000,
        )?;
        let send_lease_ms = number(
            "LEADLINE_SEND_LEASE_MS",
            pick(
                "LEADLINE_SEND_LEASE_MS",
                file.send_lease_ms.map(|n| n.to_string()),
            ),
            60_000,
            2_000..=600_000,
        )?;

        let google = match (
            pick(
                "GOOGLE_APPLICATION_CREDENTIALS",
                file.google.application_credentials,
            ),
            pick("GOOGLE_CALENDAR_ID", file.google.calendar_id),
        ) {
            (Some(credentials), Some(calendar_id)) => {
                let api_base = pick("GOOGLE_API_BASE", file.google.api_base);
                if let Some(base) = &api_base {
                    check_url("GOOGLE_API_BASE", base)?;
                }
                Some(GoogleSettings {
                    credentials: PathBuf::from(credentials),
                    calendar_id,
                    api_base,
                })
            }
            (Some(_), None) => {
                return Err(bad(
                    "GOOGLE_CALENDAR_ID",
                    "must be set with GOOGLE_APPLICATION_CREDENTIALS: the calendar calls are booked on",
                ));
            }
            (None, Some(_)) => {
                return Err(bad(
                    "GOOGLE_APPLICATION_CREDENTIALS",
                    "must be set with GOOGLE_CALENDAR_ID: the service account's key file",
                ));
            }
            (None, None) => None,
        };

        let crm = match pick("LEADLINE_CRM_WEBHOOK_URL", file.crm.webhook_url) {
            None => None,
            Some(url) => {
                check_url("LEADLINE_CRM_WEBHOOK_URL", &url)?;
                let max_attempts = number(
                    "LEADLINE_CRM_MAX_ATTEMPTS",
                    pick(
                        "LEADLINE_CRM_MAX_ATTEMPTS",
                        file.crm.max_attempts.map(|n| n.to_string()),
                    ),
                    12,
                    1..=100,
                )?;
                let retry_ms = number(
                    "LEADLINE_CRM_RETRY_MS",
                    pick(
                        "LEADLINE_CRM_RETRY_MS",
                        file.crm.retry_ms.map(|n| n.to_string()),
                    ),
                    2_000,
                    100..=3_600_000,
                )?;
                Some(CrmSettings {
                    url,
                    secret: pick("LEADLINE_CRM_WEBHOOK_SECRET", file.crm.webhook_secret)
                        .map(Secret),
                    max_attempts: max_attempts as u32,
                    first_retry: Duration::from_millis(retry_ms),
                })
            }
        };

        let rep = match pick("LEADLINE_REP_PHONE", file.rep.phone) {
            None => None,
            Some(raw) => {
                let phone = raw.trim().trim_start_matches('+').to_owned();
                if !(6..=15).contains(&phone.len()) || !phone.chars().all(|c| c.is_ascii_digit()) {
                    return Err(bad(
                        "LEADLINE_REP_PHONE",
                        "must be a phone number in international format, like +34600111222",
                    ));
                }
                Some(RepSettings {
                    phone,
                    template: pick("LEADLINE_REP_TEMPLATE", file.rep.template),
                    template_language: pick(
                        "LEADLINE_REP_TEMPLATE_LANGUAGE",
                        file.rep.template_language,
                    ),
                })
            }
        };

        let public_url = pick("LEADLINE_PUBLIC_URL", file.public_url)
            .map(|url| url.trim_end_matches('/').to_owned());
        if let Some(url) = &public_url {
            check_url("LEADLINE_PUBLIC_URL", url)?;
        }

        let transcription = match (
            pick("LEADLINE_TRANSCRIBE_MODEL", file.transcription.model),
            pick("LEADLINE_TRANSCRIBE_BASE_URL", file.transcription.base_url),
            pick("LEADLINE_TRANSCRIBE_API_KEY", file.transcription.api_key),
        ) {
            (Some(model), base_url, key) => {
                let base_url = base_url.unwrap_or_else(|| openai_base.clone());
                check_url("LEADLINE_TRANSCRIBE_BASE_URL", &base_url)?;
                Some(TranscriptionSettings {
                    model: model.trim().to_owned(),
                    base_url,
                    api_key: key.map(Secret).or_else(|| api_key.clone()),
                })
            }
            // A half-configured transcriber would stay off without a word.
            (None, Some(_), _) | (None, _, Some(_)) => {
                return Err(bad(
                    "LEADLINE_TRANSCRIBE_MODEL",
                    "must be set to transcribe voice notes (e.g. whisper-1) when LEADLINE_TRANSCRIBE_BASE_URL or LEADLINE_TRANSCRIBE_API_KEY is",
                ));
            }
            (None, None, None) => None,
        };

        let admin_token = pick("LEADLINE_ADMIN_TOKEN", file.admin_token).map(Secret);
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

        let http = HttpSettings {
            header_timeout: millis(
                "LEADLINE_HEADER_TIMEOUT_MS",
                pick(
                    "LEADLINE_HEADER_TIMEOUT_MS",
                    file.header_timeout_ms.map(|n| n.to_string()),
                ),
                10_000,
            )?,
            body_timeout: millis(
                "LEADLINE_BODY_TIMEOUT_MS",
                pick(
                    "LEADLINE_BODY_TIMEOUT_MS",
                    file.body_timeout_ms.map(|n| n.to_string()),
                ),
                30_000,
            )?,
            idle_timeout: millis(
                "LEADLINE_IDLE_TIMEOUT_MS",
                pick(
                    "LEADLINE_IDLE_TIMEOUT_MS",
                    file.idle_timeout_ms.map(|n| n.to_string()),
                ),
                75_000,
            )?,
            max_connections: pick(
                "LEADLINE_MAX_CONNECTIONS",
                file.max_connections.map(|n| n.to_string()),
            )
            .map(|raw| {
                number("LEADLINE_MAX_CONNECTIONS", Some(raw), 0, 1..=1_000_000).map(|n| n as usize)
            })
            .transpose()?,
            trusted_proxies: match pick(
                "LEADLINE_TRUSTED_PROXIES",
                file.trusted_proxies.map(|list| list.join(",")),
            ) {
                None => Vec::new(),
                Some(raw) => proxies(&raw)?,
            },
            metrics_listen: match pick("LEADLINE_METRICS_LISTEN", file.metrics_listen) {
                None => None,
                Some(raw) => Some(raw.trim().parse().map_err(|_| {
                    bad(
                        "LEADLINE_METRICS_LISTEN",
                        format!("{raw:?} is not an address:port"),
                    )
                })?),
            },
        };

        Ok(Settings {
            http,
            google,
            crm,
            rep,
            public_url,
            transcription,
            role,
            listen,
            playbook: pick("LEADLINE_PLAYBOOK", file.playbook).map(PathBuf::from),
            knowledge: pick("LEADLINE_KNOWLEDGE", file.knowledge).map(PathBuf::from),
            log_format,
            whatsapp: WhatsAppSettings {
                verify_token: pick("WHATSAPP_VERIFY_TOKEN", file.whatsapp.verify_token).map(Secret),
                app_secret: pick("WHATSAPP_APP_SECRET", file.whatsapp.app_secret).map(Secret),
                access_token: pick("WHATSAPP_ACCESS_TOKEN", file.whatsapp.access_token).map(Secret),
                phone_number_id,
                api_base,
                api_version,
            },
            database_url,
            redis,
            brain,
            openai: OpenAiSettings {
                api_key,
                base_url: openai_base,
                model: pick("LEADLINE_MODEL", file.model).unwrap_or_else(|| "gpt-4o".into()),
                timeout: Duration::from_millis(model_timeout_ms),
                max_tokens: model_max_tokens as u32,
                tools: model_tools,
            },
            engine: EngineSettings {
                workers: workers as usize,
                burst_window: Duration::from_millis(burst_ms),
                send_concurrency: send_concurrency as usize,
                lease: Duration::from_millis(lease_ms),
                send_lease: Duration::from_millis(send_lease_ms),
            },
            admin_token,
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

/// A deadline in milliseconds: at least 100 ms, at most an hour.
fn millis(name: &'static str, raw: Option<String>, default: u64) -> Result<Duration, ConfigError> {
    number(name, raw, default, 100..=3_600_000).map(Duration::from_millis)
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
    let ok =
        (url.starts_with("http://") || url.starts_with("https://")) && url.len() > "https://".len();
    if ok {
        Ok(())
    } else {
        Err(bad(name, format!("{url:?} is not an http(s) URL")))
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
    fn runs_with_no_configuration_at_all() {
        let s = load(&[], None).unwrap();
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(s.database_url, "sqlite://leadline.db");
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
        assert_eq!(crm.url, "https://crm.example.com/hook");
        assert_eq!(crm.secret.unwrap().expose(), "s");
        assert_eq!(crm.max_attempts, 5);
        assert_eq!(crm.first_retry, Duration::from_secs(2));
        let rep = s.rep.unwrap();
        assert_eq!(rep.phone, "34600111222");
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
                load(&[("DATABASE_URL", url)], None).unwrap().database_url,
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
