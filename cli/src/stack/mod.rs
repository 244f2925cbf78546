//! The whole stack in one process: every function's routes merged over one set of adapters
//! (embedded by default, or AWS), the worker draining the job queue, and `/assets/…` standing
//! in for the CDN. `visions-ai serve` runs it; so do the tests.

mod assets;
pub mod drain;
pub mod gateway;
pub mod poll;
mod uploads;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use visions_api::auth::JwtVerifier;
use visions_api::cors::Cors;
use visions_aws::Aws;
use visions_designs::store::LiveIndex;
use visions_domain::asset::{AssetStore, UploadSigner};
use visions_domain::credits::{CreditStore, SettleNow, UsageEvents};
use visions_domain::keys::ApiKeyStore;
use visions_domain::ports::{
    BlobStore, JobQueue, JobStore, ProjectStore, SecretName, SecretStore, SubmissionStore,
    VersionStore,
};
use visions_llm::embeddings::ProviderEmbedders;
use visions_local::{
    FileBlobStore, LocalSecrets, LocalUploadSigner, SqliteApiKeyStore, SqliteAssetStore,
    SqliteCreditStore, SqliteDb, SqliteJobQueue, SqliteJobStore, SqliteProjectStore,
    SqliteSubmissionStore, SqliteVersionStore,
};
use visions_metering::Metering;
use visions_model_config::ModelSettings;
use visions_pipeline::worker::Worker;

pub use assets::PAGE_CSP;

use crate::config::{Backend, Config};

/// The SQLite file inside a local data folder.
pub const LOCAL_DB_FILE: &str = "visions.db";
/// The data folder's files that are never served (design-index generations).
pub const LOCAL_PRIVATE_DIR: &str = "private";
/// Where the local server serves blobs from the data folder's `blobs/`.
pub const LOCAL_ASSETS_PREFIX: &str = "/assets";

/// Where jobs wait: drained in this process from SQLite, or polled from SQS.
#[derive(Clone)]
pub enum Queue {
    Local(SqliteJobQueue),
    Sqs {
        client: aws_sdk_sqs::Client,
        queue_url: String,
    },
}

/// Every port, on one backend.
#[derive(Clone)]
pub struct Adapters {
    pub projects: Arc<dyn ProjectStore>,
    pub jobs: Arc<dyn JobStore>,
    pub versions: Arc<dyn VersionStore>,
    pub blobs: Arc<dyn BlobStore>,
    pub submissions: Arc<dyn SubmissionStore>,
    pub assets: Arc<dyn AssetStore>,
    pub queue: Arc<dyn JobQueue>,
    pub secrets: Arc<dyn SecretStore>,
    /// Design-index generations (private; never served).
    pub indexes: Option<Arc<dyn BlobStore>>,
    /// Uploaded originals (private; never served).
    pub originals: Arc<dyn BlobStore>,
    pub uploads: Arc<dyn UploadSigner>,
    pub credits: Arc<dyn CreditStore>,
    pub keys: Arc<dyn ApiKeyStore>,
    /// The local server's key checks and usage plans; API Gateway's job on AWS.
    pub gateway_keys: Option<SqliteApiKeyStore>,
}

pub struct Stack {
    pub adapters: Adapters,
    pub verifier: Arc<JwtVerifier>,
    pub models: Arc<ModelSettings>,
    pub worker: Arc<Worker>,
    pub queue: Queue,
    /// Which browser origins may call the API (`VISIONS_CORS_ORIGINS`).
    pub cors: Cors,
    /// The design index the worker and the retrieve routes share.
    pub designs: Arc<LiveIndex>,
    pub metering: Arc<Metering>,
    /// Refuse requests without an API key on protected routes (`serve --require-api-key`).
    pub require_api_key: bool,
}

impl Stack {
    /// The stack `config` names, with model settings from the environment.
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        let sdk = match config.backend {
            Backend::Aws(_) => Some(visions_aws::sdk_config().await),
            Backend::Local { .. } => None,
        };
        Self::build_with(config, sdk, visions_domain::config::env_lookup)
    }

    /// Like [`Self::build`], with the AWS SDK configuration and model settings given (tests).
    pub fn build_with(
        config: &Config,
        sdk: Option<aws_config::SdkConfig>,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Self> {
        let (adapters, queue) = match (&config.backend, sdk) {
            (Backend::Local { data_dir }, _) => {
                let db = SqliteDb::open(&data_dir.join(LOCAL_DB_FILE))?;
                let queue = SqliteJobQueue::new(db.clone());
                let secrets: Arc<dyn SecretStore> = Arc::new(LocalSecrets::new(data_dir));
                let adapters = Adapters {
                    projects: Arc::new(SqliteProjectStore::new(db.clone())),
                    jobs: Arc::new(SqliteJobStore::new(db.clone())),
                    versions: Arc::new(SqliteVersionStore::new(db.clone())),
                    submissions: Arc::new(SqliteSubmissionStore::new(db.clone())),
                    assets: Arc::new(SqliteAssetStore::new(db.clone())),
                    credits: Arc::new(SqliteCreditStore::new(db.clone())),
                    keys: Arc::new(SqliteApiKeyStore::new(db.clone())),
                    gateway_keys: Some(SqliteApiKeyStore::new(db)),
                    blobs: Arc::new(FileBlobStore::new(
                        data_dir.join("blobs"),
                        LOCAL_ASSETS_PREFIX,
                    )),
                    queue: Arc::new(queue.clone()),
                    secrets: secrets.clone(),
                    indexes: Some(Arc::new(FileBlobStore::new(
                        data_dir.join(LOCAL_PRIVATE_DIR),
                        "",
                    ))),
                    originals: Arc::new(FileBlobStore::new(data_dir.join(LOCAL_PRIVATE_DIR), "")),
                    uploads: Arc::new(LocalUploadSigner::new(secrets)),
                };
                (adapters, Queue::Local(queue))
            }
            (Backend::Aws(settings), Some(sdk)) => {
                let aws = Aws::new(sdk, settings.lookup());
                let adapters = Adapters {
                    projects: aws.projects()?,
                    jobs: aws.jobs()?,
                    versions: aws.versions()?,
                    submissions: aws.submissions()?,
                    assets: aws.assets()?,
                    blobs: aws.blobs()?,
                    queue: aws.queue()?,
                    secrets: aws.secrets(&[SecretName::JwtKey, SecretName::CursorKey])?,
                    indexes: aws.indexes().map(|s| s as Arc<dyn BlobStore>),
                    originals: aws.uploads()?,
                    uploads: aws.upload_signer()?,
                    credits: aws.credits()?,
                    keys: aws.api_keys()?,
                    gateway_keys: None,
                };
                let queue = Queue::Sqs {
                    client: aws_sdk_sqs::Client::new(&aws.sdk),
                    queue_url: settings.queue_url.clone(),
                };
                (adapters, queue)
            }
            (Backend::Aws(_), None) => anyhow::bail!("the AWS backend needs an SDK configuration"),
        };
        let models = ModelSettings::from_lookup(&lookup)?;
        let designs = Arc::new(LiveIndex::over(
            adapters.indexes.clone(),
            Arc::new(ProviderEmbedders::new(
                models.clone(),
                adapters.secrets.clone(),
            )),
        ));
        let worker = visions_worker::worker(
            visions_worker::Ports {
                projects: adapters.projects.clone(),
                jobs: adapters.jobs.clone(),
                versions: adapters.versions.clone(),
                blobs: adapters.blobs.clone(),
                secrets: adapters.secrets.clone(),
                designs: designs.clone(),
                // One process: holds are settled at once, as the meter's consumer would.
                usage: Arc::new(SettleNow(adapters.credits.clone())),
            },
            models.clone(),
            &lookup,
        )?;
        Ok(Self {
            verifier: Arc::new(JwtVerifier::new(
                config.jwt.clone(),
                adapters.secrets.clone(),
            )),
            models: Arc::new(models),
            worker: Arc::new(worker),
            cors: Cors::from_lookup(&lookup)?,
            metering: Arc::new(Metering::from_lookup(&lookup)?),
            require_api_key: false,
            designs,
            adapters,
            queue,
        })
    }

    pub fn projects_ports(&self) -> visions_projects::Ports {
        let a = &self.adapters;
        visions_projects::Ports {
            projects: a.projects.clone(),
            jobs: a.jobs.clone(),
            versions: a.versions.clone(),
            blobs: a.blobs.clone(),
            submissions: a.submissions.clone(),
            secrets: a.secrets.clone(),
            verifier: self.verifier.clone(),
            credits: a.credits.clone(),
            metering: self.metering.clone(),
        }
    }

    pub fn generate_ports(&self) -> visions_generate::Ports {
        let a = &self.adapters;
        visions_generate::Ports {
            projects: a.projects.clone(),
            jobs: a.jobs.clone(),
            versions: a.versions.clone(),
            blobs: a.blobs.clone(),
            queue: a.queue.clone(),
            secrets: a.secrets.clone(),
            verifier: self.verifier.clone(),
            models: self.models.clone(),
            credits: a.credits.clone(),
            metering: self.metering.clone(),
        }
    }

    pub fn image_ports(&self) -> visions_image::Ports {
        let pipeline = &self.worker.pipeline;
        visions_image::Ports {
            assets: self.adapters.assets.clone(),
            projects: self.adapters.projects.clone(),
            studio: pipeline.studio.clone(),
            default_model: pipeline.image_model.clone(),
            verifier: self.verifier.clone(),
            uploads: self.adapters.uploads.clone(),
            versions: self.adapters.versions.clone(),
            blobs: self.adapters.blobs.clone(),
            credits: self.adapters.credits.clone(),
            metering: self.metering.clone(),
            usage: self.usage(),
        }
    }

    /// Where stages send settlements: the credit store itself, in one process.
    fn usage(&self) -> Arc<dyn UsageEvents> {
        Arc::new(SettleNow(self.adapters.credits.clone()))
    }

    pub fn meter_ports(&self) -> visions_meter::Ports {
        visions_meter::Ports {
            credits: self.adapters.credits.clone(),
            keys: self.adapters.keys.clone(),
            secrets: self.adapters.secrets.clone(),
            verifier: self.verifier.clone(),
            metering: self.metering.clone(),
        }
    }

    pub fn optimize_ports(&self) -> visions_optimize::Ports {
        visions_optimize::Ports {
            assets: self.adapters.assets.clone(),
            originals: self.adapters.originals.clone(),
            studio: self.worker.pipeline.studio.clone(),
            metering: self.metering.clone(),
            usage: self.usage(),
        }
    }

    pub fn retrieve_ports(&self) -> visions_retrieve::Ports {
        visions_retrieve::Ports {
            index: self.designs.clone(),
            verifier: self.verifier.clone(),
        }
    }

    /// Every function's routes, and `/assets/…` as the CDN serves it.
    pub fn app(&self) -> Router {
        let assets = Router::new()
            .route("/assets/{*key}", get(assets::serve))
            .route("/robots.txt", get(assets::robots))
            .with_state(self.adapters.blobs.clone());
        // What S3 does with a presigned POST on AWS: take the file, then notify optimize.
        let uploads = Router::new()
            .route("/v1/uploads/{token}", axum::routing::post(uploads::receive))
            .layer(axum::extract::DefaultBodyLimit::max(
                uploads::MAX_FORM_BYTES,
            ))
            .with_state(uploads::Receiver {
                secrets: self.adapters.secrets.clone(),
                optimize: Arc::new(self.optimize_ports()),
            });
        let app = visions_api::finish(
            visions_projects::router()
                .with_state(self.projects_ports())
                .merge(visions_generate::router().with_state(self.generate_ports()))
                .merge(visions_retrieve::router().with_state(self.retrieve_ports()))
                .merge(visions_image::router().with_state(self.image_ports()))
                .merge(visions_meter::router().with_state(self.meter_ports()))
                .merge(uploads)
                .merge(assets),
            &self.cors,
        );
        // API Gateway checks keys before any function on AWS; locally this does.
        match &self.adapters.gateway_keys {
            Some(keys) => app.layer(axum::middleware::from_fn_with_state(
                gateway::Gateway::new(keys.clone(), self.metering.clone(), self.require_api_key),
                gateway::enforce,
            )),
            None => app,
        }
    }
}

/// The secrets of the backend `config` names (for commands that need only them).
pub async fn secrets(config: &Config) -> anyhow::Result<Arc<dyn SecretStore>> {
    Ok(match &config.backend {
        Backend::Local { data_dir } => Arc::new(LocalSecrets::new(data_dir)),
        Backend::Aws(settings) => Aws::new(visions_aws::sdk_config().await, settings.lookup())
            .secrets(&[SecretName::JwtKey, SecretName::CursorKey])?,
    })
}

/// The whole API's OpenAPI document: the system routes and every function's.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut document = visions_api::system_routes().into_openapi();
    document.merge(visions_projects::routes().into_openapi());
    document.merge(visions_generate::routes().into_openapi());
    document.merge(visions_retrieve::routes().into_openapi());
    document.merge(visions_image::routes().into_openapi());
    document.merge(visions_meter::routes().into_openapi());
    visions_api::problem::add_problem_examples(&mut document);
    document
}
