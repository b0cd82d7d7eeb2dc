//! Team mode against moto's DynamoDB through the real SDK and the real binary: operators are
//! separate config directories (separate audit logs, timelines and queues), separate OS users and
//! separate sessions (terminals), on one emulated account with the seed fleet.

use crate::emulator::{self, isolate_from_real_aws, Emulator};
use opsdeck::aws::team_table::{connect, TeamTableOptions};
use opsdeck::team::operator::Operator;
use opsdeck::team::{Team, TeamSettings};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

pub(crate) const API: &str = "ecs:cleanistic-ai-cluster/cleanistic-ai-api";
pub(crate) const TABLE: &str = "opsdeck-team";

/// One operator: a home of their own, an OS user and a terminal (and credentials: moto's
/// default ones unless `with_keys` gives an IAM user's own).
pub(crate) struct Op {
    pub(crate) dir: tempfile::TempDir,
    user: &'static str,
    session: String,
    endpoint: String,
    keys: (String, String),
}

impl Op {
    pub(crate) fn new(emu: &Emulator, user: &'static str, terminal: &str) -> Op {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.toml"), format!("[team]\ntable = \"{TABLE}\"\n")).unwrap();
        let keys = ("testing".to_string(), "testing".to_string());
        Op { dir, user, session: format!("{user}@bastion:{terminal}"), endpoint: emu.endpoint.clone(), keys }
    }

    /// The same operator signing with an IAM user's access key (their own caller ARN).
    pub(crate) fn with_keys(self, keys: (String, String)) -> Op {
        Op { keys, ..self }
    }

    /// The same person in another terminal (another holder of leases), with the same home.
    fn other_terminal(&self, terminal: &str) -> Op {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(self.dir.path().join("config.toml"), dir.path().join("config.toml")).unwrap();
        Op {
            dir,
            user: self.user,
            session: format!("{}@bastion:{terminal}", self.user),
            endpoint: self.endpoint.clone(),
            keys: self.keys.clone(),
        }
    }

    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_opsdeck"));
        cmd.args(["--region", "us-east-1", "--endpoint-url", &self.endpoint, "--config-dir"])
            .arg(self.dir.path())
            .args(args)
            .env("USER", self.user)
            .env("OPSDECK_SESSION", &self.session)
            .env("AWS_ACCESS_KEY_ID", &self.keys.0)
            .env("AWS_SECRET_ACCESS_KEY", &self.keys.1)
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .env_remove("OPSDECK_CONFIG_DIR")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    pub(crate) fn run(&self, args: &[&str]) -> (i32, String, String) {
        said(self.command(args).output().unwrap())
    }

    pub(crate) fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "{} opsdeck {args:?}\n{out}\n{err}", self.user);
        out
    }

    pub(crate) fn audit_file(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("data/audit.jsonl")).unwrap_or_default()
    }
}

pub(crate) fn said(out: Output) -> (i32, String, String) {
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub(crate) fn account() -> Emulator {
    let emu = Emulator::start_with_env(&[("MOTO_ECS_SERVICE_RUNNING", "2")]);
    emu.seed();
    emu
}

/// The table read back by the test itself, through the SDK.
pub(crate) async fn reader(emu: &Emulator, dir: &std::path::Path) -> Team {
    isolate_from_real_aws();
    let options = TeamTableOptions {
        table: TABLE.into(),
        profile: None,
        region: Some("us-east-1".into()),
        endpoint_url: Some(emu.endpoint.clone()),
    };
    let table = connect(&options).await.expect("connect");
    let operator = Operator { arn: "test".into(), user: "test".into(), host: "test".into(), session: "test".into() };
    let settings = TeamSettings { table: TABLE.into(), region: "us-east-1".into(), keep_audit_days: None };
    Team::new(Arc::new(table), operator, settings, dir.join("reader-queue.jsonl"))
}

/// The queue of a table that was away: three notes and one action's two records wait in it;
/// once `bring_back` has run, the next run sends and empties it, and sending it again (a crash
/// after the puts but before the queue was rewritten) keeps one of each through the conditional
/// puts. Returns the db-outage timeline and the audit records as the table then holds them.
pub(crate) async fn queue_flushed_once(
    emu: &Emulator,
    alice: &Op,
    bring_back: impl FnOnce(),
) -> (Vec<String>, Vec<opsdeck::team::items::SharedRecord>) {
    let queue = alice.dir.path().join("data/team-queue.jsonl");
    let queued = std::fs::read_to_string(&queue).unwrap();
    assert_eq!(queued.lines().count(), 3 + 2, "three notes and the action's two records: {queued}");
    bring_back();
    alice.ok(&["team", "check"]);
    assert_eq!(std::fs::read_to_string(&queue).unwrap_or_default().trim(), "", "the queue is empty");
    std::fs::write(&queue, &queued).unwrap();
    alice.ok(&["team", "check"]);
    let dir = tempfile::tempdir().unwrap();
    let team = reader(emu, dir.path()).await;
    let entries = team.entries("db-outage", None).await.unwrap();
    let what = entries.into_iter().map(|(_, e)| e.entry.what).collect();
    (what, team.audit_records().await.unwrap())
}

pub(crate) fn update_services(emu: &Emulator) -> u64 {
    emu.calls().get("ecs:UpdateService").copied().unwrap_or(0)
}

#[test]
fn init_creates_the_table_and_check_tries_every_call() {
    let emu = account();
    let alice = Op::new(&emu, "alice", "pts/1");
    let (code, out, err) = alice.run(&["team", "check"]);
    assert_eq!(code, 1, "no table yet: {out}{err}");
    assert!(out.contains("FAILED  dynamodb:DescribeTable") && err.contains("opsdeck team init"), "{out}{err}");
    let out = alice.ok(&["team", "init"]);
    assert!(out.contains("created table opsdeck-team: on-demand billing"), "{out}");
    assert!(out.contains("\"arn:aws:dynamodb:us-east-1:123456789012:table/opsdeck-team\""), "{out}");
    assert!(out.contains("dynamodb:PutItem") && !out.contains("dynamodb:Scan"), "{out}");
    assert!(alice.ok(&["team", "init"]).contains("table opsdeck-team exists"));
    let out = alice.ok(&["team", "check"]);
    assert_eq!(out.matches("\nok ").count() + usize::from(out.starts_with("ok ")), 7, "{out}");
    assert!(out.contains("TTL on expires_at") && out.contains("on-demand"), "{out}");
    assert!(out.contains("(alice@") && out.contains("session alice@bastion:pts/1"), "{out}");
    // Without [team], the team verbs say how to turn it on and change nothing.
    std::fs::write(alice.dir.path().join("config.toml"), "").unwrap();
    let (code, _, err) = alice.run(&["lease", "list"]);
    assert_eq!(code, 2);
    assert!(err.contains("team mode is off: set [team] table"), "{err}");
    // A bad table name is refused at start.
    std::fs::write(alice.dir.path().join("config.toml"), "[team]\ntable = \"a b\"\n").unwrap();
    let (code, _, err) = alice.run(&["lease", "list"]);
    assert_eq!(code, 2);
    assert!(err.contains("a DynamoDB table name is 3-255"), "{err}");
}

#[test]
fn a_lease_refuses_other_holders_by_name_and_a_take_over_is_audited() {
    let emu = account();
    let alice = Op::new(&emu, "alice", "pts/1");
    let bob = Op::new(&emu, "bob", "pts/7");
    alice.ok(&["team", "init"]);
    emu.clear_calls();
    let out = alice.ok(&["lease", API, "--for", "10m", "--note", "looking at the 5xx"]);
    assert!(out.contains("holding ecs:cleanistic-ai-cluster/cleanistic-ai-api until"), "{out}");
    // Bob's plan says who holds it and refuses, like read-only: exit 3, nothing sent.
    let (code, out, err) = bob.run(&["scale", API, "3", "--yes"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        err.contains("is held by arn:aws:sts::123456789012:user/moto (alice@")
            && err.contains("investigating since")
            && err.contains("(looking at the 5xx)")
            && err.contains("--take-over"),
        "{err}"
    );
    assert!(out.contains("HELD by alice@") && out.contains("acting takes the lease over"), "the plan says it: {out}");
    // Alice in a second terminal is another holder too.
    let alice2 = alice.other_terminal("pts/2");
    assert_eq!(alice2.run(&["redeploy", API, "--yes"]).0, 3);
    assert_eq!(update_services(&emu), 0, "nothing reached ECS");
    let listed = bob.ok(&["lease", "list"]);
    assert!(listed.contains(API) && listed.contains("alice@") && listed.contains("looking at the 5xx"), "{listed}");
    // Only its person releases a lease (from any of her terminals).
    let (code, _, err) = bob.run(&["lease", "release", API]);
    assert_eq!(code, 3);
    assert!(err.contains("only its holder releases it"), "{err}");
    assert!(alice2.ok(&["lease", "release", API]).contains("released"));
    assert!(bob.ok(&["lease", "list"]).contains("no leases held"));
    // Held again; Bob takes it over, and it is in his audit record and the shared one.
    alice.ok(&["lease", API, "--for", "10m"]);
    emu.clear_calls();
    let out = bob.ok(&["scale", API, "3", "--yes", "--take-over"]);
    // What an action costs in the table (docs/team.md): the lease read at plan and execute, the
    // lease and two audit records written, the lease deleted.
    let dynamo = |emu: &Emulator| -> Vec<(String, u64)> {
        emu.calls().into_iter().filter(|(k, _)| k.starts_with("dynamodb:")).collect()
    };
    let expected = [("dynamodb:DeleteItem", 1), ("dynamodb:GetItem", 2), ("dynamodb:PutItem", 3)];
    assert_eq!(dynamo(&emu), expected.map(|(k, n)| (k.to_string(), n)));
    assert!(out.contains("applied"), "{out}");
    assert_eq!(update_services(&emu), 1);
    let audit = bob.audit_file();
    assert!(audit.contains("\"lease\":\"took over ecs:cleanistic-ai-cluster/cleanistic-ai-api from arn:aws:sts::123456789012:user/moto (alice@"), "{audit}");
    let shared = alice.ok(&["audit", "--team"]);
    assert!(
        shared.contains("bob@") && shared.contains("scale ecs:cleanistic-ai-cluster/cleanistic-ai-api 3"),
        "{shared}"
    );
    // The action's lease was released at its end: the resource is free for Alice again.
    assert!(alice.ok(&["lease", "list"]).contains("no leases held"));
    // A bad duration or address changes nothing.
    assert_eq!(alice.run(&["lease", API, "--for", "2s"]).0, 2);
    assert_eq!(alice.run(&["lease", "ecs:nope"]).0, 2);
}

#[test]
fn two_operators_racing_for_one_resource_one_acts_the_other_is_told_who() {
    let emu = account();
    let alice = Op::new(&emu, "alice", "pts/1");
    let bob = Op::new(&emu, "bob", "pts/7");
    alice.ok(&["team", "init"]);
    emu.clear_calls();
    // The same moment, the same resource, through the conditional write: exactly one holds it.
    for round in 0..3 {
        let a = alice.command(&["lease", API, "--for", "1m"]).spawn().unwrap();
        let b = bob.command(&["lease", API, "--for", "1m"]).spawn().unwrap();
        let (a, b) = (said(a.wait_with_output().unwrap()), said(b.wait_with_output().unwrap()));
        let codes = [a.0, b.0];
        assert!(codes.contains(&0) && codes.contains(&3), "round {round}: {a:?} {b:?}");
        let loser = if a.0 == 3 { &a } else { &b };
        assert!(loser.2.contains("is held by"), "{loser:?}");
        let winner = if a.0 == 0 { &alice } else { &bob };
        winner.ok(&["lease", "release", API]);
    }
    // Two actions at once: each plans; one takes the lease and holds it while its change is on
    // the way (UpdateService answers after 4 s here: moto settles a scale at once, and on a
    // loaded machine the second process can start a second later, after an instant action has
    // already let go); the other is refused at execute or at plan, naming the holder; ECS sees
    // one UpdateService.
    emu.fault(r#"{"operation": "UpdateService", "delay_ms": 4000, "times": 2}"#);
    let a = alice.command(&["scale", API, "3", "--yes", "--wait", "--timeout", "6s"]).spawn().unwrap();
    let b = bob.command(&["scale", API, "4", "--yes", "--wait", "--timeout", "6s"]).spawn().unwrap();
    let (a, b) = (said(a.wait_with_output().unwrap()), said(b.wait_with_output().unwrap()));
    let refused: Vec<_> = [&a, &b].into_iter().filter(|r| r.0 == 3).collect();
    assert_eq!(refused.len(), 1, "exactly one refused:\n{a:?}\n{b:?}");
    assert!(refused[0].2.contains("is held by arn:aws:sts::123456789012:user/moto ("), "{:?}", refused[0]);
    assert_eq!(update_services(&emu), 1, "one change reached ECS: {:?}", emu.calls());
}

#[test]
fn an_expired_lease_is_free_without_a_take_over() {
    let emu = account();
    let alice = Op::new(&emu, "alice", "pts/1");
    let bob = Op::new(&emu, "bob", "pts/7");
    alice.ok(&["team", "init"]);
    alice.ok(&["lease", API, "--for", "5s", "--note", "quick look"]);
    assert_eq!(bob.run(&["scale", API, "3", "--yes"]).0, 3);
    std::thread::sleep(std::time::Duration::from_secs(6));
    let out = bob.ok(&["scale", API, "3", "--yes"]);
    assert!(out.contains("applied") && !out.contains("held by"), "{out}");
    assert!(!bob.audit_file().contains("took over"), "an expired lease is not taken over");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_table_goes_away_and_comes_back_every_record_once_in_order() {
    let emu = account();
    let alice = Op::new(&emu, "alice", "pts/1");
    alice.ok(&["team", "init"]);
    alice.ok(&["incident", "start", "db-outage"]);
    // The table is gone (deleted, wrong region, an outage): DynamoDB answers ResourceNotFound.
    emu.fault(
        r#"{"operation":"*","service":"dynamodb","status":400,"times":100000,
            "body":{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}}"#,
    );
    for n in 1..=3 {
        let (code, _, err) = alice.run(&["incident", "note", &format!("note {n}")]);
        assert_eq!(code, 0, "a note is kept locally whatever the table does: {err}");
        assert!(err.contains("team records wait in") && err.contains("the next opsdeck run sends them"), "{err}");
    }
    // An action still goes out at 3 a.m.; its record says no lease was taken.
    let out = alice.ok(&["scale", API, "3", "--yes"]);
    assert!(out.contains("applied"), "{out}");
    assert!(
        alice.audit_file().contains("\"lease\":\"no lease taken: team table unreachable"),
        "{}",
        alice.audit_file()
    );
    let (what, records) = queue_flushed_once(&emu, &alice, || emu.clear_faults()).await;
    assert_eq!(what, ["started by hand", "note 1", "note 2", "note 3"], "once each, in order");
    let phases: Vec<String> = records.iter().map(|r| format!("{:?}", r.record.phase)).collect();
    assert_eq!(phases, ["Started", "Finished"], "{records:?}");
    assert_eq!(records[0].operator.user, "alice");
}

#[tokio::test(flavor = "multi_thread")]
async fn two_operators_write_a_thousand_events_to_one_timeline() {
    let emu = account();
    let alice = Op::new(&emu, "alice", "pts/1");
    let bob = Op::new(&emu, "bob", "pts/7");
    alice.ok(&["team", "init"]);
    alice.ok(&["incident", "start", "big-day"]);
    assert_eq!(bob.run(&["incident", "start", "big-day"]).0, 2, "an open shared incident is joined, not started twice");
    bob.ok(&["incident", "join", "big-day"]);
    emu.clear_calls();
    let notes = |who: &str| (1..=500).map(|n| format!("{who} {n}\n")).collect::<String>();
    let mut children = Vec::new();
    for (op, text) in [(&alice, notes("alice")), (&bob, notes("bob"))] {
        let mut child = op
            .command(&["incident", "note", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        std::thread::spawn(move || std::io::Write::write_all(&mut stdin, text.as_bytes()));
        children.push(child);
    }
    for child in children {
        let (code, out, err) = said(child.wait_with_output().unwrap());
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("500 notes added"), "{out}");
        assert!(!err.contains("wait in"), "everything was sent before exit: {err}");
    }
    // One conditional put per note, nothing else (no read while nobody looks).
    let dynamo: Vec<(String, u64)> = emu.calls().into_iter().filter(|(k, _)| k.starts_with("dynamodb:")).collect();
    assert_eq!(dynamo, [("dynamodb:PutItem".to_string(), 1000)]);
    let dir = tempfile::tempdir().unwrap();
    let team = reader(&emu, dir.path()).await;
    let entries = team.entries("big-day", None).await.unwrap();
    let notes: Vec<&str> = entries
        .iter()
        .filter(|(_, e)| e.entry.kind == opsdeck::incident::Kind::Note)
        .map(|(_, e)| e.entry.what.as_str())
        .collect();
    assert_eq!(notes.len(), 1000, "every note, once");
    let unique: std::collections::BTreeSet<&str> = notes.iter().copied().collect();
    assert_eq!(unique.len(), 1000);
    // Each operator's own notes keep their order.
    for who in ["alice", "bob"] {
        let mine: Vec<usize> = notes.iter().filter_map(|n| n.strip_prefix(&format!("{who} "))?.parse().ok()).collect();
        assert!(mine.windows(2).all(|w| w[0] < w[1]), "{who}'s notes in order");
    }
    // An export from either bastion has both operators' events.
    let export = alice.ok(&["incident", "export", "big-day"]);
    assert!(
        export.contains("| bob@") && export.contains("bob 500") && export.contains("alice 1 "),
        "{}",
        &export[..2000.min(export.len())]
    );
    assert_eq!(export.matches(" | note | ").count(), 1000, "each note once in the export");
    let listed = bob.ok(&["incident", "list"]);
    assert!(
        listed.contains("big-day") && listed.contains("open here") && listed.contains("started by alice@"),
        "{listed}"
    );
}

#[test]
fn the_team_verbs_refuse_bad_input_without_a_table_call() {
    let emu = account();
    let alice = Op::new(&emu, "alice", "pts/1");
    emulator::isolate_from_real_aws();
    let (code, _, err) = alice.run(&["incident", "join", "no such"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = alice.run(&["lease"]);
    assert_eq!(code, 2);
    assert!(err.contains("lease ADDRESS"), "{err}");
    assert!(!emu.calls().keys().any(|k| k.starts_with("dynamodb:PutItem")), "{:?}", emu.calls());
}
