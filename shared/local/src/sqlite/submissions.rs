//! Contact-form messages in SQLite, by project; UUIDv7 ids keep them in arrival order.

use rusqlite::params;
use uuid::Uuid;

use super::{SqliteDb, backend};
use visions_domain::form::Submission;
use visions_domain::ports::{StoreError, SubmissionStore};

#[derive(Clone)]
pub struct SqliteSubmissionStore {
    db: SqliteDb,
}

impl SqliteSubmissionStore {
    pub fn new(db: SqliteDb) -> Self {
        Self { db }
    }
}

#[async_trait::async_trait]
impl SubmissionStore for SqliteSubmissionStore {
    async fn add(&self, submission: &Submission) -> Result<(), StoreError> {
        let submission = submission.clone();
        self.db
            .with_conn(move |conn| {
                let doc = serde_json::to_string(&submission).map_err(backend)?;
                conn.execute(
                    "INSERT INTO submissions (project_id, id, doc) VALUES (?1, ?2, ?3)",
                    params![
                        submission.project_id.to_string(),
                        submission.id.to_string(),
                        doc
                    ],
                )
                .map_err(backend)?;
                Ok(())
            })
            .await
    }

    async fn list(
        &self,
        project_id: Uuid,
        limit: usize,
        before: Option<Uuid>,
    ) -> Result<Vec<Submission>, StoreError> {
        let project = project_id.to_string();
        // Hyphenated UUIDv7 strings sort like the ids; "~" sorts after every one of them.
        let before = before.map_or("~".to_owned(), |id| id.to_string());
        self.db
            .with_conn(move |conn| {
                let mut statement = conn
                    .prepare_cached(
                        "SELECT doc FROM submissions WHERE project_id = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3",
                    )
                    .map_err(backend)?;
                let docs = statement
                    .query_map(params![project, before, limit as i64], |row| row.get::<_, String>(0))
                    .map_err(backend)?
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(backend)?;
                docs.iter().map(|doc| serde_json::from_str(doc).map_err(backend)).collect()
            })
            .await
    }

    async fn delete_project(&self, project_id: Uuid) -> Result<(), StoreError> {
        let project = project_id.to_string();
        self.db
            .with_conn(move |conn| {
                conn.execute(
                    "DELETE FROM submissions WHERE project_id = ?1",
                    params![project],
                )
                .map_err(backend)?;
                Ok(())
            })
            .await
    }
}
