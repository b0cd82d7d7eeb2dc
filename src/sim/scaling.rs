//! Application Auto Scaling targets the seed systems register.

use crate::domain::{ScalingTarget, Suspended};
use std::collections::BTreeMap;

pub(crate) fn registered() -> BTreeMap<String, ScalingTarget> {
    let target = |min, max| ScalingTarget { min, max, suspended: Suspended::default() };
    [
        ("service/cleanistic-ai-cluster/cleanistic-ai-api", target(1, 4)),
        ("service/svg-ai-cluster/svg-ai-service", target(1, 4)),
        ("endpoint/prediction-endpoint/variant/model-v1", target(1, 6)),
        ("endpoint/cleanistic-property-detector-endpoint/variant/AllTraffic", target(1, 3)),
    ]
    .into_iter()
    .map(|(id, t)| (id.to_string(), t))
    .collect()
}
