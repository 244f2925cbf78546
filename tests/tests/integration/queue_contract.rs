//! One contract for the job queue — `JobQueue` sends, `Redelivery` puts a received message
//! back for later — run against both adapters: the SQLite queue and SQS on moto. Receiving is
//! each adapter's own (the local drain loop, the Lambda trigger), so the test receives the way
//! each consumer does.

use std::collections::HashSet;
use std::time::Duration;

use aws_sdk_sqs::types::MessageSystemAttributeName;
use visions_aws::SqsQueue;
use visions_domain::job::JobMessage;
use visions_domain::ports::{JobQueue, Redelivery};
use visions_local::{SqliteDb, SqliteJobQueue};
use visions_tests::moto;

/// How the test consumes a queue: what a drain loop or the SQS trigger does.
enum Consumer {
    Local(SqliteJobQueue),
    Sqs {
        client: aws_sdk_sqs::Client,
        url: String,
    },
}

struct Received {
    receipt: String,
    message: JobMessage,
    receive_count: u32,
}

impl Consumer {
    async fn receive(&self, hide_for: Duration) -> Vec<Received> {
        match self {
            Self::Local(queue) => {
                let mut out = Vec::new();
                while let Some(delivery) = queue.receive(hide_for, 5).await.unwrap() {
                    out.push(Received {
                        receipt: delivery.id.to_string(),
                        message: delivery.message.unwrap(),
                        receive_count: delivery.receive_count,
                    });
                }
                out
            }
            Self::Sqs { client, url } => {
                let output = client
                    .receive_message()
                    .queue_url(url)
                    .max_number_of_messages(10)
                    .visibility_timeout(hide_for.as_secs() as i32)
                    .message_system_attribute_names(
                        MessageSystemAttributeName::ApproximateReceiveCount,
                    )
                    .send()
                    .await
                    .unwrap();
                output
                    .messages
                    .unwrap_or_default()
                    .into_iter()
                    .map(|m| Received {
                        receipt: m.receipt_handle.clone().unwrap(),
                        message: serde_json::from_str(m.body.as_deref().unwrap()).unwrap(),
                        receive_count: m
                            .attributes
                            .as_ref()
                            .and_then(|a| {
                                a.get(&MessageSystemAttributeName::ApproximateReceiveCount)
                            })
                            .and_then(|n| n.parse().ok())
                            .unwrap(),
                    })
                    .collect()
            }
        }
    }

    async fn delete(&self, receipt: &str) {
        match self {
            Self::Local(queue) => queue.delete(receipt.parse().unwrap()).await.unwrap(),
            Self::Sqs { client, url } => {
                client
                    .delete_message()
                    .queue_url(url)
                    .receipt_handle(receipt)
                    .send()
                    .await
                    .unwrap();
            }
        }
    }
}

fn message(owner: &str) -> JobMessage {
    JobMessage {
        owner: owner.into(),
        job_id: uuid::Uuid::now_v7(),
    }
}

async fn delivers_every_message_intact(queue: impl JobQueue, consumer: Consumer) {
    let sent: Vec<JobMessage> = (0..5).map(|i| message(&format!("user-{i}"))).collect();
    for m in &sent {
        queue.enqueue(m).await.unwrap();
    }
    let mut received = Vec::new();
    for _ in 0..10 {
        received.extend(consumer.receive(Duration::from_secs(30)).await);
        if received.len() >= sent.len() {
            break;
        }
    }
    let ids: HashSet<_> = received.iter().map(|r| r.message.job_id).collect();
    assert_eq!(ids, sent.iter().map(|m| m.job_id).collect());
    for r in &received {
        let original = sent.iter().find(|m| m.job_id == r.message.job_id).unwrap();
        assert_eq!(&r.message, original);
        assert_eq!(r.receive_count, 1);
    }
}

async fn a_received_message_is_hidden_until_deleted(queue: impl JobQueue, consumer: Consumer) {
    queue.enqueue(&message("alice")).await.unwrap();
    let first = consumer.receive(Duration::from_secs(30)).await;
    assert_eq!(first.len(), 1);
    assert!(consumer.receive(Duration::from_secs(30)).await.is_empty());
    consumer.delete(&first[0].receipt).await;
    assert!(consumer.receive(Duration::ZERO).await.is_empty());
}

async fn a_message_put_back_comes_back_after_its_delay(
    queue: impl JobQueue + Redelivery,
    consumer: Consumer,
) {
    let sent = message("alice");
    queue.enqueue(&sent).await.unwrap();
    let first = consumer.receive(Duration::from_secs(30)).await;
    assert_eq!(first.len(), 1);
    queue
        .redeliver_after(&first[0].receipt, Duration::from_secs(1))
        .await
        .unwrap();
    assert!(
        consumer.receive(Duration::from_secs(30)).await.is_empty(),
        "visible before its delay"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let again = consumer.receive(Duration::from_secs(30)).await;
    assert_eq!(again.len(), 1, "not delivered again after its delay");
    assert_eq!(again[0].message, sent);
    assert_eq!(again[0].receive_count, 2);
}

async fn local() -> (SqliteJobQueue, Consumer) {
    let queue = SqliteJobQueue::new(SqliteDb::in_memory().unwrap());
    (queue.clone(), Consumer::Local(queue))
}

async fn sqs() -> (SqsQueue, Consumer) {
    let client = aws_sdk_sqs::Client::new(&moto::sdk_config().await);
    let url = client
        .create_queue()
        .queue_name(moto::unique("jobs"))
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    (
        SqsQueue::new(client.clone(), &url),
        Consumer::Sqs { client, url },
    )
}

macro_rules! contract {
    ($backend:ident) => {
        mod $backend {
            #[tokio::test]
            async fn delivers_every_message_intact() {
                let (queue, consumer) = super::$backend().await;
                super::delivers_every_message_intact(queue, consumer).await;
            }
            #[tokio::test]
            async fn a_received_message_is_hidden_until_deleted() {
                let (queue, consumer) = super::$backend().await;
                super::a_received_message_is_hidden_until_deleted(queue, consumer).await;
            }
            #[tokio::test]
            async fn a_message_put_back_comes_back_after_its_delay() {
                let (queue, consumer) = super::$backend().await;
                super::a_message_put_back_comes_back_after_its_delay(queue, consumer).await;
            }
        }
    };
}

contract!(local);
contract!(sqs);
