//! The function's cold start on AWS: its adapters and settings, read from the variables the
//! template sets on it (and only those; see the template test in `tests/`).

use std::sync::Arc;

use visions_aws::Aws;
use visions_designs::store::LiveIndex;
use visions_domain::ports::{BlobStore, Redelivery, SecretName};
use visions_llm::embeddings::ProviderEmbedders;
use visions_model_config::ModelSettings;
use visions_pipeline::worker::Worker;

/// The worker, and the job queue that takes back the messages it could not finish. Needs a
/// Tokio runtime: the design index's first look at the store starts here.
pub fn worker(aws: &Aws) -> anyhow::Result<(Arc<Worker>, Arc<dyn Redelivery>)> {
    let settings = ModelSettings::from_lookup(aws.lookup())?;
    // The cursor key signs the address a published page's contact form posts to; provider keys
    // are read by ARN. The worker verifies no token.
    let secrets = aws.secrets(&[SecretName::CursorKey])?;
    let designs = Arc::new(LiveIndex::over(
        aws.indexes().map(|s| s as Arc<dyn BlobStore>),
        Arc::new(ProviderEmbedders::new(settings.clone(), secrets.clone())),
    ));
    designs.warm_up();
    let ports = crate::Ports {
        projects: aws.projects()?,
        jobs: aws.jobs()?,
        versions: aws.versions()?,
        blobs: aws.blobs()?,
        secrets,
        designs,
        usage: aws.usage_events()?,
    };
    let worker = crate::worker(ports, settings, aws.lookup())?;
    Ok((Arc::new(worker), aws.queue()?))
}
