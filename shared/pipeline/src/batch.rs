//! The SQS trigger: each record is one job message; the batch response lists only the
//! messages to deliver again (`ReportBatchItemFailures`), and each of those is made visible
//! again after the delay its job asked for.

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use futures::StreamExt;

use visions_domain::job::JobMessage;
use visions_domain::ports::Redelivery;

use crate::worker::{Delivery, Outcome, RETRY_DELAY, Worker};

/// Records handled at once within one batch.
const CONCURRENCY: usize = 4;

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
    redelivery: Option<&dyn Redelivery>,
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
            if let (Outcome::Retry(delay), Some(redelivery), Some(receipt)) =
                (outcome, redelivery, record.receipt_handle.as_deref())
            {
                // Without this a failed record returns after the queue's visibility timeout,
                // which exceeds the worker's lease; a failure here only delays the retry.
                if let Err(err) = redelivery.redeliver_after(receipt, delay).await {
                    tracing::error!(error = %err, "changing a message's visibility failed");
                }
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
