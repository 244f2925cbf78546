//! The generation worker Lambda: SQS batches of job messages in, partial batch failures out.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{LambdaEvent, service_fn};
use visions_aws::{Aws, telemetry};
use visions_designs::store::LiveIndex;
use visions_domain::config::env_lookup;
use visions_domain::ports::{BlobStore, Redelivery};
use visions_llm::embeddings::ProviderEmbedders;
use visions_model_config::ModelSettings;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let aws = Aws::from_env().await?;
    let settings = ModelSettings::from_lookup(env_lookup)?;
    let designs = Arc::new(LiveIndex::over(
        aws.indexes().map(|s| s as Arc<dyn BlobStore>),
        Arc::new(ProviderEmbedders::new(settings.clone(), aws.secrets())),
    )?);
    let ports = visions_worker::Ports {
        projects: aws.projects(),
        jobs: aws.jobs(),
        versions: aws.versions(),
        blobs: aws.blobs(),
        secrets: aws.secrets(),
        designs,
        usage: aws.usage_events()?,
    };
    let worker = Arc::new(visions_worker::worker(ports, settings, env_lookup)?);
    let redelivery: Arc<dyn Redelivery> = aws.queue();
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let (worker, redelivery) = (worker.clone(), redelivery.clone());
        async move {
            Ok::<SqsBatchResponse, lambda_runtime::Error>(
                visions_worker::handle_batch(&worker, event.payload, Some(redelivery.as_ref()))
                    .await,
            )
        }
    }))
    .await
}
