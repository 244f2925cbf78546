//! The worker function: takes SQS batches of job messages, runs the generation pipeline for
//! each (see `visions-pipeline`), and answers with the messages to deliver again.

pub mod lambda;

use std::sync::Arc;

use visions_agents::ModelRouting;
use visions_assets::{ImageModels, Studio};
use visions_composer::Composer;
use visions_designs::store::LiveIndex;
use visions_domain::credits::UsageEvents;
use visions_domain::ports::{BlobStore, JobStore, ProjectStore, SecretStore, VersionStore};
use visions_llm::images::ProviderImageModels;
use visions_llm::registry::ModelRegistry;
use visions_metering::Metering;
use visions_model_config::ModelSettings;
use visions_pipeline::pipeline::{COPY_CONCURRENCY, JOB_BUDGET, Pipeline};
use visions_pipeline::worker::{JOB_LEASE, Worker};

pub use visions_pipeline::batch::handle_batch;

/// The ports the pipeline and its worker use.
/// Image calls in flight at once for one job: providers rate-limit images per minute, and
/// each optimize takes a core.
pub const IMAGE_CONCURRENCY: usize = 3;

pub struct Ports {
    pub projects: Arc<dyn ProjectStore>,
    pub jobs: Arc<dyn JobStore>,
    pub versions: Arc<dyn VersionStore>,
    pub blobs: Arc<dyn BlobStore>,
    /// Model providers' API keys named by ARN, and the key that signs form addresses.
    pub secrets: Arc<dyn SecretStore>,
    /// The design index (see `visions_designs::store::LiveIndex::over`).
    pub designs: Arc<LiveIndex>,
    /// Where finished jobs' settlements go (the meter's queue).
    pub usage: Arc<dyn UsageEvents>,
}

/// The worker as the Lambda (and the local server) runs it, over the models `settings` offers;
/// the per-tier model chains are read through `lookup` (the environment, or a test's map).
pub fn worker(
    ports: Ports,
    settings: ModelSettings,
    lookup: impl Fn(&str) -> Option<String>,
) -> anyhow::Result<Worker> {
    let routing = ModelRouting::from_lookup(&lookup).map_err(anyhow::Error::msg)?;
    let metering = Arc::new(Metering::from_lookup(&lookup)?);
    let image_model = settings.image_model.clone();
    let studio = Arc::new(Studio::new(
        ImageModels::new(ProviderImageModels::new(
            settings.clone(),
            ports.secrets.clone(),
        )),
        ports.blobs.clone(),
    ));
    // A misconfigured image model stops the start, not every job.
    studio
        .models
        .get(&image_model)
        .map_err(|e| anyhow::anyhow!("VISIONS_IMAGE_MODEL: {e}"))?;
    let registry = Arc::new(ModelRegistry::new(
        settings,
        ports.secrets.clone(),
        Arc::new(Composer::default()),
    ));
    let pipeline = Arc::new(Pipeline {
        projects: ports.projects,
        versions: ports.versions,
        blobs: ports.blobs,
        registry,
        routing,
        designs: ports.designs,
        copy_concurrency: COPY_CONCURRENCY,
        budget: JOB_BUDGET,
        secrets: ports.secrets,
        // Where published pages' contact forms post; empty when the API serves the pages too.
        public_api_url: lookup("VISIONS_PUBLIC_API_URL").unwrap_or_default(),
        studio,
        image_model,
        metering,
        image_concurrency: IMAGE_CONCURRENCY,
    });
    Ok(Worker::new(ports.jobs, pipeline, ports.usage, JOB_LEASE))
}
