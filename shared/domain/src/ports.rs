//! The ports: what the application needs from storage, queues and secrets. Each has two real
//! adapters, AWS (`visions-aws`: DynamoDB single table, S3, SQS, Secrets Manager) and embedded
//! (`visions-local`: SQLite, files). Every store method takes the owner's `sub` from the
//! authenticated principal; it is part of every key, so one user can never read or change
//! another's records.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

pub use crate::job::Claim;
use crate::job::{Job, JobMessage};
use crate::page::Page;
use crate::project::Project;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("the stored version differs from the expected one")]
    VersionConflict,
    #[error("already exists")]
    AlreadyExists,
    /// A hold or charge larger than the available balance.
    #[error("{cost} credits are needed and {balance} are available")]
    InsufficientCredits { balance: u64, cost: u64 },
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
    /// What the quality gate found when the version was made (versions stored before the gate
    /// read as unchecked: no findings, not publishable).
    #[serde(default)]
    pub quality: crate::page::Quality,
    /// The version this one restores (a copy of it, made by a restore).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restored_from: Option<u64>,
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

/// Messages sent through published pages' contact forms, by project. Projects are owned, so
/// only the owner's request lists them (after checking the project is theirs).
#[async_trait::async_trait]
pub trait SubmissionStore: Send + Sync + 'static {
    async fn add(&self, submission: &crate::form::Submission) -> Result<(), StoreError>;
    /// Up to `limit` messages older than the one with id `before` (newest first).
    async fn list(
        &self,
        project_id: Uuid,
        limit: usize,
        before: Option<Uuid>,
    ) -> Result<Vec<crate::form::Submission>, StoreError>;
    /// Removes every message of a deleted project.
    async fn delete_project(&self, project_id: Uuid) -> Result<(), StoreError>;
}

#[async_trait::async_trait]
pub trait JobQueue: Send + Sync + 'static {
    async fn enqueue(&self, message: &JobMessage) -> Result<(), StoreError>;
}

/// Changes when a received queue message is delivered again (SQS: its visibility timeout), so
/// a transient failure is retried after a pause instead of at once.
#[async_trait::async_trait]
pub trait Redelivery: Send + Sync + 'static {
    async fn redeliver_after(&self, receipt: &str, delay: Duration) -> Result<(), StoreError>;
}

#[async_trait::async_trait]
pub trait BlobStore: Send + Sync + 'static {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), StoreError>;
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// The bytes of a blob from `start`, at most `len` of them (fewer where it ends); `None`
    /// when there is no blob.
    async fn get_range(
        &self,
        key: &str,
        start: u64,
        len: u64,
    ) -> Result<Option<Vec<u8>>, StoreError>;
    /// Removes a blob; removing one that is not there is not an error.
    async fn delete(&self, key: &str) -> Result<(), StoreError>;
    /// Where a browser fetches the blob: a CDN URL on AWS, a local-server path locally.
    fn public_url(&self, key: &str) -> String;
}

/// Keys are generated by us, but checked anyway: no traversal, no surprises in a path or URL.
pub fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 512
        && !key.starts_with('/')
        && key
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
}

/// The error for a key [`valid_key`] refuses.
pub fn invalid_key(key: &str) -> StoreError {
    StoreError::Backend(anyhow::anyhow!("invalid blob key {key:?}"))
}

/// How long a CDN or browser may keep a blob. A version's files never change, but a page is
/// deleted with its project: HTML is kept 5 minutes, so a deleted page leaves every edge cache
/// within that; other files (images, exports) have unguessable keys and are kept for good.
pub fn cache_control(content_type: &str) -> &'static str {
    if content_type.starts_with("text/html") {
        "public, max-age=300"
    } else {
        "public, max-age=31536000, immutable"
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SecretName {
    /// HS256 signing secret, or the Ed25519 public key (PEM) when the algorithm is EdDSA and
    /// `VISIONS_JWT_PUBLIC_KEY` does not give it.
    JwtKey,
    /// HMAC key that binds pagination cursors to their user.
    CursorKey,
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("secret {0} is unavailable: {1}")]
    Unavailable(String, String),
}

/// The service's own secrets, and secrets named by reference (a Secrets Manager ARN on AWS),
/// such as a model provider's API key. Adapters cache; a rotated secret is picked up within
/// the adapter's TTL.
#[async_trait::async_trait]
pub trait SecretStore: Send + Sync + 'static {
    async fn get(&self, name: SecretName) -> Result<Arc<str>, SecretError>;
    async fn get_by_reference(&self, reference: &str) -> Result<Arc<str>, SecretError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_escape() {
        assert!(valid_key("pages/0190c5a0/index.html"));
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "a//b",
            "a/./b",
            "a b",
            "a\\b",
            "a?b",
        ] {
            assert!(!valid_key(bad), "{bad}");
        }
    }
}
