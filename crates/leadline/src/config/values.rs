//! How a raw value becomes a setting: the environment over the file, whole
//! numbers in range, deadlines, URLs and Graph API versions. Shared by
//! every section's reader.

use super::{ConfigError, bad};
use reqwest::Url;
use std::time::Duration;

/// The environment, read over the file: the environment wins, and empty
/// variables count as unset.
pub(super) struct Vars<'a> {
    pub(super) env: &'a dyn Fn(&str) -> Option<String>,
}

impl Vars<'_> {
    pub(super) fn pick(&self, name: &str, from_file: Option<String>) -> Option<String> {
        (self.env)(name)
            .filter(|v| !v.trim().is_empty())
            .or(from_file)
    }

    /// A whole number in `range`, `default` when unset.
    pub(super) fn number(
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
    pub(super) fn millis(
        &self,
        name: &'static str,
        from_file: Option<u64>,
        default: u64,
    ) -> Result<Duration, ConfigError> {
        self.number(name, from_file, default, 100..=3_600_000)
            .map(Duration::from_millis)
    }
}

pub(super) fn check_url(name: &'static str, url: &str) -> Result<(), ConfigError> {
    http_url(name, url).map(drop)
}

/// An `http://` or `https://` URL with a host.
pub(super) fn http_url(name: &'static str, url: &str) -> Result<Url, ConfigError> {
    match Url::parse(url) {
        Ok(parsed)
            if matches!(parsed.scheme(), "http" | "https") && parsed.host_str().is_some() =>
        {
            Ok(parsed)
        }
        _ => Err(bad(name, format!("{url:?} is not an http(s) URL"))),
    }
}

pub(super) fn is_api_version(v: &str) -> bool {
    v.strip_prefix('v')
        .and_then(|rest| rest.split_once('.'))
        .is_some_and(|(major, minor)| {
            !major.is_empty()
                && major.chars().all(|c| c.is_ascii_digit())
                && minor.chars().all(|c| c.is_ascii_digit())
                && !minor.is_empty()
        })
}

pub(super) fn number(
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
