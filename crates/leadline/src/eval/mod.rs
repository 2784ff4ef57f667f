//! `leadline eval FILE...`: runs scripted customer conversations through
//! the full pipeline (inbox, engine workers, agent, configured brain, a
//! temporary SQLite store) and prints outcome figures. Exit code 0 when
//! every expectation holds (known gaps aside), 1 when one does not, 2 for a
//! bad scenario file.

mod report;
mod run;
mod scenario;

use report::{Summary, table};
use run::Outcome;
use scenario::{Scenario, ScenarioError, Split};

use crate::chat::Session;
use crate::config::Settings;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use leadline_domain::CustomerId;
use leadline_domain::tools::BOOK_CALL;
use leadline_stores::sqlite::SqliteStore;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// What `leadline eval` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub files: Vec<PathBuf>,
    pub json: bool,
    /// Only the scenarios with this tag.
    pub tag: Option<String>,
    /// Scenarios run at once (and engine workers): each is one
    /// conversation on its own customer id, so they do not interfere.
    pub parallel: usize,
    /// A turn the fallback brain answered fails the run.
    pub require_model: bool,
}

/// Runs `leadline eval`.
pub async fn run(settings: Settings, options: Options) -> ExitCode {
    match evaluate(&settings, &options).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("leadline eval: {e:#}");
            if e.downcast_ref::<ScenarioError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// Whether every scenario met its expectations (known gaps aside).
async fn evaluate(settings: &Settings, options: &Options) -> anyhow::Result<bool> {
    let scenarios: Vec<Scenario> = scenario::load(&options.files)?
        .into_iter()
        .filter(|s| options.tag.as_ref().is_none_or(|tag| s.tags.contains(tag)))
        .collect();
    if scenarios.is_empty() {
        anyhow::bail!(
            "no scenario has the tag {:?}",
            options.tag.as_deref().unwrap_or_default()
        );
    }
    // One session per playbook the files name, the configured one first.
    let mut groups: Vec<(Option<PathBuf>, Group)> = Vec::new();
    for (index, scenario) in scenarios.into_iter().enumerate() {
        match groups.iter_mut().find(|(p, _)| *p == scenario.playbook) {
            Some((_, group)) => group.push((index, scenario)),
            None => groups.push((scenario.playbook.clone(), vec![(index, scenario)])),
        }
    }
    groups.sort_by_key(|(playbook, _)| playbook.is_some());
    let total = groups.iter().map(|(_, g)| g.len()).sum::<usize>();
    // indicatif draws nothing when stderr is not a terminal (CI, pipes).
    let progress = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr())
        .with_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} scenarios {wide_msg}")
                .expect("the progress template is valid"),
        );
    let mut outcomes = Vec::new();
    let mut scheduling_stage = None;
    for (playbook, group) in groups {
        let mut settings = settings.clone();
        if playbook.is_some() {
            // The file's playbook brings its own knowledge folder.
            settings.playbook = playbook;
            settings.knowledge = None;
        }
        let (stage, run) = run_group(&settings, options, group, &progress).await?;
        scheduling_stage = scheduling_stage.or(stage);
        outcomes.extend(run);
    }
    progress.finish_and_clear();
    outcomes.sort_by_key(|(index, _)| *index);
    let outcomes: Vec<Outcome> = outcomes.into_iter().map(|(_, o)| o).collect();

    let summary = Summary::new(&outcomes, scheduling_stage.as_deref());
    let heldout: Vec<Outcome> = outcomes
        .iter()
        .filter(|o| o.split == Split::Heldout)
        .cloned()
        .collect();
    let heldout =
        (!heldout.is_empty()).then(|| Summary::new(&heldout, scheduling_stage.as_deref()));
    if options.json {
        let report = report::Report {
            summary: &summary,
            heldout: heldout.as_ref(),
            scenarios: &outcomes,
        };
        say!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        say!(
            "{}",
            table(&summary, heldout.as_ref(), &outcomes).trim_end()
        );
    }
    // Held-out scenarios measure; only the tuning set's failures fail the
    // run (see `report::table`).
    let failed = summary.failed - heldout.as_ref().map_or(0, |h| h.failed);
    let fell_back = summary.turns.fell_back;
    if options.require_model && fell_back > 0 {
        eprintln!(
            "leadline eval: the fallback brain answered {fell_back} turns; --require-model wants the model to answer every one"
        );
        return Ok(false);
    }
    Ok(failed == 0)
}

/// Scenarios that run on one playbook, each with its place in the run.
type Group = Vec<(usize, Scenario)>;

/// Runs the scenarios of one playbook on a session of their own, over a
/// throwaway SQLite store, whatever DATABASE_URL says: evals never touch a
/// real database, and the events they judge by are read back through
/// SQLite's inspection query. Returns the playbook's stage that books
/// calls and each scenario's outcome with its index.
async fn run_group(
    settings: &Settings,
    options: &Options,
    group: Group,
    progress: &ProgressBar,
) -> anyhow::Result<(Option<String>, Vec<(usize, Outcome)>)> {
    let dir = tempfile::tempdir().context("cannot create a temporary directory for the store")?;
    let url = format!("sqlite://{}", dir.path().join("eval.db").display());
    let store = SqliteStore::open(&url)
        .await
        .context("cannot open the temporary store")?;
    store.migrate().await.context("cannot apply migrations")?;
    let session = Session::start(settings, Arc::new(store.clone()), options.parallel)?;
    if let Err(e) = scenario::check(group.iter().map(|(_, s)| s), session.playbook()) {
        session.stop().await?;
        return Err(e.into());
    }
    let scheduling_stage = session
        .playbook()
        .stages
        .iter()
        .find(|s| s.tools.iter().any(|t| t == BOOK_CALL))
        .map(|s| s.id.clone());

    let session = Arc::new(session);
    let slots = Arc::new(Semaphore::new(options.parallel));
    let mut tasks = JoinSet::new();
    for (index, scenario) in group {
        let customer = CustomerId::parse(&format!("1999{index:07}"))
            .context("an eval customer id is digits")?;
        let session = session.clone();
        let store = store.clone();
        let slots = slots.clone();
        tasks.spawn(async move {
            // The semaphore is never closed, so a permit always comes.
            let _permit = slots.acquire_owned().await;
            (
                index,
                run::run(&session, &store, &scenario, &customer).await,
            )
        });
    }
    let mut outcomes = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (index, outcome) = done.context("a scenario task failed")?;
        progress.set_message(outcome.name.clone());
        progress.inc(1);
        outcomes.push((index, outcome));
    }
    match Arc::try_unwrap(session) {
        Ok(session) => session.stop().await?,
        Err(_) => anyhow::bail!("a scenario still holds the session"),
    }
    Ok((scheduling_stage, outcomes))
}
