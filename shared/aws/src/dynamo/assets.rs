//! Image assets in DynamoDB: `PK = USER#{sub}`, `SK = ASSET#{id}`, in the owner's partition
//! like every record of theirs.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use uuid::Uuid;

use visions_domain::asset::{Asset, AssetStore};
use visions_domain::ports::StoreError;

use super::{backend, condition_failed, item, record, s, user_pk};

#[derive(Clone)]
pub struct DynamoAssetStore {
    client: Client,
    table: String,
}

impl DynamoAssetStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

fn key(owner: &str, id: Uuid) -> HashMap<String, AttributeValue> {
    HashMap::from([
        ("PK".to_owned(), user_pk(owner)),
        ("SK".to_owned(), s(format!("ASSET#{id}"))),
    ])
}

#[async_trait::async_trait]
impl AssetStore for DynamoAssetStore {
    async fn insert(&self, owner: &str, asset: &Asset) -> Result<(), StoreError> {
        let sk = s(format!("ASSET#{}", asset.id));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item(user_pk(owner), sk, "asset", asset)?))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await
            .map_err(|err| condition_failed(err, StoreError::AlreadyExists))?;
        Ok(())
    }

    async fn get(&self, owner: &str, id: Uuid) -> Result<Option<Asset>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(owner, id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(backend)?;
        output.item.as_ref().map(record).transpose()
    }

    async fn save(&self, owner: &str, asset: &Asset) -> Result<(), StoreError> {
        let sk = s(format!("ASSET#{}", asset.id));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item(user_pk(owner), sk, "asset", asset)?))
            .condition_expression("attribute_exists(PK)")
            .send()
            .await
            .map_err(|err| condition_failed(err, StoreError::NotFound))?;
        Ok(())
    }
}
