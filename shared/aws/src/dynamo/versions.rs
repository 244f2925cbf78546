//! Immutable page versions in DynamoDB: `SK = VERSION#{project}#{n:010}`, so a query in
//! descending order lists the newest first and the highest number is one read away.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use uuid::Uuid;

use visions_domain::ports::{PageVersion, StoreError, VersionStore};

use super::{backend, condition_failed, item, record, s, user_pk};

#[derive(Clone)]
pub struct DynamoVersionStore {
    client: Client,
    table: String,
}

impl DynamoVersionStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    async fn query(
        &self,
        owner: &str,
        project_id: Uuid,
        limit: usize,
        before: Option<u64>,
    ) -> Result<Vec<PageVersion>, StoreError> {
        let prefix = format!("VERSION#{project_id}#");
        let upper = match before {
            Some(number) => format!("{prefix}{number:010}"),
            None => format!("{prefix}~"),
        };
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND SK BETWEEN :lower AND :upper")
            .expression_attribute_values(":pk", user_pk(owner))
            .expression_attribute_values(":lower", s(&prefix))
            .expression_attribute_values(":upper", s(upper))
            .scan_index_forward(false)
            .limit(limit as i32 + 1)
            .send()
            .await
            .map_err(backend)?;
        let mut versions = Vec::new();
        for item in output.items.unwrap_or_default() {
            let version = decode(&item)?;
            // BETWEEN is inclusive; `before` itself is not part of the page.
            if before != Some(version.number) {
                versions.push(version);
            }
        }
        versions.truncate(limit);
        Ok(versions)
    }
}

fn decode(item: &HashMap<String, AttributeValue>) -> Result<PageVersion, StoreError> {
    record(item)
}

#[async_trait::async_trait]
impl VersionStore for DynamoVersionStore {
    async fn append(&self, owner: &str, version: &PageVersion) -> Result<u64, StoreError> {
        let mut version = version.clone();
        // Two writers may pick the same number; the loser retries with the next one.
        for _ in 0..5 {
            let last = self.query(owner, version.project_id, 1, None).await?;
            version.number = last.first().map_or(1, |v| v.number + 1);
            let sk = format!("VERSION#{}#{:010}", version.project_id, version.number);
            let item = item(user_pk(owner), s(sk), "version", &version)?;
            let result = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(PK)")
                .send()
                .await
                .map_err(|err| condition_failed(err, StoreError::AlreadyExists));
            match result {
                Ok(_) => return Ok(version.number),
                Err(StoreError::AlreadyExists) => continue,
                Err(err) => return Err(err),
            }
        }
        Err(StoreError::VersionConflict)
    }

    async fn get(
        &self,
        owner: &str,
        project_id: Uuid,
        number: u64,
    ) -> Result<Option<PageVersion>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", user_pk(owner))
            .key("SK", s(format!("VERSION#{project_id}#{number:010}")))
            .send()
            .await
            .map_err(backend)?;
        output.item.as_ref().map(decode).transpose()
    }

    async fn list(
        &self,
        owner: &str,
        project_id: Uuid,
        limit: usize,
        before: Option<u64>,
    ) -> Result<Vec<PageVersion>, StoreError> {
        self.query(owner, project_id, limit, before).await
    }

    async fn delete_project(
        &self,
        owner: &str,
        project_id: Uuid,
    ) -> Result<Vec<String>, StoreError> {
        let prefix = format!("VERSION#{project_id}#");
        let deleted =
            super::delete_all(&self.client, &self.table, user_pk(owner), &prefix, None).await?;
        Ok(deleted
            .iter()
            .filter_map(|item| decode(item).ok())
            .map(|version| version.html_key)
            .collect())
    }
}
