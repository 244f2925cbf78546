//! The usage-event Lambda: SQS batches of usage events in, partial batch failures out.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{LambdaEvent, service_fn};
use visions_aws::{Aws, telemetry};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let credits = Aws::from_env().await?.credits();
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let credits = credits.clone();
        async move {
            Ok::<SqsBatchResponse, lambda_runtime::Error>(
                visions_meter::handle_usage_batch(credits.as_ref(), event.payload).await,
            )
        }
    }))
    .await
}
