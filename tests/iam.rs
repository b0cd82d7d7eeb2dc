//! docs/iam.md lists exactly the IAM actions the AWS code calls: every call site names its
//! action (for counting and for AccessDenied messages), so the code is the source of truth.

use std::collections::BTreeSet;

fn actions_in_code() -> BTreeSet<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/aws");
    let pattern = regex::Regex::new(r#"(?:count|fail)\("([a-z]+:[A-Za-z]+)""#).unwrap();
    let mut found = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        found.extend(pattern.captures_iter(&text).map(|c| c[1].to_string()));
    }
    found
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
    let code = actions_in_code();
    assert!(code.len() >= 10, "the scan found too little: {code:?}");
    let policies = policies_in_docs();
    assert_eq!(policies.len(), 2, "a read-only and an operator policy");
    let read_only = &policies[0];
    assert_eq!(read_only, &code, "docs/iam.md read-only policy differs from the code's calls");
    // Read calls are all the code makes today; the operator policy adds only mutating actions.
    let operator = &policies[1];
    assert!(operator.is_superset(read_only));
    let extra: Vec<_> = operator.difference(&code).collect();
    assert!(extra.is_empty(), "operator policy allows actions the code never calls: {extra:?}");
}
