//! API keys in SQLite, for the local server to enforce what API Gateway's usage plans enforce
//! on AWS: keys are found by the SHA-256 of their value, and each key's requests are counted
//! per UTC day for its plan's quota.

use rusqlite::{OptionalExtension, params};
use time::OffsetDateTime;

use super::{SqliteDb, backend, docs};
use visions_domain::keys::{ApiKey, ApiKeyStore, key_hash, key_prefix, new_key_value};
use visions_domain::ports::StoreError;
use visions_domain::tier::Tier;

#[derive(Clone)]
pub struct SqliteApiKeyStore {
    db: SqliteDb,
}

/// A key found from a request's `x-api-key`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundKey {
    pub owner: String,
    pub key: ApiKey,
    pub revoked: bool,
}

impl SqliteApiKeyStore {
    pub fn new(db: SqliteDb) -> Self {
        Self { db }
    }

    /// The key whose value is `value`, revoked or not.
    pub async fn find(&self, value: &str) -> Result<Option<FoundKey>, StoreError> {
        let hash = key_hash(value);
        self.db
            .with_conn(move |conn| {
                let row: Option<(String, String, i64)> = conn
                    .query_row(
                        "SELECT owner, doc, revoked FROM api_keys WHERE hash = ?1",
                        params![hash],
                        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                    )
                    .optional()
                    .map_err(backend)?;
                row.map(|(owner, doc, revoked)| {
                    Ok(FoundKey {
                        owner,
                        key: serde_json::from_str(&doc).map_err(backend)?,
                        revoked: revoked != 0,
                    })
                })
                .transpose()
            })
            .await
    }

    /// Counts one request of key `id` on `day` and returns the day's count so far.
    pub async fn count_request(&self, id: &str, day: &str) -> Result<u64, StoreError> {
        let (id, day) = (id.to_owned(), day.to_owned());
        self.db
            .with_conn(move |conn| {
                conn.query_row(
                    "INSERT INTO api_key_usage (key_id, day, requests) VALUES (?1, ?2, 1)
                     ON CONFLICT (key_id, day) DO UPDATE SET requests = requests + 1
                     RETURNING requests",
                    params![id, day],
                    |row| row.get::<_, i64>(0),
                )
                .map(|n| u64::try_from(n).unwrap_or(0))
                .map_err(backend)
            })
            .await
    }
}

#[async_trait::async_trait]
impl ApiKeyStore for SqliteApiKeyStore {
    async fn create(
        &self,
        owner: &str,
        name: &str,
        tier: Tier,
    ) -> Result<(ApiKey, String), StoreError> {
        let value = new_key_value();
        let key = ApiKey {
            id: uuid::Uuid::now_v7().simple().to_string(),
            name: name.to_owned(),
            prefix: key_prefix(&value),
            tier,
            created_at: OffsetDateTime::now_utc(),
        };
        let (owner, hash, doc) = (
            owner.to_owned(),
            key_hash(&value),
            serde_json::to_string(&key).map_err(backend)?,
        );
        let id = key.id.clone();
        self.db
            .with_conn(move |conn| {
                conn.execute(
                    "INSERT INTO api_keys (id, owner, hash, revoked, doc) VALUES (?1, ?2, ?3, 0, ?4)",
                    params![id, owner, hash, doc],
                )
                .map_err(backend)?;
                Ok(())
            })
            .await?;
        Ok((key, value))
    }

    async fn list(&self, owner: &str) -> Result<Vec<ApiKey>, StoreError> {
        let owner = owner.to_owned();
        self.db
            .with_conn(move |conn| {
                docs(
                    conn,
                    "SELECT doc FROM api_keys WHERE owner = ?1 AND revoked = 0 ORDER BY id DESC",
                    params![owner],
                )
            })
            .await
    }

    async fn revoke(&self, owner: &str, id: &str) -> Result<(), StoreError> {
        let (owner, id) = (owner.to_owned(), id.to_owned());
        self.db
            .with_conn(move |conn| {
                let changed = conn
                    .execute(
                        "UPDATE api_keys SET revoked = 1 WHERE owner = ?1 AND id = ?2 AND revoked = 0",
                        params![owner, id],
                    )
                    .map_err(backend)?;
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            })
            .await
    }

    async fn move_to(&self, owner: &str, tier: Tier) -> Result<(), StoreError> {
        let owner = owner.to_owned();
        self.db
            .with_conn(move |conn| {
                let tx = conn.transaction().map_err(backend)?;
                let rows: Vec<(String, String)> = {
                    let mut statement = tx
                        .prepare("SELECT id, doc FROM api_keys WHERE owner = ?1")
                        .map_err(backend)?;
                    statement
                        .query_map(params![owner], |row| Ok((row.get(0)?, row.get(1)?)))
                        .map_err(backend)?
                        .collect::<Result<_, _>>()
                        .map_err(backend)?
                };
                for (id, doc) in rows {
                    let mut key: ApiKey = serde_json::from_str(&doc).map_err(backend)?;
                    key.tier = tier;
                    let doc = serde_json::to_string(&key).map_err(backend)?;
                    tx.execute(
                        "UPDATE api_keys SET doc = ?1 WHERE id = ?2",
                        params![doc, id],
                    )
                    .map_err(backend)?;
                }
                tx.commit().map_err(backend)?;
                Ok(())
            })
            .await
    }
}
