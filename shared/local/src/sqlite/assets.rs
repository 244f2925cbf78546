//! Image assets in SQLite, keyed by owner like every record.

use rusqlite::params;
use uuid::Uuid;

use super::{SqliteDb, backend};
use visions_domain::asset::{Asset, AssetStore};
use visions_domain::ports::StoreError;

#[derive(Clone)]
pub struct SqliteAssetStore {
    db: SqliteDb,
}

impl SqliteAssetStore {
    pub fn new(db: SqliteDb) -> Self {
        Self { db }
    }
}

#[async_trait::async_trait]
impl AssetStore for SqliteAssetStore {
    async fn insert(&self, owner: &str, asset: &Asset) -> Result<(), StoreError> {
        let (owner, id) = (owner.to_owned(), asset.id.to_string());
        let doc = serde_json::to_string(asset).map_err(backend)?;
        self.db
            .with_conn(move |conn| {
                let inserted = conn
                    .execute(
                        "INSERT OR IGNORE INTO assets (owner, id, doc) VALUES (?1, ?2, ?3)",
                        params![owner, id, doc],
                    )
                    .map_err(backend)?;
                if inserted == 0 {
                    return Err(StoreError::AlreadyExists);
                }
                Ok(())
            })
            .await
    }

    async fn get(&self, owner: &str, id: Uuid) -> Result<Option<Asset>, StoreError> {
        let (owner, id) = (owner.to_owned(), id.to_string());
        self.db
            .with_conn(move |conn| {
                let doc: Option<String> = conn
                    .query_row(
                        "SELECT doc FROM assets WHERE owner = ?1 AND id = ?2",
                        params![owner, id],
                        |row| row.get(0),
                    )
                    .map(Some)
                    .or_else(|e| match e {
                        rusqlite::Error::QueryReturnedNoRows => Ok(None),
                        other => Err(backend(other)),
                    })?;
                doc.map(|d| serde_json::from_str(&d).map_err(backend))
                    .transpose()
            })
            .await
    }

    async fn save(&self, owner: &str, asset: &Asset) -> Result<(), StoreError> {
        let (owner, id) = (owner.to_owned(), asset.id.to_string());
        let doc = serde_json::to_string(asset).map_err(backend)?;
        self.db
            .with_conn(move |conn| {
                let changed = conn
                    .execute(
                        "UPDATE assets SET doc = ?3 WHERE owner = ?1 AND id = ?2",
                        params![owner, id, doc],
                    )
                    .map_err(backend)?;
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            })
            .await
    }
}
