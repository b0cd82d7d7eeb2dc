//! SSM Parameter Store reads: where an environment's pre-teardown state is kept. Writing and
//! deleting parameters are actions (actions.rs).

use super::AwsBackend;
use crate::backend::BackendError;
use std::collections::{BTreeMap, BTreeSet};

/// GetParameters takes at most 10 names per call.
const GET_PARAMETERS_BATCH: usize = 10;

impl AwsBackend {
    /// Name -> value for the names that exist (GetParameters reports the others as
    /// InvalidParameters: they are left out). Values as stored: opsdeck writes only String
    /// parameters, so nothing is decrypted.
    pub(super) async fn ssm_parameters(&self, names: &[String]) -> Result<BTreeMap<String, String>, BackendError> {
        let unique: Vec<String> = names.iter().cloned().collect::<BTreeSet<_>>().into_iter().collect();
        let mut found = BTreeMap::new();
        for batch in unique.chunks(GET_PARAMETERS_BATCH) {
            self.stats.count("ssm:GetParameters");
            let out = self
                .ssm
                .get_parameters()
                .set_names(Some(batch.to_vec()))
                .with_decryption(false)
                .send()
                .await
                .map_err(|e| self.fail("ssm:GetParameters", &e))?;
            for p in out.parameters() {
                if let (Some(name), Some(value)) = (p.name(), p.value()) {
                    found.insert(name.to_string(), value.to_string());
                }
            }
        }
        Ok(found)
    }
}
