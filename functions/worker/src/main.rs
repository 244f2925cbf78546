//! The generation worker Lambda: SQS batches of job messages in, partial batch failures out.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let aws = visions_aws::Aws::from_env().await;
    visions_aws::telemetry::init(aws.lookup());
    let (worker, redelivery) = visions_worker::lambda::worker(&aws)?;
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
