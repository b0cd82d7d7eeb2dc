//! Environments teardown and restore, headless, on the simulated fleet: the CLI's verbs
//! (`commands::run`, what `opsdeck teardown ...` runs) against one fleet in this process, so a
//! teardown and the restore after it see the same account. The clock runs 60 times faster than
//! the wall clock so `--wait` follows deletions and creations in seconds.

use crate::demo;
use crate::failing;

use demo::{fleet, Demo};
use failing::FailingApply;
use opsdeck::ops::env::{store, EnvStatus};
use std::sync::Arc;

const GARMAX: [&str; 7] = [
    "ecs:garmaxai-cluster-prod/garmaxai-smpl-processor",
    "lambda:GarmaxAi-TryonProcessor-PROD",
    "lambda:GarmaxAi-AiRenderProcessor-PROD",
    "lambda:GarmaxAi-BillingProcessor-PROD",
    "rule:garmaxai-nightly-batch-PROD",
    "rule:garmaxai-warmup-PROD",
    "rule:garmaxai-events-PROD/tryon-completed-PROD",
];

#[tokio::test]
async fn teardown_then_restore_gives_back_exactly_the_prior_state() {
    let demo = Demo::new();
    let before = demo.shape(&GARMAX).await;
    let (code, out, err) = demo.run("teardown garmax-prod --yes --wait").await;
    assert_eq!(code, 0, "{out}\n{err}");
    let down = demo.shape(&GARMAX).await;
    assert_eq!(
        down,
        vec![
            "ecs:garmaxai-cluster-prod/garmaxai-smpl-processor: desired 0 scaling None",
            "lambda:GarmaxAi-TryonProcessor-PROD: reserved Some(0)",
            "lambda:GarmaxAi-AiRenderProcessor-PROD: reserved Some(0)",
            "lambda:GarmaxAi-BillingProcessor-PROD: reserved Some(0)",
            "rule:garmaxai-nightly-batch-PROD: DISABLED",
            "rule:garmaxai-warmup-PROD: DISABLED",
            "rule:garmaxai-events-PROD/tryon-completed-PROD: DISABLED",
        ]
    );
    let pointer = demo.pointer("garmax-prod").await.expect("saved");
    assert_eq!(pointer.status, EnvStatus::TornDown);
    let local = store::local_path(&demo.settings.env_dir, &demo.fleet.label(), "garmax-prod");
    let copy = store::read_local(&local).unwrap().expect("a local copy");
    assert_eq!(copy.pointer.generation, pointer.generation);
    // Each step is audited, the saved state first.
    let audit = demo.audit();
    let first_step = audit.lines().find(|l| l.contains("\"phase\":\"step\"")).unwrap();
    assert!(first_step.contains("ssm /opsdeck/environments/garmax-prod/saved/"), "{first_step}");

    let (code, out, err) = demo.run("restore garmax-prod --yes --wait").await;
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(demo.shape(&GARMAX).await, before, "{out}");
    assert_eq!(demo.pointer("garmax-prod").await.unwrap().status, EnvStatus::Restored);
    // "No reserved concurrency" came back as no limit, not as a number.
    assert!(before[2].ends_with("reserved None"));
    // The rule that was disabled before stays disabled.
    assert!(before[5].ends_with("DISABLED"));
}

#[tokio::test]
async fn a_second_teardown_keeps_the_first_saved_state() {
    let demo = Demo::new();
    let before = demo.shape(&GARMAX).await;
    assert_eq!(demo.run("teardown garmax-prod --yes").await.0, 0);
    let first = demo.pointer("garmax-prod").await.unwrap();
    let (code, out, _) = demo.run("teardown garmax-prod --yes").await;
    assert_eq!(code, 0);
    assert!(out.contains("already torn down: nothing to change"), "{out}");
    assert_eq!(demo.pointer("garmax-prod").await.unwrap(), first, "the saved state was not touched");
    // Someone brings one resource back by hand; the next teardown takes it down again and still
    // keeps the state saved the first time.
    assert_eq!(
        demo.run("scale ecs:garmaxai-cluster-prod/garmaxai-smpl-processor 1 --yes --adjust-autoscaling").await.0,
        0
    );
    let (code, out, _) = demo.run("teardown garmax-prod --yes").await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("the state saved then is kept"), "{out}");
    assert_eq!(demo.pointer("garmax-prod").await.unwrap().generation, first.generation);
    assert_eq!(demo.run("restore garmax-prod --yes --wait").await.0, 0);
    assert_eq!(demo.shape(&GARMAX).await, before);
}

#[tokio::test]
async fn an_interrupted_teardown_is_finished_by_running_it_again() {
    // The fourth change of the teardown fails (an API error between steps).
    let failing = Arc::new(FailingApply::new(fleet("calm"), 4));
    let demo = Demo::on(failing.clone(), false);
    let before = demo.shape(&GARMAX).await;
    let (code, out, err) = demo.run("teardown garmax-prod --yes").await;
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(err.contains("injected failure"), "{err}");
    assert_eq!(demo.pointer("garmax-prod").await.unwrap().status, EnvStatus::TearingDown);
    let half = demo.shape(&GARMAX).await;
    assert_ne!(half, before, "some changes were made");
    let (code, out, err) = demo.run("env show garmax-prod").await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("partly torn down"), "{out}");
    // Run again: it finishes, with the state saved before the first attempt.
    let saved = demo.pointer("garmax-prod").await.unwrap();
    let (code, out, err) = demo.run("teardown garmax-prod --yes").await;
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(demo.pointer("garmax-prod").await.unwrap().generation, saved.generation);
    assert_eq!(demo.run("restore garmax-prod --yes --wait").await.0, 0);
    assert_eq!(demo.shape(&GARMAX).await, before);
}

#[tokio::test]
async fn restore_with_no_saved_state_refuses_and_changes_nothing() {
    let demo = Demo::new();
    let before = demo.shape(&GARMAX).await;
    let (code, _, err) = demo.run("restore garmax-prod --yes").await;
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("no saved state"), "{err}");
    assert_eq!(demo.shape(&GARMAX).await, before);
    assert_eq!(demo.audit(), "", "nothing was even started");
    let (code, _, err) = demo.run("teardown nowhere --yes").await;
    assert_eq!(code, 2);
    assert!(err.contains("no environment 'nowhere'"), "{err}");
}

#[tokio::test]
async fn read_only_refuses_both_verbs() {
    let demo = Demo::on(fleet("calm"), true);
    let before = demo.shape(&GARMAX).await;
    let (code, out, err) = demo.run("teardown garmax-prod --yes").await;
    assert_eq!(code, 3, "{out}\n{err}");
    assert!(err.contains("read-only"), "{err}");
    assert!(out.contains("plan: teardown garmax-prod"), "the plan is shown: {out}");
    assert_eq!(demo.shape(&GARMAX).await, before);
    assert_eq!(demo.pointer("garmax-prod").await, None, "not even the state was saved");
    let (code, _, err) = demo.run("restore garmax-prod --yes").await;
    assert_eq!(code, 3, "{err}");
}

#[tokio::test]
async fn an_endpoint_is_deleted_and_recreated_with_its_counts_autoscaling_and_a_test_inference() {
    let demo = Demo::new();
    let prediction = [
        "ecs:prediction-app-cluster/backend-service",
        "ecs:prediction-app-cluster/ml-model-service",
        "sm:prediction-endpoint",
    ];
    // A capacity the endpoint config does not have: restore must put it back after creating.
    let (code, out, err) = demo.run("scale sm:prediction-endpoint/model-v1 3 --yes --wait").await;
    assert_eq!(code, 0, "{out}\n{err}");
    let before = demo.shape(&prediction).await;
    let (code, out, err) = demo.run("teardown prediction-app --yes --wait").await;
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("sm:prediction-endpoint"), "{out}");
    assert_eq!(demo.snapshot("sm:prediction-endpoint").await, None, "deleted");
    let (code, out, err) = demo.run("restore prediction-app --yes --wait").await;
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("stage 2/4 instance counts applied"), "{out}");
    assert!(out.contains("HTTP 200"), "the test inference answered: {out}");
    assert_eq!(demo.shape(&prediction).await, before, "{out}");
    assert_eq!(demo.pointer("prediction-app").await.unwrap().status, EnvStatus::Restored);
}

#[tokio::test]
async fn restore_without_wait_says_what_is_left_and_a_second_run_finishes() {
    let demo = Demo::new();
    assert_eq!(demo.run("scale sm:prediction-endpoint/model-v1 3 --yes --wait").await.0, 0);
    let before = demo.shape(&["sm:prediction-endpoint"]).await;
    assert_eq!(demo.run("teardown prediction-app --yes --wait").await.0, 0);
    let (code, out, _) = demo.run("restore prediction-app --yes").await;
    assert_eq!(code, 0);
    assert!(out.contains("not finished"), "{out}");
    assert_eq!(demo.pointer("prediction-app").await.unwrap().status, EnvStatus::Restoring);
    let (code, out, err) = demo.run("restore prediction-app --yes --wait").await;
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(demo.shape(&["sm:prediction-endpoint"]).await, before);
    assert_eq!(demo.pointer("prediction-app").await.unwrap().status, EnvStatus::Restored);
}
