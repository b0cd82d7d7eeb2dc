//! The AWS console's address of a resource, for `b`: the page an engineer would open to see the
//! same thing in a browser (or hand to a colleague). Names are percent-encoded.

use crate::domain::Address;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

fn enc(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

fn base(region: &str, service: &str) -> String {
    format!("https://{region}.console.aws.amazon.com/{service}")
}

/// A service, endpoint or function's page.
pub fn resource(address: &Address, region: &str) -> Option<String> {
    Some(match address {
        Address::EcsService { cluster, service } => format!(
            "{}/v2/clusters/{}/services/{}/health?region={region}",
            base(region, "ecs"),
            enc(cluster),
            enc(service)
        ),
        Address::Endpoint { endpoint, .. } => {
            format!("{}/home?region={region}#/endpoints/{}", base(region, "sagemaker"), enc(endpoint))
        }
        Address::Function { name } => {
            format!("{}/home?region={region}#/functions/{}", base(region, "lambda"), enc(name))
        }
        _ => return None,
    })
}

/// An alarm's page.
pub fn alarm(name: &str, region: &str) -> String {
    format!("{}/home?region={region}#alarmsV2:alarm/{}", base(region, "cloudwatch"), enc(name))
}

/// A log group's page. The console double-encodes the group inside its fragment (`/` is `$252F`).
pub fn log_group(group: &str, region: &str) -> String {
    let twice = enc(group).replace('%', "$25");
    format!("{}/home?region={region}#logsV2:log-groups/log-group/{twice}", base(region, "cloudwatch"))
}

/// Cost Explorer (global: its console lives in us-east-1).
pub fn cost() -> String {
    "https://us-east-1.console.aws.amazon.com/cost-management/home#/cost-explorer".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_resource_has_its_console_page() {
        let svc = Address::EcsService { cluster: "svg-ai-cluster".into(), service: "svg-ai-service".into() };
        assert_eq!(
            resource(&svc, "eu-west-1").unwrap(),
            "https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/svg%2Dai%2Dcluster/services/svg%2Dai%2Dservice/health?region=eu-west-1"
        );
        let f = Address::Function { name: "GarmaxAi-TryonProcessor-PROD".into() };
        assert!(resource(&f, "us-east-1").unwrap().ends_with("#/functions/GarmaxAi%2DTryonProcessor%2DPROD"));
        assert!(alarm("a b/c", "us-east-1").ends_with("alarm/a%20b%2Fc"));
        assert!(log_group("/aws/lambda/x", "us-east-1").ends_with("log-group/$252Faws$252Flambda$252Fx"));
        assert_eq!(resource(&Address::Rule { bus: None, name: "r".into() }, "us-east-1"), None);
    }
}
