//! GARMAX AI's Lambda functions and EventBridge rules as state: reserved concurrency per function
//! (PutFunctionConcurrency / DeleteFunctionConcurrency) and each rule's ENABLED/DISABLED state.

use super::catalog::{FUNCTIONS, RULES};
use crate::backend::BackendError;
use crate::domain::{FunctionSnapshot, RuleSnapshot};

#[derive(Debug, Clone)]
pub(crate) struct Serverless {
    /// Per catalog function: None is no limit, which is not any number.
    reserved: Vec<Option<u32>>,
    /// Per catalog rule.
    enabled: Vec<bool>,
}

pub(crate) fn function_index(name: &str) -> Option<usize> {
    FUNCTIONS.iter().position(|f| f.name == name)
}

/// "default" names the default bus as well as None does.
fn rule_index(bus: Option<&str>, name: &str) -> Option<usize> {
    let bus = bus.filter(|b| *b != "default");
    RULES.iter().position(|r| r.bus == bus && r.name == name)
}

fn rule_label(bus: Option<&str>, name: &str) -> String {
    format!("Rule {name} does not exist on EventBus {}.", bus.unwrap_or("default"))
}

impl Serverless {
    pub(crate) fn seeded() -> Self {
        Serverless {
            reserved: FUNCTIONS.iter().map(|f| f.reserved).collect(),
            enabled: RULES.iter().map(|r| r.enabled).collect(),
        }
    }

    pub(crate) fn function(&self, name: &str) -> Result<FunctionSnapshot, BackendError> {
        let f = function_index(name).ok_or_else(|| no_function(name))?;
        Ok(FunctionSnapshot { name: name.to_string(), reserved_concurrency: self.reserved[f] })
    }

    /// Sets or removes the function's reserved concurrency; returns its index.
    pub(crate) fn set_concurrency(&mut self, name: &str, reserved: Option<u32>) -> Result<usize, BackendError> {
        let f = function_index(name).ok_or_else(|| no_function(name))?;
        self.reserved[f] = reserved;
        Ok(f)
    }

    /// The function's reserved concurrency now (None: none set, or no such function).
    pub(crate) fn reserved(&self, f: usize) -> Option<u32> {
        self.reserved.get(f).copied().flatten()
    }

    /// Whether the function may run at all (reserved concurrency 0 throttles every invocation).
    pub(crate) fn runs(&self, f: usize) -> bool {
        self.reserved.get(f).is_some_and(|r| *r != Some(0))
    }

    pub(crate) fn rule(&self, bus: Option<&str>, name: &str) -> Result<RuleSnapshot, BackendError> {
        let r = rule_index(bus, name).ok_or_else(|| BackendError::NotFound(rule_label(bus, name)))?;
        Ok(RuleSnapshot {
            bus: RULES[r].bus.map(str::to_string),
            name: name.to_string(),
            state: if self.enabled[r] { "ENABLED" } else { "DISABLED" }.to_string(),
        })
    }

    pub(crate) fn set_rule(&mut self, bus: Option<&str>, name: &str, enabled: bool) -> Result<(), BackendError> {
        let r = rule_index(bus, name).ok_or_else(|| BackendError::NotFound(rule_label(bus, name)))?;
        self.enabled[r] = enabled;
        Ok(())
    }
}

fn no_function(name: &str) -> BackendError {
    BackendError::NotFound(format!(
        "Function not found: arn:aws:lambda:{}:{}:function:{name}",
        super::catalog::REGION,
        super::catalog::ACCOUNT_ID
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_bus_is_named_either_way_and_custom_bus_must_match() {
        let s = Serverless::seeded();
        let a = s.rule(None, "garmaxai-nightly-batch-PROD");
        let b = s.rule(Some("default"), "garmaxai-nightly-batch-PROD");
        assert_eq!(a, b);
        assert!(a.is_ok_and(|r| r.enabled() && r.bus.is_none()));
        assert!(matches!(s.rule(None, "tryon-completed-PROD"), Err(BackendError::NotFound(_))));
        let custom = s.rule(Some("garmaxai-events-PROD"), "tryon-completed-PROD");
        assert_eq!(custom.map(|r| r.bus), Ok(Some("garmaxai-events-PROD".to_string())));
    }
}
