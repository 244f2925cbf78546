//! The generation worker Lambda: SQS batches of job messages in, partial batch failures out.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{LambdaEvent, service_fn};
use visions_shared::{config::Config, jobs::sqs, runtime, telemetry};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let config = Config::from_env()?;
    let runtime = runtime::build(&config).await?;
    let (worker, retry) = (runtime.worker, runtime.sqs);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let (worker, retry) = (worker.clone(), retry.clone());
        async move {
            Ok::<SqsBatchResponse, lambda_runtime::Error>(
                sqs::handle_batch(&worker, event.payload, retry.as_ref()).await,
            )
        }
    }))
    .await
}
