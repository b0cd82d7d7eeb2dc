//! `env list` and `env show ENV`: where each environment stands, what runs, what is saved.
//! Reads only; `teardown` and `restore` are actions and go through `act`.

use super::{Env, EXIT_USAGE};
use crate::ops::env::{self, EnvOverview, EnvironmentSpec};
use crate::ops::grammar::{self, EnvArgs, EnvCommand, Output};
use crate::sanitize::inert;
use std::io::Write;

pub async fn run(
    args: &EnvArgs,
    env: &Env<'_>,
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> std::io::Result<u8> {
    let command = args.command.clone().unwrap_or(EnvCommand::List { output: Output::Text });
    let (specs, output, detail) = match &command {
        EnvCommand::List { output } => {
            let names = env.config.environment_names();
            let specs: Vec<EnvironmentSpec> = names.iter().filter_map(|n| env.config.environment(n)).collect();
            (specs, *output, false)
        }
        EnvCommand::Show { environment, output } => match grammar::environment(env.config, environment) {
            Ok(spec) => (vec![spec], *output, true),
            Err(e) => {
                writeln!(err, "opsdeck: {e}")?;
                return Ok(EXIT_USAGE);
            }
        },
    };
    if specs.is_empty() {
        writeln!(
            err,
            "opsdeck: no environment is configured: add [environments.NAME] resources = [...] to config.toml"
        )?;
        return Ok(EXIT_USAGE);
    }
    // Cost Explorer is billed per request: only a report already cached (or free) is used.
    let cost = env.backend.cost_cached().await;
    let views = env::overview(env.backend, &specs, &env.config.env_dir(), cost.as_ref()).await;
    if output == Output::Json {
        let json = if detail { serde_json::to_value(&views[0]) } else { serde_json::to_value(&views) };
        writeln!(out, "{}", json.unwrap_or_default())?;
    } else if detail {
        show(&views[0], out)?;
    } else {
        list(&views, out)?;
    }
    Ok(if views.iter().any(|v| v.error.is_some()) { super::EXIT_FAILED } else { 0 })
}

fn money(v: Option<f64>, unit: &str) -> String {
    v.map_or("-".to_string(), |v| format!("${v:.2}{unit}"))
}

fn list(views: &[EnvOverview], out: &mut (dyn Write + Send)) -> std::io::Result<()> {
    writeln!(out, "{:<24} {:<44} {:>10} {:>14} {:>12}", "ENVIRONMENT", "STATE", "NOW", "TEARDOWN SAVES", "COST/DAY")?;
    for v in views {
        let state = match &v.error {
            Some(e) => format!("error: {}", inert(e)),
            None => v.shape.text(),
        };
        writeln!(
            out,
            "{:<24} {:<44} {:>10} {:>14} {:>12}",
            v.name,
            crate::width::truncate(&state, 44),
            money(v.hourly_now, "/h"),
            money(v.saves_per_day(), "/day"),
            money(v.cost_per_day, "/day")
        )?;
    }
    writeln!(out, "(NOW and TEARDOWN SAVES are estimates at on-demand list prices; COST/DAY comes from the cost data)")
}

fn show(v: &EnvOverview, out: &mut (dyn Write + Send)) -> std::io::Result<()> {
    writeln!(out, "{}: {}", v.name, v.shape.text())?;
    if let Some(d) = &v.description {
        writeln!(out, "  {}", inert(d))?;
    }
    if let Some(e) = &v.error {
        writeln!(out, "  error: {}", inert(e))?;
    }
    writeln!(out, "  saved state: {} ({})", env::store::pointer_name(&v.name), inert(&v.saved_in))?;
    writeln!(
        out,
        "  now {} (estimate); a teardown saves {}; cost data {}",
        money(v.hourly_now, "/h"),
        money(v.saves_per_day(), "/day"),
        money(v.cost_per_day, "/day")
    )?;
    writeln!(out, "  {:<52} {:<40} SAVED", "RESOURCE", "NOW")?;
    for r in &v.resources {
        let mark = if r.down { "↓" } else { " " };
        writeln!(
            out,
            "{mark} {:<52} {:<40} {}",
            inert(&r.address),
            inert(&r.now),
            r.saved.as_deref().map(inert).unwrap_or_default()
        )?;
    }
    Ok(())
}
