//! Wiring: configuration in, adapters, application state and the generation worker out.
//! Called once per cold start (Lambda) or once per `visions-ai` command.

use std::sync::Arc;
use std::time::Duration;

use crate::agents::ModelRouting;
use crate::auth::JwtVerifier;
use crate::composer::Composer;
use crate::config::{Backend, Config};
use crate::http::AppState;
use crate::jobs::pipeline::Pipeline;
use crate::jobs::sqs::RetryVisibility;
use crate::jobs::worker::Worker;
use crate::llm::registry::{ModelRegistry, ModelSettings};
use crate::secrets::Secrets;
use crate::store::*;

/// The SQLite file inside a local data folder.
pub const LOCAL_DB_FILE: &str = "visions.db";
/// Where the local server serves blobs from the data folder's `blobs/`.
pub const LOCAL_ASSETS_PREFIX: &str = "/assets";
/// Copy calls in flight at once for one job: every section of the longest plan at once.
pub const COPY_CONCURRENCY: usize = 12;
/// How long one job may run: below the worker Lambda's 900 s timeout, with room to save.
pub const JOB_BUDGET: Duration = Duration::from_secs(840);
/// A worker's lease on a job: the budget plus a margin, renewed on every stage.
pub const JOB_LEASE: Duration = Duration::from_secs(900);

/// One backend's adapter for every port.
struct Adapters {
    secrets: Arc<Secrets>,
    projects: Arc<dyn ProjectStore>,
    jobs: Arc<dyn JobStore>,
    versions: Arc<dyn VersionStore>,
    blobs: Arc<dyn BlobStore>,
    queue: Arc<dyn JobQueue>,
    local_queue: Option<SqliteJobQueue>,
    sqs: Option<RetryVisibility>,
}

/// Everything a process needs, built once.
pub struct Runtime {
    pub state: AppState,
    pub worker: Arc<Worker>,
    /// The embedded queue, drained in-process (local backend only).
    pub local_queue: Option<SqliteJobQueue>,
    /// The SQS jobs queue, for retry delays and polling (AWS backend only).
    pub sqs: Option<RetryVisibility>,
}

pub async fn build(config: &Config) -> anyhow::Result<Runtime> {
    let sdk = match config.backend {
        Backend::Aws(_) => Some(crate::aws::sdk_config().await),
        Backend::Local { .. } => None,
    };
    build_with(config, sdk, |name| {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    })
    .await
}

/// Like [`build`], with the AWS SDK configuration and model settings given (tests).
pub async fn build_with(
    config: &Config,
    sdk: Option<aws_config::SdkConfig>,
    lookup: impl Fn(&str) -> Option<String>,
) -> anyhow::Result<Runtime> {
    let model_settings = ModelSettings::from_lookup(&lookup)?;
    let routing = ModelRouting::from_lookup(&lookup).map_err(anyhow::Error::msg)?;
    let Adapters {
        secrets,
        projects,
        jobs,
        versions,
        blobs,
        queue,
        local_queue,
        sqs,
    } = match (&config.backend, sdk) {
        (Backend::Local { data_dir }, _) => {
            let db = SqliteDb::open(&data_dir.join(LOCAL_DB_FILE))?;
            let queue = SqliteJobQueue::new(db.clone());
            Adapters {
                secrets: Arc::new(Secrets::local(data_dir)),
                projects: Arc::new(SqliteProjectStore::new(db.clone())),
                jobs: Arc::new(SqliteJobStore::new(db.clone())),
                versions: Arc::new(SqliteVersionStore::new(db)),
                blobs: Arc::new(FileBlobStore::new(
                    data_dir.join("blobs"),
                    LOCAL_ASSETS_PREFIX,
                )),
                queue: Arc::new(queue.clone()),
                local_queue: Some(queue),
                sqs: None,
            }
        }
        (Backend::Aws(aws), Some(sdk)) => {
            let dynamo = aws_sdk_dynamodb::Client::new(&sdk);
            let sqs = aws_sdk_sqs::Client::new(&sdk);
            Adapters {
                secrets: Arc::new(Secrets::aws(aws_sdk_secretsmanager::Client::new(&sdk), aws)),
                projects: Arc::new(DynamoProjectStore::new(dynamo.clone(), &aws.table)),
                jobs: Arc::new(DynamoJobStore::new(dynamo.clone(), &aws.table)),
                versions: Arc::new(DynamoVersionStore::new(dynamo, &aws.table)),
                blobs: Arc::new(S3BlobStore::new(
                    crate::aws::s3_client(&sdk),
                    &aws.assets_bucket,
                    &aws.assets_url,
                )),
                queue: Arc::new(SqsJobQueue::new(sqs.clone(), &aws.queue_url)),
                local_queue: None,
                sqs: Some(RetryVisibility {
                    client: sqs,
                    queue_url: aws.queue_url.clone(),
                }),
            }
        }
        (Backend::Aws(_), None) => anyhow::bail!("the AWS backend needs an SDK configuration"),
    };
    let registry = Arc::new(ModelRegistry::new(
        model_settings,
        secrets.clone(),
        Arc::new(Composer::default()),
    ));
    let verifier = Arc::new(JwtVerifier::new(config.jwt.clone(), secrets.clone()));
    let pipeline = Arc::new(Pipeline {
        projects: projects.clone(),
        versions: versions.clone(),
        blobs: blobs.clone(),
        registry: registry.clone(),
        routing,
        designs: crate::designs::builtin(),
        copy_concurrency: COPY_CONCURRENCY,
        budget: JOB_BUDGET,
    });
    let worker = Arc::new(Worker::new(jobs.clone(), pipeline, JOB_LEASE));
    let state = AppState {
        projects,
        jobs,
        versions,
        blobs,
        queue,
        registry,
        verifier,
        secrets,
    };
    Ok(Runtime {
        state,
        worker,
        local_queue,
        sqs,
    })
}
