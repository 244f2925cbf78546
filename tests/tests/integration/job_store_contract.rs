//! One contract for `JobStore` and `VersionStore`, run against both adapters: SQLite and
//! DynamoDB on moto.

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use uuid::Uuid;
use visions_api::auth::Tier;
use visions_aws::{DynamoJobStore, DynamoVersionStore};
use visions_domain::job::{Job, JobInput, JobKind, JobStatus};
use visions_domain::ports::*;
use visions_local::{SqliteDb, SqliteJobStore, SqliteVersionStore};
use visions_tests::moto;

fn job() -> Job {
    let input = JobInput {
        prompt: "A page for Acme".into(),
        model: None,
        brand: None,
        locale: "en".into(),
        variants: 1,
    };
    Job::new(
        Uuid::now_v7(),
        JobKind::Generate,
        input,
        Tier::Free,
        OffsetDateTime::now_utc(),
    )
}

fn key(key: &str, fingerprint: &str) -> Idempotency {
    Idempotency {
        key: key.into(),
        fingerprint: fingerprint.into(),
        ttl: Duration::from_secs(3600),
    }
}

async fn idempotency_keys_find_the_first_job(store: Arc<dyn JobStore>) {
    let first = job();
    assert_eq!(
        store
            .create("alice", &first, &key("k", "f1"))
            .await
            .unwrap(),
        Created::New(first.clone())
    );
    assert_eq!(
        store
            .create("alice", &job(), &key("k", "f1"))
            .await
            .unwrap(),
        Created::Existing(first.clone())
    );
    assert_eq!(
        store
            .create("alice", &job(), &key("k", "f2"))
            .await
            .unwrap(),
        Created::KeyReused
    );
    let bobs = job();
    assert_eq!(
        store.create("bob", &bobs, &key("k", "f1")).await.unwrap(),
        Created::New(bobs),
        "keys are per user"
    );
    assert_eq!(
        store.get("bob", first.id).await.unwrap(),
        None,
        "jobs are per user"
    );
}

async fn leases_decide_who_runs_a_job(store: Arc<dyn JobStore>) {
    let queued = job();
    store
        .create("alice", &queued, &key("k", "f"))
        .await
        .unwrap();
    let lease = Duration::from_secs(60);
    let Claim::Claimed(mut running) = store.claim("alice", queued.id, "w1", lease).await.unwrap()
    else {
        panic!("a queued job can be claimed");
    };
    assert_eq!((running.status, running.attempts), (JobStatus::Running, 1));
    assert_eq!(
        store.claim("alice", queued.id, "w2", lease).await.unwrap(),
        Claim::Busy
    );
    running.progress = 40;
    store.save("alice", &running, "w1", lease).await.unwrap();
    assert!(
        matches!(
            store.save("alice", &running, "w2", lease).await,
            Err(StoreError::VersionConflict)
        ),
        "only the holder writes"
    );
    store.release("alice", queued.id, "w1").await.unwrap();
    let Claim::Claimed(mut retaken) = store.claim("alice", queued.id, "w2", lease).await.unwrap()
    else {
        panic!("a released job can be claimed again");
    };
    assert_eq!((retaken.attempts, retaken.progress), (2, 40));
    retaken.status = JobStatus::Succeeded;
    store.save("alice", &retaken, "w2", lease).await.unwrap();
    assert!(matches!(
        store.claim("alice", queued.id, "w3", lease).await.unwrap(),
        Claim::Finished(_)
    ));
    assert_eq!(
        store
            .claim("alice", Uuid::now_v7(), "w3", lease)
            .await
            .unwrap(),
        Claim::Missing
    );
    assert_eq!(
        store.claim("bob", queued.id, "w3", lease).await.unwrap(),
        Claim::Missing
    );
}

fn version(project_id: Uuid) -> PageVersion {
    let page = serde_json::from_str(include_str!("../../fixtures/sample-page.json")).unwrap();
    PageVersion {
        number: 0,
        project_id,
        job_id: Uuid::now_v7(),
        page,
        html_key: "pages/x/index.html".into(),
        created_at: OffsetDateTime::now_utc(),
        quality: Default::default(),
        restored_from: None,
    }
}

async fn versions_number_from_one_and_list_newest_first(store: Arc<dyn VersionStore>) {
    let project = Uuid::now_v7();
    // Writers racing on one project still get distinct numbers.
    let (v1, v2, v3) = (version(project), version(project), version(project));
    let (a, b, c) = tokio::join!(
        store.append("alice", &v1),
        store.append("alice", &v2),
        store.append("alice", &v3)
    );
    let mut numbers = vec![a.unwrap(), b.unwrap(), c.unwrap()];
    numbers.sort();
    assert_eq!(numbers, [1, 2, 3]);
    assert_eq!(
        store
            .append("alice", &version(Uuid::now_v7()))
            .await
            .unwrap(),
        1,
        "numbers are per project"
    );
    let listed: Vec<u64> = store
        .list("alice", project, 10, None)
        .await
        .unwrap()
        .iter()
        .map(|v| v.number)
        .collect();
    assert_eq!(listed, [3, 2, 1]);
    let older: Vec<u64> = store
        .list("alice", project, 1, Some(3))
        .await
        .unwrap()
        .iter()
        .map(|v| v.number)
        .collect();
    assert_eq!(older, [2]);
    let stored = store.get("alice", project, 2).await.unwrap().unwrap();
    assert_eq!(
        (stored.number, stored.page),
        (2, version(project).page),
        "the page round-trips"
    );
    assert_eq!(store.get("bob", project, 2).await.unwrap(), None);
    assert!(
        store
            .list("bob", project, 10, None)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn sqlite() -> (Arc<dyn JobStore>, Arc<dyn VersionStore>) {
    let db = SqliteDb::in_memory().unwrap();
    (
        Arc::new(SqliteJobStore::new(db.clone())),
        Arc::new(SqliteVersionStore::new(db)),
    )
}

async fn dynamodb() -> (Arc<dyn JobStore>, Arc<dyn VersionStore>) {
    let (client, table) = (moto::dynamo_client().await, moto::table().await);
    (
        Arc::new(DynamoJobStore::new(client.clone(), &table)),
        Arc::new(DynamoVersionStore::new(client, &table)),
    )
}

macro_rules! contract {
    ($backend:ident) => {
        mod $backend {
            #[tokio::test]
            async fn idempotency_keys_find_the_first_job() {
                super::idempotency_keys_find_the_first_job(super::$backend().await.0).await
            }
            #[tokio::test]
            async fn leases_decide_who_runs_a_job() {
                super::leases_decide_who_runs_a_job(super::$backend().await.0).await
            }
            #[tokio::test]
            async fn versions_number_from_one_and_list_newest_first() {
                super::versions_number_from_one_and_list_newest_first(super::$backend().await.1)
                    .await
            }
        }
    };
}

contract!(sqlite);
contract!(dynamodb);
