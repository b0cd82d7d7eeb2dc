//! opsdeck's entry point: parse flags, load configuration, pick a backend, run.

use anyhow::Context;
use clap::{CommandFactory, Parser};
use opsdeck::app::State;
use opsdeck::aws::{AwsBackend, AwsOptions};
use opsdeck::backend::Backend;
use opsdeck::cli::{Cli, Command};
use opsdeck::config::{Config, Paths};
use opsdeck::keymap::Keymap;
use opsdeck::ops::{AuditLog, OpsContext};
use opsdeck::sim::{scenarios, SimClock, SimFleet, SimOptions};
use opsdeck::theme::{choose_theme_name, no_color_env, Theme};
use std::io::IsTerminal;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    let cli = Cli::parse();
    match run(cli, started) {
        Ok(code) => code,
        // `opsdeck status | head`: the reader left; that is not an error worth a message.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "opsdeck: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli, started: std::time::Instant) -> anyhow::Result<ExitCode> {
    if cli.list_scenarios {
        let mut out = std::io::stdout().lock();
        for s in scenarios() {
            writeln!(out, "{:<14} {}", s.name, s.description)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    match &cli.command {
        Some(Command::Completions { shell }) => {
            clap_complete::generate(*shell, &mut Cli::command(), "opsdeck", &mut std::io::stdout());
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::Man) => {
            clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout())?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let paths = Paths::discover(cli.config_dir.as_deref())?;
    // Everything is loaded and checked before the terminal is touched: bad input is a clear
    // error on a normal screen, and nothing has changed.
    let mut config = Config::load(&paths.config_file)?;
    if cli.demo {
        config = config.with_demo_defaults()?;
    }
    let payloads = config.invoke_payloads(&paths.config_dir)?;
    let lambda_events = config.lambda_events(&paths.config_dir)?;
    let theme_name = choose_theme_name(cli.theme.as_deref(), config.theme.as_deref(), no_color_env().as_deref());
    let theme = Theme::load(&theme_name, Some(&paths.themes_dir))?;
    let keymap = Keymap::load(Some(&paths.keymap_file))?;
    if let Some(Command::Info) = cli.command {
        print_info(&paths, &config, &theme_name, cli.refresh)?;
        return Ok(ExitCode::SUCCESS);
    }
    let _log_guard = init_logging(&paths)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(async move {
        let fleet = if cli.fleet { Some(fleet_members(&cli, &paths, &config).await?) } else { None };
        let (backend, read_only_places) = match fleet {
            Some(members) => {
                if let Some(Command::Status(args)) = &cli.command {
                    let mut out = std::io::stdout().lock();
                    let filter = config.functions.filter();
                    let complete = opsdeck::status::fleet::run(&members, args, &filter, &mut out).await?;
                    return Ok(if complete { ExitCode::SUCCESS } else { ExitCode::from(1) });
                }
                let fleet = opsdeck::accounts::AccountsBackend::connect(members).await;
                let read_only = fleet.read_only_places();
                (Arc::new(fleet) as Arc<dyn Backend>, read_only)
            }
            None => (connect(&cli, &paths, &config).await?, Vec::new()),
        };
        if let Some(Command::Status(args)) = &cli.command {
            let mut out = std::io::stdout().lock();
            let complete = opsdeck::status::run(backend.as_ref(), args, &config.functions.filter(), &mut out).await?;
            return Ok(if complete { ExitCode::SUCCESS } else { ExitCode::from(1) });
        }
        let read_only = cli.read_only || (!cli.demo && !cli.fleet && config.profile_read_only(&profile_name(&cli)));
        let audit_file = if cli.demo { &paths.demo_audit_file } else { &paths.audit_file };
        let mut ops = OpsContext::new(read_only, AuditLog::new(audit_file.clone()), paths.environments_dir.clone());
        ops.read_only_places = read_only_places;
        let team = if cli.demo { None } else { connect_team(&cli, &config, audit_file, backend.as_ref()).await? };
        if let Some(team) = &team {
            ops = ops.with_team(team.clone());
            team.start();
        }
        let ops = Arc::new(ops);
        let mut settings = config.settings(cli.refresh, &paths);
        settings.read_only = read_only;
        settings.invoke_payloads = payloads;
        settings.lambda_events = lambda_events;
        settings.deep_link = cli.deep_link();
        settings.team = team.is_some();
        if let Some(Command::Verb(verb)) = &cli.command {
            let env = opsdeck::commands::Env {
                backend: backend.as_ref(),
                ops: &ops,
                config: &settings,
                interactive: std::io::stdin().is_terminal(),
            };
            let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
            let code = opsdeck::commands::run(verb, &env, &mut out, &mut err).await?;
            drain_team(team.as_deref(), std::time::Duration::from_secs(8)).await;
            return Ok(ExitCode::from(code));
        }
        // The last-known fleet is kept per profile and region; a fleet session reads many.
        if !cli.demo && !cli.fleet && !cli.no_cache && config.fleet_cache != Some(false) {
            settings.fleet_cache_dir = Some(paths.cache_dir.join("fleet"));
        }
        let mut state = State::new(backend.label(), settings, chrono::Utc::now(), (80, 24));
        draw_last_known_fleet(&mut state);
        tracing::info!(label = ?backend.label(), theme = %theme_name, "starting");
        let connector = (!cli.demo).then(|| aws_connector(&cli, &paths, &config));
        // The loop runs as a task on a worker, beside the timers and the replies that wake it:
        // a wake is then often on the same thread, not one thread waking another.
        let session = opsdeck::runtime::Session { backend, ops, connector, theme, keymap, started };
        tokio::spawn(opsdeck::runtime::run(session, state))
            .await
            .map_err(|e| anyhow::anyhow!("the console stopped: {e}"))??;
        drain_team(team.as_deref(), std::time::Duration::from_secs(3)).await;
        Ok(ExitCode::SUCCESS)
    })
}

async fn connect(cli: &Cli, paths: &Paths, config: &Config) -> anyhow::Result<Arc<dyn Backend>> {
    if cli.demo {
        let options = SimOptions {
            seed: cli.seed,
            scenario: cli.scenario.clone(),
            start: chrono::Utc::now(),
            clock: SimClock::Wall { speed: cli.speed },
        };
        return Ok(Arc::new(SimFleet::new(options)?));
    }
    let named = cli.profile.clone().or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()));
    if let Some(profile) = named {
        opsdeck::aws::check_profile(&profile).await.map_err(anyhow::Error::msg)?;
    }
    let options = aws_options(cli, paths, config);
    let backend = AwsBackend::connect(options).await.context("connecting to AWS (or run `opsdeck --demo`)")?;
    Ok(Arc::new(backend))
}

/// `--fleet`: a backend per account and region of `[fleet]` (with `--demo`, two simulated
/// accounts with different seeds), each with its profile's `read_only`.
async fn fleet_members(cli: &Cli, paths: &Paths, config: &Config) -> anyhow::Result<Vec<opsdeck::accounts::Member>> {
    use opsdeck::accounts::Member;
    if cli.demo {
        let sim = |seed: u64| -> anyhow::Result<Arc<dyn Backend>> {
            let options = SimOptions {
                seed,
                scenario: cli.scenario.clone(),
                start: chrono::Utc::now(),
                clock: SimClock::Wall { speed: cli.speed },
            };
            Ok(Arc::new(SimFleet::new(options)?))
        };
        let demo = |alias: &str, region: &str, seed: u64| -> anyhow::Result<Member> {
            Ok(Member {
                alias: Some(alias.into()),
                profile: None,
                region: region.into(),
                backend: Ok(sim(seed)?),
                read_only: false,
            })
        };
        return Ok(vec![demo("demo-prod", "us-east-1", cli.seed)?, demo("demo-staging", "eu-west-1", cli.seed + 1)?]);
    }
    let Some(fleet) = &config.fleet else {
        anyhow::bail!("--fleet reads the accounts of [fleet] in config.toml, and there is none (see docs/config.md)");
    };
    let members = fleet.members().map_err(anyhow::Error::msg)?;
    // One limiter per account (members with the same credentials), for all its regions.
    let mut limiters: std::collections::HashMap<String, Arc<opsdeck::aws::limit::Limiter>> =
        std::collections::HashMap::new();
    for m in &members {
        limiters.entry(m.credentials_key()).or_insert_with(|| opsdeck::aws::limit::Limiter::new(m.limit));
    }
    let limiters = &limiters;
    let connects = members.iter().map(|m| async move {
        if let Some(profile) = &m.profile {
            opsdeck::aws::check_profile(profile).await?;
        }
        let options = AwsOptions {
            profile: m.profile.clone(),
            region: Some(m.region.clone()),
            endpoint_url: m.endpoint_url.clone().or_else(|| cli.endpoint_url.clone()),
            role_arn: m.role_arn.clone(),
            limiter: limiters.get(&m.credentials_key()).cloned(),
            ..aws_options(cli, paths, config)
        };
        let backend = AwsBackend::connect(options).await.map_err(|e| e.to_string())?;
        Ok::<_, String>(Arc::new(backend) as Arc<dyn Backend>)
    });
    let backends = futures::future::join_all(connects).await;
    Ok(members
        .into_iter()
        .zip(backends)
        .map(|(m, backend)| Member {
            read_only: cli.read_only || config.profile_read_only(m.profile.as_deref().unwrap_or("default")),
            alias: m.alias,
            profile: m.profile,
            region: m.region,
            backend,
        })
        .collect())
}

/// Team mode (`[team]` in config.toml, AWS only: drills on the simulated fleet stay local).
async fn connect_team(
    cli: &Cli,
    config: &Config,
    audit_file: &std::path::Path,
    backend: &dyn Backend,
) -> anyhow::Result<Option<Arc<opsdeck::team::Team>>> {
    use opsdeck::aws::team_table::{connect, TeamTableOptions};
    let Some(team) = &config.team else { return Ok(None) };
    let profile = team.profile.clone().or_else(|| cli.profile.clone());
    let region = team
        .region
        .clone()
        .or_else(|| cli.region.clone())
        .or_else(|| config.profile_region(&profile.clone().unwrap_or_else(|| profile_name(cli))));
    let options =
        TeamTableOptions { table: team.table.clone(), profile, region, endpoint_url: cli.endpoint_url.clone() };
    let table = connect(&options).await.map_err(anyhow::Error::msg)?;
    let arn = backend.caller_identity().await.unwrap_or_else(|e| format!("unknown ({e})"));
    let region = options.region.clone().unwrap_or_else(|| match backend.label() {
        opsdeck::backend::BackendLabel::Aws { region, .. } => region,
        opsdeck::backend::BackendLabel::Demo { .. } => "us-east-1".into(),
    });
    let settings =
        opsdeck::team::TeamSettings { table: team.table.clone(), region, keep_audit_days: team.keep_audit_days };
    let queue = audit_file.with_file_name("team-queue.jsonl");
    let operator = opsdeck::team::operator::Operator::here(arn);
    Ok(Some(Arc::new(opsdeck::team::Team::new(Arc::new(table), operator, settings, queue))))
}

/// Before exiting: finish lease releases and send what waits; what cannot go yet is said, and
/// the next run sends it.
async fn drain_team(team: Option<&opsdeck::team::Team>, timeout: std::time::Duration) {
    let Some(team) = team else { return };
    let (left, why) = team.drain(timeout).await;
    if left > 0 {
        let why = why.unwrap_or_default();
        let _ = writeln!(
            std::io::stderr(),
            "opsdeck: {left} team records wait in {} ({}); the next opsdeck run sends them",
            team.queue_path().display(),
            opsdeck::sanitize::inert(&why)
        );
    }
}

/// The last-known fleet of this profile and region, drawn at once and marked as such; a missing
/// or unreadable cache only costs the instant first frame.
fn draw_last_known_fleet(state: &mut State) {
    let opsdeck::backend::BackendLabel::Aws { profile, region } = &state.ctx.label else { return };
    let Some(dir) = state.ctx.settings.fleet_cache_dir.as_ref() else { return };
    match opsdeck::fleet_cache::load(&opsdeck::fleet_cache::path(dir, profile, region)) {
        Ok(Some(cached)) => state.fleet.seed_from_cache(cached),
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "the last-known fleet could not be read; starting empty"),
    }
}

/// The profile in use: the flag, else AWS_PROFILE, else "default" (as the SDK picks it).
fn profile_name(cli: &Cli) -> String {
    cli.profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()))
        .unwrap_or_else(|| "default".to_string())
}

/// `:profile` / `:region` in the console connect again with the same endpoint and cache.
fn aws_connector(cli: &Cli, paths: &Paths, config: &Config) -> opsdeck::runtime::Connector {
    let base = aws_options(cli, paths, config);
    let config = config.clone();
    Arc::new(move |profile, region| {
        // A profile's configured region applies when no region was asked for.
        let region = region.or_else(|| profile.as_deref().and_then(|p| config.profile_region(p)));
        let options = AwsOptions { profile, region, ..base.clone() };
        Box::pin(async move {
            if let Some(profile) = &options.profile {
                opsdeck::aws::check_profile(profile).await?;
            }
            let backend = AwsBackend::connect(options).await.map_err(|e| e.to_string())?;
            Ok(Arc::new(backend) as Arc<dyn Backend>)
        })
    })
}

/// Everything about reaching AWS that comes from flags, environment and config.
fn aws_options(cli: &Cli, paths: &Paths, config: &Config) -> AwsOptions {
    AwsOptions {
        profile: cli.profile.clone(),
        region: cli.region.clone().or_else(|| config.profile_region(&profile_name(cli))),
        endpoint_url: cli.endpoint_url.clone(),
        ca_bundle: ca_bundle(),
        cost_tag: config.cost_tag.clone(),
        ..AwsOptions::new(paths.cache_dir.clone())
    }
}

/// The AWS CLI's convention for extra trusted CAs (corporate TLS interception).
fn ca_bundle() -> Option<std::path::PathBuf> {
    std::env::var_os("AWS_CA_BUNDLE").filter(|v| !v.is_empty()).map(Into::into)
}

fn print_info(paths: &Paths, config: &Config, theme: &str, refresh: Option<u64>) -> anyhow::Result<()> {
    let exists = |p: &std::path::Path| if p.exists() { "" } else { " (not present)" };
    let mut out = std::io::stdout().lock();
    writeln!(out, "config directory  {}{}", paths.config_dir.display(), exists(&paths.config_dir))?;
    writeln!(out, "config file       {}{}", paths.config_file.display(), exists(&paths.config_file))?;
    writeln!(out, "keymap file       {}{}", paths.keymap_file.display(), exists(&paths.keymap_file))?;
    writeln!(out, "themes directory  {}{}", paths.themes_dir.display(), exists(&paths.themes_dir))?;
    writeln!(out, "log file          {}", paths.log_file.display())?;
    writeln!(out, "saved logs        {}", paths.saved_logs_dir.display())?;
    writeln!(out, "cache             {}", paths.cache_dir.display())?;
    writeln!(out, "audit log         {}", paths.audit_file.display())?;
    writeln!(out, "demo audit log    {}", paths.demo_audit_file.display())?;
    writeln!(out, "environments      {} (local copies of saved state)", paths.environments_dir.display())?;
    let runbooks = config.runbook_library(&paths.config_dir);
    writeln!(out, "runbooks          {}{} (and the built-in ones)", runbooks.dir.display(), exists(&runbooks.dir))?;
    let incidents = opsdeck::incident::path_beside;
    writeln!(out, "incidents         {}", incidents(&paths.audit_file).display())?;
    writeln!(out, "demo incidents    {}", incidents(&paths.demo_audit_file).display())?;
    writeln!(out, "theme in effect   {theme}")?;
    writeln!(out, "refresh (what each pane reads, and how often; only what is on screen is polled)")?;
    let settings = config.settings(refresh, paths);
    for (pane, cadence) in opsdeck::app::schedule::cadences(&settings) {
        writeln!(out, "  {pane:<17} {cadence}")?;
    }
    Ok(())
}

/// Lines the log writer may queue before the file catches up.
const LOG_QUEUE_LINES: usize = 4_096;

/// Logs go to a file: the terminal belongs to the UI.
fn init_logging(paths: &Paths) -> anyhow::Result<tracing_appender::non_blocking::WorkerGuard> {
    let dir = paths.log_file.parent().context("log file has no directory")?;
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    let name = paths.log_file.file_name().context("log file has no name")?;
    // The appender's default queue is 128,000 lines allocated and written up front: 4 MB of a
    // 25 MB console. The console logs a few lines a minute; a burst past this many is dropped
    // (and counted by the appender) rather than held.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .finish(tracing_appender::rolling::never(dir, name));
    let filter = tracing_subscriber::EnvFilter::try_from_env("OPSDECK_LOG").unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt().with_writer(writer).with_ansi(false).with_env_filter(filter).init();
    Ok(guard)
}
