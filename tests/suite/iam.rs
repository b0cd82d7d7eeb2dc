//! docs/iam.md lists exactly the IAM actions the AWS code calls: every call site names its
//! action (for counting and for AccessDenied messages), so the code is the source of truth.
//! Calls that change things are made from src/aws/actions.rs and nowhere else: those are the
//! operator policy's additions; everything else is read-only.

use std::collections::BTreeSet;

const MUTATIONS_FILE: &str = "actions.rs";
/// The team table's calls: their own policies (team mode), not the account's.
const TEAM_FILE: &str = "team_table.rs";

/// (actions named in src/aws/actions.rs, actions named everywhere else in src/aws).
fn actions_in_code() -> (BTreeSet<String>, BTreeSet<String>) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/aws");
    // Service prefixes may contain hyphens: application-autoscaling:RegisterScalableTarget.
    let pattern = regex::Regex::new(r#"(?:count|fail)\("([a-z][a-z-]*:[A-Za-z]+)""#).unwrap();
    let (mut mutations, mut reads) = (BTreeSet::new(), BTreeSet::new());
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let found = pattern.captures_iter(&text).map(|c| c[1].to_string());
        if path.file_name().is_some_and(|n| n == TEAM_FILE) {
            continue;
        }
        if path.file_name().is_some_and(|n| n == MUTATIONS_FILE) {
            mutations.extend(found);
        } else {
            reads.extend(found);
        }
    }
    (mutations, reads)
}

fn policies_in_docs() -> Vec<BTreeSet<String>> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/iam.md")).unwrap();
    doc.split("```json")
        .skip(1)
        .map(|block| {
            let json: serde_json::Value =
                serde_json::from_str(block.split("```").next().unwrap()).expect("policy JSON");
            json["Statement"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|s| s["Action"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn the_policies_list_exactly_what_the_code_calls() {
    let (mutations, reads) = actions_in_code();
    assert!(reads.len() >= 10, "the scan found too few reads: {reads:?}");
    assert!(mutations.len() >= 5, "the scan found too few mutations in {MUTATIONS_FILE}: {mutations:?}");
    assert!(
        reads.iter().any(|a| a.starts_with("application-autoscaling:")),
        "hyphenated service prefixes must be scanned: {reads:?}"
    );
    let mixed: Vec<_> = mutations.intersection(&reads).collect();
    assert!(mixed.is_empty(), "called both as a read and from {MUTATIONS_FILE}: {mixed:?}");
    let policies = policies_in_docs();
    assert_eq!(policies.len(), 4, "read-only, operator, team, team init");
    let read_only = &policies[0];
    assert_eq!(read_only, &reads, "docs/iam.md read-only policy differs from the code's reads");
    let operator = &policies[1];
    assert!(operator.is_superset(read_only));
    let code: BTreeSet<String> = reads.union(&mutations).cloned().collect();
    assert_eq!(operator, &code, "docs/iam.md operator policy differs from the code's calls");
    let added: BTreeSet<String> = operator.difference(read_only).cloned().collect();
    assert_eq!(added, mutations, "the operator policy adds exactly the mutating calls");
}

/// The team table's calls (`classify("dynamodb:X"` in src/aws/team_table.rs).
fn team_actions_in_code() -> BTreeSet<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/aws/team_table.rs");
    let text = std::fs::read_to_string(path).unwrap();
    let pattern = regex::Regex::new(r#"classify\("(dynamodb:[A-Za-z]+)""#).unwrap();
    pattern.captures_iter(&text).map(|c| c[1].to_string()).collect()
}

#[test]
fn the_team_policies_list_exactly_what_the_team_table_calls() {
    let code = team_actions_in_code();
    assert!(code.len() >= 9, "the scan found too few team calls: {code:?}");
    let policies = policies_in_docs();
    let (team, init) = (&policies[2], &policies[3]);
    let printed: BTreeSet<String> = opsdeck::team::policy::OPERATOR_ACTIONS.iter().map(|a| a.to_string()).collect();
    assert_eq!(team, &printed, "docs/iam.md team policy differs from what `team init` prints");
    let init_code: BTreeSet<String> = opsdeck::team::policy::INIT_ACTIONS.iter().map(|a| a.to_string()).collect();
    assert_eq!(init, &init_code, "docs/iam.md team init policy differs from the code's");
    let all: BTreeSet<String> = team.union(init).cloned().collect();
    assert_eq!(all, code, "the two team policies together are exactly the team table's calls");
    assert!(team.is_disjoint(init));
}
