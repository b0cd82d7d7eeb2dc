//! A profile named on the command line (or in AWS_PROFILE) must exist in the AWS config files:
//! the SDK resolves profiles lazily, so a typo would otherwise surface later as a confusing
//! credentials error, or (for an action) after the plan was shown.

use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};

/// Ok when `name` is defined in ~/.aws/config or ~/.aws/credentials (or the files the
/// AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE variables name).
pub async fn check_profile(name: &str) -> Result<(), String> {
    let set = aws_config::profile::load(&Fs::real(), &Env::real(), &EnvConfigFiles::default(), None)
        .await
        .map_err(|e| format!("the AWS config files could not be read: {e}"))?;
    if set.get_profile(name).is_some() {
        return Ok(());
    }
    let mut known: Vec<&str> = set.profiles().collect();
    known.sort_unstable();
    let known = if known.is_empty() { "none".to_string() } else { known.join(", ") };
    Err(format!("unknown AWS profile '{name}': not in ~/.aws/config or ~/.aws/credentials (profiles there: {known})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_profile_is_found_or_named_as_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        std::fs::write(&config, "[profile oncall]\nregion = us-east-1\n[default]\nregion = eu-west-1\n").unwrap();
        let credentials = dir.path().join("credentials");
        std::fs::write(&credentials, "[ci]\naws_access_key_id = x\naws_secret_access_key = y\n").unwrap();
        // The loader reads these two variables; set them for this test only (no other test in this
        // binary reads the AWS config files).
        std::env::set_var("AWS_CONFIG_FILE", &config);
        std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &credentials);
        assert!(check_profile("oncall").await.is_ok());
        assert!(check_profile("ci").await.is_ok());
        let err = check_profile("prdo").await.unwrap_err();
        assert!(err.contains("unknown AWS profile 'prdo'") && err.contains("ci, default, oncall"), "{err}");
        std::env::remove_var("AWS_CONFIG_FILE");
        std::env::remove_var("AWS_SHARED_CREDENTIALS_FILE");
    }
}
