//! `leadline chat` black box: lines typed in the terminal go through the
//! same inbox, engine and store as webhooks, and the agent's replies and
//! state come back on stdout.

use std::io::Write;
use std::process::{Command, Stdio};

#[test]
fn a_terminal_conversation_runs_through_the_real_pipeline() {
    let dir = std::env::temp_dir().join(format!("leadline-chat-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_leadline"))
        .args(["chat", "--show-state", "--customer", "5215550900"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.join("chat.db").display()),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start leadline chat");
    let script = "Hola, soy Carlos de Ferretería López, busco un asistente para atender clientes por WhatsApp\n\
                  Tenemos unos 3 mil dólares\n";
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let output = child.wait_with_output().expect("chat ends at end of input");
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "exit {:?}; stderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        stdout.matches("agent> ").count(),
        2,
        "one reply per line typed:\n{stdout}"
    );
    assert!(
        stdout.contains("[stage qualification"),
        "the first line moves the lead on:\n{stdout}"
    );
    assert!(
        stdout.contains("\"name\":\"Carlos\""),
        "the lead is shown:\n{stdout}"
    );
    assert!(
        stdout.contains("\"min\":3000"),
        "the budget was understood:\n{stdout}"
    );
    assert!(
        !stdout.contains("5215550900"),
        "the customer's number is never printed in clear:\n{stdout}"
    );
}
