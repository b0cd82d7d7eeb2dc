//! The IAM policies team mode needs, as `opsdeck team init` prints them (docs/team.md and
//! docs/iam.md show the same; `tests/suite/iam.rs` keeps them exact).

/// What every operator needs on the team table: append, read, and the lease writes.
pub const OPERATOR_ACTIONS: [&str; 7] = [
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:DescribeTimeToLive",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
];

/// What `team init` needs once beyond the operators' actions (an administrator): create the
/// table and turn on its TTL.
pub const INIT_ACTIONS: [&str; 2] = ["dynamodb:CreateTable", "dynamodb:UpdateTimeToLive"];

/// The least-privilege policy for operators, for one table.
pub fn operator_policy(table_arn: &str) -> serde_json::Value {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "OpsdeckTeam",
            "Effect": "Allow",
            "Action": OPERATOR_ACTIONS,
            "Resource": table_arn,
        }]
    })
}

/// The table's ARN when the account is known, else with a placeholder to fill in.
pub fn table_arn(region: &str, account: Option<&str>, table: &str) -> String {
    format!("arn:aws:dynamodb:{region}:{}:table/{table}", account.unwrap_or("ACCOUNT_ID"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_names_the_table_and_only_item_actions() {
        let arn = table_arn("eu-west-1", Some("123456789012"), "opsdeck-team");
        assert_eq!(arn, "arn:aws:dynamodb:eu-west-1:123456789012:table/opsdeck-team");
        let policy = operator_policy(&arn);
        assert_eq!(policy["Statement"][0]["Resource"], arn);
        let actions = policy["Statement"][0]["Action"].as_array().unwrap();
        assert!(actions.iter().all(|a| a.as_str().unwrap().starts_with("dynamodb:")));
        assert!(!actions.iter().any(|a| a == "dynamodb:Scan" || a == "dynamodb:CreateTable"));
        assert!(table_arn("us-east-1", None, "t").contains("ACCOUNT_ID"));
    }
}
