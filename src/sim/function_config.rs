//! How GARMAX AI's Lambda functions are configured and how they work: what GetFunction tells
//! (runtime, memory, timeout, handler, environment variable names, versions, aliases, tags) and
//! what the simulation needs to run them (demand, seconds of work, failure rates). The values
//! follow the GARMAX guide's PROD `lambdaConfig`: Node.js 20, 2048 MB, a 5-minute timeout.

/// Seconds before Lambda stops an invocation (`timeout: Duration.minutes(5)`).
pub(crate) const TIMEOUT_SECS: u32 = 300;
/// Messages an SQS event-source mapping hands one invocation at most.
pub(crate) const BATCH_SIZE: u32 = 10;

/// An alias: (name, version, [(other version, weight)]).
pub(crate) type Alias = (&'static str, &'static str, &'static [(&'static str, f64)]);

#[derive(Debug)]
pub(crate) struct FunctionConfig {
    pub runtime: &'static str,
    pub memory_mb: u32,
    pub handler: &'static str,
    pub description: &'static str,
    /// Names only: values never leave the account in the console.
    pub environment: &'static [&'static str],
    /// Published versions, newest first, with when each was published (days before the start)
    /// and its description.
    pub versions: &'static [(&'static str, i64, &'static str)],
    pub aliases: &'static [Alias],
    /// Days before the start that `$LATEST` was last modified.
    pub modified_days_ago: i64,
    /// Concurrent executions the function is asked for at the day's busiest hour.
    pub demand: f64,
    /// Seconds of work per message (or per event for a function no queue feeds).
    pub work_secs: f64,
    /// Seconds every invocation spends before its first message (download, model warm-up).
    pub overhead_secs: f64,
    /// Share of invocations that throw, and share that run into the timeout.
    pub error_rate: f64,
    pub timeout_rate: f64,
    /// Memory an invocation peaks at (REPORT's Max Memory Used).
    pub used_mb: u32,
}

/// Per catalog function, in `FUNCTIONS` order.
pub(crate) static CONFIGS: [FunctionConfig; 3] = [
    FunctionConfig {
        runtime: "nodejs20.x",
        memory_mb: 2048,
        handler: "index.handler",
        description: "Fits the garment onto the SMPL body for each try-on job on garmax-tryon-queue",
        environment: &["STAGE", "TRYON_BUCKET", "SMPL_SERVICE_URL", "RESULTS_TABLE", "EVENT_BUS_NAME"],
        versions: &[("8", 2, "virtual try-on v2.4.1"), ("7", 16, "virtual try-on v2.4.0"), ("6", 41, "v2.3.2")],
        // The ESM invokes `live`: 10% canary on the newest version.
        aliases: &[("live", "7", &[("8", 0.1)])],
        modified_days_ago: 2,
        demand: 1.6,
        work_secs: 4.5,
        overhead_secs: 0.3,
        error_rate: 0.004,
        timeout_rate: 0.0,
        used_mb: 612,
    },
    FunctionConfig {
        runtime: "nodejs20.x",
        memory_mb: 2048,
        handler: "index.handler",
        description: "Renders the finished try-on image (tryon-completed events)",
        environment: &["STAGE", "RENDER_BUCKET", "REPLICATE_API_TOKEN_PARAM"],
        versions: &[("4", 9, "renderer 1.8.0"), ("3", 30, "renderer 1.7.2")],
        aliases: &[("live", "4", &[])],
        modified_days_ago: 9,
        demand: 0.6,
        work_secs: 9.0,
        overhead_secs: 0.4,
        error_rate: 0.002,
        timeout_rate: 0.003,
        used_mb: 1480,
    },
    FunctionConfig {
        runtime: "nodejs20.x",
        memory_mb: 512,
        handler: "index.handler",
        description: "Records usage and credits for each completed try-on",
        environment: &["STAGE", "STRIPE_SECRET_PARAM", "USAGE_TABLE"],
        versions: &[],
        aliases: &[],
        modified_days_ago: 23,
        demand: 0.01,
        work_secs: 0.6,
        overhead_secs: 0.1,
        error_rate: 0.001,
        timeout_rate: 0.0,
        used_mb: 138,
    },
];

/// Tags every function carries (the CDK stack's).
pub(crate) fn tags(system: &str) -> [(&'static str, String); 3] {
    [("system", system.to_string()), ("stage", "PROD".to_string()), ("managed-by", "cdk".to_string())]
}
