//! The team table on DynamoDB: conditional puts for append-only records and leases, queries by
//! partition, and `team init`'s CreateTable. SDK types stay in this file; the team logic sees
//! `crate::team_table::TeamTable`.

use crate::team_table::{LeaseCondition, TableError, TableInfo, TableItem, TeamTable};
use async_trait::async_trait;
use aws_config::{retry::RetryConfig, timeout::TimeoutConfig, BehaviorVersion, Region};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    TimeToLiveSpecification,
};
use aws_sdk_dynamodb::Client;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::collections::HashMap;
use std::time::Duration;

/// Where the team table is: its own profile and region (often a shared tooling account).
#[derive(Debug, Clone, Default)]
pub struct TeamTableOptions {
    pub table: String,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

#[derive(Debug)]
pub struct DynamoTable {
    client: Client,
    table: String,
}

/// The TTL attribute `team init` turns on.
pub const TTL_ATTRIBUTE: &str = "expires_at";

/// A client for the team table. Two attempts and short timeouts: a table that does not answer
/// must not hold up an action; the record waits in the local queue instead.
pub async fn connect(options: &TeamTableOptions) -> Result<DynamoTable, TableError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(3))
                .operation_timeout(Duration::from_secs(10))
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(2));
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &options.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    if config.region().is_none() {
        return Err(TableError::Other(
            "no region for the team table: set [team] region in config.toml (or AWS_REGION)".into(),
        ));
    }
    Ok(DynamoTable { client: Client::new(&config), table: options.table.clone() })
}

fn classify<E>(api: &str, err: &aws_sdk_dynamodb::error::SdkError<E>) -> TableError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let code = err.code().unwrap_or_default();
    let message = err.message().unwrap_or_default();
    match code {
        "AccessDeniedException" | "UnrecognizedClientException" => TableError::Denied(format!("{api}: {message}")),
        "ResourceNotFoundException" => TableError::Unreachable(format!("{api}: the table does not exist ({message})")),
        "" => TableError::Unreachable(format!("{api}: {}", DisplayErrorContext(err))),
        "ProvisionedThroughputExceededException" | "ThrottlingException" | "RequestLimitExceeded" => {
            TableError::Unreachable(format!("{api}: throttled ({code})"))
        }
        other => TableError::Other(format!("{api}: {other}: {message}")),
    }
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn to_attributes(item: &TableItem) -> HashMap<String, AttributeValue> {
    let mut map = HashMap::from([
        ("pk".to_string(), s(&item.pk)),
        ("sk".to_string(), s(&item.sk)),
        ("body".to_string(), s(&item.body)),
    ]);
    if let Some(at) = item.expires_at {
        map.insert(TTL_ATTRIBUTE.into(), n(at));
    }
    if let Some(session) = &item.session {
        map.insert("session".into(), s(session));
    }
    if let Some(until) = item.until {
        map.insert("until".into(), n(until));
    }
    if let Some(version) = item.version {
        map.insert("version".into(), n(version));
    }
    map
}

fn from_attributes(map: &HashMap<String, AttributeValue>) -> TableItem {
    let text = |k: &str| map.get(k).and_then(|v| v.as_s().ok()).cloned();
    let number = |k: &str| map.get(k).and_then(|v| v.as_n().ok()).and_then(|v| v.parse::<i64>().ok());
    TableItem {
        pk: text("pk").unwrap_or_default(),
        sk: text("sk").unwrap_or_default(),
        body: text("body").unwrap_or_default(),
        expires_at: number(TTL_ATTRIBUTE),
        session: text("session"),
        until: number("until"),
        version: number("version"),
    }
}

fn key(pk: &str, sk: &str) -> HashMap<String, AttributeValue> {
    HashMap::from([("pk".to_string(), s(pk)), ("sk".to_string(), s(sk))])
}

fn conditional_failed<E: ProvideErrorMetadata>(err: &aws_sdk_dynamodb::error::SdkError<E>) -> bool {
    err.code() == Some("ConditionalCheckFailedException")
}

#[async_trait]
impl TeamTable for DynamoTable {
    async fn put_new(&self, item: &TableItem) -> Result<bool, TableError> {
        let sent = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_attributes(item)))
            .condition_expression("attribute_not_exists(sk)")
            .send()
            .await;
        match sent {
            Ok(_) => Ok(true),
            Err(e) if conditional_failed(&e) => Ok(false),
            Err(e) => Err(classify("dynamodb:PutItem", &e)),
        }
    }

    async fn get(&self, pk: &str, sk: &str) -> Result<Option<TableItem>, TableError> {
        let got = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| classify("dynamodb:GetItem", &e))?;
        Ok(got.item().map(from_attributes))
    }

    async fn query(&self, pk: &str, after: Option<&str>) -> Result<Vec<TableItem>, TableError> {
        let mut out = Vec::new();
        let mut start: Option<HashMap<String, AttributeValue>> = None;
        loop {
            let mut request = self
                .client
                .query()
                .table_name(&self.table)
                .consistent_read(true)
                .expression_attribute_values(":pk", s(pk))
                .set_exclusive_start_key(start.take());
            request = match after {
                Some(after) => request
                    .key_condition_expression("pk = :pk AND sk > :after")
                    .expression_attribute_values(":after", s(after)),
                None => request.key_condition_expression("pk = :pk"),
            };
            let page = request.send().await.map_err(|e| classify("dynamodb:Query", &e))?;
            out.extend(page.items().iter().map(from_attributes));
            match page.last_evaluated_key() {
                Some(last) if !last.is_empty() => start = Some(last.clone()),
                _ => return Ok(out),
            }
        }
    }

    async fn put_lease(&self, item: &TableItem, condition: &LeaseCondition) -> Result<bool, TableError> {
        let request = self.client.put_item().table_name(&self.table).set_item(Some(to_attributes(item)));
        let request = match condition {
            LeaseCondition::FreeExpiredOrMine { now, session } => request
                .condition_expression("attribute_not_exists(sk) OR #until < :now OR #session = :session")
                .expression_attribute_names("#until", "until")
                .expression_attribute_names("#session", "session")
                .expression_attribute_values(":now", n(*now))
                .expression_attribute_values(":session", s(session)),
            LeaseCondition::Version(v) => request
                .condition_expression("attribute_not_exists(sk) OR #version = :version")
                .expression_attribute_names("#version", "version")
                .expression_attribute_values(":version", n(*v)),
        };
        match request.send().await {
            Ok(_) => Ok(true),
            Err(e) if conditional_failed(&e) => Ok(false),
            Err(e) => Err(classify("dynamodb:PutItem", &e)),
        }
    }

    async fn extend_lease(
        &self,
        pk: &str,
        sk: &str,
        session: &str,
        version: i64,
        until: i64,
        expires_at: i64,
    ) -> Result<bool, TableError> {
        let sent = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .update_expression("SET #until = :until, #ttl = :ttl, #version = :next")
            .condition_expression("#session = :session AND #version = :version")
            .expression_attribute_names("#until", "until")
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
            .expression_attribute_names("#version", "version")
            .expression_attribute_names("#session", "session")
            .expression_attribute_values(":until", n(until))
            .expression_attribute_values(":ttl", n(expires_at))
            .expression_attribute_values(":next", n(version + 1))
            .expression_attribute_values(":version", n(version))
            .expression_attribute_values(":session", s(session))
            .send()
            .await;
        match sent {
            Ok(_) => Ok(true),
            Err(e) if conditional_failed(&e) => Ok(false),
            Err(e) => Err(classify("dynamodb:UpdateItem", &e)),
        }
    }

    async fn delete_lease(&self, pk: &str, sk: &str, version: i64) -> Result<bool, TableError> {
        let sent = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .condition_expression("#version = :version")
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":version", n(version))
            .send()
            .await;
        match sent {
            Ok(_) => Ok(true),
            Err(e) if conditional_failed(&e) => Ok(false),
            Err(e) => Err(classify("dynamodb:DeleteItem", &e)),
        }
    }

    async fn create(&self) -> Result<bool, TableError> {
        let build = |e: aws_sdk_dynamodb::error::BuildError| TableError::Other(format!("CreateTable: {e}"));
        let attribute = |name: &str| {
            AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build()
        };
        let key_element =
            |name: &str, kind: KeyType| KeySchemaElement::builder().attribute_name(name).key_type(kind).build();
        let created = self
            .client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attribute("pk").map_err(build)?)
            .attribute_definitions(attribute("sk").map_err(build)?)
            .key_schema(key_element("pk", KeyType::Hash).map_err(build)?)
            .key_schema(key_element("sk", KeyType::Range).map_err(build)?)
            .send()
            .await;
        let fresh = match created {
            Ok(_) => true,
            Err(e) if e.code() == Some("ResourceInUseException") => false,
            Err(e) => return Err(classify("dynamodb:CreateTable", &e)),
        };
        // A new table is CREATING for a few seconds; TTL can be set only once it is ACTIVE.
        for _ in 0..60 {
            if self.describe().await.is_ok_and(|info| info.status == "ACTIVE") {
                break;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        let ttl =
            TimeToLiveSpecification::builder().enabled(true).attribute_name(TTL_ATTRIBUTE).build().map_err(build)?;
        let set =
            self.client.update_time_to_live().table_name(&self.table).time_to_live_specification(ttl).send().await;
        match set {
            Ok(_) => Ok(fresh),
            // Already enabled on this attribute: what we want.
            Err(e) if e.code() == Some("ValidationException") && !fresh => Ok(fresh),
            Err(e) => Err(classify("dynamodb:UpdateTimeToLive", &e)),
        }
    }

    async fn describe(&self) -> Result<TableInfo, TableError> {
        let table = self
            .client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .map_err(|e| classify("dynamodb:DescribeTable", &e))?;
        let table = table.table().ok_or_else(|| TableError::Other("DescribeTable: no table in the answer".into()))?;
        let ttl = self
            .client
            .describe_time_to_live()
            .table_name(&self.table)
            .send()
            .await
            .map_err(|e| classify("dynamodb:DescribeTimeToLive", &e))?;
        let ttl_attribute = ttl
            .time_to_live_description()
            .filter(|d| d.time_to_live_status().is_some_and(|s| s.as_str() == "ENABLED"))
            .and_then(|d| d.attribute_name().map(str::to_string));
        Ok(TableInfo {
            name: self.table.clone(),
            status: table.table_status().map(|s| s.as_str().to_string()).unwrap_or_default(),
            on_demand: table
                .billing_mode_summary()
                .and_then(|b| b.billing_mode())
                .is_some_and(|m| *m == BillingMode::PayPerRequest),
            ttl_attribute,
            items: table.item_count(),
        })
    }
}
