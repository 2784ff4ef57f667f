//! The knowledge folder in the binary: `leadline knowledge check|search
//! DIR` (what the agent would answer from a folder, and what is wrong in
//! it, before a team relies on it), and the folder `serve` loads at start
//! and re-reads when its files change.

use crate::config::Settings;
use anyhow::Context;
use leadline_domain::playbook::Playbook;
use leadline_knowledge::{GOOD_ENOUGH, Knowledge, Passage, Shared, Stamp};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often `serve` looks at the folder's files for a change.
pub const POLL_EVERY: Duration = Duration::from_secs(2);

/// The built-in playbook's folder, compiled in so `serve` answers product
/// questions wherever the binary runs.
const BUILT_IN: [(&str, &str); 2] = [
    (
        "es.md",
        include_str!("../../domain/playbooks/knowledge/es.md"),
    ),
    (
        "en.md",
        include_str!("../../domain/playbooks/knowledge/en.md"),
    ),
];

/// The knowledge the agent answers from and the folder it is re-read from.
#[derive(Debug, Clone)]
pub struct Live {
    shared: Shared,
    dir: Option<PathBuf>,
    /// The folder's files as they were just before the load, so a change
    /// made while loading or before [`Live::watch`] starts is still seen.
    loaded: Option<Stamp>,
}

/// Where the agent's knowledge comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folder<'a> {
    Dir(&'a Path),
    /// The built-in playbook's own folder.
    BuiltIn,
    /// None: every question goes to the team.
    Empty,
}

impl<'a> Folder<'a> {
    /// `LEADLINE_KNOWLEDGE` (config key `knowledge`), else the playbook's
    /// own `knowledge` folder, else the built-in one for the built-in
    /// playbook; a business's own playbook without a folder has none, so
    /// it never answers with TuVendedor24's facts.
    pub fn of(settings: &'a Settings, playbook: &'a Playbook) -> Folder<'a> {
        match (&settings.knowledge, &playbook.knowledge, &settings.playbook) {
            (Some(dir), _, _) | (None, Some(dir), _) => Folder::Dir(dir),
            (None, None, None) => Folder::BuiltIn,
            (None, None, Some(_)) => Folder::Empty,
        }
    }
}

impl Live {
    /// Loads the folder and logs its problems; fails only when a folder
    /// named cannot be read, since a server answering from an empty folder
    /// would hide the mistake.
    pub fn load(folder: Folder<'_>) -> anyhow::Result<Live> {
        let dir = match folder {
            Folder::Dir(dir) => Some(dir),
            Folder::BuiltIn | Folder::Empty => None,
        };
        let loaded = dir.and_then(|dir| Stamp::of(dir).ok());
        let knowledge = read(folder)?;
        log_loaded(&knowledge, folder);
        Ok(Live {
            shared: Shared::new(knowledge),
            dir: dir.map(Path::to_owned),
            loaded,
        })
    }

    pub fn current(&self) -> Arc<Knowledge> {
        self.shared.current()
    }

    /// What the router reads each turn: the same folder, reloads included.
    pub fn shared(&self) -> Shared {
        self.shared.clone()
    }

    /// Re-reads the folder whenever its files' paths, sizes or
    /// modification times change, looking every `every`, until `shutdown`.
    /// Polling rather than the notify crate: a few dozen `stat` calls every
    /// couple of seconds cost nothing, need no extra dependency tree, and
    /// also see changes that file events miss (network filesystems, bind
    /// mounts, a Kubernetes ConfigMap swapping its symlink). A folder that
    /// became unreadable keeps the last one loaded.
    pub async fn watch(self, every: Duration, shutdown: CancellationToken) {
        let Some(dir) = self.dir.clone() else {
            return;
        };
        let mut seen = self.loaded.clone();
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(every) => {}
            }
            let now = stamp(&dir).await;
            if now == seen {
                continue;
            }
            seen = now;
            let reading = dir.clone();
            match tokio::task::spawn_blocking(move || Knowledge::load(&reading)).await {
                Ok(Ok(knowledge)) => {
                    log_loaded(&knowledge, Folder::Dir(&dir));
                    self.shared.replace(knowledge);
                }
                Ok(Err(e)) => tracing::warn!(
                    dir = %dir.display(),
                    error = %e,
                    "cannot re-read the knowledge folder; keeping the last one loaded"
                ),
                Err(e) => tracing::warn!(error = %e, "knowledge reload task failed"),
            }
        }
    }
}

/// Reads the folder (`serve` at start, `config check`): an error only
/// when a folder named cannot be read; its passages' problems are in it.
pub fn read(folder: Folder<'_>) -> anyhow::Result<Knowledge> {
    Ok(match folder {
        Folder::Dir(dir) => Knowledge::load(dir).with_context(|| {
            format!(
                "cannot read the knowledge folder {} (LEADLINE_KNOWLEDGE or the playbook's `knowledge`)",
                dir.display()
            )
        })?,
        Folder::BuiltIn => Knowledge::from_files(BUILT_IN),
        Folder::Empty => Knowledge::empty(),
    })
}

/// The folder's stamp, or none when it cannot be listed (which is then a
/// change when it comes back).
async fn stamp(dir: &Path) -> Option<Stamp> {
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || Stamp::of(&dir).ok())
        .await
        .ok()
        .flatten()
}

fn log_loaded(knowledge: &Knowledge, folder: Folder<'_>) {
    let dir = match folder {
        Folder::Dir(dir) => dir.display().to_string(),
        Folder::BuiltIn => "built-in".to_owned(),
        Folder::Empty => "none".to_owned(),
    };
    for problem in knowledge.problems() {
        tracing::warn!(%problem, "knowledge folder problem");
    }
    tracing::info!(
        %dir,
        passages = knowledge.passages().len(),
        problems = knowledge.problems().len(),
        "knowledge loaded"
    );
}

/// Lists every passage (`file:line id [language] title`), then every
/// problem as `file:line: what`; exit 1 when there is any, 2 when the
/// folder cannot be read.
pub fn check(dir: &Path) -> ExitCode {
    let Some(knowledge) = load(dir) else {
        return ExitCode::from(2);
    };
    for passage in knowledge.passages() {
        say!("{}", heading(passage));
    }
    let problems = knowledge.problems();
    for problem in problems {
        eprintln!("{problem}");
    }
    say!(
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

/// Prints the `k` best passages for `query` read in the light of
/// `context`, as the agent looks them up, best first, each with its
/// relevance and whether it clears [`GOOD_ENOUGH`], then its text; exit 1
/// when none does (the agent would say it checks with the team), 2 when the
/// folder cannot be read.
pub fn search(dir: &Path, query: &str, context: &str, k: usize) -> ExitCode {
    let Some(knowledge) = load(dir) else {
        return ExitCode::from(2);
    };
    let hits = knowledge.search_in_context(query, context, k);
    for hit in &hits {
        let verdict = if hit.is_good_enough() {
            "answers"
        } else {
            "under the threshold"
        };
        say!(
            "{}  relevance {:.2} ({verdict})",
            heading(hit.passage),
            hit.relevance
        );
        for line in hit.passage.body.lines() {
            say!("    {line}");
        }
    }
    if hits.first().is_some_and(|h| h.is_good_enough()) {
        ExitCode::SUCCESS
    } else {
        say!("no passage answers this (threshold {GOOD_ENOUGH})");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_folder_is_compiled_in() {
        let live = Live::load(Folder::BuiltIn).unwrap();
        let knowledge = live.current();
        assert!(knowledge.passages().len() >= 12);
        assert!(
            knowledge.problems().is_empty(),
            "{:?}",
            knowledge.problems()
        );
    }

    #[tokio::test]
    async fn an_edited_folder_is_re_read_without_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("faq.md");
        std::fs::write(&file, "# Horario\nDe lunes a viernes.\n").unwrap();
        let live = Live::load(Folder::Dir(dir.path())).unwrap();
        assert_eq!(live.current().passages().len(), 1);
        let shutdown = CancellationToken::new();
        let watching = tokio::spawn(
            live.clone()
                .watch(Duration::from_millis(10), shutdown.clone()),
        );

        std::fs::write(
            &file,
            "# Horario\nDe lunes a viernes.\n# Precios\nDesde 10 dólares.\n",
        )
        .unwrap();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while live.current().passages().len() != 2 {
            assert!(tokio::time::Instant::now() < deadline, "not re-read");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // A folder gone keeps what was loaded.
        drop(dir);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(live.current().passages().len(), 2);

        shutdown.cancel();
        watching.await.unwrap();
    }

    #[test]
    fn an_unreadable_folder_stops_the_start() {
        let error = Live::load(Folder::Dir(Path::new("/nonexistent/knowledge"))).unwrap_err();
        assert!(
            format!("{error:#}").contains("LEADLINE_KNOWLEDGE"),
            "{error:#}"
        );
    }
}
