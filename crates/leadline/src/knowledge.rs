//! `leadline knowledge check|search DIR`: what the agent would answer
//! from a knowledge folder, and what is wrong in it, before a team relies
//! on it.

use leadline_knowledge::{GOOD_ENOUGH, Knowledge, Passage};
use std::path::Path;
use std::process::ExitCode;

/// Lists every passage (`file:line id [language] title`), then every
/// problem as `file:line: what`; exit 1 when there is any, 2 when the
/// folder cannot be read.
pub fn check(dir: &Path) -> ExitCode {
    let Some(knowledge) = load(dir) else {
        return ExitCode::from(2);
    };
    for passage in knowledge.passages() {
        println!("{}", heading(passage));
    }
    let problems = knowledge.problems();
    for problem in problems {
        eprintln!("{problem}");
    }
    println!(
        "{}: {} passages, {} problems",
        dir.display(),
        knowledge.passages().len(),
        problems.len()
    );
    if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Prints the `k` best passages for `query`, best first, each with its
/// relevance and whether it clears [`GOOD_ENOUGH`], then its text; exit 1
/// when none does (the agent would say it checks with the team), 2 when the
/// folder cannot be read.
pub fn search(dir: &Path, query: &str, k: usize) -> ExitCode {
    let Some(knowledge) = load(dir) else {
        return ExitCode::from(2);
    };
    let hits = knowledge.search(query, k);
    for hit in &hits {
        let verdict = if hit.is_good_enough() {
            "answers"
        } else {
            "under the threshold"
        };
        println!(
            "{}  relevance {:.2} ({verdict})",
            heading(hit.passage),
            hit.relevance
        );
        for line in hit.passage.body.lines() {
            println!("    {line}");
        }
    }
    if hits.first().is_some_and(|h| h.is_good_enough()) {
        ExitCode::SUCCESS
    } else {
        println!("no passage answers this (threshold {GOOD_ENOUGH})");
        ExitCode::FAILURE
    }
}

fn load(dir: &Path) -> Option<Knowledge> {
    match Knowledge::load(dir) {
        Ok(knowledge) => Some(knowledge),
        Err(e) => {
            eprintln!(
                "leadline: cannot read the knowledge folder {}: {e}",
                dir.display()
            );
            None
        }
    }
}

/// `file:line id [es] Title`.
fn heading(passage: &Passage) -> String {
    let language = passage.language.map_or("?", |l| l.code());
    format!(
        "{}:{}  {}  [{language}]  {}",
        passage.file.display(),
        passage.line,
        passage.id,
        passage.title
    )
}
