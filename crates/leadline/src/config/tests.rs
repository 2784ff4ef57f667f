//! The settings as the file and the environment give them: defaults,
//! precedence and every refusal.

use super::*;
use leadline_brains::openai::ToolMode;
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
    let file =
        "[google]\napplication_credentials = \"/etc/sa.json\"\ncalendar_id = \"sales@x.example\"\n";
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
    let file =
        "listen = \"127.0.0.1:9000\"\nmodel = \"from-file\"\n[whatsapp]\napi_version = \"v21.0\"\n";
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
