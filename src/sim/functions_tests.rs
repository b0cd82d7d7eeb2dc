//! The functions through the Backend trait: a test invocation at the backend itself (past the
//! plan's own refusal), and the functions' story the same however often it is read.

use super::tests::{fleet, start};
use super::*;
use crate::backend::Permit;
use crate::domain::{FunctionFilter, Mutation};

const TRYON: &str = "GarmaxAi-TryonProcessor-PROD";

fn invoke(qualifier: Option<&str>, body: &str) -> Permit {
    Permit::for_tests(Mutation::InvokeFunction {
        function: TRYON.into(),
        qualifier: qualifier.map(str::to_string),
        body: body.as_bytes().to_vec(),
    })
}

#[tokio::test]
async fn the_backend_throttles_at_reserved_zero_and_refuses_what_lambda_refuses() {
    let (f, clock) = fleet(3, "calm");
    clock.advance(10);
    let set = |reserved| Permit::for_tests(Mutation::SetFunctionConcurrency { function: TRYON.into(), reserved });
    let zero = f.apply(set(Some(0))).await;
    assert!(zero.is_ok(), "{zero:?}");
    assert!(matches!(f.apply(invoke(None, "{}")).await, Err(BackendError::Throttled { .. })));
    let none = f.apply(set(None)).await;
    assert!(none.is_ok(), "{none:?}");
    let missing = f.apply(invoke(Some("99"), "{}")).await;
    assert!(matches!(missing, Err(BackendError::NotFound(ref m)) if m.contains(":99")), "{missing:?}");
    assert!(matches!(f.apply(invoke(None, "not json")).await, Err(BackendError::Invalid(_))));
    let answered = f.apply(invoke(Some("6"), "")).await;
    let Ok(receipt) = answered else { panic!("{answered:?}") };
    let response = receipt.response.unwrap_or_default();
    assert_eq!(response.executed_version.as_deref(), Some("6"));
    // The receipt names the invocation's own request id, the one its log lines carry.
    let id = receipt.request_id.unwrap_or_default();
    assert!(response.log_tail.is_some_and(|t| t.contains(&format!("REPORT RequestId: {id}"))));
}

#[tokio::test]
async fn the_functions_story_does_not_depend_on_how_often_it_is_read() {
    let (a, clock_a) = fleet(5, "lambda-throttle");
    let (b, clock_b) = fleet(5, "lambda-throttle");
    let all = FunctionFilter::default();
    for _ in 0..20 {
        clock_a.advance(31);
        let functions = a.functions(&all).await.unwrap_or_default();
        let _ = a.function_metrics(&functions).await;
    }
    clock_b.advance(620);
    let functions = b.functions(&all).await.unwrap_or_default();
    assert_eq!(a.function_metrics(&functions).await.ok(), b.function_metrics(&functions).await.ok());
    let group = "/aws/lambda/GarmaxAi-TryonProcessor-PROD";
    let tail_a = a.log_events(group, LogQuery::Tail { limit: 200 }).await.ok();
    assert_eq!(tail_a, b.log_events(group, LogQuery::Tail { limit: 200 }).await.ok());
    assert!(tail_a.is_some_and(|t| t.events.len() == 200));
    assert!(a.now() > start(3, 4, 0));
}
