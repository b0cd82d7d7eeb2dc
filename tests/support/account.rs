//! The real binary against an emulated account (moto behind tests/support/cw_bridge.py): an
//! `Account` is a private emulator, a config directory, and a backend of the test's own to read
//! state back with through the SDK; `Run` is what one run of the binary said.
//!
//! Include after the emulator, at the crate root:
//! `#[path = "support/emulator.rs"] mod emulator;` then `#[path = "support/account.rs"] mod account;`.
#![allow(dead_code)]

use crate::emulator::{isolate_from_real_aws, Emulator};
use opsdeck::aws::{AwsBackend, AwsOptions};
use opsdeck::backend::Backend;
use opsdeck::domain::{Address, ScalableResource, ScalingPolicy, Snapshot};
use opsdeck::ops::env::{store, Pointer, SavedState};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Everything the seed fleet has that a teardown touches: a service with an autoscaling target,
/// an endpoint with two variants (a target and a policy on one), a function with reserved
/// concurrency and one without, two enabled rules (one on a custom bus) and a disabled one.
pub const GARMAX: [&str; 7] = [
    "ecs:cleanistic-ai-cluster/cleanistic-ai-api",
    "sm:prediction-endpoint",
    "lambda:garmaxai-tryon-processor",
    "lambda:garmaxai-render-processor",
    "rule:garmaxai-nightly-batch",
    "rule:garmaxai-weekly-report",
    "rule:garmaxai-events/tryon-completed",
];

/// A config.toml with one environment, `name`, over `GARMAX`.
pub fn garmax_config(name: &str) -> String {
    let resources: Vec<String> = GARMAX.iter().map(|a| format!("{a:?}")).collect();
    format!(
        "[environments.{name}]\nresources = [{}]\ndescription = \"the seeded fleet's ML stack\"\n",
        resources.join(", ")
    )
}

/// The calls that change something, by the bridge's `service:Operation` names. Lambda speaks
/// REST, so its calls are named by method and path: anything but a GET changes something.
pub const MUTATING: [&str; 16] = [
    "PutParameter",
    "DeleteParameter",
    "DeleteParameters",
    "UpdateService",
    "StopServiceDeployment",
    "DeleteEndpoint",
    "CreateEndpoint",
    "UpdateEndpointWeightsAndCapacities",
    "RegisterScalableTarget",
    "DeregisterScalableTarget",
    "PutScalingPolicy",
    "DeleteScalingPolicy",
    "DisableRule",
    "EnableRule",
    "InvokeEndpoint",
    "PutRule",
];

pub fn is_mutating(call: &str) -> bool {
    let op = call.split_once(':').map_or(call, |(_, op)| op);
    MUTATING.contains(&op) || ["PUT ", "POST ", "DELETE ", "PATCH "].iter().any(|m| op.starts_with(m))
}

/// What one run of the binary said.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub out: String,
    pub err: String,
}

impl Run {
    pub fn show(&self) -> String {
        format!("exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}", self.code, self.out, self.err)
    }
}

/// A private emulator with the seed fleet, a config directory naming the environments, and a
/// backend of the test's own to read state back with.
pub struct Account {
    pub emu: Emulator,
    pub dir: tempfile::TempDir,
    pub aws: AwsBackend,
}

impl Account {
    /// A private emulator with the seed fleet, every new service reporting 2 running (moto's
    /// deployments never progress, so services start "complete" and a `--wait` can settle), and
    /// `config` as config.toml.
    pub async fn seeded(config: &str) -> Account {
        let emu = Emulator::start_with_env(&[("MOTO_ECS_SERVICE_RUNNING", "2")]);
        emu.seed();
        Account::on(emu, config).await
    }

    /// An account on `emu` whose config.toml is `config`.
    pub async fn on(emu: Emulator, config: &str) -> Account {
        fill_moto_gaps(&emu);
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("config.toml"), config).expect("config.toml");
        isolate_from_real_aws();
        let options = AwsOptions {
            region: Some("us-east-1".into()),
            endpoint_url: Some(emu.endpoint.clone()),
            max_attempts: 1,
            operation_timeout: Duration::from_secs(15),
            ..AwsOptions::new(dir.path().join("test-cache"))
        };
        let aws = AwsBackend::connect(options).await.expect("connect");
        Account { emu, dir, aws }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        command(&self.emu.endpoint, self.dir.path(), args)
    }

    /// Run the binary to its end.
    pub fn opsdeck(&self, args: &[&str]) -> Run {
        let out = self.command(args).output().expect("run opsdeck");
        Run {
            code: out.status.code(),
            out: String::from_utf8_lossy(&out.stdout).into_owned(),
            err: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Run it and insist it succeeds.
    pub fn ok(&self, args: &[&str]) -> Run {
        let run = self.opsdeck(args);
        assert_eq!(run.code, Some(0), "opsdeck {args:?}: {}", run.show());
        run
    }

    /// Where the binary keeps the local copy (`data/environments/PROFILE@REGION/ENV.json`).
    pub fn local_copy(&self, env: &str) -> PathBuf {
        self.dir.path().join(format!("data/environments/default@us-east-1/{env}.json"))
    }

    pub fn local(&self, env: &str) -> Option<store::LocalCopy> {
        store::read_local(&self.local_copy(env)).expect("a readable local copy")
    }

    /// The pointer and saved state in SSM, read as the planner reads them.
    pub async fn saved(&self, env: &str) -> Option<(Pointer, SavedState)> {
        store::read(&self.aws, env).await.expect("SSM readable")
    }

    pub async fn pointer(&self, env: &str) -> Option<Pointer> {
        self.saved(env).await.map(|(p, _)| p)
    }

    pub async fn snapshot(&self, address: &str) -> Option<Snapshot> {
        match self.aws.snapshot(&addr(address)).await {
            Ok(s) => Some(s),
            Err(opsdeck::backend::BackendError::NotFound(_)) => None,
            Err(e) => panic!("{address}: {e}"),
        }
    }

    /// Every resource as read now, whole, with the scaling policies of each scalable target
    /// (they are not part of a snapshot, and a restore must put them back too), side by side.
    pub async fn state(&self, addresses: &[&str]) -> Vec<Resource> {
        futures::future::join_all(addresses.iter().map(|a| self.resource(a))).await
    }

    pub async fn resource(&self, address: &str) -> Resource {
        let snapshot = self.snapshot(address).await;
        let scalable: Vec<ScalableResource> = match &snapshot {
            Some(Snapshot::Service(s)) => vec![ScalableResource::EcsService {
                cluster: s.service.cluster.clone(),
                service: s.service.name.clone(),
            }],
            Some(Snapshot::Endpoint(e)) => e
                .endpoint
                .variants
                .iter()
                .map(|v| ScalableResource::Variant { endpoint: e.endpoint.name.clone(), variant: v.name.clone() })
                .collect(),
            _ => Vec::new(),
        };
        let mut policies = BTreeMap::new();
        for r in scalable {
            let found = self.aws.scaling_policies(&r).await.expect("policies");
            policies.insert(r.resource_id(), found);
        }
        Resource { address: address.to_string(), snapshot, policies }
    }

    pub fn mutating_calls(&self) -> Vec<(String, u64)> {
        self.emu.calls().into_iter().filter(|(op, _)| is_mutating(op)).collect()
    }

    pub fn calls(&self, op: &str) -> u64 {
        self.emu.calls().get(op).copied().unwrap_or(0)
    }
}

/// moto does not implement ListServiceDeployments: it answers 500, which the binary's SDK retries
/// with backoff (about a second per service read). The bridge answers it as AWS does for a
/// service with no deployment records.
pub fn fill_moto_gaps(emu: &Emulator) {
    let none = json!({"operation": "ListServiceDeployments", "service": "ecs", "status": 200,
                      "body": {"serviceDeployments": []}, "times": 1_000_000});
    emu.fault(&none.to_string());
}

/// Every injected fault gone, the gaps filled again.
pub fn clear_faults(emu: &Emulator) {
    emu.clear_faults();
    fill_moto_gaps(emu);
}

pub fn addr(text: &str) -> Address {
    text.parse().expect("address")
}

/// One resource as read: its whole snapshot (None: it does not exist) and the policies of each
/// of its scalable targets, by resource id.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub address: String,
    pub snapshot: Option<Snapshot>,
    pub policies: BTreeMap<String, Vec<ScalingPolicy>>,
}

/// Waits until the bridge has seen `call` (it counts a request when it arrives, before a delay).
pub fn wait_for_call(acct: &Account, call: &str, within: Duration) {
    let began = Instant::now();
    while acct.calls(call) == 0 {
        assert!(began.elapsed() < within, "{call} never arrived: {:?}", acct.emu.calls());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// moto keeps a deregistered target's scaling policies; AWS deletes them with the target. Do what
/// AWS does, so that a restore which did not put the policies back is caught. Returns how many.
pub fn drop_orphaned_policies(emu: &Emulator) -> usize {
    let call = |op: &str, body: serde_json::Value| -> serde_json::Value {
        let target = format!("AnyScaleFrontendService.{op}");
        let (status, text) = emu.aws_json("application-autoscaling", &target, &body.to_string());
        assert_eq!(status, 200, "{op}: {text}");
        serde_json::from_str(&text).expect("JSON")
    };
    let mut dropped = 0;
    for namespace in ["ecs", "sagemaker"] {
        let targets = call("DescribeScalableTargets", json!({"ServiceNamespace": namespace}));
        let registered: Vec<(String, String)> = targets["ScalableTargets"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| (t["ResourceId"].to_string(), t["ScalableDimension"].to_string()))
            .collect();
        let policies = call("DescribeScalingPolicies", json!({"ServiceNamespace": namespace}));
        for p in policies["ScalingPolicies"].as_array().into_iter().flatten() {
            if !registered.contains(&(p["ResourceId"].to_string(), p["ScalableDimension"].to_string())) {
                call(
                    "DeleteScalingPolicy",
                    json!({"PolicyName": p["PolicyName"], "ServiceNamespace": namespace,
                           "ResourceId": p["ResourceId"], "ScalableDimension": p["ScalableDimension"]}),
                );
                dropped += 1;
            }
        }
    }
    dropped
}

/// The binary pointed at the emulator at `endpoint`, its configuration in `dir`, with test
/// credentials and nothing of the machine's own AWS setup (profiles, endpoint, config dir).
pub fn command(endpoint: &str, dir: &std::path::Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_opsdeck"));
    cmd.args(["--region", "us-east-1", "--endpoint-url", endpoint, "--config-dir"])
        .arg(dir)
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("OPSDECK_CONFIG_DIR")
        .stdin(Stdio::null());
    cmd
}
