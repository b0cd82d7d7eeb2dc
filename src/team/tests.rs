use super::lease::{LeaseError, Request};
use super::*;
use crate::audit::{AuditRecord, Phase, Who};
use crate::incident::{Entry, Kind};
use crate::team_table::MemoryTable;
use std::sync::atomic::Ordering;

fn operator(user: &str, session: &str) -> Operator {
    Operator {
        arn: format!("arn:aws:sts::123456789012:assumed-role/oncall/{user}"),
        user: user.into(),
        host: "bastion".into(),
        session: session.into(),
    }
}

fn team(table: &Arc<MemoryTable>, dir: &std::path::Path, who: Operator) -> Team {
    Team::new(
        table.clone(),
        who,
        TeamSettings { table: "t".into(), region: "eu-west-1".into(), keep_audit_days: None },
        dir.join("q.jsonl"),
    )
}

fn record(id: &str, phase: Phase) -> AuditRecord {
    AuditRecord {
        id: id.into(),
        time: Utc::now(),
        phase,
        who: Who { arn: "a".into(), user: "alice".into(), ssh_client: None },
        profile: "p".into(),
        region: "r".into(),
        action: "scale".into(),
        resource: "ecs:c/s".into(),
        command: "scale ecs:c/s 3".into(),
        before: serde_json::json!({}),
        after: serde_json::json!({}),
        request_ids: vec![],
        outcome: "started".into(),
        inverse: None,
        step: None,
        replan: None,
        lease: None,
    }
}

#[tokio::test]
async fn records_wait_while_the_table_is_away_and_arrive_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let table = Arc::new(MemoryTable::default());
    let alice = team(&table, dir.path(), operator("alice", "a1"));
    table.down.store(true, Ordering::SeqCst);
    for (i, phase) in [Phase::Started, Phase::Finished, Phase::Settled].into_iter().enumerate() {
        alice.appended("audit", serde_json::to_value(record(&format!("act{i}"), phase)).unwrap());
    }
    assert!(alice.flush().await.is_err());
    assert_eq!(alice.pending(), 3);
    assert!(alice.queue_state().error.unwrap().contains("unreachable"));
    table.down.store(false, Ordering::SeqCst);
    assert_eq!(alice.flush().await.unwrap(), 3);
    assert_eq!(alice.pending(), 0);
    // A resend (the queue rewritten from an old copy after a crash) writes nothing twice.
    let shared = alice.audit_records().await.unwrap();
    let ids: Vec<&str> = shared.iter().map(|s| s.record.id.as_str()).collect();
    assert_eq!(ids, ["act0", "act1", "act2"]);
    assert_eq!(shared[0].operator.user, "alice");
    let writes = table.writes.load(Ordering::SeqCst);
    let items = table.query(items::AUDIT, None).await.unwrap();
    let again: Vec<Queued> = items
        .iter()
        .map(|i| Queued { pk: i.pk.clone(), sk: i.sk.clone(), body: i.body.clone(), expires_at: None })
        .collect();
    std::fs::write(
        alice.queue_path(),
        again.iter().map(|q| serde_json::to_string(q).unwrap() + "\n").collect::<String>(),
    )
    .unwrap();
    assert_eq!(alice.flush().await.unwrap(), 3);
    assert_eq!(table.writes.load(Ordering::SeqCst), writes, "conditional puts wrote nothing twice");
    assert_eq!(alice.audit_records().await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_timeline_is_shared_and_indexed() {
    let dir = tempfile::tempdir().unwrap();
    let table = Arc::new(MemoryTable::default());
    let alice = team(&table, dir.path(), operator("alice", "a1"));
    let bob = team(&table, &dir.path().join("bob"), operator("bob", "b1"));
    let now = Utc::now();
    alice.appended("incident", serde_json::to_value(Entry::new("db", Kind::Start, "by hand", now, "alice")).unwrap());
    bob.appended("incident", serde_json::to_value(Entry::new("db", Kind::Join, "joined", now, "bob")).unwrap());
    bob.appended("incident", serde_json::to_value(Entry::new("db", Kind::Note, "rolled back", now, "bob")).unwrap());
    alice.flush().await.unwrap();
    bob.flush().await.unwrap();
    let entries = alice.entries("db", None).await.unwrap();
    assert_eq!(entries.len(), 3);
    assert!(entries.iter().any(|(_, e)| e.entry.who == "bob@bastion" && e.entry.what == "rolled back"));
    // The cursor: nothing after the last key.
    let last = entries.last().unwrap().0.clone();
    assert!(alice.entries("db", Some(&last)).await.unwrap().is_empty());
    let index = alice.incidents().await.unwrap();
    assert_eq!(index.len(), 1);
    assert_eq!(index[0].started_by.user, "alice");
    alice.present("db", now).await.unwrap();
    bob.present("db", now).await.unwrap();
    assert_eq!(alice.present_in("db", now).await.unwrap().len(), 2);
    assert!(alice.present_in("db", now + chrono::Duration::minutes(4)).await.unwrap().is_empty());
}

fn request<'a>(resources: &'a [String], take_over: bool) -> Request<'a> {
    Request {
        scope: "123456789012/eu-west-1",
        resources,
        purpose: "rollback",
        note: None,
        duration: lease::ACTION_LEASE,
        take_over,
    }
}

#[tokio::test]
async fn a_lease_refuses_another_session_names_the_holder_and_can_be_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    let table = Arc::new(MemoryTable::default());
    let alice = team(&table, dir.path(), operator("alice", "a1"));
    let bob = team(&table, &dir.path().join("bob"), operator("bob", "b1"));
    // Alice in a second terminal is another holder too.
    let alice2 = team(&table, &dir.path().join("a2"), operator("alice", "a2"));
    let now = Utc::now();
    let svc = vec!["ecs:prod/api".to_string()];
    let taken = alice.leases.take("act1", &request(&svc, false), now).await.unwrap();
    assert_eq!(taken.leases.len(), 1);
    for other in [&bob, &alice2] {
        match other.leases.take("act2", &request(&svc, false), now).await {
            Err(LeaseError::HeldBy(l)) => {
                assert_eq!(l.holder.user, "alice");
                let said = LeaseError::HeldBy(l).to_string();
                assert!(
                    said.contains(
                        "held by arn:aws:sts::123456789012:assumed-role/oncall/alice (alice@bastion): rollback since"
                    ),
                    "{said}"
                );
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
    assert!(bob.leases.held_by_other("123456789012/eu-west-1", &svc, now).await.unwrap().is_some());
    assert!(alice.leases.held_by_other("123456789012/eu-west-1", &svc, now).await.unwrap().is_none());
    // Bob takes it over: Alice's heartbeat finds it lost and says who has it.
    let taken = bob.leases.take("act2", &request(&svc, true), now).await.unwrap();
    assert_eq!(taken.taken_over[0].holder.user, "alice");
    assert_eq!(taken.leases[0].taken_from.as_ref().unwrap().user, "alice");
    alice.leases.heartbeat(now).await;
    let notices = alice.leases.take_lost_notices();
    assert_eq!(notices.len(), 1, "the console is told at once too");
    assert!(alice.leases.take_lost_notices().is_empty(), "said once");
    let lost = alice.leases.take_lost();
    assert_eq!(lost.len(), 1);
    assert!(lost[0].contains("now held by") && lost[0].contains("bob@bastion"), "{}", lost[0]);
    // Bob's heartbeat extends it; his release frees it.
    bob.leases.heartbeat(now + chrono::Duration::minutes(2)).await;
    assert!(bob.leases.take_lost().is_empty());
    let listed = alice.leases.list(now + chrono::Duration::minutes(4)).await.unwrap();
    assert_eq!(listed.len(), 1, "the heartbeat moved the end on");
    bob.leases.release("act2").await;
    assert!(alice.leases.list(now).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_expired_lease_is_free_and_only_its_person_releases_a_manual_one() {
    let dir = tempfile::tempdir().unwrap();
    let table = Arc::new(MemoryTable::default());
    let alice = team(&table, dir.path(), operator("alice", "a1"));
    let bob = team(&table, &dir.path().join("bob"), operator("bob", "b1"));
    let now = Utc::now();
    let svc = vec!["ecs:prod/api".to_string()];
    let manual = Request {
        purpose: "investigating",
        note: Some("looking at 5xx"),
        duration: chrono::Duration::minutes(15),
        ..request(&svc, false)
    };
    alice.leases.take("manual", &manual, now).await.unwrap();
    let scope = "123456789012/eu-west-1";
    assert!(matches!(bob.leases.release_resource(scope, "ecs:prod/api", now).await, Err(LeaseError::NotYours(_))));
    let later = now + chrono::Duration::minutes(16);
    // Expired: Bob takes it without --take-over.
    bob.leases.take("act", &request(&svc, false), later).await.unwrap();
    bob.leases.release("act").await;
    alice.leases.take("manual", &manual, now).await.unwrap();
    // Alice from another terminal may release her own.
    let alice2 = team(&table, &dir.path().join("a2"), operator("alice", "a2"));
    assert_eq!(alice2.leases.release_resource(scope, "ecs:prod/api", now).await.unwrap(), "released ecs:prod/api");
    assert!(alice.leases.list(now).await.unwrap().is_empty());
    // Two resources, the second held: neither is kept.
    let two = vec!["ecs:prod/api".to_string(), "ecs:prod/worker".to_string()];
    bob.leases.take("x", &request(&two[1..], false), now).await.unwrap();
    assert!(alice.leases.take("y", &request(&two, false), now).await.is_err());
    let left: Vec<String> = alice.leases.list(now).await.unwrap().into_iter().map(|l| l.resource).collect();
    assert_eq!(left, ["ecs:prod/worker"]);
}

#[tokio::test]
async fn the_audit_log_is_every_operators_and_this_bastions_queued_records_once() {
    let dir = tempfile::tempdir().unwrap();
    let (alice_dir, bob_dir) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&alice_dir).unwrap();
    std::fs::create_dir_all(&bob_dir).unwrap();
    let table = Arc::new(MemoryTable::default());
    let alice = team(&table, &alice_dir, operator("alice", "a1"));
    let bob = team(&table, &bob_dir, operator("bob", "b1"));
    alice.appended("audit", serde_json::to_value(record("act-a", Phase::Started)).unwrap());
    alice.flush().await.unwrap();
    let mut unnamed = record("act-b", Phase::Started);
    unnamed.who.arn = String::new();
    bob.appended("audit", serde_json::to_value(unnamed).unwrap());
    // Bob's record waits in his queue: his log has it, Alice's does not yet.
    let ids = |records: &[AuditRecord]| records.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&bob.audit_log().await.unwrap()), ["act-a", "act-b"]);
    assert_eq!(ids(&alice.audit_log().await.unwrap()), ["act-a"]);
    // Sent, but the queue not yet rewritten (a crash between the two): still once.
    let queued = std::fs::read_to_string(bob.queue_path()).unwrap();
    bob.flush().await.unwrap();
    std::fs::write(bob.queue_path(), &queued).unwrap();
    let log = bob.audit_log().await.unwrap();
    assert_eq!(ids(&log), ["act-a", "act-b"]);
    assert_eq!(log[0].who.user, "alice@bastion", "the operator's user@host");
    assert_eq!(log[1].who.arn, "arn:aws:sts::123456789012:assumed-role/oncall/bob", "the operator's ARN when none");
    table.down.store(true, Ordering::SeqCst);
    assert!(bob.audit_log().await.is_err(), "an unreachable table is an error, not an empty log");
}
