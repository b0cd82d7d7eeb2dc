//! Check every command of a runbook before anything runs: placeholders known or declared, and
//! each line a command of the one grammar (verb, flags, addresses, counts, revisions, durations),
//! with the line and column of each problem.

use super::model::{CommandLine, Problem, Runbook};
use super::placeholders::{self, KNOWN};
use crate::domain::Address;
use crate::ops::env::EnvironmentSpec;
use crate::ops::grammar::{self, ActionConfig, Verb};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Shape-only configuration: any endpoint has a payload and any well-named environment exists,
/// so only what a command says is checked, not what this machine's config.toml holds.
struct AnyConfig;

impl ActionConfig for AnyConfig {
    fn configured(&self, _: &str) -> Option<(String, Option<String>)> {
        Some(("{}".into(), Some("application/json".into())))
    }
    fn environment(&self, name: &str) -> Option<EnvironmentSpec> {
        EnvironmentSpec::parse(name, &["rule:sample".into()], None, None).ok()
    }
    fn environment_names(&self) -> Vec<String> {
        Vec::new()
    }
    fn env_dir(&self) -> PathBuf {
        PathBuf::new()
    }
}

/// Every problem of every command, in file order.
pub fn check(runbook: &Runbook) -> Vec<Problem> {
    let mut samples: BTreeMap<String, String> =
        KNOWN.iter().map(|n| (n.to_string(), placeholders::sample(n))).collect();
    for (name, param) in &runbook.params {
        samples.insert(name.clone(), param.default.clone().unwrap_or_else(|| placeholders::sample(name)));
    }
    let mut problems = Vec::new();
    for step in &runbook.steps {
        for command in step.commands() {
            if let Err(p) = check_command(command, runbook, &samples) {
                problems.push(p);
            }
        }
    }
    problems
}

fn check_command(command: &CommandLine, runbook: &Runbook, samples: &BTreeMap<String, String>) -> Result<(), Problem> {
    let at = |offset: usize| {
        let col = command.text.get(..offset).map_or(0, |s| s.chars().count());
        Problem::new(command.line, command.column + col, "")
    };
    let found = placeholders::scan(&command.text).map_err(|(offset, why)| Problem { message: why, ..at(offset) })?;
    if let Some(unknown) =
        found.iter().find(|f| !KNOWN.contains(&f.name.as_str()) && !runbook.params.contains_key(&f.name))
    {
        return Err(Problem {
            message: format!(
                "unknown placeholder {{{{{}}}}}: use one of {} or declare it under [params] in the front matter",
                unknown.name,
                KNOWN.join(", ")
            ),
            ..at(unknown.offset)
        });
    }
    let filled = placeholders::fill(&command.text, samples)
        .map_err(|missing| Problem { message: format!("no value for {}", missing.join(", ")), ..at(0) })?;
    let point_at = |why: String| {
        // Point at the word the message quotes, where it appears as written.
        let quoted = why.split('\'').nth(1).filter(|q| !q.is_empty());
        let offset = quoted.and_then(|q| command.text.find(q)).unwrap_or(0);
        Problem { message: why, ..at(offset) }
    };
    let verb = grammar::parse_line(&filled).map_err(point_at)?;
    check_verb(&verb).map_err(point_at)?;
    grammar::intent_of(&verb, &AnyConfig).map(|_| ()).map_err(point_at)
}

/// What `intent_of` does not look at: the addresses of reads, and verbs a runbook cannot run.
fn check_verb(verb: &Verb) -> Result<(), String> {
    let address = |text: &str| text.parse::<Address>().map(|_| ()).map_err(|e| e.to_string());
    match verb {
        Verb::Wait(a) => a.address.as_deref().map_or(Ok(()), address),
        Verb::Revisions(a) => address(&a.address),
        Verb::Logs(a) if a.follow => Err("'--follow' never ends: a runbook step cannot follow logs".into()),
        Verb::Runbook(_) => Err("a runbook step cannot run another runbook".into()),
        Verb::Logs(a) => match a.source.as_deref() {
            Some(s) if !s.starts_with('/') => address(s),
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse;
    use super::*;

    fn problems(source: &str) -> Vec<String> {
        match parse("rb.md", source) {
            Ok(rb) => check(&rb).iter().map(|p| p.at("rb.md")).collect(),
            Err(ps) => ps.iter().map(|p| p.at("rb.md")).collect(),
        }
    }

    #[test]
    fn a_good_runbook_has_no_problems() {
        let rb = "# Bad deploy\n\n## 1. Look\nRead *the* logs.\n```opsdeck\nlogs {{service}} --since 30m --filter ERROR\n```\n\
                  ## 2. Roll back\n```opsdeck\nrollback {{service}} --to previous\nwait {{service}} --timeout 10m\n```\n\
                  ```sh\naws ecs describe-services --cluster x\n```\n";
        assert_eq!(problems(rb), Vec::<String>::new());
    }

    #[test]
    fn each_kind_of_mistake_is_reported_at_its_line_and_column() {
        let unknown_verb = "## s\n```opsdeck\nscael ecs:c/s 3\n```\n";
        assert_eq!(problems(unknown_verb), vec!["rb.md:3:1: error: unrecognized subcommand 'scael'"]);
        let bad_address = "## s\n```opsdeck\n  scale ec2:c/s 3\n```\n";
        let p = problems(bad_address);
        assert_eq!(p.len(), 1);
        assert!(p[0].starts_with("rb.md:3:9: error: 'ec2:c/s' is not an address"), "{p:?}");
        let bad_flag = "## s\n```opsdeck\nrollback {{service}} --too 14\n```\n";
        let p = problems(bad_flag);
        assert!(p[0].starts_with("rb.md:3:22: error: unexpected argument '--too'"), "{p:?}");
        let unclosed = "## s\n```opsdeck\nwait {{service}}\n";
        assert_eq!(problems(unclosed), vec!["rb.md:2:1: error: this ``` fence is never closed"]);
        let placeholder = "## s\n```opsdeck\nwait {{servce}}\n```\n";
        let p = problems(placeholder);
        assert!(p[0].starts_with("rb.md:3:6: error: unknown placeholder {{servce}}"), "{p:?}");
        let count = "## s\n```opsdeck\nscale {{service}} -2\n```\n";
        assert!(problems(count)[0].contains("negative"));
        let follow = "## s\n```opsdeck\nlogs {{service}} --follow\n```\n";
        assert!(problems(follow)[0].contains("--follow"));
        let nested = "## s\n```opsdeck\nrunbook run other.md\n```\n";
        assert!(problems(nested)[0].contains("cannot run another runbook"), "{:?}", problems(nested));
        assert_eq!(problems("# only a title\n"), vec!["rb.md:1:1: error: no steps: each step is a `## heading`"]);
    }

    #[test]
    fn declared_params_are_known_and_front_matter_is_checked() {
        let rb = "+++\ntitle = \"Budget\"\n[params.environment]\ndefault = \"garmax-prod\"\n+++\n## s\n```opsdeck\nteardown {{environment}} --dry-run\n```\n";
        assert_eq!(problems(rb), Vec::<String>::new());
        let bad = "+++\ntitle = 3\n+++\n## s\n";
        assert!(problems(bad)[0].starts_with("rb.md:2:9: error: front matter"), "{:?}", problems(bad));
        let yaml = "---\ntitle: x\n---\n## s\n";
        assert!(problems(yaml)[0].contains("TOML"));
        let later = "+++\n+++\n\n## s\n```opsdeck\nwait {{nope}}\n```\n";
        assert!(problems(later)[0].starts_with("rb.md:6:6:"), "{:?}", problems(later));
    }
}
