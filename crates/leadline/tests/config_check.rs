//! `leadline config check`, `leadline health` and `leadline --version`,
//! black box through the real binary: settings in, a report and an exit
//! code out, nothing started and no secret printed.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

/// (exit code, stdout, stderr) of `leadline ARGS` with only `vars` set,
/// run in `dir`.
fn leadline(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> (Option<i32>, String, String) {
    support::run_leadline(Some(dir), args, vars)
}

#[test]
fn no_settings_at_all_check_clean_and_name_what_would_run() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = leadline(dir.path(), &["config", "check"], &[]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    for line in [
        "config file: none",
        "role: all",
        "listen: 127.0.0.1:8080",
        "playbook: built-in sales playbook: ok",
        "knowledge: built-in: ",
        "store: SQLite leadline.db",
        "brain: local",
        "calendar: local",
        "crm: none",
        "config: ok",
    ] {
        assert!(stdout.contains(line), "{line:?} missing from:\n{stdout}");
    }
    // What `serve` would warn about, it says too, without failing.
    assert!(
        stderr.contains("warning: WHATSAPP_APP_SECRET is not set"),
        "{stderr}"
    );
    // Nothing was made: no SQLite file, no listener.
    assert!(!dir.path().join("leadline.db").exists());
}

#[test]
fn a_scaled_out_setup_is_described_without_connecting_or_printing_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let admin = "admin-token-".repeat(4);
    // Nothing listens on port 1: a connection attempt would fail the check.
    let vars = [
        (
            "DATABASE_URL",
            "postgres://leadline:pg-s3cret-pw@127.0.0.1:1/leadline",
        ),
        ("REDIS_URL", "redis://:redis-s3cret-pw@127.0.0.1:1"),
        ("LEADLINE_ROLE", "worker"),
        ("WHATSAPP_APP_SECRET", "app-s3cret"),
        ("WHATSAPP_VERIFY_TOKEN", "verify-s3cret"),
        ("WHATSAPP_ACCESS_TOKEN", "access-s3cret"),
        ("OPENAI_API_KEY", "sk-s3cret"),
        ("OPENAI_BASE_URL", "http://127.0.0.1:1/v1"),
        ("LEADLINE_MODEL", "qwen2.5-coder"),
        ("LEADLINE_ADMIN_TOKEN", admin.as_str()),
        (
            "LEADLINE_CRM_WEBHOOK_URL",
            "https://crm.example.com/hooks/leadline?token=crm-s3cret-query",
        ),
        ("LEADLINE_CRM_WEBHOOK_SECRET", "crm-s3cret"),
        ("LEADLINE_REP_PHONE", "+34600111222"),
    ];
    let started = Instant::now();
    let (code, stdout, stderr) = leadline(dir.path(), &["config", "check"], &vars);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(started.elapsed() < Duration::from_secs(10));
    for line in [
        "role: worker",
        "store: Redis redis://:***@127.0.0.1:1 (prefix leadline",
        "PostgreSQL postgres://leadline:***@127.0.0.1:1/leadline (records); not connected",
        "brain: openai: model qwen2.5-coder at http://127.0.0.1:1/v1",
        "crm: handoffs and bookings POSTed to https://crm.example.com/hooks/leadline?…",
        "rep: told of handoffs on WhatsApp at +34******222",
        "admin API and dashboard: token set",
        "whatsapp secrets: app secret set, verify token set, access token set",
        "config: ok (0 warnings)",
    ] {
        assert!(stdout.contains(line), "{line:?} missing from:\n{stdout}");
    }
    let all = format!("{stdout}{stderr}");
    for secret in [
        "pg-s3cret-pw",
        "redis-s3cret-pw",
        "app-s3cret",
        "verify-s3cret",
        "access-s3cret",
        "sk-s3cret",
        admin.as_str(),
        "crm-s3cret",
        "600111222",
    ] {
        assert!(!all.contains(secret), "{secret} printed:\n{all}");
    }
}

#[test]
fn a_config_file_is_read_as_serve_reads_it_and_knowledge_problems_are_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let knowledge = dir.path().join("faq");
    std::fs::create_dir(&knowledge).unwrap();
    std::fs::write(
        knowledge.join("faq.md"),
        "# Horario\n\n# Precios\nDesde 10 dólares.\n",
    )
    .unwrap();
    let config = dir.path().join("leadline.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"0.0.0.0:9000\"\nknowledge = \"{}\"\nlog_format = \"json\"\n",
            knowledge.display()
        ),
    )
    .unwrap();
    let (code, stdout, stderr) = leadline(
        dir.path(),
        &["config", "check", "--config", config.to_str().unwrap()],
        &[],
    );
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("listen: 0.0.0.0:9000"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "knowledge: {}: 1 passages, 1 problems",
            knowledge.display()
        )),
        "{stdout}"
    );
    assert!(stderr.contains("warning: knowledge "), "{stderr}");
    assert!(stderr.contains("faq.md:1"), "{stderr}");
}

/// Extra arguments, the environment, and what the problem must name.
type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str);

#[test]
fn what_would_stop_serve_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let missing = missing.to_str().unwrap();
    let key_file = format!("{missing}/sa.json");
    let bad_playbook = dir.path().join("playbook.toml");
    std::fs::write(&bad_playbook, "[business]\nname = 3\n").unwrap();
    let bad_config = dir.path().join("bad.toml");
    std::fs::write(&bad_config, "listen = \"127.0.0.1:1\"\nunknown_key = 3\n").unwrap();
    let cases: Vec<Case> = vec![
        (
            vec![],
            vec![("LEADLINE_LISTEN", "nonsense")],
            "LEADLINE_LISTEN",
        ),
        (vec![], vec![("DATABASE_URL", "mysql://x")], "DATABASE_URL"),
        (
            vec![],
            vec![("LEADLINE_CRM_WEBHOOK_URL", "crm.example.com")],
            "LEADLINE_CRM_WEBHOOK_URL",
        ),
        (
            vec![],
            vec![("LEADLINE_PLAYBOOK", bad_playbook.to_str().unwrap())],
            "LEADLINE_PLAYBOOK",
        ),
        (
            vec![],
            vec![("LEADLINE_KNOWLEDGE", missing)],
            "LEADLINE_KNOWLEDGE",
        ),
        (
            vec![],
            vec![
                ("GOOGLE_APPLICATION_CREDENTIALS", key_file.as_str()),
                ("GOOGLE_CALENDAR_ID", "sales@example.com"),
            ],
            "GOOGLE_APPLICATION_CREDENTIALS",
        ),
        (
            vec![],
            vec![("DATABASE_URL", "sqlite://no/such/folder/leadline.db")],
            "DATABASE_URL",
        ),
        (
            vec!["--config", bad_config.to_str().unwrap()],
            vec![],
            "line 2",
        ),
    ];
    for (extra, vars, named) in cases {
        let mut args = vec!["config", "check"];
        args.extend(extra);
        let (code, stdout, stderr) = leadline(dir.path(), &args, &vars);
        assert_eq!(code, Some(2), "{vars:?}: {stdout}{stderr}");
        assert!(stderr.contains("problem: "), "{vars:?}: {stderr}");
        assert!(stderr.contains(named), "{vars:?}: {named} not in {stderr}");
        assert!(
            stdout.contains("`leadline serve` would not start"),
            "{stdout}"
        );
    }
}

#[test]
fn the_version_names_the_commit_it_was_built_from() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = leadline(dir.path(), &["--version"], &[]);
    assert_eq!(code, Some(0));
    let version = stdout.trim();
    let commit = version
        .strip_prefix(concat!("leadline ", env!("CARGO_PKG_VERSION"), " (commit "))
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{version}"));
    assert!(
        commit == "unknown"
            || (commit.len() == 12 && commit.chars().all(|c| c.is_ascii_hexdigit())),
        "{version}"
    );
}

/// A server on a loopback port that answers every request with `status`.
fn answering(status: &'static str) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            // The whole head, then the answer.
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                head.push(byte[0]);
            }
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    port
}

#[test]
fn the_health_probe_asks_the_listener_the_settings_name() {
    let dir = tempfile::tempdir().unwrap();
    // 0.0.0.0 (a container's listen address) is asked on loopback.
    let up = format!("0.0.0.0:{}", answering("200 OK"));
    let (code, stdout, stderr) = leadline(dir.path(), &["health"], &[("LEADLINE_LISTEN", &up)]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("/healthz: 200"), "{stdout}");

    let unready = format!("127.0.0.1:{}", answering("503 Service Unavailable"));
    let (code, _, stderr) = leadline(
        dir.path(),
        &["health", "--path", "/readyz"],
        &[("LEADLINE_LISTEN", &unready)],
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("/readyz: 503"), "{stderr}");

    let nobody = TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = nobody.local_addr().unwrap().to_string();
    drop(nobody);
    let (code, _, _) = leadline(dir.path(), &["health"], &[("LEADLINE_LISTEN", &closed)]);
    assert_eq!(code, Some(1));
}
