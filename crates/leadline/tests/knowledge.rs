//! `leadline knowledge check|search` black box: a folder in, passages and
//! problems as file:line and an exit code out, through the real binary.

mod support;

use std::path::{Path, PathBuf};

/// The built-in playbook's own folder, which `serve` answers from.
fn built_in() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../domain/playbooks/knowledge")
}

/// (exit code, stdout, stderr).
fn leadline(args: &[&str]) -> (Option<i32>, String, String) {
    support::run_leadline(None, args, &[])
}

#[test]
fn the_built_in_folder_checks_clean_with_passages_in_both_languages() {
    let dir = built_in();
    let (code, stdout, stderr) = leadline(&["knowledge", "check", dir.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("es.md:1  es#que-es-tuvendedor24  [es]  Qué es TuVendedor24"),
        "{stdout}"
    );
    assert!(
        stdout.contains("en.md:21  en#integrations  [en]  Integrations"),
        "{stdout}"
    );
    let passages = stdout.lines().filter(|l| l.contains(".md:")).count();
    assert!(passages >= 12, "{stdout}");
    assert!(
        stdout.contains(&format!("{passages} passages, 0 problems")),
        "{stdout}"
    );
}

#[test]
fn problems_are_listed_as_file_and_line_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("faq.md"),
        "# Horario\n\n# Precios\nDesde 10 dólares.\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("raw.txt"), b"caf\xe9").unwrap();
    let (code, stdout, stderr) = leadline(&["knowledge", "check", dir.path().to_str().unwrap()]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("faq.md:3  faq#precios  [es]  Precios"),
        "{stdout}"
    );
    assert!(
        stderr.contains("faq.md:1: \"Horario\" has no text"),
        "{stderr}"
    );
    assert!(stderr.contains("raw.txt: not UTF-8"), "{stderr}");
    assert!(stdout.contains("1 passages, 2 problems"), "{stdout}");

    let (code, _, stderr) = leadline(&["knowledge", "check", "/nonexistent/knowledge"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot read the knowledge folder"),
        "{stderr}"
    );
}

#[test]
fn search_answers_product_questions_and_admits_what_it_does_not_know() {
    let dir = built_in();
    let dir = dir.to_str().unwrap();
    let (code, stdout, _) = leadline(&[
        "knowledge",
        "search",
        dir,
        "¿se integran con Tiendanube?",
        "-k",
        "1",
    ]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("es#tiendas-en-linea"), "{stdout}");
    assert!(stdout.contains("(answers)"), "{stdout}");
    assert!(
        stdout.contains("    No hay una integración directa con Shopify"),
        "{stdout}"
    );

    let (code, stdout, _) =
        leadline(&["knowledge", "search", dir, "does it work on Instagram too?"]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout
            .lines()
            .next()
            .unwrap()
            .contains("en#channels-whatsapp"),
        "{stdout}"
    );

    let (code, stdout, _) = leadline(&["knowledge", "search", dir, "do you have a free trial?"]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("no passage answers this"), "{stdout}");
}

/// `leadline knowledge search ... | head -1`: a reader that has gone ends
/// the output quietly, it does not panic the command.
#[test]
fn a_closed_output_ends_the_command_without_a_panic() {
    let dir = built_in();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_leadline"))
        .args([
            "knowledge",
            "search",
            dir.to_str().unwrap(),
            "how much is it?",
            "-k",
            "5",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run leadline");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("leadline ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
}
