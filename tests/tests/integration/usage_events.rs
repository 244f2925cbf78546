//! Usage events end to end on the emulator: a stage sends a settlement to SQS, the meter's
//! consumer applies it from the Lambda's SQS event; delivered five times, it is charged once.

use aws_lambda_events::event::sqs::SqsEvent;
use visions_aws::{DynamoCreditStore, SqsQueue};
use visions_domain::credits::{CreditStore, EntryKind, Hold, Settlement, UsageEvent, UsageEvents};
use visions_domain::tier::Tier;
use visions_meter::handle_usage_batch;
use visions_tests::moto;

fn recorded_event() -> SqsEvent {
    let raw = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../events/sqs/usage-event.json"
    ))
    .unwrap();
    serde_json::from_str(&raw).unwrap()
}

#[tokio::test]
async fn a_settlement_delivered_five_times_is_charged_once() {
    let sdk = moto::sdk_config().await;
    let table = moto::table().await;
    let credits = DynamoCreditStore::new(aws_sdk_dynamodb::Client::new(&sdk), &table);
    credits.open("alice", Tier::Free, 25).await.unwrap();
    let reference = uuid::Uuid::now_v7().to_string();
    credits
        .hold("alice", &Hold::new(&reference, 5, "generate a page"))
        .await
        .unwrap();

    // The worker's side: the settlement goes on the usage queue.
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let queue_url = sqs
        .create_queue()
        .queue_name(moto::unique("usage"))
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let event = UsageEvent {
        owner: "alice".into(),
        reference: reference.clone(),
        settlement: Settlement::Settle {
            charged: 2,
            description: "generate a page (local:composer)".into(),
        },
    };
    SqsQueue::new(sqs.clone(), &queue_url)
        .emit(&event)
        .await
        .unwrap();
    let received = sqs
        .receive_message()
        .queue_url(&queue_url)
        .send()
        .await
        .unwrap();
    let message = received.messages().first().unwrap();

    // The meter's side: the Lambda event as SQS delivers it, five times over (redeliveries),
    // the last with a message that is not a usage event beside it.
    let mut lambda_event = recorded_event();
    let mut record = lambda_event.records[0].clone();
    record.message_id = message.message_id.clone();
    record.body = message.body.clone();
    for delivery in 0..5 {
        let mut batch = lambda_event.clone();
        batch.records = vec![record.clone()];
        if delivery == 4 {
            batch.records.push(lambda_event.records[1].clone());
        }
        let response = handle_usage_batch(&credits, batch).await;
        let failed: Vec<_> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.clone())
            .collect();
        let expected: Vec<String> = if delivery == 4 {
            vec!["c41a9e62-0f1d-4b7a-8e55-6d2c9b3f0a88".into()]
        } else {
            Vec::new()
        };
        assert_eq!(failed, expected, "delivery {delivery}");
    }
    let account = credits.account("alice").await.unwrap().unwrap();
    assert_eq!((account.balance, account.held), (23, 0));
    let now = time::OffsetDateTime::now_utc();
    let ledger = credits
        .ledger(
            "alice",
            now - time::Duration::hours(1),
            now + time::Duration::hours(1),
            100,
            None,
        )
        .await
        .unwrap();
    let settles: Vec<_> = ledger
        .iter()
        .filter(|e| e.kind == EntryKind::Settle)
        .collect();
    assert_eq!(settles.len(), 1);
    assert_eq!((settles[0].charged, settles[0].amount), (2, 3));
    let sum: i64 = ledger.iter().map(|e| e.amount).sum();
    assert_eq!(
        i64::try_from(account.balance).ok(),
        Some(sum),
        "the balance is the ledger's sum"
    );

    // An event whose hold is gone (here: an owner with no account at all) changes nothing and
    // is done.
    lambda_event.records.truncate(1);
    lambda_event.records[0].body = Some(
        serde_json::to_string(&UsageEvent {
            owner: "nobody".into(),
            ..event
        })
        .unwrap(),
    );
    let response = handle_usage_batch(&credits, lambda_event).await;
    assert!(
        response.batch_item_failures.is_empty(),
        "no hold to settle: nothing to do"
    );
}
