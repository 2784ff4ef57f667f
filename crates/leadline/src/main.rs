//! `leadline`: parses the command line and the settings, then hands over
//! to [`leadline::app`].

use clap::Parser;
use leadline::cli::{Cli, Command, ConfigCommand, KnowledgeCommand, PlaybookCommand};
use leadline::config::Settings;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Playbook {
        command: PlaybookCommand::Check { file },
    } = &cli.command
    {
        return leadline::app::check_playbook(file);
    }
    if let Command::Knowledge { command } = &cli.command {
        return match command {
            KnowledgeCommand::Check { dir } => leadline::knowledge::check(dir),
            KnowledgeCommand::Search {
                dir,
                query,
                k,
                context,
            } => leadline::knowledge::search(dir, query, context, *k),
        };
    }
    // Neither starts anything, and each reads the settings its own way.
    match &cli.command {
        Command::Config {
            command: ConfigCommand::Check,
        } => return leadline::check::config(cli.config.as_deref()),
        Command::Health { path, timeout_ms } => {
            return leadline::check::health(
                cli.config.as_deref(),
                path,
                std::time::Duration::from_millis(*timeout_ms),
            );
        }
        _ => {}
    }
    let mut settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("leadline: {e}");
            return ExitCode::from(2);
        }
    };
    // The command line wins over the environment and the file.
    if let Command::Serve { role: Some(role) } = cli.command {
        settings.role = role;
    }
    // In the terminal chat and the eval table, logs would drown the output.
    let default_filter = if matches!(cli.command, Command::Chat { .. } | Command::Eval { .. }) {
        "warn"
    } else {
        "info,sqlx=warn"
    };
    leadline::telemetry::init(settings.log_format, default_filter);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("leadline: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Command::Eval {
        files,
        json,
        tag,
        parallel,
        require_model,
    } = cli.command
    {
        let options = leadline::eval::Options {
            files,
            json,
            tag,
            parallel: usize::from(parallel),
            require_model,
        };
        return runtime.block_on(leadline::eval::run(settings, options));
    }
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve { .. } => leadline::app::serve(settings).await,
            Command::Migrate => leadline::app::migrate(&settings).await,
            Command::Chat {
                customer,
                show_state,
            } => leadline::chat::run(settings, customer, show_state).await,
            Command::Playbook { .. }
            | Command::Knowledge { .. }
            | Command::Eval { .. }
            | Command::Config { .. }
            | Command::Health { .. } => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("leadline: {e:#}");
            ExitCode::FAILURE
        }
    }
}
