//! GARMAX AI's functions as ListFunctions, GetFunctionConcurrency, ListEventSourceMappings,
//! ListTags and GetFunction would answer for them: the catalog's configuration with the reserved
//! concurrency in effect now.

use super::catalog::{ACCOUNT_ID, FUNCTIONS, REGION};
use super::function_config::{tags, BATCH_SIZE, CONFIGS, TIMEOUT_SECS};
use super::serverless::{function_index, Serverless};
use crate::backend::BackendError;
use crate::domain::{EventSource, Function, FunctionAlias, FunctionDetail, FunctionFilter, FunctionVersion};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// The event-source mapping's id (a UUID Lambda gave it when the stack was deployed).
const TRYON_MAPPING: &str = "3b5e8d61-2f4c-4a8e-9c1d-7e0f5a2b6c94";

pub(crate) fn arn(name: &str) -> String {
    format!("arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}")
}

pub(crate) fn queue_arn(queue: &str) -> String {
    format!("arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{queue}")
}

/// `days` before the start, on the minute: deployments happened at a fixed moment of the story.
fn days_before(base: i64, days: i64) -> Option<DateTime<Utc>> {
    let t = base - days * 86_400;
    DateTime::<Utc>::from_timestamp(t - t.rem_euclid(60), 0)
}

fn tag_map(f: usize) -> BTreeMap<String, String> {
    tags(FUNCTIONS[f].system).into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn function(f: usize, serverless: &Serverless, base: i64) -> Function {
    let (spec, config) = (&FUNCTIONS[f], &CONFIGS[f]);
    Function {
        name: spec.name.to_string(),
        runtime: Some(config.runtime.to_string()),
        memory_mb: Some(config.memory_mb),
        timeout_secs: Some(TIMEOUT_SECS),
        last_modified: days_before(base, config.modified_days_ago),
        reserved_concurrency: serverless.reserved(f),
        event_sources: spec
            .queue
            .map(|queue| EventSource {
                uuid: TRYON_MAPPING.to_string(),
                source_arn: queue_arn(queue),
                state: "Enabled".to_string(),
                batch_size: Some(BATCH_SIZE),
            })
            .into_iter()
            .collect(),
        log_group: spec.log_group.to_string(),
    }
}

/// The functions that pass `filter`, in catalog order.
pub(crate) fn list(filter: &FunctionFilter, serverless: &Serverless, base: i64) -> Vec<Function> {
    (0..FUNCTIONS.len())
        .filter(|&f| filter.name_matches(FUNCTIONS[f].name) && filter.tags_match(&tag_map(f)))
        .map(|f| function(f, serverless, base))
        .collect()
}

/// GetFunction with its versions and aliases.
pub(crate) fn detail(name: &str, serverless: &Serverless, base: i64) -> Result<FunctionDetail, BackendError> {
    // The same NotFound the snapshot gives, worded by the serverless state.
    serverless.function(name)?;
    let f = function_index(name).ok_or_else(|| BackendError::NotFound(format!("lambda:{name}")))?;
    let config = &CONFIGS[f];
    Ok(FunctionDetail {
        function: function(f, serverless, base),
        arn: Some(arn(name)),
        handler: Some(config.handler.to_string()),
        description: Some(config.description.to_string()),
        environment: config.environment.iter().map(|e| e.to_string()).collect(),
        versions: config
            .versions
            .iter()
            .map(|(version, days, description)| FunctionVersion {
                version: version.to_string(),
                last_modified: days_before(base, *days),
                description: Some(description.to_string()),
            })
            .collect(),
        aliases: config
            .aliases
            .iter()
            .map(|(alias, version, weights)| FunctionAlias {
                name: alias.to_string(),
                version: version.to_string(),
                weights: weights.iter().map(|(v, w)| (v.to_string(), *w)).collect(),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tryon_processor_is_fed_by_its_queue_and_filters_match_names_and_tags() {
        let s = Serverless::seeded();
        let all = list(&FunctionFilter::default(), &s, 1_800_000_000);
        assert_eq!(all.len(), 3);
        let tryon = &all[0];
        assert_eq!(tryon.queues().collect::<Vec<_>>(), vec!["garmax-tryon-queue"]);
        assert_eq!(tryon.event_sources[0].source_arn, "arn:aws:sqs:us-east-1:491203587216:garmax-tryon-queue");
        assert_eq!(tryon.reserved_concurrency, Some(10));
        assert_eq!(tryon.log_group, "/aws/lambda/GarmaxAi-TryonProcessor-PROD");
        let by_tag = FunctionFilter { prefixes: vec![], tags: vec![("system".into(), "garmax-ai".into())] };
        assert_eq!(list(&by_tag, &s, 0).len(), 3);
        let other = FunctionFilter { prefixes: vec![], tags: vec![("system".into(), "svg-ai".into())] };
        assert!(list(&other, &s, 0).is_empty());
        let prefix = FunctionFilter { prefixes: vec!["GarmaxAi-Billing".into()], tags: vec![] };
        assert_eq!(
            list(&prefix, &s, 0).iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
            vec!["GarmaxAi-BillingProcessor-PROD"]
        );
    }

    #[test]
    fn detail_names_environment_variables_and_the_live_split() {
        let s = Serverless::seeded();
        let d = detail("GarmaxAi-TryonProcessor-PROD", &s, 1_800_000_000);
        let Ok(d) = d else { panic!("{d:?}") };
        assert!(d.environment.contains(&"SMPL_SERVICE_URL".to_string()));
        assert_eq!(d.aliases[0].describe(), "live -> 7 (90%), 8 (10%)");
        assert_eq!(d.versions.first().map(|v| v.version.as_str()), Some("8"));
        assert!(matches!(detail("nope", &s, 0), Err(BackendError::NotFound(_))));
    }
}
