//! The embedded adapter: one SQLite file (WAL) in the data folder.

use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use super::{ProjectPage, ProjectStore, StoreError};
use crate::project::Project;

/// Schema migrations, applied in order; `PRAGMA user_version` records how many have run.
const MIGRATIONS: &[&str] = &["CREATE TABLE projects (
        owner   TEXT    NOT NULL,
        id      TEXT    NOT NULL,
        version INTEGER NOT NULL,
        doc     TEXT    NOT NULL,
        PRIMARY KEY (owner, id)
    ) WITHOUT ROWID"];

#[derive(Clone)]
pub struct SqliteProjectStore {
    conn: Arc<Mutex<Connection>>,
}

impl SqliteProjectStore {
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let conn = Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
        Self::init(conn)
    }

    pub fn in_memory() -> anyhow::Result<Self> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> anyhow::Result<Self> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let applied: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
        let tx = conn.transaction()?;
        for (index, migration) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
            tx.execute_batch(migration)
                .with_context(|| format!("migration {}", index + 1))?;
        }
        tx.pragma_update(None, "user_version", MIGRATIONS.len() as i64)?;
        tx.commit()?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs blocking SQLite work off the async executor.
    async fn with_conn<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = conn
                .lock()
                .map_err(|_| anyhow::anyhow!("sqlite connection poisoned"))?;
            work(&mut conn)
        })
        .await
        .map_err(|err| StoreError::Backend(err.into()))?
    }
}

fn backend(err: impl Into<anyhow::Error>) -> StoreError {
    StoreError::Backend(err.into())
}

fn decode(doc: String) -> Result<Project, StoreError> {
    serde_json::from_str(&doc).map_err(backend)
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
        self.with_conn(move |conn| {
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
        self.with_conn(move |conn| {
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
        self.with_conn(move |conn| {
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
        self.with_conn(move |conn| {
            let tx = conn.transaction().map_err(backend)?;
            let updated = tx
                .execute(
                    "UPDATE projects SET doc = ?1, version = ?2 WHERE owner = ?3 AND id = ?4 AND version = ?5",
                    params![doc, version, owner, id, expected_version as i64],
                )
                .map_err(backend)?;
            if updated == 0 {
                let exists = tx
                    .query_row("SELECT 1 FROM projects WHERE owner = ?1 AND id = ?2", params![owner, id], |_| Ok(()))
                    .optional()
                    .map_err(backend)?
                    .is_some();
                return Err(if exists { StoreError::VersionConflict } else { StoreError::NotFound });
            }
            tx.commit().map_err(backend)
        })
        .await
    }

    async fn delete(&self, owner: &str, id: Uuid) -> Result<(), StoreError> {
        let (owner, id) = (owner.to_owned(), id.to_string());
        self.with_conn(move |conn| {
            let deleted = conn
                .execute(
                    "DELETE FROM projects WHERE owner = ?1 AND id = ?2",
                    params![owner, id],
                )
                .map_err(backend)?;
            if deleted == 0 {
                Err(StoreError::NotFound)
            } else {
                Ok(())
            }
        })
        .await
    }
}
