//! Projects in DynamoDB: `PK = USER#{sub}`, `SK = PROJECT#{id}`, attributes from serde.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use uuid::Uuid;

use visions_domain::ports::{ProjectPage, ProjectStore, StoreError};
use visions_domain::project::Project;

use super::{backend, condition_failed, item, n, record, user_pk};

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

fn project_sk(id: Uuid) -> AttributeValue {
    AttributeValue::S(format!("{PROJECT_PREFIX}{id}"))
}

fn key(owner: &str, id: Uuid) -> HashMap<String, AttributeValue> {
    HashMap::from([
        ("PK".to_owned(), user_pk(owner)),
        ("SK".to_owned(), project_sk(id)),
    ])
}

/// `version` is also a typed attribute: replace and delete are conditional on it.
fn to_item(owner: &str, project: &Project) -> Result<HashMap<String, AttributeValue>, StoreError> {
    let mut item = item(user_pk(owner), project_sk(project.id), "project", project)?;
    item.insert("version".into(), n(project.version));
    Ok(item)
}

fn from_item(item: HashMap<String, AttributeValue>) -> Result<Project, StoreError> {
    record(&item)
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

    async fn delete(
        &self,
        owner: &str,
        id: Uuid,
        expected_version: Option<u64>,
    ) -> Result<(), StoreError> {
        let request = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(owner, id)));
        // The version check is the delete's own condition, so a concurrent change wins.
        let request = match expected_version {
            None => request.condition_expression("attribute_exists(PK)"),
            Some(version) => request
                .condition_expression("attribute_exists(PK) AND #version = :expected")
                .expression_attribute_names("#version", "version")
                .expression_attribute_values(":expected", AttributeValue::N(version.to_string())),
        };
        match request.send().await {
            Ok(_) => Ok(()),
            Err(err) => match condition_failed(err, StoreError::VersionConflict) {
                StoreError::VersionConflict => match self.get(owner, id).await? {
                    Some(_) if expected_version.is_some() => Err(StoreError::VersionConflict),
                    _ => Err(StoreError::NotFound),
                },
                other => Err(other),
            },
        }
    }
}
