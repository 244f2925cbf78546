//! The job queue on SQS. The queue's redrive policy sends poison messages to a DLQ.

use aws_sdk_sqs::Client;

use crate::jobs::model::JobMessage;
use crate::store::{JobQueue, StoreError};

#[derive(Clone)]
pub struct SqsJobQueue {
    client: Client,
    queue_url: String,
}

impl SqsJobQueue {
    pub fn new(client: Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
        }
    }
}

#[async_trait::async_trait]
impl JobQueue for SqsJobQueue {
    async fn enqueue(&self, message: &JobMessage) -> Result<(), StoreError> {
        let body = serde_json::to_string(message).map_err(|e| StoreError::Backend(e.into()))?;
        self.client
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body)
            .send()
            .await
            .map_err(|err| {
                StoreError::Backend(anyhow::anyhow!(
                    "{}",
                    aws_sdk_sqs::error::DisplayErrorContext(err)
                ))
            })?;
        Ok(())
    }
}
