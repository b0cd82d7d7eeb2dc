//! opsdeck's entry point: parse flags, load configuration, pick a backend, run.

use anyhow::Context;
use clap::Parser;
use opsdeck::app::State;
use opsdeck::backend::Backend;
use opsdeck::cli::{Cli, Command};
use opsdeck::config::{Config, Paths};
use opsdeck::keymap::Keymap;
use opsdeck::sim::{scenarios, SimClock, SimFleet, SimOptions};
use opsdeck::theme::{choose_theme_name, no_color_env, Theme};
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "opsdeck: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    if cli.list_scenarios {
        let mut out = std::io::stdout().lock();
        for s in scenarios() {
            writeln!(out, "{:<14} {}", s.name, s.description)?;
        }
        return Ok(());
    }
    let paths = Paths::discover(cli.config_dir.as_deref())?;
    // Everything is loaded and checked before the terminal is touched: bad input is a clear
    // error on a normal screen, and nothing has changed.
    let config = Config::load(&paths.config_file)?;
    let theme_name = choose_theme_name(cli.theme.as_deref(), config.theme.as_deref(), no_color_env().as_deref());
    let theme = Theme::load(&theme_name, Some(&paths.themes_dir))?;
    let keymap = Keymap::load(Some(&paths.keymap_file))?;

    if let Some(Command::Info) = cli.command {
        return print_info(&paths, &theme_name);
    }
    if !cli.demo {
        anyhow::bail!("this build talks only to the simulated fleet: run `opsdeck --demo` (the AWS backend is tracked as issue 3)");
    }
    let _log_guard = init_logging(&paths)?;
    let start = chrono::Utc::now();
    let fleet =
        SimFleet::new(SimOptions { seed: cli.seed, scenario: cli.scenario.clone(), start, clock: SimClock::Wall })?;
    let backend: Arc<dyn Backend> = Arc::new(fleet);
    let settings = config.settings(cli.refresh, &paths);
    let state = State::new(backend.label(), settings, start, (80, 24));
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    tracing::info!(scenario = %cli.scenario, seed = cli.seed, theme = %theme_name, "starting on the simulated fleet");
    runtime.block_on(opsdeck::runtime::run(backend, state, theme, keymap))
}

fn print_info(paths: &Paths, theme: &str) -> anyhow::Result<()> {
    let exists = |p: &std::path::Path| if p.exists() { "" } else { " (not present)" };
    let mut out = std::io::stdout().lock();
    writeln!(out, "config directory  {}{}", paths.config_dir.display(), exists(&paths.config_dir))?;
    writeln!(out, "config file       {}{}", paths.config_file.display(), exists(&paths.config_file))?;
    writeln!(out, "keymap file       {}{}", paths.keymap_file.display(), exists(&paths.keymap_file))?;
    writeln!(out, "themes directory  {}{}", paths.themes_dir.display(), exists(&paths.themes_dir))?;
    writeln!(out, "log file          {}", paths.log_file.display())?;
    writeln!(out, "saved logs        {}", paths.saved_logs_dir.display())?;
    writeln!(out, "theme in effect   {theme}")?;
    Ok(())
}

/// Logs go to a file: the terminal belongs to the UI.
fn init_logging(paths: &Paths) -> anyhow::Result<tracing_appender::non_blocking::WorkerGuard> {
    let dir = paths.log_file.parent().context("log file has no directory")?;
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    let name = paths.log_file.file_name().context("log file has no name")?;
    let (writer, guard) = tracing_appender::non_blocking(tracing_appender::rolling::never(dir, name));
    let filter = tracing_subscriber::EnvFilter::try_from_env("OPSDECK_LOG").unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt().with_writer(writer).with_ansi(false).with_env_filter(filter).init();
    Ok(guard)
}
