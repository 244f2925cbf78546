//! Storage ports. Each has two real adapters: DynamoDB (single table) and SQLite (embedded).
//! Every method takes the owner's `sub` from the authenticated principal; it is part of every
//! key, so one user can never read or change another's records.

mod dynamo;
mod sqlite;

pub use dynamo::{DynamoProjectStore, create_table};
pub use sqlite::SqliteProjectStore;

use uuid::Uuid;

use crate::project::Project;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("the stored version differs from the expected one")]
    VersionConflict,
    #[error("already exists")]
    AlreadyExists,
    #[error("storage backend: {0}")]
    Backend(#[from] anyhow::Error),
}

/// One page of a listing, newest first. `next` is the last id returned when more remain.
#[derive(Debug, Default)]
pub struct ProjectPage {
    pub items: Vec<Project>,
    pub next: Option<Uuid>,
}

#[async_trait::async_trait]
pub trait ProjectStore: Send + Sync + 'static {
    /// Stores a new project; `AlreadyExists` if the id is taken.
    async fn insert(&self, owner: &str, project: &Project) -> Result<(), StoreError>;
    async fn get(&self, owner: &str, id: Uuid) -> Result<Option<Project>, StoreError>;
    /// Up to `limit` projects older than `after` (or the newest when `after` is `None`).
    async fn list(
        &self,
        owner: &str,
        limit: usize,
        after: Option<Uuid>,
    ) -> Result<ProjectPage, StoreError>;
    /// Replaces a project only if its stored version is `expected_version`.
    async fn replace(
        &self,
        owner: &str,
        project: &Project,
        expected_version: u64,
    ) -> Result<(), StoreError>;
    /// Deletes a project; `NotFound` if the owner has no such project.
    async fn delete(&self, owner: &str, id: Uuid) -> Result<(), StoreError>;
}
