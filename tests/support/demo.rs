//! One simulated fleet in this process, driven through the CLI's verbs (`commands::run`, what
//! `opsdeck VERB ...` runs), so a teardown and the restore after it see the same account. The
//! clock runs 60 times faster than the wall clock so `--wait` follows changes in seconds.
#![allow(dead_code)]

use opsdeck::app::Settings;
use opsdeck::backend::Backend;
use opsdeck::commands::{self, Env};
use opsdeck::config::{Config, Paths};
use opsdeck::domain::{Address, Snapshot};
use opsdeck::ops::env::store;
use opsdeck::ops::grammar::parse_line;
use opsdeck::ops::{AuditLog, OpsContext};
use opsdeck::sim::{SimClock, SimFleet, SimOptions};
use std::sync::Arc;

pub struct Demo {
    pub fleet: Arc<dyn Backend>,
    pub settings: Settings,
    pub ops: OpsContext,
    pub dir: tempfile::TempDir,
}

pub fn fleet(scenario: &str) -> Arc<dyn Backend> {
    let options = SimOptions {
        seed: 7,
        scenario: scenario.into(),
        start: chrono::Utc::now(),
        clock: SimClock::Wall { speed: 60 },
    };
    Arc::new(SimFleet::new(options).unwrap())
}

impl Demo {
    pub fn new() -> Demo {
        Demo::on(fleet("calm"), false)
    }

    pub fn on(fleet: Arc<dyn Backend>, read_only: bool) -> Demo {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::discover(Some(dir.path())).unwrap();
        let config = Config::default().with_demo_defaults().unwrap();
        let mut settings = config.settings(None, &paths);
        settings.invoke_payloads = config.invoke_payloads(&paths.config_dir).unwrap();
        let ops = OpsContext::new(read_only, AuditLog::new(paths.demo_audit_file.clone()), paths.environments_dir);
        Demo { fleet, settings, ops, dir }
    }

    /// Run one command line of the grammar; (exit code, stdout, stderr).
    pub async fn run(&self, line: &str) -> (u8, String, String) {
        let verb = parse_line(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        let env = Env { backend: self.fleet.as_ref(), ops: &self.ops, config: &self.settings, interactive: false };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = commands::run(&verb, &env, &mut out, &mut err).await.unwrap();
        (code, String::from_utf8_lossy(&out).into_owned(), String::from_utf8_lossy(&err).into_owned())
    }

    pub async fn snapshot(&self, address: &str) -> Option<Snapshot> {
        self.fleet.snapshot(&address.parse::<Address>().unwrap()).await.ok()
    }

    /// Every resource of an environment as read now, comparable field by field.
    pub async fn shape(&self, addresses: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        for a in addresses {
            out.push(match self.snapshot(a).await {
                None => format!("{a}: absent"),
                Some(Snapshot::Service(s)) => format!("{a}: desired {} scaling {:?}", s.service.desired, s.scaling),
                Some(Snapshot::Endpoint(e)) => {
                    let v: Vec<String> = e
                        .endpoint
                        .variants
                        .iter()
                        .map(|v| format!("{}={}x{}", v.name, v.desired_instances, v.weight))
                        .collect();
                    format!(
                        "{a}: {} {} config {:?} scaling {:?}",
                        e.endpoint.status,
                        v.join(","),
                        e.config_name,
                        e.scaling
                    )
                }
                Some(Snapshot::Function(f)) => format!("{a}: reserved {:?}", f.reserved_concurrency),
                Some(Snapshot::Rule(r)) => format!("{a}: {}", r.state),
            });
        }
        out
    }

    pub async fn pointer(&self, env: &str) -> Option<opsdeck::ops::env::Pointer> {
        store::read(self.fleet.as_ref(), env).await.unwrap().map(|(p, _)| p)
    }

    pub fn audit(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("data/audit-demo.jsonl")).unwrap_or_default()
    }
}
