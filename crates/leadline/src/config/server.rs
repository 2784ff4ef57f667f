//! How a `serve` process runs: the listener's deadlines and limits, the
//! engine's workers and leases, the admin token and the public address.

use super::values::{Vars, check_url, number};
use super::{ConfigError, Secret, address, bad};
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

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

/// The file's top-level keys of the engine.
pub(super) struct FileEngine {
    pub(super) workers: Option<u64>,
    pub(super) burst_window_ms: Option<u64>,
    pub(super) send_concurrency: Option<u64>,
    pub(super) lease_ms: Option<u64>,
    pub(super) send_lease_ms: Option<u64>,
}

impl EngineSettings {
    pub(super) fn read(vars: &Vars, file: FileEngine) -> Result<EngineSettings, ConfigError> {
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

pub(super) fn public_url_setting(
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

pub(super) fn admin_token_setting(
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
pub(super) struct FileHttp {
    pub(super) header_timeout_ms: Option<u64>,
    pub(super) body_timeout_ms: Option<u64>,
    pub(super) idle_timeout_ms: Option<u64>,
    pub(super) max_connections: Option<u64>,
    pub(super) trusted_proxies: Option<Vec<String>>,
    pub(super) metrics_listen: Option<String>,
}

impl HttpSettings {
    pub(super) fn read(vars: &Vars, file: FileHttp) -> Result<HttpSettings, ConfigError> {
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
pub(super) fn proxies(raw: &str) -> Result<Vec<IpNet>, ConfigError> {
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
