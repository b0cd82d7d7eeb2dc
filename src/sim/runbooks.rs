//! How the simulated account's alarms link to their runbooks, the ways real teams do it: a
//! `runbook_url` tag, a runbook named in the alarm's description, or (for the budget alarms) a
//! `[[runbooks]]` glob in the demo's config.

/// (alarm, runbook_url tag)
const TAGS: [(&str, &str); 1] = [("CleanisticAI-HighErrorRate", "high-error-rate-after-deploy.md")];

/// (alarm, AlarmDescription)
const DESCRIPTIONS: [(&str, &str); 5] = [
    ("CleanisticAI-HighErrorRate", "More than 5% of API requests answered 5xx (Cleanistic AI guide, Monitoring)"),
    (
        "prediction-endpoint-ModelLatency-high",
        "p99 model latency of prediction-endpoint above 2 s for 2 minutes. Runbook: endpoint-latency-spike.md",
    ),
    ("GarmaxAI-BudgetMonitor-PROD", "GARMAX AI month-to-date charges above $200"),
    (
        "GarmaxAI-TryonThrottles-PROD",
        "The try-on processor is throttled at its reserved concurrency: raise it (concurrency lambda:NAME N)",
    ),
    ("GarmaxAI-TryonQueueBacklog-PROD", "More than 100 try-on jobs waiting in garmax-tryon-queue for 3 minutes"),
];

pub(crate) fn tag(alarm: &str) -> Option<String> {
    TAGS.iter().find(|(a, _)| *a == alarm).map(|(_, t)| t.to_string())
}

pub(crate) fn description(alarm: &str) -> Option<String> {
    DESCRIPTIONS.iter().find(|(a, _)| *a == alarm).map(|(_, d)| d.to_string())
}
