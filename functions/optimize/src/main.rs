//! The optimize Lambda: SQS batches of S3 `ObjectCreated` notifications in, partial batch
//! failures out.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{LambdaEvent, service_fn};
use visions_assets::{ImageModels, Studio};
use visions_aws::{Aws, telemetry};
use visions_domain::config::env_lookup;
use visions_llm::images::ProviderImageModels;
use visions_metering::Metering;
use visions_model_config::ModelSettings;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let aws = Aws::from_env().await?;
    let originals = aws
        .uploads()
        .ok_or("VISIONS_UPLOADS_BUCKET is required by the optimize function")?;
    let settings = ModelSettings::from_lookup(env_lookup)?;
    let ports = Arc::new(visions_optimize::Ports {
        assets: aws.assets(),
        originals,
        studio: Arc::new(Studio::new(
            ImageModels::new(ProviderImageModels::new(settings, aws.secrets())),
            aws.blobs(),
        )),
        metering: Arc::new(Metering::from_lookup(env_lookup)?),
        usage: aws.usage_events()?,
    });
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let ports = ports.clone();
        async move {
            Ok::<SqsBatchResponse, lambda_runtime::Error>(
                visions_optimize::handle_batch(&ports, event.payload).await,
            )
        }
    }))
    .await
}
