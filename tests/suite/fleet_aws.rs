//! `opsdeck status --fleet` against two emulated accounts (two moto servers), a third account
//! reached by assuming a role (moto answers the role's calls as account 111111111111), and one
//! that cannot be reached: rows merged with ACCOUNT and REGION, one member's failure on its own.

use crate::emulator::Emulator;
use std::process::{Command, Stdio};

fn opsdeck(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .arg("--config-dir")
        .arg(dir)
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("OPSDECK_CONFIG_DIR")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_fleet_merges_accounts_and_regions_and_one_failure_stays_on_its_rows() {
    let prod = Emulator::start_with_env(&[("MOTO_ECS_SERVICE_RUNNING", "2")]);
    prod.seed();
    let staging = Emulator::start_with_env(&[("MOTO_ECS_SERVICE_RUNNING", "2")]);
    staging.scale(1, 3, 0);
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[fleet]\nregions = [\"us-east-1\"]\n\n\
         [[fleet.accounts]]\nalias = \"prod\"\nendpoint_url = \"{}\"\n\n\
         [[fleet.accounts]]\nalias = \"staging\"\nendpoint_url = \"{}\"\nregions = [\"us-east-1\", \"eu-west-1\"]\n\n\
         [[fleet.accounts]]\nrole_arn = \"arn:aws:iam::111111111111:role/opsdeck-read\"\nendpoint_url = \"{}\"\n\n\
         [[fleet.accounts]]\nalias = \"gone\"\nendpoint_url = \"http://127.0.0.1:9\"\n",
        prod.endpoint, staging.endpoint, prod.endpoint
    );
    std::fs::write(dir.path().join("config.toml"), config).unwrap();
    let (code, out, err) = opsdeck(dir.path(), &["status", "--fleet", "--output", "json"]);
    assert_eq!(code, 1, "one account cannot be read: exit 1\n{err}");
    let report: serde_json::Value = serde_json::from_str(&out).expect(&out);
    let accounts = report["accounts"].as_array().unwrap();
    let names: Vec<(&str, &str)> =
        accounts.iter().map(|a| (a["account"].as_str().unwrap(), a["region"].as_str().unwrap())).collect();
    assert_eq!(
        names,
        [
            ("prod", "us-east-1"),
            ("staging", "us-east-1"),
            ("staging", "eu-west-1"),
            ("111111111111", "us-east-1"),
            ("gone", "us-east-1")
        ],
        "{report:#}"
    );
    for a in &accounts[..4] {
        assert!(a["errors"].as_array().unwrap().is_empty(), "{a:#}");
    }
    assert!(!accounts[4]["errors"].as_array().unwrap().is_empty(), "the unreachable one says so: {:#}", accounts[4]);
    assert_eq!(accounts[3]["account_id"], "111111111111", "the role's account");
    let services = report["services"].as_array().unwrap();
    let rows = |account: &str, region: &str| {
        services.iter().filter(|s| s["account"] == account && s["region"] == region).count()
    };
    assert!(services
        .iter()
        .any(|s| s["account"] == "prod" && s["address"] == "ecs:cleanistic-ai-cluster/cleanistic-ai-api"));
    assert_eq!(rows("staging", "us-east-1"), 3, "{report:#}");
    // moto keeps regions apart: staging's eu-west-1 is empty, and so is the role's account.
    assert_eq!(rows("staging", "eu-west-1"), 0);
    assert_eq!(rows("111111111111", "us-east-1"), 0);
    assert_eq!(rows("gone", "us-east-1"), 0);
    let (code, text, _) = opsdeck(dir.path(), &["status", "--fleet"]);
    assert_eq!(code, 1);
    assert!(text.contains("ACCOUNT") && text.contains("REGION") && text.contains("gone/us-east-1: "), "{text}");
    // An action goes to the account and region it is addressed to, and nowhere else.
    prod.clear_calls();
    staging.clear_calls();
    let api = "ecs:cleanistic-ai-cluster/cleanistic-ai-api";
    let (code, out, err) = opsdeck(dir.path(), &["--endpoint-url", &prod.endpoint, "scale", api, "3", "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(prod.calls().get("ecs:UpdateService"), Some(&1));
    assert_eq!(staging.calls().get("ecs:UpdateService"), None);
}

#[test]
fn a_bad_fleet_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    for (config, said) in [
        ("[fleet]\n", "list its accounts"),
        ("[[fleet.accounts]]\nalias = \"a\"\n", "no regions"),
        ("[fleet]\nregions = [\"us-east-1\"]\n[[fleet.accounts]]\nrole_arn = \"nope\"\n", "is not a role ARN"),
        ("[fleet]\nregions = [\"US EAST\"]\n[[fleet.accounts]]\nalias = \"a\"\n", "is not a region name"),
        (
            "[fleet]\nregions = [\"us-east-1\"]\n[[fleet.accounts]]\nalias = \"prod account\"\n",
            "an alias names the account",
        ),
        ("[fleet]\nregions = [\"us-east-1\", \"us-east-1\"]\n[[fleet.accounts]]\nalias = \"a\"\n", "listed twice"),
    ] {
        std::fs::write(dir.path().join("config.toml"), config).unwrap();
        let (code, _, err) = opsdeck(dir.path(), &["status", "--fleet"]);
        assert_eq!(code, 2, "{config}: {err}");
        assert!(err.contains(said), "{config}: {err}");
    }
    std::fs::write(dir.path().join("config.toml"), "").unwrap();
    let (code, _, err) = opsdeck(dir.path(), &["status", "--fleet"]);
    assert_eq!(code, 2);
    assert!(err.contains("there is none"), "{err}");
}

/// An account's `calls_per_second` paces every request of its members (the role's AssumeRole
/// included) while another account goes at its own pace.
#[test]
fn an_accounts_rate_limit_paces_its_requests_alone() {
    let prod = Emulator::start_with_env(&[("MOTO_ECS_SERVICE_RUNNING", "2")]);
    prod.seed();
    let staging = Emulator::start_with_env(&[("MOTO_ECS_SERVICE_RUNNING", "2")]);
    staging.scale(1, 3, 0);
    let dir = tempfile::tempdir().unwrap();
    let config = |limits: &str| {
        format!(
            "[fleet]\nregions = [\"us-east-1\"]\n\n\
             [[fleet.accounts]]\nalias = \"prod\"\nendpoint_url = \"{}\"\n\n\
             [[fleet.accounts]]\nalias = \"staging\"\nrole_arn = \"arn:aws:iam::111111111111:role/opsdeck-read\"\n\
             endpoint_url = \"{}\"\nregions = [\"us-east-1\", \"eu-west-1\"]\n{limits}",
            prod.endpoint, staging.endpoint
        )
    };
    let run = |limits: &str| {
        std::fs::write(dir.path().join("config.toml"), config(limits)).unwrap();
        prod.clear_calls();
        staging.clear_calls();
        let began = std::time::Instant::now();
        let (code, out, err) = opsdeck(dir.path(), &["status", "--fleet", "--output", "json"]);
        let took = began.elapsed();
        assert_eq!(code, 0, "{out}{err}");
        let calls = |emu: &Emulator| emu.calls().values().sum::<u64>();
        (took, calls(&staging), calls(&prod))
    };
    let (free, staging_calls, prod_calls) = run("");
    let (paced, paced_calls, _) = run("calls_per_second = 4\nmax_in_flight = 1\n");
    eprintln!(
        "status --fleet: staging {staging_calls} requests (both regions), prod {prod_calls}; \
         default limits {free:?}, staging at 4/s and 1 at a time {paced:?}"
    );
    assert_eq!(paced_calls, staging_calls, "the same requests, only later");
    assert!(staging_calls >= 10, "enough requests for the pace to show: {staging_calls}");
    // The first second's 4 go at once, the rest at 4 a second: a lower bound the limiter
    // guarantees whatever the machine's load.
    let floor = std::time::Duration::from_millis((staging_calls - 4) * 250);
    assert!(paced >= floor, "{paced:?} < {floor:?} for {staging_calls} requests");
}
