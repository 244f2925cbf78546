//! One contract for `CreditStore` (and the job store's holds), run against both adapters:
//! SQLite and DynamoDB on moto. After every scenario the balance equals the sum of the ledger.

use std::sync::Arc;

use time::{Duration, OffsetDateTime};
use visions_aws::{DynamoCreditStore, DynamoJobStore};
use visions_domain::credits::{Adjusted, CreditStore, EntryKind, Hold, Settlement};
use visions_domain::job::{Job, JobInput, JobKind};
use visions_domain::ports::{Created, Idempotency, JobStore, StoreError};
use visions_domain::tier::Tier;
use visions_local::{SqliteCreditStore, SqliteDb, SqliteJobStore};
use visions_tests::moto;

/// The invariant: the available balance is the sum of every ledger amount, and what is held is
/// the sum of the open holds.
async fn assert_balanced(store: &dyn CreditStore, owner: &str) {
    let account = store.account(owner).await.unwrap().unwrap();
    let (from, to) = window();
    let entries = store.ledger(owner, from, to, 10_000, None).await.unwrap();
    let sum: i64 = entries.iter().map(|e| e.amount).sum();
    assert_eq!(
        i64::try_from(account.balance).unwrap(),
        sum,
        "{owner}: {entries:#?}"
    );
    let held: u64 = store
        .holds(owner)
        .await
        .unwrap()
        .iter()
        .map(|h| h.amount)
        .sum();
    assert_eq!(account.held, held, "{owner}");
}

fn window() -> (OffsetDateTime, OffsetDateTime) {
    let now = OffsetDateTime::now_utc();
    (now - Duration::days(1), now + Duration::days(1))
}

async fn ledger_contract(store: Arc<dyn CreditStore>) {
    let opened = store.open("alice", Tier::Free, 25).await.unwrap();
    assert_eq!(
        (opened.balance, opened.held, opened.tier),
        (25, 0, Tier::Free)
    );
    // Opening again changes nothing: the signup grant is given once.
    assert_eq!(store.open("alice", Tier::Pro, 500).await.unwrap(), opened);

    let after = store
        .hold("alice", &Hold::new("job-1", 5, "generate a page"))
        .await
        .unwrap();
    assert_eq!((after.balance, after.held), (20, 5));
    assert!(matches!(
        store.hold("alice", &Hold::new("job-1", 5, "again")).await,
        Err(StoreError::AlreadyExists)
    ));
    assert!(matches!(
        store
            .hold("alice", &Hold::new("job-2", 21, "too much"))
            .await,
        Err(StoreError::InsufficientCredits {
            balance: 20,
            cost: 21
        })
    ));
    // Nobody else's account is touched, and a stranger has none to draw on.
    assert!(matches!(
        store.hold("bob", &Hold::new("job-3", 1, "x")).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.holds("alice").await.unwrap().len(), 1);

    let settle = Settlement::Settle {
        charged: 2,
        description: "generate a page: 1 page".into(),
    };
    let entry = store
        .settle("alice", "job-1", &settle)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (entry.kind, entry.amount, entry.charged),
        (EntryKind::Settle, 3, 2)
    );
    // Settling again (a redelivered event) finds no hold: charged once.
    assert_eq!(store.settle("alice", "job-1", &settle).await.unwrap(), None);
    let account = store.account("alice").await.unwrap().unwrap();
    assert_eq!((account.balance, account.held), (23, 0));
    // A settled reference cannot be held again.
    assert!(matches!(
        store.hold("alice", &Hold::new("job-1", 1, "replay")).await,
        Err(StoreError::AlreadyExists)
    ));

    store
        .hold("alice", &Hold::new("img-1", 3, "an image"))
        .await
        .unwrap();
    let released = store
        .settle(
            "alice",
            "img-1",
            &Settlement::Release {
                reason: "the model refused".into(),
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!((released.kind, released.amount), (EntryKind::Release, 3));

    // Adjustments: applied once per operation, never below zero.
    let added = store
        .adjust("alice", "op-1", 10, "goodwill", Tier::Free)
        .await
        .unwrap();
    assert!(matches!(added, Adjusted::Applied(ref a) if a.balance == 33));
    assert!(matches!(
        store.adjust("alice", "op-1", 10, "goodwill", Tier::Free).await.unwrap(),
        Adjusted::Repeated(ref a) if a.balance == 33
    ));
    let removed = store
        .adjust("alice", "op-2", -1000, "refund clawback", Tier::Free)
        .await
        .unwrap();
    assert!(matches!(removed, Adjusted::Applied(ref a) if a.balance == 0));
    // An adjustment for a user never seen opens their account.
    store
        .adjust("carol", "op-3", 7, "welcome", Tier::Pro)
        .await
        .unwrap();
    let carol = store.account("carol").await.unwrap().unwrap();
    assert_eq!((carol.balance, carol.tier), (7, Tier::Pro));

    let pro = store.set_tier("alice", Tier::Pro, 500).await.unwrap();
    assert_eq!((pro.tier, pro.balance), (Tier::Pro, 0));

    // The ledger, newest first, paginated; the daily totals.
    let (from, to) = window();
    let all = store.ledger("alice", from, to, 100, None).await.unwrap();
    let kinds: Vec<_> = all.iter().rev().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EntryKind::Signup,
            EntryKind::Hold,
            EntryKind::Settle,
            EntryKind::Hold,
            EntryKind::Release,
            EntryKind::Adjustment,
            EntryKind::Adjustment
        ]
    );
    let first = store.ledger("alice", from, to, 3, None).await.unwrap();
    let rest = store
        .ledger("alice", from, to, 100, first.last().map(|e| e.id))
        .await
        .unwrap();
    assert_eq!(first.len() + rest.len(), all.len());
    assert_eq!(first.first(), all.first());
    assert_eq!(rest.last(), all.last());
    let earlier = store
        .ledger("alice", from - Duration::days(3), from, 100, None)
        .await
        .unwrap();
    assert!(earlier.is_empty());
    let days = store.daily("alice", from, to).await.unwrap();
    assert_eq!(days.len(), 1);
    assert_eq!(
        (days[0].charged, days[0].granted, days[0].removed),
        (2, 35, 33)
    );
    assert!(
        store
            .ledger("bob", from, to, 100, None)
            .await
            .unwrap()
            .is_empty()
    );
    for owner in ["alice", "carol"] {
        assert_balanced(store.as_ref(), owner).await;
    }
}

fn job(held: u64) -> Job {
    let mut job = Job::new(
        uuid::Uuid::now_v7(),
        JobKind::Generate,
        JobInput {
            prompt: "A bakery in Lyon".into(),
            model: None,
            brand: None,
            locale: "en".into(),
            variants: 1,
        },
        Tier::Free,
        OffsetDateTime::now_utc(),
    );
    job.credits_held = held;
    job
}

fn key(key: &str) -> Idempotency {
    Idempotency {
        key: key.into(),
        fingerprint: "f".into(),
        ttl: std::time::Duration::from_secs(60),
    }
}

/// Balance 10, 50 concurrent jobs costing 1: exactly 10 are stored, the balance ends at 0 and
/// never goes negative; a replayed request is not held twice.
async fn concurrent_holds(credits: Arc<dyn CreditStore>, jobs: Arc<dyn JobStore>) {
    credits.open("dana", Tier::Free, 10).await.unwrap();
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let jobs = jobs.clone();
            tokio::spawn(async move { jobs.create("dana", &job(1), &key(&format!("k{i}"))).await })
        })
        .collect();
    let mut accepted = 0;
    let mut refused = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(Created::New(_)) => accepted += 1,
            Err(StoreError::InsufficientCredits { cost: 1, .. }) => refused += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((accepted, refused), (10, 40));
    let account = credits.account("dana").await.unwrap().unwrap();
    assert_eq!((account.balance, account.held), (0, 10));
    assert_eq!(credits.holds("dana").await.unwrap().len(), 10);
    assert_balanced(credits.as_ref(), "dana").await;

    // A retried request (same key) returns the first job and holds nothing more.
    credits
        .adjust("dana", "top-up", 5, "top-up", Tier::Free)
        .await
        .unwrap();
    let first = jobs.create("dana", &job(2), &key("retry")).await.unwrap();
    let Created::New(first) = first else {
        panic!("{first:?}")
    };
    let again = jobs.create("dana", &job(2), &key("retry")).await.unwrap();
    assert_eq!(again, Created::Existing(first));
    assert_eq!(credits.account("dana").await.unwrap().unwrap().balance, 3);
    // A refused job is not stored: its key stays free for a retry once credits arrive.
    let refused = jobs.create("dana", &job(4), &key("later")).await;
    assert!(matches!(
        refused,
        Err(StoreError::InsufficientCredits {
            balance: 3,
            cost: 4
        })
    ));
    credits
        .adjust("dana", "top-up-2", 1, "top-up", Tier::Free)
        .await
        .unwrap();
    assert!(matches!(
        jobs.create("dana", &job(4), &key("later")).await.unwrap(),
        Created::New(_)
    ));
    assert_balanced(credits.as_ref(), "dana").await;
}

#[tokio::test]
async fn sqlite_credits_keep_the_contract() {
    let db = SqliteDb::in_memory().unwrap();
    ledger_contract(Arc::new(SqliteCreditStore::new(db.clone()))).await;
    concurrent_holds(
        Arc::new(SqliteCreditStore::new(db.clone())),
        Arc::new(SqliteJobStore::new(db)),
    )
    .await;
}

#[tokio::test]
async fn dynamodb_credits_keep_the_contract() {
    let table = moto::table().await;
    let client = moto::dynamo_client().await;
    ledger_contract(Arc::new(DynamoCreditStore::new(client, &table))).await;
    // Concurrency on the emulator that serializes requests, as DynamoDB serializes
    // transactions (see `moto::serial_endpoint`).
    let (client, table) = moto::serial_table().await;
    concurrent_holds(
        Arc::new(DynamoCreditStore::new(client.clone(), &table)),
        Arc::new(DynamoJobStore::new(client, &table)),
    )
    .await;
}
