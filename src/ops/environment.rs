//! What an environment is: a name and the resources torn down and restored together, as written
//! in config.toml (`[environments.NAME] resources = [...]`), checked before anything runs.

use crate::backend::{Backend, BackendError};
use crate::domain::Address;
use crate::ops::OpError;
use std::fmt;

/// One entry of an environment's `resources`: an address, or every service of a cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourcePattern {
    Exact(Address),
    /// `ecs:CLUSTER/*`: the services the cluster has when the plan is read.
    ClusterServices(String),
}

impl fmt::Display for ResourcePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResourcePattern::Exact(a) => write!(f, "{a}"),
            ResourcePattern::ClusterServices(cluster) => write!(f, "ecs:{cluster}/*"),
        }
    }
}

impl std::str::FromStr for ResourcePattern {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Errors quote the text inert: it comes from config.toml or a runbook.
        let shown = crate::sanitize::inert(s);
        if let Some(cluster) = s.strip_prefix("ecs:").and_then(|rest| rest.strip_suffix("/*")) {
            // Reuse the address rules for the cluster name.
            return match Address::ecs(cluster, "x").to_string().parse::<Address>() {
                Ok(_) => Ok(ResourcePattern::ClusterServices(cluster.to_string())),
                Err(_) => Err(format!("'{shown}': '{}' is not a cluster name", crate::sanitize::inert(cluster))),
            };
        }
        if s.contains('*') {
            return Err(format!(
                "'{shown}': the only pattern is ecs:CLUSTER/* (every service of a cluster); name other resources one by one"
            ));
        }
        match s.parse::<Address>().map_err(|e| e.to_string())? {
            Address::Endpoint { variant: Some(_), endpoint } => {
                Err(format!("'{shown}': an environment holds whole endpoints: write sm:{endpoint}"))
            }
            address => Ok(ResourcePattern::Exact(address)),
        }
    }
}

/// A named environment from config.toml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentSpec {
    pub name: String,
    pub resources: Vec<ResourcePattern>,
    /// The cost allocation tag value ("system") whose cost the environment view shows.
    pub system: Option<String>,
    pub description: Option<String>,
}

/// Environment names become part of SSM parameter names: letters, digits, `.`, `-`, `_`.
pub fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with('.');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "environment name '{}': use 1-64 letters, digits, '-', '_' or '.' (it becomes part of an SSM parameter name)",
            crate::sanitize::inert(name)
        ))
    }
}

impl EnvironmentSpec {
    /// Checks the name and every resource; a duplicate is an error, not a silent merge.
    pub fn parse(
        name: &str,
        resources: &[String],
        system: Option<String>,
        description: Option<String>,
    ) -> Result<EnvironmentSpec, String> {
        check_name(name)?;
        if resources.is_empty() {
            return Err(format!("[environments.{name}]: resources is empty"));
        }
        let mut parsed: Vec<ResourcePattern> = Vec::new();
        for text in resources {
            let pattern: ResourcePattern = text.parse().map_err(|e| format!("[environments.{name}]: {e}"))?;
            if parsed.contains(&pattern) {
                return Err(format!("[environments.{name}]: {pattern} is listed twice"));
            }
            parsed.push(pattern);
        }
        Ok(EnvironmentSpec { name: name.to_string(), resources: parsed, system, description })
    }

    /// The addresses the environment holds now: patterns expanded by listing their cluster,
    /// duplicates dropped, in the order written.
    pub async fn expand(&self, backend: &dyn Backend) -> Result<Vec<Address>, OpError> {
        let mut out: Vec<Address> = Vec::new();
        for pattern in &self.resources {
            let found = match pattern {
                ResourcePattern::Exact(a) => vec![a.clone()],
                ResourcePattern::ClusterServices(cluster) => {
                    backend.cluster_services(cluster).await.map_err(|e| match e {
                        BackendError::NotFound(_) => {
                            OpError::BadInput(format!("environment {}: {pattern}: no cluster {cluster}", self.name))
                        }
                        other => OpError::Backend(other),
                    })?
                }
            };
            for a in found {
                if !out.contains(&a) {
                    out.push(a);
                }
            }
        }
        Ok(out)
    }
}

/// The named environment (from `found`), or an error listing the known ones.
pub fn find(found: Option<EnvironmentSpec>, known: &[String], name: &str) -> Result<EnvironmentSpec, String> {
    let name = &*crate::sanitize::inert(name);
    found.ok_or_else(|| {
        if known.is_empty() {
            format!("no environment '{name}': none is configured (add [environments.{name}] to config.toml)")
        } else {
            format!("no environment '{name}' (configured: {})", known.join(", "))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(resources: &[&str]) -> Result<EnvironmentSpec, String> {
        let owned: Vec<String> = resources.iter().map(|s| s.to_string()).collect();
        EnvironmentSpec::parse("garmax-dev", &owned, None, None)
    }

    #[test]
    fn resources_parse_with_clear_errors() {
        let s = spec(&["ecs:garmax-cluster/*", "sm:garmax-endpoint", "lambda:GarmaxAi-TryonProcessor-DEV", "rule:x"])
            .unwrap();
        assert_eq!(s.resources[0], ResourcePattern::ClusterServices("garmax-cluster".into()));
        assert_eq!(s.resources[0].to_string(), "ecs:garmax-cluster/*");
        assert!(spec(&[]).unwrap_err().contains("empty"));
        assert!(spec(&["sm:e/v"]).unwrap_err().contains("whole endpoints"));
        assert!(spec(&["ecs:*/svc"]).unwrap_err().contains("only pattern"));
        assert!(spec(&["lambda:a*"]).unwrap_err().contains("only pattern"));
        assert!(spec(&["ecs:bad cluster/*"]).unwrap_err().contains("not a cluster name"));
        assert!(spec(&["rule:x", "rule:default/x"]).unwrap_err().contains("listed twice"));
        assert!(spec(&["ec2:i-1"]).unwrap_err().contains("not an address"));
        assert!(EnvironmentSpec::parse("bad name", &["rule:x".into()], None, None).unwrap_err().contains("SSM"));
        assert!(check_name("garmax-dev.v2_x").is_ok());
        assert!(check_name(".hidden").is_err());
    }
}
