//! More of team mode against moto's DynamoDB through the real SDK (the operators and helpers of
//! tests/suite/team_aws.rs): two operators with their own IAM users (distinct caller ARNs), the
//! lease heartbeat's versioned UpdateItem and a lost lease, the table really deleted and
//! created again mid-incident, and a held resource still read by everyone.

use crate::emulator::{isolate_from_real_aws, Emulator};
use crate::team_aws::{account, queue_flushed_once, update_services, Op, API, TABLE};
use chrono::Utc;
use opsdeck::aws::team_table::{connect, TeamTableOptions};
use opsdeck::team::lease::{self, LeaseError, Request};
use opsdeck::team::operator::Operator;
use opsdeck::team::{Team, TeamSettings};
use std::sync::Arc;

/// A team on the emulator's table as `operator`, with its queue in `dir`.
async fn team_as(emu: &Emulator, dir: &std::path::Path, operator: Operator) -> Team {
    isolate_from_real_aws();
    let options = TeamTableOptions {
        table: TABLE.into(),
        profile: None,
        region: Some("us-east-1".into()),
        endpoint_url: Some(emu.endpoint.clone()),
    };
    let table = connect(&options).await.expect("connect");
    let settings = TeamSettings { table: TABLE.into(), region: "us-east-1".into(), keep_audit_days: None };
    let queue = dir.join(format!("{}-queue.jsonl", operator_file(&operator)));
    Team::new(Arc::new(table), operator, settings, queue)
}

fn operator_file(o: &Operator) -> String {
    o.session.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect()
}

fn operator(user: &str, session: &str) -> Operator {
    Operator {
        arn: format!("arn:aws:iam::123456789012:user/{user}"),
        user: user.into(),
        host: "bastion".into(),
        session: session.into(),
    }
}

fn dynamo(emu: &Emulator) -> Vec<(String, u64)> {
    emu.calls().into_iter().filter(|(k, _)| k.starts_with("dynamodb:")).collect()
}

#[test]
fn two_operators_with_their_own_iam_users_are_told_apart_by_their_arns() {
    let emu = account();
    let alice_keys = emu.iam_user("alice");
    let bob_keys = emu.iam_user("bob");
    assert_ne!(alice_keys.0, bob_keys.0);
    // The same OS user on the same host, two terminals: only the caller ARN tells them apart.
    let alice = Op::new(&emu, "oncall", "pts/1").with_keys(alice_keys);
    let bob = Op::new(&emu, "oncall", "pts/7").with_keys(bob_keys);
    alice.ok(&["team", "init"]);
    let check = bob.ok(&["team", "check"]);
    assert!(check.contains("arn:aws:iam::123456789012:user/bob"), "STS names Bob's own user: {check}");
    alice.ok(&["lease", API, "--for", "10m", "--note", "looking at the 5xx"]);
    let (code, out, err) = bob.run(&["scale", API, "3", "--yes"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(err.contains("is held by arn:aws:iam::123456789012:user/alice (oncall@"), "the holder's own ARN: {err}");
    assert!(!err.contains("user/bob") && !err.contains("user/moto"), "{err}");
    // Not the same person (another ARN), so Bob may not release Alice's lease.
    let (code, _, err) = bob.run(&["lease", "release", API]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("only its holder releases it"), "{err}");
    let listed = bob.ok(&["lease", "list"]);
    assert!(listed.contains("arn:aws:iam::123456789012:user/alice") || listed.contains("oncall@"), "{listed}");
    // Bob takes it over: his audit record names Alice's ARN, and the shared log has both.
    assert!(bob.ok(&["scale", API, "3", "--yes", "--take-over"]).contains("applied"));
    assert_eq!(update_services(&emu), 1);
    let audit = bob.audit_file();
    assert!(
        audit.contains(
            "took over ecs:cleanistic-ai-cluster/cleanistic-ai-api from arn:aws:iam::123456789012:user/alice (oncall@"
        ),
        "{audit}"
    );
    assert!(audit.contains("\"arn\":\"arn:aws:iam::123456789012:user/bob\""), "Bob's record has his ARN: {audit}");
    let shared = alice.ok(&["audit", "--team"]);
    assert!(
        shared.contains("arn:aws:iam::123456789012:user/bob") && shared.contains("scale ecs:cleanistic-ai-cluster"),
        "the shared log, with Bob's ARN: {shared}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_heartbeat_extends_a_lease_by_version_and_finds_it_lost() {
    let emu = account();
    let alice_op = Op::new(&emu, "alice", "pts/1");
    alice_op.ok(&["team", "init"]);
    let dir = tempfile::tempdir().unwrap();
    let alice = team_as(&emu, dir.path(), operator("alice", "a1")).await;
    let bob = team_as(&emu, dir.path(), operator("bob", "b1")).await;
    let scope = "123456789012/us-east-1";
    let svc = vec![API.to_string()];
    let request = |take_over| Request {
        scope,
        resources: &svc,
        purpose: "rollback",
        note: None,
        duration: lease::ACTION_LEASE,
        take_over,
    };
    let now = Utc::now();
    alice.leases.take("act1", &request(false), now).await.expect("taken");
    let key = lease::key(scope, API);
    let item = alice.table().get("LEASES", &key).await.unwrap().expect("the lease item");
    let version = item.version.expect("a version");
    emu.clear_calls();
    // Two heartbeats: each one UpdateItem, conditional on the version the last one wrote.
    alice.leases.heartbeat(now + chrono::Duration::seconds(45)).await;
    alice.leases.heartbeat(now + chrono::Duration::seconds(90)).await;
    assert_eq!(dynamo(&emu), [("dynamodb:UpdateItem".to_string(), 2)]);
    assert!(alice.leases.take_lost().is_empty(), "still hers");
    let item = alice.table().get("LEASES", &key).await.unwrap().unwrap();
    assert_eq!(item.version, Some(version + 2), "each heartbeat moved the version on");
    let until = now + chrono::Duration::seconds(90) + lease::ACTION_LEASE;
    assert_eq!(item.until, Some(until.timestamp()), "and the end");
    // Past the lease's first end it is still hers: the heartbeat kept it.
    let later = now + lease::ACTION_LEASE + chrono::Duration::seconds(30);
    match bob.leases.take("act2", &request(false), later).await {
        Err(LeaseError::HeldBy(l)) => assert_eq!(l.holder.user, "alice"),
        other => panic!("expected Alice's lease to hold, got {other:?}"),
    }
    // Bob takes it over; Alice's next heartbeat fails its version check and says who has it.
    bob.leases.take("act2", &request(true), later).await.expect("taken over");
    emu.clear_calls();
    alice.leases.heartbeat(later).await;
    let calls = dynamo(&emu);
    assert_eq!(calls.first(), Some(&("dynamodb:GetItem".to_string(), 1)), "who has it now: {calls:?}");
    assert!(calls.contains(&("dynamodb:UpdateItem".to_string(), 1)), "{calls:?}");
    let lost = alice.leases.take_lost();
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert!(lost[0].contains("was lost: now held by arn:aws:iam::123456789012:user/bob (bob@bastion)"), "{}", lost[0]);
    assert!(alice.leases.take_lost_notices().len() == 1, "the console is told too");
    // Her end of the action deletes nothing of Bob's (the delete is conditional on her version).
    alice.leases.release("act1").await;
    let item = bob.table().get("LEASES", &key).await.unwrap().expect("Bob's lease stays");
    assert!(item.body.contains("\"user\":\"bob\""), "{}", item.body);
    // Bob's own heartbeat goes on; an expired lease, taken by someone else, is lost as well.
    bob.leases.heartbeat(later + chrono::Duration::seconds(45)).await;
    assert!(bob.leases.take_lost().is_empty());
    let much_later = later + chrono::Duration::minutes(10);
    let carol = team_as(&emu, dir.path(), operator("carol", "c1")).await;
    carol.leases.take("act3", &request(false), much_later).await.expect("an expired lease is free");
    bob.leases.heartbeat(much_later).await;
    let lost = bob.leases.take_lost();
    assert!(lost.len() == 1 && lost[0].contains("now held by") && lost[0].contains("carol@bastion"), "{lost:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_table_deleted_mid_incident_and_created_again_gets_the_queue_once_in_order() {
    let emu = account();
    let alice = Op::new(&emu, "alice", "pts/1");
    alice.ok(&["team", "init"]);
    alice.ok(&["incident", "start", "db-outage"]);
    alice.ok(&["incident", "note", "before"]);
    // Really deleted (DeleteTable), not a fault at the bridge.
    let (status, said) =
        emu.aws_json("dynamodb", "DynamoDB_20120810.DeleteTable", &format!(r#"{{"TableName":"{TABLE}"}}"#));
    assert_eq!(status, 200, "{said}");
    let (code, _, err) = alice.run(&["team", "check"]);
    assert_eq!(code, 1, "the table is gone: {err}");
    for n in 1..=3 {
        let (code, _, err) = alice.run(&["incident", "note", &format!("during {n}")]);
        assert_eq!(code, 0, "a note is kept locally: {err}");
        assert!(err.contains("team records wait in"), "{err}");
    }
    let out = alice.ok(&["scale", API, "3", "--yes"]);
    assert!(out.contains("applied"), "{out}");
    // Created again by `team init`; the next run sends the queue.
    let (what, records) = queue_flushed_once(&emu, &alice, || {
        let out = alice.ok(&["team", "init"]);
        assert!(out.contains("created table opsdeck-team"), "{out}");
    })
    .await;
    // What the old table had went with it (the local timeline keeps it); what waited, once, in order.
    assert_eq!(what, ["during 1", "during 2", "during 3"], "once each, in order");
    let phases: Vec<String> = records.iter().map(|r| format!("{:?}", r.record.phase)).collect();
    assert_eq!(phases, ["Started", "Finished"], "{records:?}");
    let export = alice.ok(&["incident", "export", "db-outage"]);
    for note in ["before", "during 1", "during 3"] {
        assert_eq!(export.matches(&format!(" | {note}")).count(), 1, "{note} once in the export:\n{export}");
    }
}

#[test]
fn a_held_resource_is_still_read_by_everyone() {
    let emu = account();
    let alice = Op::new(&emu, "alice", "pts/1");
    let bob = Op::new(&emu, "bob", "pts/7");
    alice.ok(&["team", "init"]);
    alice.ok(&["lease", API, "--for", "10m", "--note", "mine for now"]);
    emu.clear_calls();
    let shown = bob.ok(&["show", API]);
    assert!(shown.contains("cleanistic-ai-api"), "{shown}");
    let status = bob.ok(&["status"]);
    assert!(status.contains("cleanistic-ai-api"), "{status}");
    let json = bob.ok(&["show", API, "--output", "json"]);
    assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok(), "{json}");
    assert!(dynamo(&emu).is_empty(), "reading never asks about leases: {:?}", dynamo(&emu));
    // Only a change is refused; the lease is still Alice's.
    assert_eq!(bob.run(&["scale", API, "3", "--yes"]).0, 3);
    assert!(bob.ok(&["lease", "list"]).contains("mine for now"));
}
