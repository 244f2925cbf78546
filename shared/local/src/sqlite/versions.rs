//! Immutable page versions in SQLite, numbered from 1 per project.

use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

use super::{SqliteDb, backend};
use visions_domain::ports::{PageVersion, StoreError, VersionStore};

#[derive(Clone)]
pub struct SqliteVersionStore {
    db: SqliteDb,
}

impl SqliteVersionStore {
    pub fn new(db: SqliteDb) -> Self {
        Self { db }
    }
}

#[async_trait::async_trait]
impl VersionStore for SqliteVersionStore {
    async fn append(&self, owner: &str, version: &PageVersion) -> Result<u64, StoreError> {
        let (owner, mut version) = (owner.to_owned(), version.clone());
        self.db
            .with_conn(move |conn| {
                let tx = conn.transaction().map_err(backend)?;
                let project = version.project_id.to_string();
                let last: i64 = tx
                    .query_row(
                        "SELECT COALESCE(MAX(number), 0) FROM versions WHERE owner = ?1 AND project_id = ?2",
                        params![owner, project],
                        |row| row.get(0),
                    )
                    .map_err(backend)?;
                version.number = last as u64 + 1;
                let doc = serde_json::to_string(&version).map_err(backend)?;
                tx.execute(
                    "INSERT INTO versions (owner, project_id, number, doc) VALUES (?1, ?2, ?3, ?4)",
                    params![owner, project, version.number as i64, doc],
                )
                .map_err(backend)?;
                tx.commit().map_err(backend)?;
                Ok(version.number)
            })
            .await
    }

    async fn get(
        &self,
        owner: &str,
        project_id: Uuid,
        number: u64,
    ) -> Result<Option<PageVersion>, StoreError> {
        let (owner, project) = (owner.to_owned(), project_id.to_string());
        self.db
            .with_conn(move |conn| {
                let doc: Option<String> = conn
                    .query_row(
                        "SELECT doc FROM versions WHERE owner = ?1 AND project_id = ?2 AND number = ?3",
                        params![owner, project, number as i64],
                        |row| row.get(0),
                    )
                    .optional()
                    .map_err(backend)?;
                doc.map(|doc| serde_json::from_str(&doc).map_err(backend)).transpose()
            })
            .await
    }

    async fn list(
        &self,
        owner: &str,
        project_id: Uuid,
        limit: usize,
        before: Option<u64>,
    ) -> Result<Vec<PageVersion>, StoreError> {
        let (owner, project) = (owner.to_owned(), project_id.to_string());
        let before = before.map_or(i64::MAX, |n| n as i64);
        self.db
            .with_conn(move |conn| {
                let mut statement = conn
                    .prepare_cached(
                        "SELECT doc FROM versions WHERE owner = ?1 AND project_id = ?2 AND number < ?3 ORDER BY number DESC LIMIT ?4",
                    )
                    .map_err(backend)?;
                let docs = statement
                    .query_map(params![owner, project, before, limit as i64], |row| row.get::<_, String>(0))
                    .map_err(backend)?
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(backend)?;
                docs.iter().map(|doc| serde_json::from_str(doc).map_err(backend)).collect()
            })
            .await
    }

    async fn delete_project(
        &self,
        owner: &str,
        project_id: Uuid,
    ) -> Result<Vec<String>, StoreError> {
        let (owner, project) = (owner.to_owned(), project_id.to_string());
        self.db
            .with_conn(move |conn| {
                let tx = conn.transaction().map_err(backend)?;
                let keys = {
                    let mut statement = tx
                        .prepare("SELECT json_extract(doc, '$.html_key') FROM versions WHERE owner = ?1 AND project_id = ?2")
                        .map_err(backend)?;
                    let keys = statement
                        .query_map(params![owner, project], |row| row.get::<_, Option<String>>(0))
                        .map_err(backend)?
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(backend)?;
                    keys.into_iter().flatten().collect::<Vec<String>>()
                };
                tx.execute("DELETE FROM versions WHERE owner = ?1 AND project_id = ?2", params![owner, project])
                    .map_err(backend)?;
                tx.commit().map_err(backend)?;
                Ok(keys)
            })
            .await
    }
}
