//! The worker: claims a job from a queue message under a lease, runs the pipeline with
//! progress, and records the outcome. A redelivered message never runs a job twice: the claim
//! only succeeds for a queued job or one whose lease expired (its worker crashed).

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use time::OffsetDateTime;
use tracing::Instrument;

use crate::pipeline::{Pipeline, PipelineError, Produced, Progress};
use visions_domain::credits::UsageEvents;
use visions_domain::job::{Job, JobMessage, JobStatus, Stage};
use visions_domain::ports::{Claim, JobStore, StoreError};

/// Claims after this many are not retried: the job fails with the last reason. Below the
/// queues' receive limit ([`MAX_RECEIVES`]), so a job fails with a reason before its message
/// could be dead-lettered.
pub const MAX_JOB_ATTEMPTS: u32 = 3;
/// Receives before a queue sets a message aside as dead (the DLQ's `maxReceiveCount`).
pub const MAX_RECEIVES: u32 = 5;
/// A worker's lease on a job: the budget plus a margin, renewed on every stage.
pub const JOB_LEASE: Duration = Duration::from_secs(900);
/// Pause before a message whose job failed transiently is delivered again.
pub const RETRY_DELAY: Duration = Duration::from_secs(5);

/// What the queue should do with the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Handled (or nothing left to do): delete the message.
    Done,
    /// Deliver it again after this long.
    Retry(Duration),
}

/// One delivery of a queue message: the message and how many times it has been received,
/// this time included (SQS's `ApproximateReceiveCount`).
#[derive(Clone, Copy, Debug)]
pub struct Delivery<'a> {
    pub message: &'a JobMessage,
    pub receive_count: u32,
}

impl Delivery<'_> {
    /// The queue will dead-letter this message rather than deliver it again.
    fn is_last(&self) -> bool {
        self.receive_count >= MAX_RECEIVES
    }
}

/// Called after every saved change of a job (the CLI draws its progress bar from it).
pub type Observer = Arc<dyn Fn(&Job) + Send + Sync>;

pub struct Worker {
    pub jobs: Arc<dyn JobStore>,
    pub pipeline: Arc<Pipeline>,
    /// Where a finished job's settlement goes (the meter).
    pub usage: Arc<dyn UsageEvents>,
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
    pub fn new(
        jobs: Arc<dyn JobStore>,
        pipeline: Arc<Pipeline>,
        usage: Arc<dyn UsageEvents>,
        lease: Duration,
    ) -> Self {
        Self {
            jobs,
            pipeline,
            usage,
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

    /// Handles a first delivery (tests and the CLI, which own their queue).
    pub async fn handle(&self, message: &JobMessage) -> Outcome {
        self.handle_delivery(Delivery {
            message,
            receive_count: 1,
        })
        .await
    }

    /// Handles one delivery. A panic anywhere in the job is contained here: it fails this
    /// delivery only (the lease is released and the message retried, within the job's
    /// attempts), never the caller's loop or batch. On the queue's last delivery a job that
    /// cannot finish now is failed with a reason instead of being left to the dead letters.
    pub async fn handle_delivery(&self, delivery: Delivery<'_>) -> Outcome {
        let message = delivery.message;
        // Every log line of this job carries its id and its owner.
        let span = tracing::info_span!("job", job_id = %message.job_id, principal = %message.owner);
        let handled = async {
            match self.handle_in_span(message).await {
                Outcome::Retry(_) if delivery.is_last() => self.fail_last_delivery(message).await,
                outcome => outcome,
            }
        };
        match AssertUnwindSafe(handled)
            .catch_unwind()
            .instrument(span.clone())
            .await
        {
            Ok(outcome) => outcome,
            Err(panic) => {
                let what = panic_message(panic.as_ref());
                span.in_scope(|| tracing::error!(panic = %what, "the job's handler panicked"));
                let _ = self
                    .jobs
                    .release(&message.owner, message.job_id, &self.id)
                    .await;
                Outcome::Retry(RETRY_DELAY)
            }
        }
    }

    async fn handle_in_span(&self, message: &JobMessage) -> Outcome {
        match self
            .jobs
            .claim(&message.owner, message.job_id, &self.id, self.lease)
            .await
        {
            Ok(Claim::Claimed(job)) => self.run(&message.owner, job).await,
            // A finished job's settlement is sent again: if sending it failed after the job was
            // saved, this delivery repairs it (the meter settles a hold once).
            Ok(Claim::Finished(job)) => {
                tracing::info!("job already finished; duplicate delivery dropped");
                self.settle(&message.owner, &job).await
            }
            // Another worker holds a live lease, renewed at most `lease` ago: by the time this
            // comes back the holder has finished, or its lease has expired and this takes over.
            Ok(Claim::Busy) => Outcome::Retry(self.lease.saturating_add(self.lease / 10)),
            Ok(Claim::Missing) => {
                tracing::warn!("message names a job that does not exist");
                Outcome::Done
            }
            Err(err) => {
                tracing::error!(error = %err, "claiming the job failed");
                Outcome::Retry(RETRY_DELAY)
            }
        }
    }

    /// The queue's last delivery could not finish the job: fail it with a reason, so that it
    /// never stays queued or running with nobody to take it over. A job another worker holds
    /// under a live lease is left to that worker.
    async fn fail_last_delivery(&self, message: &JobMessage) -> Outcome {
        let reason = format!(
            "the job could not be completed after {MAX_RECEIVES} deliveries; submit it again"
        );
        match self
            .jobs
            .claim(&message.owner, message.job_id, &self.id, self.lease)
            .await
        {
            Ok(Claim::Claimed(job)) => {
                // Counted by the log-based metric `dead_lettered_jobs` (an alarm on AWS).
                tracing::error!(
                    dead_lettered_jobs = 1,
                    "the job's message reached its last delivery; failing the job"
                );
                self.finish_failed(&message.owner, job, reason).await
            }
            Ok(Claim::Finished(job)) => self.settle(&message.owner, &job).await,
            Ok(_) => Outcome::Done,
            Err(err) => {
                tracing::error!(error = %err, "failing the job after its last delivery failed");
                Outcome::Retry(RETRY_DELAY)
            }
        }
    }

    async fn run(&self, owner: &str, mut job: Job) -> Outcome {
        if job.attempts > MAX_JOB_ATTEMPTS {
            return self
                .finish_failed(
                    owner,
                    job,
                    format!("gave up after {MAX_JOB_ATTEMPTS} attempts"),
                )
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
        let result = self.pipeline.perform(owner, &job, &progress).await;
        job = progress.job.into_inner();
        match result {
            Ok(produced) => {
                job.status = JobStatus::Succeeded;
                job.stage = Stage::Done;
                job.progress = 100;
                match produced {
                    Produced::Pages(generated) => {
                        job.version = Some(generated.version);
                        job.versions = generated.versions;
                        job.usage = generated.usage;
                    }
                    Produced::Export(archive) => job.export = Some(archive),
                }
                job.error = None;
                job.credits_charged =
                    Some(self.pipeline.metering.job_cost(&job).min(job.credits_held));
                job.updated_at = OffsetDateTime::now_utc();
                match self.save(owner, &job).await {
                    Ok(()) => {
                        tracing::info!(
                            version = job.version,
                            charged = job.credits_charged,
                            "job succeeded"
                        );
                        self.settle(owner, &job).await
                    }
                    Err(err) => self.after_store_error(owner, &job, err).await,
                }
            }
            Err(PipelineError::Store(StoreError::VersionConflict)) => {
                tracing::warn!("lease lost to another worker; stopping");
                Outcome::Done
            }
            Err(err) if err.is_transient() && job.attempts < MAX_JOB_ATTEMPTS => {
                tracing::warn!(error = %err, "transient failure; the job will be retried");
                let _ = self.jobs.release(owner, job.id, &self.id).await;
                Outcome::Retry(RETRY_DELAY)
            }
            Err(err) => self.finish_failed(owner, job, err.to_string()).await,
        }
    }

    async fn finish_failed(&self, owner: &str, mut job: Job, reason: String) -> Outcome {
        tracing::warn!(%reason, "job failed");
        job.status = JobStatus::Failed;
        job.error = Some(reason);
        job.credits_charged = (job.credits_held > 0).then_some(0);
        job.updated_at = OffsetDateTime::now_utc();
        match self.save(owner, &job).await {
            Ok(()) => self.settle(owner, &job).await,
            Err(err) => self.after_store_error(owner, &job, err).await,
        }
    }

    /// Sends a finished job's settlement; a failure to send is retried by redelivering the
    /// job's message (the job itself is not run again).
    async fn settle(&self, owner: &str, job: &Job) -> Outcome {
        let Some(event) = job.settlement(owner) else {
            return Outcome::Done;
        };
        match self.usage.emit(&event).await {
            Ok(()) => Outcome::Done,
            Err(err) => {
                tracing::error!(error = %err, "sending the job's settlement failed; it will be sent again");
                Outcome::Retry(RETRY_DELAY)
            }
        }
    }

    async fn after_store_error(&self, owner: &str, job: &Job, err: StoreError) -> Outcome {
        if matches!(err, StoreError::VersionConflict) {
            return Outcome::Done;
        }
        tracing::error!(error = %err, "saving the job failed; it will be retried");
        let _ = self.jobs.release(owner, job.id, &self.id).await;
        Outcome::Retry(RETRY_DELAY)
    }
}

/// The text a panic was raised with, when it is one.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}
