//! Two simulated accounts with the same names behind one fleet backend: rows come back placed,
//! and a change goes to the account its place names and nowhere else.

use super::{AccountsBackend, Member};
use crate::backend::Backend;
use crate::domain::{Address, Snapshot};
use crate::sim::{SimClock, SimFleet, SimOptions};
use std::sync::Arc;

fn sim(seed: u64) -> Arc<dyn Backend> {
    let options =
        SimOptions { seed, scenario: "calm".into(), start: chrono::Utc::now(), clock: SimClock::Wall { speed: 1 } };
    Arc::new(SimFleet::new(options).unwrap())
}

fn member(alias: &str, backend: Result<Arc<dyn Backend>, String>) -> Member {
    Member { alias: Some(alias.into()), profile: None, region: "us-east-1".into(), backend, read_only: false }
}

pub(super) async fn two_accounts() -> (AccountsBackend, Arc<dyn Backend>, Arc<dyn Backend>) {
    let (prod, staging) = (sim(1), sim(2));
    let fleet = AccountsBackend::connect(vec![
        member("prod", Ok(Arc::clone(&prod))),
        member("staging", Ok(Arc::clone(&staging))),
    ])
    .await;
    (fleet, prod, staging)
}

#[tokio::test]
async fn rows_of_each_account_come_back_placed() {
    let (fleet, prod, _) = two_accounts().await;
    let services = fleet.services().await.unwrap();
    let alone = prod.services().await.unwrap();
    assert_eq!(services.len(), alone.len() * 2, "both accounts' rows");
    let first = &alone[0];
    for place in ["prod@us-east-1", "staging@us-east-1"] {
        let placed = Address::ecs(format!("{place}:{}", first.cluster), &first.name);
        assert!(services.iter().any(|s| s.address() == placed), "{placed} among the rows");
    }
    let endpoints = fleet.endpoints().await.unwrap();
    assert!(endpoints
        .iter()
        .all(|e| e.name.starts_with("prod@us-east-1:") || e.name.starts_with("staging@us-east-1:")));
    let detail = fleet.service_detail(&services[0].address()).await.unwrap();
    assert_eq!(detail.address, services[0].address(), "a detail keeps its place");
}

#[tokio::test]
async fn a_read_about_one_resource_needs_its_place() {
    let (fleet, prod, _) = two_accounts().await;
    let bare = prod.services().await.unwrap()[0].address();
    let err = fleet.snapshot(&bare).await.unwrap_err().to_string();
    assert!(err.contains("ACCOUNT@REGION:NAME"), "{err}");
    let unknown = Address::ecs("dev@us-east-1:x", "y");
    let err = fleet.snapshot(&unknown).await.unwrap_err().to_string();
    assert!(err.contains("dev@us-east-1: not an account and region of [fleet]"), "{err}");
}

#[tokio::test]
async fn one_account_failing_keeps_the_others_and_is_named() {
    let fleet = AccountsBackend::connect(vec![
        member("prod", Ok(sim(1))),
        member("gone", Err("could not connect: no route".into())),
    ])
    .await;
    let services = fleet.services().await.unwrap();
    assert!(!services.is_empty());
    assert!(services.iter().all(|s| s.cluster.starts_with("prod@us-east-1:")));
    let errors = fleet.place_errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "gone@us-east-1");
    assert!(errors[0].1.contains("no route"), "{errors:?}");
}

#[tokio::test]
async fn a_change_lands_only_in_the_account_its_row_names() {
    let (fleet, prod, staging) = two_accounts().await;
    let bare = prod.services().await.unwrap()[0].address();
    let Address::EcsService { cluster, service } = &bare else { panic!() };
    let in_staging = Address::ecs(format!("staging@us-east-1:{cluster}"), service);
    let before = |s: Snapshot| match s {
        Snapshot::Service(s) => s.service.desired,
        other => panic!("{other:?}"),
    };
    let prod_before = before(prod.snapshot(&bare).await.unwrap());
    let staging_before = before(staging.snapshot(&bare).await.unwrap());
    let wanted = staging_before + 2;
    let mutation = crate::domain::Mutation::SetDesiredCount { address: in_staging.clone(), count: wanted };
    fleet.apply(crate::backend::Permit::for_tests(mutation)).await.unwrap();
    assert_eq!(before(staging.snapshot(&bare).await.unwrap()), wanted, "staging changed");
    assert_eq!(before(prod.snapshot(&bare).await.unwrap()), prod_before, "prod did not");
    // And the fleet reads it back, placed.
    assert_eq!(before(fleet.snapshot(&in_staging).await.unwrap()), wanted);
}
