//! The SQS trigger: each record is one job message; the batch response lists only the
//! messages to deliver again (`ReportBatchItemFailures`).

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use futures::StreamExt;

use super::model::JobMessage;
use super::worker::{Outcome, Worker};

/// Records handled at once within one batch.
const CONCURRENCY: usize = 4;

pub async fn handle_batch(worker: &Worker, event: SqsEvent) -> SqsBatchResponse {
    let outcomes: Vec<(String, Outcome)> = futures::stream::iter(event.records)
        .map(|record| async move {
            let id = record.message_id.clone().unwrap_or_default();
            let outcome = match record
                .body
                .as_deref()
                .map(serde_json::from_str::<JobMessage>)
            {
                Some(Ok(message)) => worker.handle(&message).await,
                // Unreadable: fail it, so after maxReceiveCount it lands in the DLQ for a look.
                _ => {
                    tracing::error!(message_id = %id, "unreadable job message");
                    Outcome::Retry
                }
            };
            (id, outcome)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = outcomes
        .into_iter()
        .filter(|(_, outcome)| *outcome == Outcome::Retry)
        .map(|(id, _)| {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            failure
        })
        .collect();
    response
}

/// Long-polls the queue and hands batches to [`handle_batch`], as the Lambda trigger does:
/// for `visions-ai serve` on the AWS backend (an emulator, or AWS itself without Lambda).
pub async fn poll(
    client: aws_sdk_sqs::Client,
    queue_url: String,
    worker: std::sync::Arc<Worker>,
    shutdown: tokio_util::sync::CancellationToken,
) {
    use aws_lambda_events::event::sqs::SqsMessage;
    while !shutdown.is_cancelled() {
        let received = tokio::select! {
            result = client.receive_message().queue_url(&queue_url).max_number_of_messages(10).wait_time_seconds(1).send() => result,
            _ = shutdown.cancelled() => return,
        };
        let messages = match received {
            Ok(output) => output.messages.unwrap_or_default(),
            Err(err) => {
                tracing::error!(error = %aws_sdk_sqs::error::DisplayErrorContext(err), "receiving from SQS failed");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                continue;
            }
        };
        if messages.is_empty() {
            continue;
        }
        let mut event = SqsEvent::default();
        event.records = messages
            .iter()
            .map(|m| {
                let mut record = SqsMessage::default();
                record.message_id = m.message_id.clone();
                record.receipt_handle = m.receipt_handle.clone();
                record.body = m.body.clone();
                record
            })
            .collect();
        let failed: Vec<String> = handle_batch(&worker, event)
            .await
            .batch_item_failures
            .into_iter()
            .map(|f| f.item_identifier)
            .collect();
        for message in messages {
            let Some(receipt) = message.receipt_handle else {
                continue;
            };
            let retry = message
                .message_id
                .as_ref()
                .is_some_and(|id| failed.contains(id));
            let result = if retry {
                let delay = super::local_queue::RETRY_DELAY.as_secs() as i32;
                client
                    .change_message_visibility()
                    .queue_url(&queue_url)
                    .receipt_handle(receipt)
                    .visibility_timeout(delay)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| aws_sdk_sqs::error::DisplayErrorContext(e).to_string())
            } else {
                client
                    .delete_message()
                    .queue_url(&queue_url)
                    .receipt_handle(receipt)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| aws_sdk_sqs::error::DisplayErrorContext(e).to_string())
            };
            if let Err(err) = result {
                tracing::error!(error = %err, "settling an SQS message failed");
            }
        }
    }
}
