//! Every integration test, as one crate: one binary to build and link instead of one per file
//! (35 binaries of ~60 MB each made a clean build need ~5 GB for tests alone). Each file is a
//! module; the shared fixtures (`tests/common/`) and the emulator and console drivers
//! (`tests/support/`) are modules of the crate root, used as `crate::common`, `crate::emulator`.
//! Run one file's tests with `cargo test --test suite render::` (its module path).

#[path = "../support/account.rs"]
mod account;
#[path = "../support/aws_backend.rs"]
mod aws_backend;
#[path = "../common/mod.rs"]
mod common;
#[path = "../support/console.rs"]
mod console;
#[path = "../support/demo.rs"]
mod demo;
#[path = "../support/emulator.rs"]
mod emulator;
#[path = "../support/failing.rs"]
mod failing;
#[path = "../support/layers.rs"]
mod import_graph;
#[path = "../support/layers_syntax.rs"]
mod import_syntax;
#[path = "../support/racing.rs"]
mod racing;

mod aws;
mod aws_actions;
mod aws_env_backend;
mod cli_actions;
mod cli_aws;
mod cli_functions;
mod console_env;
mod console_runbook;
mod conventions;
mod docs;
mod emulator_smoke;
mod env_aws;
mod env_sim;
mod faults_aws;
mod fleet_aws;
mod fleet_cache;
mod fleet_console;
mod functions_aws;
mod functions_console;
mod functions_sim;
mod fuzz_parsers;
mod headless;
mod iam;
mod idle;
mod layers;
mod ops_console;
mod race_aws;
mod race_sim;
mod render;
mod render_chart;
mod render_views;
mod runbook_aws;
mod runbook_sim;
mod status;
mod targets_aws;
mod targets_sim;
mod team_aws;
mod team_aws_operators;
mod team_console;
mod terminal;
mod terminal_aws;
mod update;
mod why_aws;
mod why_console;
mod why_limits_aws;
mod why_sim;
