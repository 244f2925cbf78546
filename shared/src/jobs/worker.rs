//! The worker: claims a job from a queue message under a lease, runs the pipeline with
//! progress, and records the outcome. A redelivered message never runs a job twice: the claim
//! only succeeds for a queued job or one whose lease expired (its worker crashed).

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tracing::Instrument;

use super::model::{Job, JobMessage, JobStatus, Stage};
use super::pipeline::{Pipeline, PipelineError, Progress};
use crate::store::{Claim, JobStore, StoreError};

/// Claims after this many are not retried: the job fails with the last reason.
pub const MAX_ATTEMPTS: u32 = 3;

/// What the queue should do with the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Handled (or nothing left to do): delete the message.
    Done,
    /// Deliver it again later.
    Retry,
}

/// Called after every saved change of a job (the CLI draws its progress bar from it).
pub type Observer = Arc<dyn Fn(&Job) + Send + Sync>;

pub struct Worker {
    pub jobs: Arc<dyn JobStore>,
    pub pipeline: Arc<Pipeline>,
    /// Unique per process, so leases say who holds them.
    pub id: String,
    /// Longer than a job can take; progress renews it.
    pub lease: Duration,
    pub observer: Option<Observer>,
}

struct JobProgress<'a> {
    worker: &'a Worker,
    owner: &'a str,
    job: tokio::sync::Mutex<Job>,
}

#[async_trait::async_trait]
impl Progress for JobProgress<'_> {
    async fn report(&self, stage: Stage, percent: u8) -> Result<(), StoreError> {
        let mut job = self.job.lock().await;
        job.stage = stage;
        job.progress = percent.max(job.progress).min(99);
        job.updated_at = OffsetDateTime::now_utc();
        self.worker.save(self.owner, &job).await
    }
}

impl Worker {
    pub fn new(jobs: Arc<dyn JobStore>, pipeline: Arc<Pipeline>, lease: Duration) -> Self {
        Self {
            jobs,
            pipeline,
            id: format!("worker-{}", uuid::Uuid::new_v4().simple()),
            lease,
            observer: None,
        }
    }

    async fn save(&self, owner: &str, job: &Job) -> Result<(), StoreError> {
        self.jobs.save(owner, job, &self.id, self.lease).await?;
        if let Some(observer) = &self.observer {
            observer(job);
        }
        Ok(())
    }

    pub async fn handle(&self, message: &JobMessage) -> Outcome {
        // Every log line of this job carries its id and its owner.
        let span = tracing::info_span!("job", job_id = %message.job_id, principal = %message.owner);
        self.handle_in_span(message).instrument(span).await
    }

    async fn handle_in_span(&self, message: &JobMessage) -> Outcome {
        match self
            .jobs
            .claim(&message.owner, message.job_id, &self.id, self.lease)
            .await
        {
            Ok(Claim::Claimed(job)) => self.run(&message.owner, job).await,
            Ok(Claim::Finished(_)) => {
                tracing::info!("job already finished; duplicate delivery dropped");
                Outcome::Done
            }
            Ok(Claim::Busy) => Outcome::Retry,
            Ok(Claim::Missing) => {
                tracing::warn!("message names a job that does not exist");
                Outcome::Done
            }
            Err(err) => {
                tracing::error!(error = %err, "claiming the job failed");
                Outcome::Retry
            }
        }
    }

    async fn run(&self, owner: &str, mut job: Job) -> Outcome {
        if job.attempts > MAX_ATTEMPTS {
            return self
                .finish_failed(owner, job, format!("gave up after {MAX_ATTEMPTS} attempts"))
                .await;
        }
        tracing::info!(attempt = job.attempts, "job started");
        if let Some(observer) = &self.observer {
            observer(&job);
        }
        let progress = JobProgress {
            worker: self,
            owner,
            job: tokio::sync::Mutex::new(job.clone()),
        };
        let result = self.pipeline.run(owner, &job, &progress).await;
        job = progress.job.into_inner();
        match result {
            Ok(generated) => {
                job.status = JobStatus::Succeeded;
                job.stage = Stage::Done;
                job.progress = 100;
                job.version = Some(generated.version);
                job.usage = generated.usage;
                job.error = None;
                job.updated_at = OffsetDateTime::now_utc();
                match self.save(owner, &job).await {
                    Ok(()) => {
                        tracing::info!(version = generated.version, "job succeeded");
                        Outcome::Done
                    }
                    Err(err) => self.after_store_error(owner, &job, err).await,
                }
            }
            Err(PipelineError::Store(StoreError::VersionConflict)) => {
                tracing::warn!("lease lost to another worker; stopping");
                Outcome::Done
            }
            Err(err) if err.is_transient() && job.attempts < MAX_ATTEMPTS => {
                tracing::warn!(error = %err, "transient failure; the job will be retried");
                let _ = self.jobs.release(owner, job.id, &self.id).await;
                Outcome::Retry
            }
            Err(err) => self.finish_failed(owner, job, err.to_string()).await,
        }
    }

    async fn finish_failed(&self, owner: &str, mut job: Job, reason: String) -> Outcome {
        tracing::warn!(%reason, "job failed");
        job.status = JobStatus::Failed;
        job.error = Some(reason);
        job.updated_at = OffsetDateTime::now_utc();
        match self.save(owner, &job).await {
            Ok(()) => Outcome::Done,
            Err(err) => self.after_store_error(owner, &job, err).await,
        }
    }

    async fn after_store_error(&self, owner: &str, job: &Job, err: StoreError) -> Outcome {
        if matches!(err, StoreError::VersionConflict) {
            return Outcome::Done;
        }
        tracing::error!(error = %err, "saving the job failed; it will be retried");
        let _ = self.jobs.release(owner, job.id, &self.id).await;
        Outcome::Retry
    }
}
