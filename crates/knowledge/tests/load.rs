//! A folder read from disk: passages, ids, lines, and every problem with
//! its file and line; bad input never panics.

use leadline_knowledge::{Knowledge, Language, ProblemKind};
use std::fs;

#[test]
fn a_folder_gives_passages_and_problems_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("precios.md"),
        "Precios en dólares, sin impuestos.\n\n# Limpieza\n\nUna limpieza cuesta 40 dólares.\n\n# Vacío\n\n# Limpieza\n\nOtra vez la limpieza.\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("notes.txt"),
        "We are open on Saturdays from 9 to 1.\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("long.md"),
        format!("# Todo\n\n{}\n", "palabra ".repeat(200)),
    )
    .unwrap();
    fs::write(
        dir.path().join("latin1.md"),
        b"# Precio\n\nPrecio en d\xf3lares\n",
    )
    .unwrap();
    fs::write(dir.path().join("image.png"), b"\x89PNG").unwrap();
    fs::create_dir(dir.path().join("faq")).unwrap();
    fs::write(
        dir.path().join("faq/pagos.md"),
        "# Pagos\n## Tarjetas\nAceptamos tarjetas de crédito y débito.\n",
    )
    .unwrap();

    let knowledge = Knowledge::load(dir.path()).unwrap();
    let ids: Vec<_> = knowledge.passages().iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "faq/pagos#tarjetas",
            "long#todo",
            "notes",
            "precios",
            "precios#limpieza",
            "precios#limpieza-2"
        ]
    );
    let notes = knowledge.passage("notes").unwrap();
    assert_eq!((notes.title.as_str(), notes.line), ("notes", 1));
    assert_eq!(notes.language, Some(Language::En));
    assert_eq!(knowledge.passage("precios#limpieza").unwrap().line, 3);

    let problems: Vec<String> = knowledge
        .problems()
        .iter()
        .map(|p| {
            p.to_string()
                .replace(&format!("{}/", dir.path().display()), "")
        })
        .collect();
    assert_eq!(problems.len(), 4, "{problems:#?}");
    assert!(
        problems[0].starts_with("latin1.md: not UTF-8"),
        "{problems:#?}"
    );
    assert!(
        problems[1].starts_with("long.md:1: \"Todo\" is 1599 characters"),
        "{problems:#?}"
    );
    assert!(
        problems[2].starts_with("precios.md:7: \"Vacío\" has no text"),
        "{problems:#?}"
    );
    assert!(
        problems[3].starts_with("precios.md:9: id \"precios#limpieza\" is also at"),
        "{problems:#?}"
    );
    // One heading in two files is two ids but one question's answer twice.
    let twice = Knowledge::from_files([
        ("a.md", "# Precios\nLa limpieza cuesta 40 dólares."),
        ("b.md", "# Precios\nLa consulta cuesta 20 dólares."),
    ]);
    assert!(matches!(
        twice.problems(),
        [p] if p.line == 1 && matches!(p.kind, ProblemKind::DuplicateTitle { .. })
    ));
}

#[test]
fn a_missing_folder_is_an_error_not_a_panic() {
    assert!(Knowledge::load(std::path::Path::new("/nonexistent/knowledge")).is_err());
}

#[test]
fn odd_text_never_panics() {
    let inputs = [
        "",
        "#",
        "######",
        "####### x",
        "# \n#\n##",
        "```\n# not a heading\n",
        "\u{0}\u{feff}# x\ny",
        "# ¿?\n¡!",
        "# a\n\n\n",
        "ñ",
        "# 💬\n🙂🙂",
        "\r\n# x\r\ny\r\n",
    ];
    for input in inputs {
        let knowledge = Knowledge::from_files([("f.md", input)]);
        for query in [input, "", "a", "ññññññ", "🙂"] {
            knowledge.search(query, 5);
        }
    }
}
