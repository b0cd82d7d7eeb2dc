//! Who the credentials are (STS GetCallerIdentity), for the audit record. Read once per backend:
//! a backend is built for one set of credentials (`:profile` makes a new one).

use super::AwsBackend;
use crate::backend::BackendError;

impl AwsBackend {
    pub(super) async fn sts_caller_identity(&self) -> Result<String, BackendError> {
        if let Some(arn) = self.caller.lock().ok().and_then(|c| c.clone()) {
            return Ok(arn);
        }
        self.stats.count("sts:GetCallerIdentity");
        let out = self.sts.get_caller_identity().send().await.map_err(|e| self.fail("sts:GetCallerIdentity", &e))?;
        let arn = out
            .arn()
            .filter(|a| !a.is_empty())
            .ok_or_else(|| BackendError::Other("GetCallerIdentity: the answer names no ARN".into()))?
            .to_string();
        if let Ok(mut cached) = self.caller.lock() {
            *cached = Some(arn.clone());
        }
        Ok(arn)
    }
}
