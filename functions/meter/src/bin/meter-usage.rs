//! The usage-event Lambda: SQS batches of usage events in, partial batch failures out.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let aws = visions_aws::Aws::from_env().await;
    visions_aws::telemetry::init(aws.lookup());
    let credits = visions_meter::lambda::usage(&aws)?;
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
