//! SSM Parameter Store, standard tier, String parameters only: where a teardown saves what it
//! must put back. PutParameter and DeleteParameters refuse what AWS refuses.

use super::catalog::PARAMETERS;
use crate::backend::BackendError;
use std::collections::BTreeMap;

/// Standard-tier value limit, in characters.
const MAX_VALUE: usize = 4096;
/// DeleteParameters takes at most this many names per call.
const MAX_DELETE: usize = 10;
/// Longest parameter name, fully qualified.
const MAX_NAME: usize = 1011;

#[derive(Debug, Clone)]
pub(crate) struct Parameters {
    values: BTreeMap<String, String>,
}

fn validation(message: String) -> BackendError {
    BackendError::Other(format!("ValidationException: {message}"))
}

impl Parameters {
    pub(crate) fn seeded() -> Self {
        Parameters { values: PARAMETERS.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect() }
    }

    /// GetParameters: the values of the names that exist; the rest are left out.
    pub(crate) fn get(&self, names: &[String]) -> BTreeMap<String, String> {
        names.iter().filter_map(|n| Some((n.clone(), self.values.get(n)?.clone()))).collect()
    }

    /// PutParameter with Overwrite.
    pub(crate) fn put(&mut self, name: &str, value: &str) -> Result<(), BackendError> {
        let name_ok = !name.is_empty()
            && name.len() <= MAX_NAME
            && name.chars().all(|c| c.is_ascii_alphanumeric() || "_.-/".contains(c));
        if !name_ok {
            return Err(validation(format!(
                "Parameter name: can't be empty or longer than {MAX_NAME} characters, and may only contain \
                 letters, numbers and the symbols .-_/ ({name:?})"
            )));
        }
        if value.is_empty() {
            return Err(validation(
                "1 validation error detected: Value '' at 'value' failed to satisfy constraint: Member must have \
                 length greater than or equal to 1"
                    .to_string(),
            ));
        }
        if value.chars().count() > MAX_VALUE {
            return Err(validation(format!(
                "Standard tier parameters support a maximum parameter value of {MAX_VALUE} characters. To create a \
                 larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more \
                 information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html"
            )));
        }
        self.values.insert(name.to_string(), value.to_string());
        Ok(())
    }

    /// DeleteParameters: 1 to 10 names; names that do not exist are skipped, as AWS reports them
    /// as InvalidParameters without failing the call.
    pub(crate) fn delete(&mut self, names: &[String]) -> Result<(), BackendError> {
        if names.is_empty() || names.len() > MAX_DELETE {
            let bound = if names.is_empty() { "greater than or equal to 1" } else { "less than or equal to 10" };
            return Err(validation(format!(
                "1 validation error detected: Value '[{}]' at 'names' failed to satisfy constraint: Member must \
                 have length {bound}",
                names.join(", ")
            )));
        }
        for name in names {
            self.values.remove(name);
        }
        Ok(())
    }
}
