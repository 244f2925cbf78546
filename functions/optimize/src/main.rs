//! The optimize Lambda: SQS batches of S3 `ObjectCreated` notifications in, partial batch
//! failures out.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let aws = visions_aws::Aws::from_env().await;
    visions_aws::telemetry::init(aws.lookup());
    let ports = Arc::new(visions_optimize::lambda::ports(&aws)?);
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
