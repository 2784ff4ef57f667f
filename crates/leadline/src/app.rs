//! Builds a running Leadline from its settings: store, brain, agent,
//! engine and HTTP server (`Application::build`, `run_until_stopped`).

use crate::config::{BrainKind, Database, HttpSettings, Role, Settings};
use crate::http::listener::{self, Limits};
use crate::http::{self, AppState};
use crate::knowledge::{Folder, Live};
use anyhow::Context;
use leadline_brains::fallback::FallbackBrain;
use leadline_brains::local::LocalBrain;
use leadline_brains::openai::{OpenAiBrain, OpenAiConfig};
use leadline_domain::brain::Brain;
use leadline_domain::documents::SendDocument;
use leadline_domain::playbook::Playbook;
use leadline_domain::router::Agent;
use leadline_domain::tools::ToolRegistry;
use leadline_domain::{Clock, CustomerId};
use leadline_engine::booking::{LocalCalendar, register_booking_tools};
use leadline_engine::erasure::RETENTION_EVERY;
use leadline_engine::{
    Engine, EngineConfig, Eraser, GraphOutlet, ReminderTemplate, RepContact, RepTemplate,
    SideEffects, VoiceNotes,
};
use leadline_integrations::{
    Calendar, CrmWebhook, GoogleCalendar, LeadIds, Transcriber, TranscriberConfig,
};
use leadline_stores::Store;
use leadline_stores::postgres::PgStore;
use leadline_stores::redis::RedisStore;
use leadline_stores::sqlite::SqliteStore;
use leadline_whatsapp::send::{ClientConfig, CloudClient};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

/// Runs `leadline serve` until SIGINT or SIGTERM.
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    let shutdown = CancellationToken::new();
    tokio::spawn(stop_on_signal(shutdown.clone()));
    app.run_until_stopped(shutdown).await
}

/// Runs `leadline migrate`.
pub async fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    drop(store);
    tracing::info!("migrations applied");
    Ok(())
}

/// Runs `leadline playbook check FILE`: exit 0 and a one-line summary, or
/// the error naming line and field with exit code 2.
pub fn check_playbook(file: &Path) -> ExitCode {
    match leadline_domain::playbook::check_file(file) {
        Ok(playbook) => {
            let stages: Vec<&str> = playbook.stages.iter().map(|s| s.id.as_str()).collect();
            say!(
                "{}: ok ({} stages: {}; {} intents)",
                file.display(),
                stages.len(),
                stages.join(" → "),
                playbook.intents.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}: {e}", file.display());
            ExitCode::from(2)
        }
    }
}

pub struct Application {
    listener: TcpListener,
    /// `LEADLINE_METRICS_LISTEN`'s, when set.
    metrics_listener: Option<TcpListener>,
    state: AppState,
    role: Role,
    http: HttpSettings,
    knowledge: Live,
    /// `LEADLINE_RETENTION_DAYS`, which workers enforce.
    retention: Option<Duration>,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let role = settings.role;
        let playbook = Arc::new(load_playbook(&settings)?);
        let knowledge = Live::load(Folder::of(&settings, &playbook))?;
        let store = open_store(&settings).await?;
        let whatsapp = &settings.whatsapp;
        if role.ingress() && whatsapp.app_secret.is_none() {
            tracing::warn!("WHATSAPP_APP_SECRET is not set: POST /webhook refuses every delivery");
        }
        let ids = Arc::new(opaque_ids(settings.admin_token.as_ref())?);
        let crm = crm_webhook(&settings)?;
        let engine = if role.worker() {
            Some(build_engine(
                &settings,
                playbook.clone(),
                store.clone(),
                &ids,
                &knowledge,
                crm.clone(),
            )?)
        } else {
            None
        };

        let listener = TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("cannot listen on {} (LEADLINE_LISTEN)", settings.listen))?;
        let metrics_listener = match settings.http.metrics_listen {
            Some(address) => Some(TcpListener::bind(address).await.with_context(|| {
                format!("cannot listen on {address} (LEADLINE_METRICS_LISTEN)")
            })?),
            None => None,
        };
        let public_https = settings
            .public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"));
        let eraser = Arc::new(Eraser::new(store.clone(), crm, Clock::system()));
        let state = AppState {
            store,
            engine,
            eraser,
            app_secret: whatsapp.app_secret.clone(),
            verify_token: whatsapp.verify_token.clone(),
            metrics: metrics_handle()?,
            admin_token: settings.admin_token.clone(),
            playbook,
            dashboard: Arc::new(http::Dashboard::new().map_err(anyhow::Error::msg)?),
            ids,
            rep_phone: settings.rep.as_ref().map(|rep| rep.phone.clone()),
            proxies: Arc::new(http::Proxies::new(
                settings.http.trusted_proxies.clone(),
                public_https,
            )),
            webhook_buffer: Arc::new(Semaphore::new(http::WEBHOOK_BUFFER)),
            clock: Clock::system(),
        };
        Ok(Self {
            listener,
            metrics_listener,
            state,
            role,
            http: settings.http.clone(),
            knowledge,
            retention: settings.retention,
        })
    }

    /// Serves until `shutdown` is cancelled, then stops taking webhooks
    /// (answering those already received) and, on a worker, stops claiming
    /// and lets in-flight turns and sends finish.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let address = self.listener.local_addr()?;
        tracing::info!(%address, role = ?self.role, "leadline listening");
        tokio::spawn(
            self.knowledge
                .clone()
                .watch(crate::knowledge::POLL_EVERY, shutdown.clone()),
        );
        let engine = self.state.engine.clone().map(|engine| {
            let shutdown = shutdown.clone();
            tokio::spawn(async move { engine.run(shutdown).await })
        });
        // Workers erase what outlived the retention; any number of them
        // may, as erasing twice erases nothing more.
        if let (Some(retention), true) = (self.retention, self.role.worker()) {
            tokio::spawn(self.state.eraser.clone().retain(
                retention,
                RETENTION_EVERY,
                shutdown.clone(),
            ));
        }
        let limits = Limits {
            header_timeout: self.http.header_timeout,
            idle_timeout: self.http.idle_timeout,
            max_connections: listener::connection_cap(self.http.max_connections),
        };
        tracing::info!(
            max_connections = limits.max_connections,
            "connections served at once"
        );
        let surface = http::Surface {
            ingress: self.role.ingress(),
            metrics: self.metrics_listener.is_none(),
            body_timeout: self.http.body_timeout,
        };
        let metrics = self.metrics_listener.map(|metrics_listener| {
            let app = http::metrics_router(self.state.clone());
            if let Ok(address) = metrics_listener.local_addr() {
                tracing::info!(%address, "metrics listening");
            }
            // A scraper or two: no need for the public listener's share of
            // file descriptors.
            let limits = Limits {
                max_connections: limits.max_connections.min(METRICS_CONNECTIONS),
                ..limits
            };
            tokio::spawn(listener::serve(
                metrics_listener,
                app,
                limits,
                shutdown.clone(),
            ))
        });
        let app = http::router(self.state, surface);
        listener::serve(self.listener, app, limits, shutdown.clone()).await;
        // Whatever ended the server, the engine stops the graceful way.
        shutdown.cancel();
        if let Some(metrics) = metrics {
            metrics.await.context("metrics listener failed")?;
        }
        if let Some(engine) = engine {
            engine.await.context("engine task failed")?;
        }
        tracing::info!("leadline stopped");
        Ok(())
    }
}

/// The workers, the sender and the dispatcher, sending through the Graph
/// API.
fn build_engine(
    settings: &Settings,
    playbook: Arc<Playbook>,
    store: Arc<dyn Store>,
    ids: &Arc<http::OpaqueIds>,
    knowledge: &Live,
    crm: Option<Arc<CrmWebhook>>,
) -> anyhow::Result<Engine> {
    let agent = build_agent(settings, playbook, store.clone(), knowledge)?;
    let side_effects = side_effects(settings, agent.playbook(), ids, crm);
    let whatsapp = &settings.whatsapp;
    if whatsapp.access_token.is_none() {
        tracing::warn!(
            "WHATSAPP_ACCESS_TOKEN is not set: replies are recorded but the Graph API will refuse them"
        );
    }
    let client = CloudClient::new(ClientConfig {
        base_url: whatsapp.api_base.clone(),
        api_version: whatsapp.api_version.clone(),
        access_token: whatsapp
            .access_token
            .as_ref()
            .map(|s| s.expose().to_owned())
            .unwrap_or_default(),
        // A send gives up well before its lease ends, so no other sender
        // retries a message that is still on the wire.
        timeout: GRAPH_TIMEOUT.min(settings.engine.send_lease / 2),
    })
    .context("cannot build the Graph API client")?;
    let voice = match &settings.transcription {
        Some(transcription) => {
            let transcriber = Transcriber::new(TranscriberConfig {
                base_url: transcription.base_url.clone(),
                api_key: transcription
                    .api_key
                    .as_ref()
                    .map(|k| k.expose().to_owned()),
                model: transcription.model.clone(),
                // Voice notes are heard within half the lease (see the
                // worker); a slower answer would not be waited for anyway.
                timeout: TRANSCRIBE_TIMEOUT.min(settings.engine.lease / 2),
            })
            .context("cannot build the transcription client (LEADLINE_TRANSCRIBE_*)")?;
            Some(VoiceNotes::new(client.clone(), transcriber))
        }
        None => None,
    };
    let config = EngineConfig {
        workers: settings.engine.workers,
        lease: settings.engine.lease,
        quiet_for: settings.engine.burst_window,
        senders: settings.engine.send_concurrency,
        send_lease: settings.engine.send_lease,
        phone_number_id: whatsapp.phone_number_id.clone(),
        reminder_template: whatsapp
            .reminder_template
            .clone()
            .map(|name| ReminderTemplate {
                name,
                language: whatsapp.reminder_template_language.clone(),
            }),
        ..EngineConfig::default()
    };
    Ok(Engine::new(
        store,
        agent,
        Arc::new(GraphOutlet::new(client)),
        voice,
        config,
        side_effects,
    ))
}

/// Where handoffs and bookings go: the CRM webhook and the sales rep, with
/// links into the dashboard when its public address is known.
fn side_effects(
    settings: &Settings,
    playbook: &Playbook,
    ids: &Arc<http::OpaqueIds>,
    crm: Option<Arc<CrmWebhook>>,
) -> SideEffects {
    let mut effects = SideEffects {
        team_language: playbook.business.default_language,
        crm,
        ..SideEffects::default()
    };
    if let Some(crm) = &settings.crm {
        effects.crm_retry.max_attempts = crm.max_attempts;
        effects.crm_retry.base = crm.first_retry;
    }
    if let Some(rep) = &settings.rep {
        let language = playbook.business.default_language.code();
        effects.rep = Some(RepContact {
            phone: rep.phone.clone(),
            template: rep.template.as_ref().map(|name| RepTemplate {
                name: name.clone(),
                language: rep
                    .template_language
                    .clone()
                    .unwrap_or_else(|| language.to_owned()),
            }),
        });
    }
    // Random keys (no admin token) would name conversations differently
    // after a restart: no link beats a dead one.
    if let (Some(base), Some(_)) = (&settings.public_url, &settings.admin_token) {
        let base = base.clone();
        let ids = ids.clone();
        effects.conversation_link = Some(Arc::new(move |customer: &CustomerId| {
            format!("{base}/conversations/{}", ids.of(customer))
        }));
    }
    effects
}

/// The CRM webhook, when configured: what handoffs, bookings and erasures
/// are delivered to. Its leads' pseudonyms (`lead_id`) are keyed by the
/// webhook's secret, else the admin token, so every process and restart
/// names a lead alike; with neither, by a random key, and a warning.
fn crm_webhook(settings: &Settings) -> anyhow::Result<Option<Arc<CrmWebhook>>> {
    let Some(crm) = &settings.crm else {
        return Ok(None);
    };
    if crm.secret.is_none() {
        tracing::warn!("LEADLINE_CRM_WEBHOOK_SECRET is not set: CRM deliveries go unsigned");
    }
    let secret = crm.secret.as_ref().map(|s| s.expose().as_bytes());
    let lead_key = secret.or(settings.admin_token.as_ref().map(|t| t.expose().as_bytes()));
    let lead_ids = match lead_key {
        Some(key) => LeadIds::derive(key),
        None => {
            tracing::warn!(
                "neither LEADLINE_CRM_WEBHOOK_SECRET nor LEADLINE_ADMIN_TOKEN is set: the CRM's lead_id changes at every restart"
            );
            LeadIds::generate().context("no randomness from the operating system for lead ids")?
        }
    };
    let webhook = CrmWebhook::new(crm.url.clone(), secret, lead_ids)
        .context("cannot build the CRM client")?;
    Ok(Some(Arc::new(webhook)))
}

/// Connections the metrics listener serves at once.
const METRICS_CONNECTIONS: usize = 64;

/// The longest a Graph API call may take.
const GRAPH_TIMEOUT: Duration = Duration::from_secs(15);
/// The longest one transcription may take.
const TRANSCRIBE_TIMEOUT: Duration = Duration::from_secs(20);

/// The store named by `DATABASE_URL` (PostgreSQL or SQLite), migrated.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Arc<dyn Store>> {
    if let Database::Postgres(url) = &settings.database {
        let records = PgStore::connect(url.expose())
            .await
            .context("cannot connect to PostgreSQL (DATABASE_URL)")?;
        records.migrate().await.context("cannot apply migrations")?;
        let Some(redis) = &settings.redis else {
            return Ok(Arc::new(records));
        };
        let store = RedisStore::connect(redis.url.expose(), &redis.prefix, records)
            .await
            .context("cannot connect to Redis (REDIS_URL)")?;
        return Ok(Arc::new(store));
    }
    let store = SqliteStore::open(settings.database.url())
        .await
        .with_context(|| "cannot open the store (DATABASE_URL)")?;
    store.migrate().await.context("cannot apply migrations")?;
    Ok(Arc::new(store))
}

/// Keys for opaque conversation ids: derived from the admin token, so all
/// processes agree; without one nothing can use them, so random ones do.
fn opaque_ids(admin_token: Option<&crate::config::Secret>) -> anyhow::Result<http::OpaqueIds> {
    match admin_token {
        Some(token) => Ok(http::OpaqueIds::derive(token.expose().as_bytes())),
        None => http::OpaqueIds::generate()
            .context("no randomness from the operating system for opaque ids"),
    }
}

/// The playbook, the brain, the tools and the knowledge folder, put
/// together. Calls are booked on Google Calendar when it is configured,
/// else on the local calendar in `store`.
pub fn build_agent(
    settings: &Settings,
    playbook: Arc<Playbook>,
    store: Arc<dyn Store>,
    knowledge: &Live,
) -> anyhow::Result<Arc<Agent>> {
    let brain = build_brain(settings, &playbook)?;
    let calendar: Arc<dyn Calendar> = match google_calendar(settings)? {
        Some(google) => Arc::new(google),
        None => Arc::new(LocalCalendar::new(store)),
    };
    let mut tools = ToolRegistry::default();
    register_booking_tools(
        &mut tools,
        calendar,
        playbook.scheduling.clone(),
        Clock::system(),
    );
    tools.register(Arc::new(SendDocument::new(&playbook.documents)));
    Ok(Arc::new(
        Agent::new(playbook, brain, tools).with_knowledge(knowledge.shared()),
    ))
}

/// Google Calendar when it is configured; reads and checks the key file
/// but calls nothing.
pub(crate) fn google_calendar(settings: &Settings) -> anyhow::Result<Option<GoogleCalendar>> {
    settings
        .google
        .as_ref()
        .map(|google| {
            GoogleCalendar::from_key_file(
                &google.credentials,
                google.calendar_id.clone(),
                google.api_base.clone(),
            )
            .context("cannot set up Google Calendar (GOOGLE_APPLICATION_CREDENTIALS)")
        })
        .transpose()
}

/// The playbook `LEADLINE_PLAYBOOK` names, read and checked, else the
/// built-in one. Read once per process: everything else is handed it.
pub(crate) fn load_playbook(settings: &Settings) -> anyhow::Result<Playbook> {
    match &settings.playbook {
        Some(path) => leadline_domain::playbook::check_file(path)
            .map_err(|e| anyhow::anyhow!("LEADLINE_PLAYBOOK {}: {e}", path.display())),
        None => Ok(Playbook::builtin()),
    }
}

pub(crate) fn build_brain(
    settings: &Settings,
    playbook: &Playbook,
) -> anyhow::Result<Arc<dyn Brain>> {
    let local: Arc<dyn Brain> = Arc::new(LocalBrain::new(playbook));
    match settings.brain {
        BrainKind::Local => Ok(local),
        BrainKind::OpenAi => {
            let openai = OpenAiBrain::new(OpenAiConfig {
                base_url: settings.openai.base_url.clone(),
                api_key: settings
                    .openai
                    .api_key
                    .as_ref()
                    .map(|k| k.expose().to_owned()),
                model: settings.openai.model.clone(),
                timeout: settings.openai.timeout,
                max_tokens: Some(settings.openai.max_tokens),
                tools: settings.openai.tools,
                ..OpenAiConfig::default()
            })
            .context("cannot build the OpenAI-compatible brain")?;
            Ok(Arc::new(FallbackBrain::new(Arc::new(openai), local)))
        }
    }
}

/// How often the recorder's upkeep runs. Histogram samples wait in the
/// recorder until an upkeep (or a scrape) folds them into their summaries:
/// without it, a server nobody scrapes keeps every sample, and its memory
/// grows with the messages it answers (~7 MiB per 100,000, measured by the
/// memory benchmark). Five seconds is the crate's own default.
const METRICS_UPKEEP: Duration = Duration::from_secs(5);

/// The Prometheus recorder is process-wide: installed once, with a thread
/// of its own for upkeep (a thread, not a task: it outlives any runtime).
fn metrics_handle() -> anyhow::Result<PrometheusHandle> {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    if let Some(h) = HANDLE.get() {
        return Ok(h.clone());
    }
    let handle = PrometheusBuilder::new()
        .install_recorder()
        .context("cannot install the metrics recorder")?;
    let upkeep = handle.clone();
    std::thread::Builder::new()
        .name("metrics-upkeep".to_owned())
        .spawn(move || {
            loop {
                std::thread::sleep(METRICS_UPKEEP);
                upkeep.run_upkeep();
            }
        })
        .context("cannot start the metrics upkeep thread")?;
    Ok(HANDLE.get_or_init(|| handle).clone())
}

async fn stop_on_signal(shutdown: CancellationToken) {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down: finishing in-flight turns and sends");
    shutdown.cancel();
}
