//! The single DynamoDB table behind every store (PK/SK plus GSI1, TTL on `expires_at`).
//!
//! One item convention for every entity ([`item`], [`record`]): the keys, `entity`, and the
//! attributes that conditions, indexes and the TTL read (`version`, `rev`, `lease_until`,
//! `expires_at`…) are typed attributes; the record itself is its JSON in `doc`, the same JSON
//! the API and the SQLite adapter use, so a record round-trips byte for byte whatever its
//! nesting (a page version nests deeper than DynamoDB maps are pleasant to query, and no
//! query reads inside a record).
//!
//! | entity      | PK           | SK                              |
//! |-------------|--------------|---------------------------------|
//! | project     | `USER#{sub}` | `PROJECT#{id}`                  |
//! | job         | `USER#{sub}` | `JOB#{id}`                      |
//! | idempotency | `USER#{sub}` | `IDEMPOTENCY#{key}`             |
//! | version     | `USER#{sub}` | `VERSION#{project}#{n:010}`     |
//! | submission  | `FORM#{project}` | `SUBMISSION#{id}` (UUIDv7)  |
//! | account     | `USER#{sub}` | `ACCOUNT`                       |
//! | hold        | `USER#{sub}` | `HOLD#{reference}`              |
//! | settled hold | `USER#{sub}` | `SETTLED#{reference}`          |
//! | ledger entry | `USER#{sub}` | `LEDGER#{id}` (UUIDv7)         |
//! | adjustment  | `USER#{sub}` | `OP#{operation}`                |

mod assets;
mod credits;
mod jobs;
mod projects;
mod submissions;
mod versions;

pub use assets::DynamoAssetStore;
pub use credits::DynamoCreditStore;
pub use jobs::DynamoJobStore;
pub use projects::DynamoProjectStore;
pub use submissions::DynamoSubmissionStore;
pub use versions::DynamoVersionStore;

use std::collections::HashMap;

use serde::Serialize;
use serde::de::DeserializeOwned;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, KeySchemaElement,
    KeyType, Projection, ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};

use visions_domain::ports::StoreError;

pub(crate) fn user_pk(owner: &str) -> AttributeValue {
    AttributeValue::S(format!("USER#{owner}"))
}

pub(crate) fn backend<E, R>(err: SdkError<E, R>) -> StoreError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    StoreError::Backend(anyhow::anyhow!(
        "{}",
        aws_sdk_dynamodb::error::DisplayErrorContext(err)
    ))
}

/// Maps an SDK error to `conflict` when DynamoDB refused a condition, to `Backend` otherwise.
pub(crate) fn condition_failed<E, R>(err: SdkError<E, R>, conflict: StoreError) -> StoreError
where
    E: ConditionalCheck + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    if err
        .as_service_error()
        .is_some_and(ConditionalCheck::is_condition_failure)
    {
        return conflict;
    }
    backend(err)
}

/// The operations whose typed errors carry `ConditionalCheckFailedException`.
pub(crate) trait ConditionalCheck {
    fn is_condition_failure(&self) -> bool;
}

macro_rules! conditional_check {
    ($($error:ty),*) => {$(
        impl ConditionalCheck for $error {
            fn is_condition_failure(&self) -> bool {
                self.is_conditional_check_failed_exception()
            }
        }
    )*};
}

conditional_check!(
    aws_sdk_dynamodb::operation::put_item::PutItemError,
    aws_sdk_dynamodb::operation::update_item::UpdateItemError,
    aws_sdk_dynamodb::operation::delete_item::DeleteItemError
);

/// Deletes every item of partition `pk` whose sort key starts with `sk_prefix` and, when given,
/// whose attribute `name` equals `value`; returns the deleted items. Batches of 25, retrying
/// what DynamoDB leaves unprocessed.
pub(crate) async fn delete_all(
    client: &Client,
    table: &str,
    pk: AttributeValue,
    sk_prefix: &str,
    attribute: Option<(&str, &str)>,
) -> Result<Vec<std::collections::HashMap<String, AttributeValue>>, StoreError> {
    use aws_sdk_dynamodb::types::{DeleteRequest, WriteRequest};
    let mut query = client
        .query()
        .table_name(table)
        .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
        .expression_attribute_values(":pk", pk)
        .expression_attribute_values(":prefix", s(sk_prefix))
        .consistent_read(true);
    if let Some((name, value)) = attribute {
        query = query
            .filter_expression("#attr = :value")
            .expression_attribute_names("#attr", name)
            .expression_attribute_values(":value", s(value));
    }
    let items: Vec<_> = query
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(backend)?;
    for chunk in items.chunks(25) {
        let mut requests = chunk
            .iter()
            .filter_map(|item| {
                let key = ["PK", "SK"]
                    .into_iter()
                    .map(|k| Some((k.to_owned(), item.get(k)?.clone())))
                    .collect::<Option<std::collections::HashMap<_, _>>>()?;
                let delete = DeleteRequest::builder().set_key(Some(key)).build().ok()?;
                Some(WriteRequest::builder().delete_request(delete).build())
            })
            .collect::<Vec<_>>();
        for attempt in 0..8u32 {
            if requests.is_empty() {
                break;
            }
            if attempt > 0 {
                let ceiling = 50u64.saturating_mul(1 << attempt);
                tokio::time::sleep(std::time::Duration::from_millis(fastrand::u64(0..=ceiling)))
                    .await;
            }
            let output = client
                .batch_write_item()
                .request_items(table, requests)
                .send()
                .await
                .map_err(backend)?;
            requests = output
                .unprocessed_items
                .and_then(|mut left| left.remove(table))
                .unwrap_or_default();
        }
        if !requests.is_empty() {
            return Err(StoreError::Backend(anyhow::anyhow!(
                "DynamoDB left {} deletes unprocessed",
                requests.len()
            )));
        }
    }
    Ok(items)
}

/// An item of `entity` under its keys, with `record` as JSON in `doc`.
pub(crate) fn item(
    pk: AttributeValue,
    sk: AttributeValue,
    entity: &str,
    record: &impl Serialize,
) -> Result<HashMap<String, AttributeValue>, StoreError> {
    let doc = serde_json::to_string(record).map_err(|e| StoreError::Backend(e.into()))?;
    Ok(HashMap::from([
        ("PK".to_owned(), pk),
        ("SK".to_owned(), sk),
        ("entity".to_owned(), s(entity)),
        ("doc".to_owned(), s(doc)),
    ]))
}

/// The record an item holds in `doc`.
pub(crate) fn record<T: DeserializeOwned>(
    item: &HashMap<String, AttributeValue>,
) -> Result<T, StoreError> {
    let doc = item.get("doc").and_then(|v| v.as_s().ok()).ok_or_else(|| {
        StoreError::Backend(anyhow::anyhow!("a table item without its doc attribute"))
    })?;
    serde_json::from_str(doc).map_err(|e| StoreError::Backend(e.into()))
}

pub(crate) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(crate) fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// Creates the single table as `template.yaml` declares it; for emulators and tests.
pub async fn create_table(client: &Client, table: &str) -> anyhow::Result<()> {
    let attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
    };
    let key = |name: &str, key_type| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(key_type)
            .build()
    };
    client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attribute("PK")?)
        .attribute_definitions(attribute("SK")?)
        .attribute_definitions(attribute("GSI1PK")?)
        .attribute_definitions(attribute("GSI1SK")?)
        .key_schema(key("PK", KeyType::Hash)?)
        .key_schema(key("SK", KeyType::Range)?)
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name("GSI1")
                .key_schema(key("GSI1PK", KeyType::Hash)?)
                .key_schema(key("GSI1SK", KeyType::Range)?)
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()?,
        )
        .send()
        .await
        .map_err(|err| {
            anyhow::anyhow!(
                "creating table {table}: {}",
                aws_sdk_dynamodb::error::DisplayErrorContext(err)
            )
        })?;
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name("expires_at")
                .build()?,
        )
        .send()
        .await
        .map_err(|err| {
            anyhow::anyhow!(
                "enabling TTL on {table}: {}",
                aws_sdk_dynamodb::error::DisplayErrorContext(err)
            )
        })?;
    Ok(())
}
