//! The real SDK backend against an emulator, shared by the AWS test modules of the suite (kept
//! out of emulator.rs, which the library's own unit tests also include).

use crate::emulator::{isolate_from_real_aws, Emulator};
use std::path::Path;
use std::time::Duration;

/// The real SDK backend pointed at `emu`, isolated from any real account, one attempt per call
/// (unimplemented calls answer 500, which the SDK would retry: fail fast in tests).
pub async fn backend(emu: &Emulator, cache: &Path) -> opsdeck::aws::AwsBackend {
    isolate_from_real_aws();
    let options = opsdeck::aws::AwsOptions {
        region: Some("us-east-1".into()),
        endpoint_url: Some(emu.endpoint.clone()),
        max_attempts: 1,
        operation_timeout: Duration::from_secs(5),
        ..opsdeck::aws::AwsOptions::new(cache.to_path_buf())
    };
    opsdeck::aws::AwsBackend::connect(options).await.expect("connect")
}
