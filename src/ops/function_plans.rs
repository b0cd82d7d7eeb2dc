//! The plans of actions on a Lambda function: its reserved concurrency, and a test invocation.

use super::intent::Intent;
use super::plan::{Change, Plan, Read};
use super::watch::Expect;
use super::OpError;
use crate::domain::{FunctionSnapshot, Mutation, Snapshot};

fn empty_plan(intent: Intent, f: &FunctionSnapshot, snapshot: Snapshot) -> Plan {
    let read = Read { address: snapshot.address(), snapshot: Some(snapshot) };
    Plan::new(intent, vec![read], f.name.clone())
}

fn reserved_text(reserved: Option<u32>) -> String {
    reserved.map_or_else(|| "none set".to_string(), |n| n.to_string())
}

/// Set or remove the reserved concurrency. 0 stops every invocation, so it is confirmed by name.
pub fn concurrency(intent: Intent, f: &FunctionSnapshot, snapshot: Snapshot) -> Result<Plan, OpError> {
    let Intent::Concurrency { address, reserved } = &intent else {
        return Err(OpError::BadInput("not a concurrency change".into()));
    };
    let (address, reserved) = (address.clone(), *reserved);
    let mut plan = empty_plan(intent.clone(), f, snapshot);
    let before = f.reserved_concurrency;
    if before == reserved {
        plan.notes
            .push(format!("{address} already has reserved concurrency {}: nothing to change", reserved_text(before)));
        return Ok(plan);
    }
    plan.changes.push(Change::new("reserved concurrency", reserved_text(before), reserved_text(reserved)));
    match reserved {
        Some(0) => {
            plan.destructive = true;
            plan.notes.push(
                "0 stops every invocation: callers are throttled, queued events wait in their queue (and expire \
                 after its retention)"
                    .into(),
            );
        }
        Some(n) => plan
            .notes
            .push(format!("at most {n} run at once; the rest are throttled (a queue's events wait and are retried)")),
        None => plan.notes.push("no limit: the function draws on the account's unreserved concurrency".into()),
    }
    if before.is_none() {
        plan.notes.push("a reserved number also takes that many from the account's unreserved pool".into());
    }
    plan.push(Mutation::SetFunctionConcurrency { function: f.name.clone(), reserved });
    plan.inverse = Some(format!("concurrency {address} {}", before.map_or("none".to_string(), |n| n.to_string())));
    plan.wait_for(address, Expect::Concurrency { reserved });
    Ok(plan)
}

/// A test event, RequestResponse. Refused while reserved concurrency is 0: Lambda would only
/// throttle it.
pub fn invoke(intent: Intent, f: &FunctionSnapshot, snapshot: Snapshot) -> Result<Plan, OpError> {
    let Intent::InvokeFunction { payload, qualifier, .. } = &intent else {
        return Err(OpError::BadInput("not a function invocation".into()));
    };
    if f.reserved_concurrency == Some(0) {
        return Err(OpError::Refused(format!(
            "lambda:{} has reserved concurrency 0: every invocation is throttled. Raise it first \
             (concurrency lambda:{} N, or none)",
            f.name, f.name
        )));
    }
    let (body, qualifier) = (payload.body.clone(), qualifier.clone());
    let mut plan = empty_plan(intent.clone(), f, snapshot);
    let which = qualifier.as_deref().map_or("$LATEST".to_string(), |q| q.to_string());
    plan.changes.push(Change::new("invocation", "-", format!("1 event to {} ({which})", f.name)));
    plan.details.push(format!("event: {}", payload.describe()));
    plan.details.extend(super::invoke::preview(&payload.body));
    plan.notes.push("a test event is a real invocation: it is billed and its side effects happen".into());
    plan.notes.push("RequestResponse: opsdeck waits for the answer (up to the function's timeout)".into());
    plan.push(Mutation::InvokeFunction { function: f.name.clone(), qualifier, body });
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Address;
    use crate::ops::invoke::from_config;

    fn function(reserved: Option<u32>) -> (FunctionSnapshot, Snapshot) {
        let f = FunctionSnapshot { name: "fn".into(), reserved_concurrency: reserved };
        (f.clone(), Snapshot::Function(f))
    }

    fn concurrency_plan(before: Option<u32>, after: Option<u32>) -> Plan {
        let (f, s) = function(before);
        let intent = Intent::Concurrency { address: Address::function("fn"), reserved: after };
        concurrency(intent, &f, s).unwrap()
    }

    #[test]
    fn concurrency_plans_say_what_changes_and_how_to_undo_it() {
        let p = concurrency_plan(Some(10), Some(50));
        assert_eq!(p.changes[0].before, "10");
        assert_eq!(p.changes[0].after, "50");
        assert_eq!(p.inverse.as_deref(), Some("concurrency lambda:fn 10"));
        assert!(!p.destructive);
        let stop = concurrency_plan(Some(10), Some(0));
        assert!(stop.destructive, "0 stops the function: typed confirmation");
        assert!(stop.notes.iter().any(|n| n.contains("stops every invocation")));
        let remove = concurrency_plan(Some(10), None);
        assert_eq!(remove.changes[0].after, "none set");
        let add = concurrency_plan(None, Some(5));
        assert_eq!(add.inverse.as_deref(), Some("concurrency lambda:fn none"));
        assert!(concurrency_plan(Some(3), Some(3)).is_noop());
    }

    #[test]
    fn a_function_at_zero_is_not_invoked() {
        let payload = from_config("{}", Some("application/json")).unwrap();
        let intent = Intent::InvokeFunction { address: Address::function("fn"), payload, qualifier: None };
        let (f, s) = function(Some(0));
        assert!(
            matches!(invoke(intent.clone(), &f, s), Err(OpError::Refused(m)) if m.contains("reserved concurrency 0"))
        );
        let (f, s) = function(None);
        let p = invoke(intent, &f, s).unwrap();
        assert_eq!(p.mutations().count(), 1);
        assert!(p.changes[0].after.contains("$LATEST"));
    }
}
