//! The SQS poller: what the Lambda trigger does, for `visions-ai serve` on the AWS backend
//! (an emulator, or AWS itself without Lambda).

use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use aws_sdk_sqs::types::MessageSystemAttributeName;
use tokio_util::sync::CancellationToken;
use visions_aws::SqsQueue;
use visions_pipeline::batch::handle_batch;
use visions_pipeline::worker::Worker;

/// Long-polls the queue and hands batches to [`handle_batch`], then deletes every message not
/// given back, as Lambda does with a batch response.
pub async fn poll(
    client: aws_sdk_sqs::Client,
    queue_url: String,
    worker: Arc<Worker>,
    shutdown: CancellationToken,
) {
    let redelivery = SqsQueue::new(client.clone(), &queue_url);
    let queue_url = &queue_url;
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
        let failed: Vec<String> = handle_batch(&worker, event, Some(&redelivery))
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
