//! The SQS trigger: each record is one job message; the batch response lists only the
//! messages to deliver again (`ReportBatchItemFailures`), and each of those is made visible
//! again after the delay its job asked for.

use std::time::Duration;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use futures::StreamExt;

use super::model::JobMessage;
use super::worker::{Delivery, Outcome, RETRY_DELAY, Worker};

/// Records handled at once within one batch.
const CONCURRENCY: usize = 4;
/// SQS's longest visibility timeout (12 hours).
const MAX_VISIBILITY: Duration = Duration::from_secs(12 * 3600);

/// Sets when a retried message comes back. Without it a failed record returns after the
/// queue's visibility timeout, which must exceed the worker's lease.
#[derive(Clone)]
pub struct RetryVisibility {
    pub client: aws_sdk_sqs::Client,
    pub queue_url: String,
}

impl RetryVisibility {
    async fn set(&self, receipt: &str, delay: Duration) {
        let secs = delay.min(MAX_VISIBILITY).as_secs();
        let result = self
            .client
            .change_message_visibility()
            .queue_url(&self.queue_url)
            .receipt_handle(receipt)
            .visibility_timeout(i32::try_from(secs).unwrap_or(i32::MAX))
            .send()
            .await;
        if let Err(err) = result {
            tracing::error!(error = %aws_sdk_sqs::error::DisplayErrorContext(err), "changing a message's visibility failed");
        }
    }
}

/// How many times SQS has delivered the record, this time included.
fn receive_count(record: &SqsMessage) -> u32 {
    record
        .attributes
        .get("ApproximateReceiveCount")
        .and_then(|count| count.parse().ok())
        .unwrap_or(1)
}

pub async fn handle_batch(
    worker: &Worker,
    event: SqsEvent,
    retry: Option<&RetryVisibility>,
) -> SqsBatchResponse {
    let outcomes: Vec<(String, Outcome)> = futures::stream::iter(event.records)
        .map(|record| async move {
            let id = record.message_id.clone().unwrap_or_default();
            let outcome = match record
                .body
                .as_deref()
                .map(serde_json::from_str::<JobMessage>)
            {
                Some(Ok(message)) => {
                    worker
                        .handle_delivery(Delivery {
                            message: &message,
                            receive_count: receive_count(&record),
                        })
                        .await
                }
                // Unreadable: fail it, so after maxReceiveCount it lands in the DLQ for a look.
                _ => {
                    tracing::error!(message_id = %id, "unreadable job message");
                    Outcome::Retry(RETRY_DELAY)
                }
            };
            if let (Outcome::Retry(delay), Some(retry), Some(receipt)) =
                (outcome, retry, record.receipt_handle.as_deref())
            {
                retry.set(receipt, delay).await;
            }
            (id, outcome)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = outcomes
        .into_iter()
        .filter(|(_, outcome)| matches!(outcome, Outcome::Retry(_)))
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
    retry: RetryVisibility,
    worker: std::sync::Arc<Worker>,
    shutdown: tokio_util::sync::CancellationToken,
) {
    use aws_sdk_sqs::types::MessageSystemAttributeName;
    let RetryVisibility { client, queue_url } = &retry;
    while !shutdown.is_cancelled() {
        let received = tokio::select! {
            result = client
                .receive_message()
                .queue_url(queue_url)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
                .send() => result,
            _ = shutdown.cancelled() => return,
        };
        let messages = match received {
            Ok(output) => output.messages.unwrap_or_default(),
            Err(err) => {
                tracing::error!(error = %aws_sdk_sqs::error::DisplayErrorContext(err), "receiving from SQS failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
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
                record.attributes = m
                    .attributes
                    .iter()
                    .flatten()
                    .map(|(name, value)| (name.as_str().to_owned(), value.clone()))
                    .collect();
                record
            })
            .collect();
        let failed: Vec<String> = handle_batch(&worker, event, Some(&retry))
            .await
            .batch_item_failures
            .into_iter()
            .map(|f| f.item_identifier)
            .collect();
        // What Lambda does with a batch response: delete every message not listed as failed.
        for message in messages {
            let Some(receipt) = message.receipt_handle else {
                continue;
            };
            if message
                .message_id
                .as_ref()
                .is_some_and(|id| failed.contains(id))
            {
                continue;
            }
            if let Err(err) = client
                .delete_message()
                .queue_url(queue_url)
                .receipt_handle(receipt)
                .send()
                .await
            {
                tracing::error!(error = %aws_sdk_sqs::error::DisplayErrorContext(err), "deleting an SQS message failed");
            }
        }
    }
}
