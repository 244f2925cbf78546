//! The AWS adapter: one DynamoDB table for every entity (PK/SK plus GSI1, TTL on `expires_at`).
//!
//! | entity  | PK           | SK             |
//! |---------|--------------|----------------|
//! | project | `USER#{sub}` | `PROJECT#{id}` |

use std::collections::HashMap;

use anyhow::Context;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, KeySchemaElement,
    KeyType, Projection, ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};
use uuid::Uuid;

use super::{ProjectPage, ProjectStore, StoreError};
use crate::project::Project;

const PROJECT_PREFIX: &str = "PROJECT#";

#[derive(Clone)]
pub struct DynamoProjectStore {
    client: Client,
    table: String,
}

impl DynamoProjectStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

fn user_pk(owner: &str) -> AttributeValue {
    AttributeValue::S(format!("USER#{owner}"))
}

fn project_sk(id: Uuid) -> AttributeValue {
    AttributeValue::S(format!("{PROJECT_PREFIX}{id}"))
}

fn key(owner: &str, id: Uuid) -> HashMap<String, AttributeValue> {
    HashMap::from([
        ("PK".to_owned(), user_pk(owner)),
        ("SK".to_owned(), project_sk(id)),
    ])
}

fn to_item(owner: &str, project: &Project) -> Result<HashMap<String, AttributeValue>, StoreError> {
    let mut item: HashMap<String, AttributeValue> =
        serde_dynamo::to_item(project).context("encoding project")?;
    item.extend(key(owner, project.id));
    item.insert("entity".into(), AttributeValue::S("project".into()));
    Ok(item)
}

fn from_item(item: HashMap<String, AttributeValue>) -> Result<Project, StoreError> {
    Ok(serde_dynamo::from_item(item).context("decoding project")?)
}

/// Maps an SDK error to `conflict` when DynamoDB refused a condition, to `Backend` otherwise.
fn condition_failed<E, R>(err: SdkError<E, R>, conflict: StoreError) -> StoreError
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
trait ConditionalCheck {
    fn is_condition_failure(&self) -> bool;
}

impl ConditionalCheck for aws_sdk_dynamodb::operation::put_item::PutItemError {
    fn is_condition_failure(&self) -> bool {
        self.is_conditional_check_failed_exception()
    }
}

impl ConditionalCheck for aws_sdk_dynamodb::operation::delete_item::DeleteItemError {
    fn is_condition_failure(&self) -> bool {
        self.is_conditional_check_failed_exception()
    }
}

fn backend<
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
>(
    err: SdkError<E, R>,
) -> StoreError {
    StoreError::Backend(anyhow::anyhow!(
        "{}",
        aws_sdk_dynamodb::error::DisplayErrorContext(err)
    ))
}

#[async_trait::async_trait]
impl ProjectStore for DynamoProjectStore {
    async fn insert(&self, owner: &str, project: &Project) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(owner, project)?))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await
            .map_err(|err| condition_failed(err, StoreError::AlreadyExists))?;
        Ok(())
    }

    async fn get(&self, owner: &str, id: Uuid) -> Result<Option<Project>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(owner, id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(backend)?;
        output.item.map(from_item).transpose()
    }

    async fn list(
        &self,
        owner: &str,
        limit: usize,
        after: Option<Uuid>,
    ) -> Result<ProjectPage, StoreError> {
        let mut start_key = after.map(|id| key(owner, id));
        let mut items = Vec::with_capacity(limit + 1);
        // One extra item tells whether another page exists; DynamoDB may also stop at 1 MB.
        loop {
            let output = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
                .expression_attribute_values(":pk", user_pk(owner))
                .expression_attribute_values(":prefix", AttributeValue::S(PROJECT_PREFIX.into()))
                .scan_index_forward(false)
                .limit((limit + 1 - items.len()) as i32)
                .set_exclusive_start_key(start_key.take())
                .send()
                .await
                .map_err(backend)?;
            for item in output.items.unwrap_or_default() {
                items.push(from_item(item)?);
            }
            match output.last_evaluated_key {
                Some(last) if items.len() <= limit => start_key = Some(last),
                _ => break,
            }
        }
        let more = items.len() > limit;
        items.truncate(limit);
        let next = if more {
            items.last().map(|p| p.id)
        } else {
            None
        };
        Ok(ProjectPage { items, next })
    }

    async fn replace(
        &self,
        owner: &str,
        project: &Project,
        expected_version: u64,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(owner, project)?))
            .condition_expression("attribute_exists(PK) AND #version = :expected")
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(
                ":expected",
                AttributeValue::N(expected_version.to_string()),
            )
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) => match condition_failed(err, StoreError::VersionConflict) {
                // The condition covers both "gone" and "changed"; a read tells them apart.
                StoreError::VersionConflict => match self.get(owner, project.id).await? {
                    Some(_) => Err(StoreError::VersionConflict),
                    None => Err(StoreError::NotFound),
                },
                other => Err(other),
            },
        }
    }

    async fn delete(&self, owner: &str, id: Uuid) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(owner, id)))
            .condition_expression("attribute_exists(PK)")
            .send()
            .await
            .map_err(|err| condition_failed(err, StoreError::NotFound))?;
        Ok(())
    }
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
