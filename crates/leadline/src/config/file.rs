//! The config file's shapes as TOML gives them: every key optional, named
//! like the environment variable without its prefix. Apart from the
//! readers that turn them into settings.

use super::{ConfigError, bad};
use serde::Deserialize;
use std::path::Path;

/// The config file: every key optional, named like the environment
/// variable without its prefix, grouped by service.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileSettings {
    pub(super) role: Option<String>,
    pub(super) listen: Option<String>,
    pub(super) playbook: Option<String>,
    pub(super) knowledge: Option<String>,
    pub(super) log_format: Option<String>,
    pub(super) database_url: Option<String>,
    pub(super) redis_url: Option<String>,
    pub(super) redis_prefix: Option<String>,
    pub(super) brain: Option<String>,
    pub(super) model: Option<String>,
    pub(super) workers: Option<u64>,
    pub(super) burst_window_ms: Option<u64>,
    pub(super) send_concurrency: Option<u64>,
    pub(super) lease_ms: Option<u64>,
    pub(super) send_lease_ms: Option<u64>,
    pub(super) admin_token: Option<String>,
    pub(super) public_url: Option<String>,
    pub(super) header_timeout_ms: Option<u64>,
    pub(super) body_timeout_ms: Option<u64>,
    pub(super) idle_timeout_ms: Option<u64>,
    pub(super) max_connections: Option<u64>,
    pub(super) trusted_proxies: Option<Vec<String>>,
    pub(super) metrics_listen: Option<String>,
    pub(super) retention_days: Option<u64>,
    #[serde(default)]
    pub(super) crm: FileCrm,
    #[serde(default)]
    pub(super) rep: FileRep,
    #[serde(default)]
    pub(super) whatsapp: FileWhatsApp,
    #[serde(default)]
    pub(super) openai: FileOpenAi,
    #[serde(default)]
    pub(super) google: FileGoogle,
    #[serde(default)]
    pub(super) transcription: FileTranscription,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileTranscription {
    pub(super) model: Option<String>,
    pub(super) base_url: Option<String>,
    pub(super) api_key: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileCrm {
    pub(super) webhook_url: Option<String>,
    pub(super) webhook_secret: Option<String>,
    pub(super) max_attempts: Option<u64>,
    pub(super) retry_ms: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileRep {
    pub(super) phone: Option<String>,
    pub(super) template: Option<String>,
    pub(super) template_language: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileGoogle {
    pub(super) application_credentials: Option<String>,
    pub(super) calendar_id: Option<String>,
    pub(super) api_base: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileWhatsApp {
    pub(super) verify_token: Option<String>,
    pub(super) app_secret: Option<String>,
    pub(super) access_token: Option<String>,
    pub(super) phone_number_id: Option<String>,
    pub(super) api_base: Option<String>,
    pub(super) api_version: Option<String>,
    pub(super) reminder_template: Option<String>,
    pub(super) reminder_template_language: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileOpenAi {
    pub(super) api_key: Option<String>,
    pub(super) base_url: Option<String>,
    pub(super) timeout_ms: Option<u64>,
    pub(super) max_tokens: Option<u64>,
    pub(super) tools: Option<String>,
}

pub(super) fn read_file(path: &Path) -> Result<FileSettings, ConfigError> {
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
