//! Projects in SQLite.

use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

use super::{SqliteDb, backend};
use visions_domain::ports::{ProjectPage, ProjectStore, StoreError};
use visions_domain::project::Project;

#[derive(Clone)]
pub struct SqliteProjectStore {
    db: SqliteDb,
}

impl SqliteProjectStore {
    pub fn new(db: SqliteDb) -> Self {
        Self { db }
    }

    /// A store over its own database file (tests and tools).
    pub fn open(path: &std::path::Path) -> anyhow::Result<Self> {
        Ok(Self::new(SqliteDb::open(path)?))
    }

    pub fn in_memory() -> anyhow::Result<Self> {
        Ok(Self::new(SqliteDb::in_memory()?))
    }
}

fn decode(doc: String) -> Result<Project, StoreError> {
    serde_json::from_str(&doc).map_err(backend)
}

/// Why a conditional write changed nothing: the project is there at another version, or gone.
fn conflict_or_missing(
    tx: &rusqlite::Transaction<'_>,
    owner: &str,
    id: &str,
) -> Result<StoreError, StoreError> {
    let exists = tx
        .query_row(
            "SELECT 1 FROM projects WHERE owner = ?1 AND id = ?2",
            params![owner, id],
            |_| Ok(()),
        )
        .optional()
        .map_err(backend)?
        .is_some();
    Ok(if exists {
        StoreError::VersionConflict
    } else {
        StoreError::NotFound
    })
}

#[async_trait::async_trait]
impl ProjectStore for SqliteProjectStore {
    async fn insert(&self, owner: &str, project: &Project) -> Result<(), StoreError> {
        let (owner, id, version) = (
            owner.to_owned(),
            project.id.to_string(),
            project.version as i64,
        );
        let doc = serde_json::to_string(project).map_err(backend)?;
        self.db
            .with_conn(move |conn| {
                let inserted = conn
                    .execute(
                        "INSERT INTO projects (owner, id, version, doc) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT DO NOTHING",
                        params![owner, id, version, doc],
                    )
                    .map_err(backend)?;
                if inserted == 0 {
                    Err(StoreError::AlreadyExists)
                } else {
                    Ok(())
                }
            })
            .await
    }

    async fn get(&self, owner: &str, id: Uuid) -> Result<Option<Project>, StoreError> {
        let (owner, id) = (owner.to_owned(), id.to_string());
        self.db
            .with_conn(move |conn| {
                let doc: Option<String> = conn
                    .query_row(
                        "SELECT doc FROM projects WHERE owner = ?1 AND id = ?2",
                        params![owner, id],
                        |row| row.get(0),
                    )
                    .optional()
                    .map_err(backend)?;
                doc.map(decode).transpose()
            })
            .await
    }

    async fn list(
        &self,
        owner: &str,
        limit: usize,
        after: Option<Uuid>,
    ) -> Result<ProjectPage, StoreError> {
        let owner = owner.to_owned();
        // UUIDv7 text sorts by creation time; "g" sorts after every hex digit.
        let after = after.map_or_else(|| "g".to_owned(), |id| id.to_string());
        self.db.with_conn(move |conn| {
            let mut statement = conn
                .prepare_cached("SELECT doc FROM projects WHERE owner = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3")
                .map_err(backend)?;
            let docs = statement
                .query_map(params![owner, after, limit as i64 + 1], |row| row.get::<_, String>(0))
                .map_err(backend)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(backend)?;
            let mut items = docs.into_iter().map(decode).collect::<Result<Vec<_>, _>>()?;
            let more = items.len() > limit;
            items.truncate(limit);
            let next = if more { items.last().map(|p| p.id) } else { None };
            Ok(ProjectPage { items, next })
        })
        .await
    }

    async fn replace(
        &self,
        owner: &str,
        project: &Project,
        expected_version: u64,
    ) -> Result<(), StoreError> {
        let (owner, id, version) = (
            owner.to_owned(),
            project.id.to_string(),
            project.version as i64,
        );
        let doc = serde_json::to_string(project).map_err(backend)?;
        self.db.with_conn(move |conn| {
            let tx = conn.transaction().map_err(backend)?;
            let updated = tx
                .execute(
                    "UPDATE projects SET doc = ?1, version = ?2 WHERE owner = ?3 AND id = ?4 AND version = ?5",
                    params![doc, version, owner, id, expected_version as i64],
                )
                .map_err(backend)?;
            if updated == 0 {
                return Err(conflict_or_missing(&tx, &owner, &id)?);
            }
            tx.commit().map_err(backend)
        })
        .await
    }

    async fn delete(
        &self,
        owner: &str,
        id: Uuid,
        expected_version: Option<u64>,
    ) -> Result<(), StoreError> {
        let (owner, id) = (owner.to_owned(), id.to_string());
        let expected = expected_version.map(|v| i64::try_from(v).unwrap_or(i64::MAX));
        self.db
            .with_conn(move |conn| {
                let tx = conn.transaction().map_err(backend)?;
                // One statement, so a change between a caller's read and this delete is seen.
                let deleted = tx
                    .execute(
                        "DELETE FROM projects WHERE owner = ?1 AND id = ?2 AND (?3 IS NULL OR version = ?3)",
                        params![owner, id, expected],
                    )
                    .map_err(backend)?;
                if deleted == 0 {
                    return Err(conflict_or_missing(&tx, &owner, &id)?);
                }
                tx.commit().map_err(backend)
            })
            .await
    }
}
