//! Storage ports. Each has two real adapters: AWS (DynamoDB single table, S3, SQS) and embedded
//! (SQLite, files). Every method takes the owner's `sub` from the authenticated principal; it is
//! part of every key, so one user can never read or change another's records.

mod blobs;
pub mod dynamo;
pub mod sqlite;

pub use blobs::{BlobStore, FileBlobStore, S3BlobStore, cache_control as blob_cache_control};
pub use dynamo::{
    DynamoJobStore, DynamoProjectStore, DynamoVersionStore, SqsJobQueue, create_table,
};
pub use sqlite::{
    SqliteDb, SqliteJobQueue, SqliteJobStore, SqliteProjectStore, SqliteVersionStore,
};

use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::jobs::model::{Job, JobMessage};
use crate::page::model::Page;
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
    /// Deletes a project, only if its stored version is `expected_version` when one is given
    /// (the check is part of the delete itself): `NotFound` if the owner has no such project,
    /// `VersionConflict` if it changed.
    async fn delete(
        &self,
        owner: &str,
        id: Uuid,
        expected_version: Option<u64>,
    ) -> Result<(), StoreError>;
}

/// An `Idempotency-Key` and a fingerprint of the request it came with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Idempotency {
    pub key: String,
    pub fingerprint: String,
    /// How long the key is remembered.
    pub ttl: Duration,
}

#[derive(Debug, PartialEq)]
pub enum Created {
    /// The job was stored.
    New(Job),
    /// The key was used before with the same request: here is that job.
    Existing(Job),
    /// The key was used before with a different request.
    KeyReused,
}

#[derive(Debug, PartialEq)]
pub enum Claim {
    /// This worker now holds the job's lease.
    Claimed(Job),
    /// The job already succeeded or failed: nothing to do.
    Finished(Job),
    /// Another worker holds a live lease.
    Busy,
    Missing,
}

#[async_trait::async_trait]
pub trait JobStore: Send + Sync + 'static {
    /// Stores `job` unless `idempotency.key` already names a job of this owner.
    async fn create(
        &self,
        owner: &str,
        job: &Job,
        idempotency: &Idempotency,
    ) -> Result<Created, StoreError>;
    async fn get(&self, owner: &str, id: Uuid) -> Result<Option<Job>, StoreError> {
        Ok(self.get_with_lease(owner, id).await?.map(|(job, _)| job))
    }
    /// The job, and when its current lease ends (ms since the epoch) if one was ever taken:
    /// one read, for the status a client is shown.
    async fn get_with_lease(
        &self,
        owner: &str,
        id: Uuid,
    ) -> Result<Option<(Job, Option<i64>)>, StoreError>;
    /// Takes the job if it is queued, or running under an expired lease; counts the attempt.
    async fn claim(
        &self,
        owner: &str,
        id: Uuid,
        worker: &str,
        lease: Duration,
    ) -> Result<Claim, StoreError>;
    /// Saves progress or the outcome, only while `worker` holds the lease (renewing it);
    /// `VersionConflict` once the lease is lost. A final status releases the lease.
    async fn save(
        &self,
        owner: &str,
        job: &Job,
        worker: &str,
        lease: Duration,
    ) -> Result<(), StoreError>;
    /// Gives the lease up so a redelivery can claim the job at once.
    async fn release(&self, owner: &str, id: Uuid, worker: &str) -> Result<(), StoreError>;
    /// Removes every job of a deleted project (and the idempotency keys naming them).
    async fn delete_project(&self, owner: &str, project_id: Uuid) -> Result<(), StoreError>;
}

/// An immutable page version of a project.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PageVersion {
    pub number: u64,
    pub project_id: Uuid,
    pub job_id: Uuid,
    pub page: Page,
    /// Blob key of the rendered HTML.
    pub html_key: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[async_trait::async_trait]
pub trait VersionStore: Send + Sync + 'static {
    /// Stores `version` under the next free number, which it returns.
    async fn append(&self, owner: &str, version: &PageVersion) -> Result<u64, StoreError>;
    async fn get(
        &self,
        owner: &str,
        project_id: Uuid,
        number: u64,
    ) -> Result<Option<PageVersion>, StoreError>;
    /// Up to `limit` versions below `before` (newest first).
    async fn list(
        &self,
        owner: &str,
        project_id: Uuid,
        limit: usize,
        before: Option<u64>,
    ) -> Result<Vec<PageVersion>, StoreError>;
    /// Removes every version of a deleted project; returns their blob keys for removal.
    async fn delete_project(
        &self,
        owner: &str,
        project_id: Uuid,
    ) -> Result<Vec<String>, StoreError>;
}

#[async_trait::async_trait]
pub trait JobQueue: Send + Sync + 'static {
    async fn enqueue(&self, message: &JobMessage) -> Result<(), StoreError>;
}
