//! `leadline config check`: every setting loaded and checked the way
//! `serve` loads it (the same loader, the same playbook and knowledge
//! readers, the same Google key-file reader, the same brain builder),
//! without starting anything: no listener, no database or Redis
//! connection, no call to any outside service. It prints what would run
//! and what is wrong; secrets never, phone numbers masked.
//!
//! Also `leadline health`: the probe a container's health check runs.

use crate::app;
use crate::config::{BrainKind, Database, Role, Settings, redacted_url};
use crate::knowledge::{self, Folder};
use leadline_domain::playbook::Playbook;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

/// What was found: problems stop `serve` (exit 2), warnings do not.
#[derive(Default)]
struct Findings {
    problems: Vec<String>,
    warnings: Vec<String>,
}

impl Findings {
    fn problem(&mut self, text: impl Into<String>) {
        let text = text.into();
        eprintln!("problem: {text}");
        self.problems.push(text);
    }

    fn warning(&mut self, text: impl Into<String>) {
        let text = text.into();
        eprintln!("warning: {text}");
        self.warnings.push(text);
    }
}

/// Runs `leadline config check [--config FILE]`: exit 0 when `serve`
/// would start with these settings, 2 when it would not.
pub fn config(file: Option<&Path>) -> ExitCode {
    let mut found = Findings::default();
    match file {
        Some(path) => say!("config file: {}", path.display()),
        None => say!("config file: none (defaults and the environment)"),
    }
    match Settings::load(file) {
        Ok(settings) => check(&settings, &mut found),
        Err(e) => found.problem(e.to_string()),
    }
    if found.problems.is_empty() {
        say!(
            "config: ok ({} warning{})",
            found.warnings.len(),
            if found.warnings.len() == 1 { "" } else { "s" }
        );
        ExitCode::SUCCESS
    } else {
        say!(
            "config: {} problem{}: `leadline serve` would not start",
            found.problems.len(),
            if found.problems.len() == 1 { "" } else { "s" }
        );
        ExitCode::from(2)
    }
}

fn check(settings: &Settings, found: &mut Findings) {
    let role = match settings.role {
        Role::All => "all (ingress and workers)",
        Role::Ingress => "ingress (webhooks only)",
        Role::Worker => "worker (answers and sends only)",
    };
    say!("role: {role}");
    say!("listen: {}", settings.listen);
    if let Some(metrics) = settings.http.metrics_listen {
        say!("metrics: {metrics}");
    }

    // The playbook, then the knowledge folder it (or the settings) names.
    let playbook = match app::load_playbook(settings) {
        Ok(playbook) => {
            let stages: Vec<&str> = playbook.stages.iter().map(|s| s.id.as_str()).collect();
            let source = match &settings.playbook {
                Some(path) => path.display().to_string(),
                None => "built-in sales playbook".to_owned(),
            };
            say!(
                "playbook: {source}: ok ({} stages: {}; {} intents; {} documents)",
                stages.len(),
                stages.join(" → "),
                playbook.intents.len(),
                playbook.documents.len()
            );
            Some(playbook)
        }
        Err(e) => {
            found.problem(format!("{e:#}"));
            None
        }
    };
    if let Some(playbook) = &playbook {
        follow_through(settings, playbook);
        let folder = Folder::of(settings, playbook);
        let name = match folder {
            Folder::Dir(dir) => dir.display().to_string(),
            Folder::BuiltIn => "built-in".to_owned(),
            Folder::Empty => "none (every question goes to the team)".to_owned(),
        };
        match knowledge::read(folder) {
            Ok(knowledge) => {
                say!(
                    "knowledge: {name}: {} passages, {} problems",
                    knowledge.passages().len(),
                    knowledge.problems().len()
                );
                // `serve` starts with them (and logs each): warnings.
                for problem in knowledge.problems() {
                    found.warning(format!("knowledge {problem}"));
                }
            }
            Err(e) => found.problem(format!("{e:#}")),
        }
    }

    store(settings, found);

    match settings.brain {
        BrainKind::Local => say!("brain: local (offline, no key, no network)"),
        BrainKind::OpenAi => {
            let openai = &settings.openai;
            say!(
                "brain: openai: model {} at {} ({} ms deadline, {} tokens, tools {:?}), the local brain as fallback",
                openai.model,
                redacted_url(&openai.base_url),
                openai.timeout.as_millis(),
                openai.max_tokens,
                openai.tools
            );
            if openai.api_key.is_none() && openai.base_url.contains("api.openai.com") {
                found.warning(
                    "OPENAI_API_KEY is not set: api.openai.com refuses every call, so the local brain answers",
                );
            }
        }
    }
    if let Some(playbook) = playbook
        && let Err(e) = app::build_brain(settings, &playbook)
    {
        found.problem(format!("{e:#}"));
    }

    match app::google_calendar(settings) {
        Ok(Some(_)) => {
            let google = settings.google.as_ref().expect("configured");
            say!(
                "calendar: Google Calendar {} (key file {}: ok{})",
                google.calendar_id,
                google.credentials.display(),
                google
                    .api_base
                    .as_deref()
                    .map(|base| format!("; API at {}", redacted_url(base)))
                    .unwrap_or_default()
            );
        }
        Ok(None) => say!("calendar: local (kept in the store)"),
        Err(e) => found.problem(format!("{e:#}")),
    }

    whatsapp(settings, found);

    match &settings.crm {
        Some(crm) => {
            say!(
                "crm: handoffs and bookings POSTed to {} ({} attempts, first retry after {} ms){}",
                url_without_secrets(crm.url.as_str()),
                crm.max_attempts,
                crm.first_retry.as_millis(),
                if crm.secret.is_some() { ", signed" } else { "" }
            );
            if crm.secret.is_none() {
                found.warning("LEADLINE_CRM_WEBHOOK_SECRET is not set: CRM deliveries go unsigned");
            }
        }
        None => say!("crm: none (leads stay in the database)"),
    }
    match &settings.rep {
        Some(rep) => say!(
            "rep: told of handoffs on WhatsApp at {}{}",
            masked_phone(rep.phone.as_str()),
            rep.template
                .as_deref()
                .map(|t| format!(" (template {t} outside the 24-hour window)"))
                .unwrap_or_default()
        ),
        None => say!("rep: none"),
    }
    match &settings.transcription {
        Some(t) => say!(
            "voice notes: transcribed by {} at {}",
            t.model,
            redacted_url(&t.base_url)
        ),
        None => say!("voice notes: not transcribed (customers are asked to write)"),
    }
    match settings.retention {
        Some(retention) => say!(
            "retention: conversations idle for {} days are erased",
            retention.as_secs() / (24 * 3600)
        ),
        None => say!("retention: none (conversations are kept until erased on request)"),
    }
    if settings
        .crm
        .as_ref()
        .is_some_and(|crm| crm.secret.is_none())
        && settings.admin_token.is_none()
    {
        found.warning(
            "neither LEADLINE_CRM_WEBHOOK_SECRET nor LEADLINE_ADMIN_TOKEN is set: the CRM's lead_id changes at every restart",
        );
    }
    match &settings.admin_token {
        Some(_) => say!("admin API and dashboard: token set"),
        None => found.warning(
            "LEADLINE_ADMIN_TOKEN is not set: the admin API and the dashboard refuse every request",
        ),
    }
    if let Some(url) = &settings.public_url {
        say!("public URL: {}", url_without_secrets(url));
    }
    if !settings.http.trusted_proxies.is_empty() {
        let proxies: Vec<String> = settings
            .http
            .trusted_proxies
            .iter()
            .map(ToString::to_string)
            .collect();
        say!("trusted proxies: {}", proxies.join(", "));
    }
}

/// Which backend keeps what; nothing is connected to.
fn store(settings: &Settings, found: &mut Findings) {
    match (&settings.database, &settings.redis) {
        (Database::Sqlite(url), _) => {
            let path = sqlite_path(url);
            match &path {
                None => say!("store: SQLite in memory (nothing kept across restarts)"),
                Some(path) => {
                    say!(
                        "store: SQLite {} (embedded: conversations, inbox and records)",
                        path.display()
                    );
                    let dir = match path.parent() {
                        Some(dir) if !dir.as_os_str().is_empty() => dir,
                        _ => Path::new("."),
                    };
                    if !dir.is_dir() {
                        found.problem(format!(
                            "DATABASE_URL: the folder {} does not exist, so the SQLite file cannot be made",
                            dir.display()
                        ));
                    }
                }
            }
        }
        (Database::Postgres(_), None) => say!(
            "store: PostgreSQL {} (conversations, inbox and records; not connected by this check)",
            settings.database.redacted()
        ),
        (Database::Postgres(_), Some(redis)) => say!(
            "store: Redis {} (prefix {}: conversations and the inbox) + PostgreSQL {} (records); not connected by this check",
            redacted_url(redis.url.expose()),
            redis.prefix,
            settings.database.redacted()
        ),
    }
}

fn whatsapp(settings: &Settings, found: &mut Findings) {
    let whatsapp = &settings.whatsapp;
    say!(
        "whatsapp: Graph API {} {}, phone number id {}",
        redacted_url(&whatsapp.api_base),
        whatsapp.api_version,
        whatsapp
            .phone_number_id
            .as_deref()
            .unwrap_or("from each webhook")
    );
    let set = |s: &Option<crate::config::Secret>| if s.is_some() { "set" } else { "not set" };
    say!(
        "whatsapp secrets: app secret {}, verify token {}, access token {}",
        set(&whatsapp.app_secret),
        set(&whatsapp.verify_token),
        set(&whatsapp.access_token)
    );
    if settings.role.ingress() {
        if whatsapp.app_secret.is_none() {
            found.warning("WHATSAPP_APP_SECRET is not set: POST /webhook refuses every delivery");
        }
        if whatsapp.verify_token.is_none() {
            found.warning("WHATSAPP_VERIFY_TOKEN is not set: Meta's webhook verification fails");
        }
    }
    if settings.role.worker() && whatsapp.access_token.is_none() {
        found.warning(
            "WHATSAPP_ACCESS_TOKEN is not set: replies are recorded but the Graph API will refuse them",
        );
    }
}

/// The file a `sqlite:` URL names, or none for an in-memory database.
fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let rest = rest.split('?').next().unwrap_or(rest);
    if rest.is_empty() || rest == ":memory:" {
        return None;
    }
    Some(rest.into())
}

/// A URL as it may be shown: no password, no query (where tokens go).
fn url_without_secrets(url: &str) -> String {
    match crate::config::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            let query = parsed.query().is_some();
            parsed.set_query(None);
            if query {
                format!("{parsed}?…")
            } else {
                parsed.to_string()
            }
        }
        Err(_) => "(not a URL)".to_owned(),
    }
}

/// `+34*******222`: enough to recognise, not enough to dial.
fn masked_phone(digits: &str) -> String {
    let keep = digits.len().min(3);
    let (head, tail) = digits.split_at(digits.len() - keep);
    let shown_head: String = head.chars().take(2).collect();
    let hidden = head.len().saturating_sub(shown_head.len());
    format!("+{shown_head}{}{tail}", "*".repeat(hidden))
}

/// Runs `leadline health`: GET `path` from the `serve` this machine's
/// settings describe; exit 0 on a 2xx answer, 1 otherwise. A few lines of
/// HTTP/1.1 over a socket, so a container image needs no curl.
pub fn health(file: Option<&Path>, path: &str, timeout: Duration) -> ExitCode {
    let settings = match Settings::load(file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("leadline: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut address = settings.listen;
    if address.ip().is_unspecified() {
        address.set_ip(match address {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    match probe(address, path, timeout) {
        Ok(status) if (200..300).contains(&status) => {
            say!("{address}{path}: {status}");
            ExitCode::SUCCESS
        }
        Ok(status) => {
            eprintln!("{address}{path}: {status}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("{address}{path}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The status code of `GET path`.
fn probe(address: SocketAddr, path: &str, timeout: Duration) -> std::io::Result<u16> {
    let mut stream = TcpStream::connect_timeout(&address, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    // One write: a server may answer and close as soon as it has the head.
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nUser-Agent: leadline-health\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes())?;
    // "HTTP/1.1 200 OK": the status line is all that is needed.
    let mut head = [0u8; 64];
    let mut read = 0;
    while read < 12 {
        let n = stream.read(&mut head[read..])?;
        if n == 0 {
            break;
        }
        read += n;
    }
    let line = String::from_utf8_lossy(&head[..read]);
    line.strip_prefix("HTTP/1.")
        .and_then(|rest| rest.get(2..5))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("not an HTTP answer: {line:?}"),
            )
        })
}

/// When customers hear from Leadline between their own messages.
fn follow_through(settings: &Settings, playbook: &Playbook) {
    let whatsapp = &settings.whatsapp;
    let reminders: Vec<String> = playbook
        .reminders
        .iter()
        .map(|d| {
            format!(
                "{:#}",
                jiff::SignedDuration::try_from(*d).unwrap_or_default()
            )
        })
        .collect();
    match (reminders.is_empty(), &whatsapp.reminder_template) {
        (true, _) => say!("reminders: none ([scheduling] reminders)"),
        (false, Some(template)) => say!(
            "reminders: {} before each booked call (template {template} outside the 24-hour window)",
            reminders.join(", ")
        ),
        (false, None) => say!(
            "reminders: {} before each booked call (none outside the 24-hour window: LEADLINE_REMINDER_TEMPLATE is not set)",
            reminders.join(", ")
        ),
    }
    let follow_up = playbook.follow_up;
    match follow_up.max {
        0 => say!("follow-up: none ([follow_up])"),
        max => say!(
            "follow-up: up to {max} nudge(s), {:#} apart, to leads who went quiet",
            jiff::SignedDuration::try_from(follow_up.after).unwrap_or_default()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_masked_and_sqlite_paths_found() {
        assert_eq!(masked_phone("34600111222"), "+34******222");
        assert_eq!(
            sqlite_path("sqlite://data/leadline.db?mode=rwc"),
            Some("data/leadline.db".into())
        );
        assert_eq!(
            sqlite_path("sqlite:///data/x.db"),
            Some("/data/x.db".into())
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(
            url_without_secrets("https://u:pw@crm.example/h?token=abc"),
            "https://u:***@crm.example/h?…"
        );
    }
}
