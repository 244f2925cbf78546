//! The embedded adapters: one SQLite file (WAL) in the data folder holds every table.

mod assets;
mod credits;
mod jobs;
mod keys;
mod projects;
mod queue;
mod submissions;
mod versions;

pub use assets::SqliteAssetStore;
pub use credits::SqliteCreditStore;
pub use jobs::SqliteJobStore;
pub use keys::{FoundKey, SqliteApiKeyStore};
pub use projects::SqliteProjectStore;
pub use queue::{Delivery, SqliteJobQueue};
pub use submissions::SqliteSubmissionStore;
pub use versions::SqliteVersionStore;

use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use rusqlite::Connection;

use visions_domain::ports::StoreError;

/// Schema migrations, applied in order; `PRAGMA user_version` records how many have run.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE projects (
        owner   TEXT    NOT NULL,
        id      TEXT    NOT NULL,
        version INTEGER NOT NULL,
        doc     TEXT    NOT NULL,
        PRIMARY KEY (owner, id)
    ) WITHOUT ROWID",
    "CREATE TABLE jobs (
        owner       TEXT    NOT NULL,
        id          TEXT    NOT NULL,
        doc         TEXT    NOT NULL,
        lease_owner TEXT,
        lease_until INTEGER,
        PRIMARY KEY (owner, id)
    ) WITHOUT ROWID;
    CREATE TABLE idempotency (
        owner       TEXT    NOT NULL,
        key         TEXT    NOT NULL,
        fingerprint TEXT    NOT NULL,
        job_id      TEXT    NOT NULL,
        expires_at  INTEGER NOT NULL,
        PRIMARY KEY (owner, key)
    ) WITHOUT ROWID;
    CREATE TABLE versions (
        owner      TEXT    NOT NULL,
        project_id TEXT    NOT NULL,
        number     INTEGER NOT NULL,
        doc        TEXT    NOT NULL,
        PRIMARY KEY (owner, project_id, number)
    ) WITHOUT ROWID;
    CREATE TABLE queue (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        body          TEXT    NOT NULL,
        visible_at    INTEGER NOT NULL,
        receive_count INTEGER NOT NULL DEFAULT 0,
        dead          INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX queue_ready ON queue (dead, visible_at);",
    // Ids are UUIDv7: their order is the order messages arrived in.
    "CREATE TABLE submissions (
        project_id TEXT NOT NULL,
        id         TEXT NOT NULL,
        doc        TEXT NOT NULL,
        PRIMARY KEY (project_id, id)
    ) WITHOUT ROWID;",
    "CREATE TABLE assets (
        owner TEXT NOT NULL,
        id    TEXT NOT NULL,
        doc   TEXT NOT NULL,
        PRIMARY KEY (owner, id)
    ) WITHOUT ROWID;",
    // Credits: an account per user, open holds, references already settled (a settlement
    // happens once), applied adjustments, and the ledger (UUIDv7 ids: id order is time order).
    "CREATE TABLE accounts (
        owner TEXT PRIMARY KEY,
        doc   TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE holds (
        owner      TEXT    NOT NULL,
        reference  TEXT    NOT NULL,
        created_at INTEGER NOT NULL,
        doc        TEXT    NOT NULL,
        PRIMARY KEY (owner, reference)
    ) WITHOUT ROWID;
    CREATE TABLE settled (
        owner     TEXT NOT NULL,
        reference TEXT NOT NULL,
        PRIMARY KEY (owner, reference)
    ) WITHOUT ROWID;
    CREATE TABLE operations (
        owner TEXT NOT NULL,
        id    TEXT NOT NULL,
        PRIMARY KEY (owner, id)
    ) WITHOUT ROWID;
    CREATE TABLE ledger (
        owner      TEXT    NOT NULL,
        id         TEXT    NOT NULL,
        created_at INTEGER NOT NULL,
        doc        TEXT    NOT NULL,
        PRIMARY KEY (owner, id)
    ) WITHOUT ROWID;
    CREATE TABLE api_keys (
        id      TEXT    PRIMARY KEY,
        owner   TEXT    NOT NULL,
        hash    TEXT    NOT NULL UNIQUE,
        revoked INTEGER NOT NULL,
        doc     TEXT    NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX api_keys_owner ON api_keys (owner, id);
    CREATE TABLE api_key_usage (
        key_id   TEXT    NOT NULL,
        day      TEXT    NOT NULL,
        requests INTEGER NOT NULL,
        PRIMARY KEY (key_id, day)
    ) WITHOUT ROWID;",
];

/// One connection shared by every embedded store; SQLite serializes writers anyway.
#[derive(Clone)]
pub struct SqliteDb {
    conn: Arc<Mutex<Connection>>,
}

impl SqliteDb {
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
    pub(crate) async fn with_conn<T: Send + 'static>(
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

/// The records a query's first column holds as JSON (`doc`), in the query's order.
pub(crate) fn docs<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<T>, StoreError> {
    let mut statement = conn.prepare(sql).map_err(backend)?;
    let rows = statement
        .query_map(params, |row| row.get::<_, String>(0))
        .map_err(backend)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(backend)?;
    rows.iter()
        .map(|doc| serde_json::from_str(doc).map_err(backend))
        .collect()
}

pub(crate) fn backend(err: impl Into<anyhow::Error>) -> StoreError {
    StoreError::Backend(err.into())
}
