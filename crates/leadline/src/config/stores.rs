//! Where Leadline keeps its data: `DATABASE_URL` and `REDIS_URL`, and how a
//! URL is shown without its password.

use super::values::Vars;
use super::{ConfigError, Secret, bad};
use reqwest::Url;

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

/// `DATABASE_URL` and `REDIS_URL`: which backend keeps what.
pub(super) fn stores(
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
