//! Queues on SQS: generation jobs, and usage events for the meter. Each queue's redrive policy
//! sends poison messages to a DLQ.

use std::time::Duration;

use aws_sdk_sqs::Client;
use visions_domain::credits::{UsageEvent, UsageEvents};
use visions_domain::job::JobMessage;
use visions_domain::ports::{JobQueue, Redelivery, StoreError};

/// SQS's longest visibility timeout (12 hours).
const MAX_VISIBILITY: Duration = Duration::from_secs(12 * 3600);

fn backend(err: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend(anyhow::anyhow!(
        "{}",
        aws_sdk_sqs::error::DisplayErrorContext(err)
    ))
}

#[derive(Clone)]
pub struct SqsQueue {
    client: Client,
    queue_url: String,
}

impl SqsQueue {
    pub fn new(client: Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
        }
    }
}

impl SqsQueue {
    async fn send(&self, message: &impl serde::Serialize) -> Result<(), StoreError> {
        let body = serde_json::to_string(message).map_err(|e| StoreError::Backend(e.into()))?;
        self.client
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body)
            .send()
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl JobQueue for SqsQueue {
    async fn enqueue(&self, message: &JobMessage) -> Result<(), StoreError> {
        self.send(message).await
    }
}

#[async_trait::async_trait]
impl UsageEvents for SqsQueue {
    async fn emit(&self, event: &UsageEvent) -> Result<(), StoreError> {
        self.send(event).await
    }
}

/// Sets when a message a worker gave back is delivered again.
#[async_trait::async_trait]
impl Redelivery for SqsQueue {
    async fn redeliver_after(&self, receipt: &str, delay: Duration) -> Result<(), StoreError> {
        let secs = delay.min(MAX_VISIBILITY).as_secs();
        self.client
            .change_message_visibility()
            .queue_url(&self.queue_url)
            .receipt_handle(receipt)
            .visibility_timeout(i32::try_from(secs).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(backend)?;
        Ok(())
    }
}
