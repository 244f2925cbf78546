//! One contract for `ProjectStore`, run against both adapters: SQLite and DynamoDB on moto.

use std::collections::HashSet;

use time::OffsetDateTime;
use visions_aws::DynamoProjectStore;
use visions_domain::ports::{ProjectStore, StoreError};
use visions_domain::project::{NewProject, Project, ProjectPatch};
use visions_local::SqliteProjectStore;
use visions_tests::moto;

fn project(name: &str) -> Project {
    let input: NewProject = serde_json::from_value(serde_json::json!({
        "name": name,
        "description": "Small-batch coffee",
        "brand": {"colors": {"primary": "#6B3E26"}, "fonts": {"heading": "Fraunces"}, "tone": "warm", "logo_url": "https://cdn.example.com/logo.png"}
    }))
    .unwrap();
    Project::create(input, OffsetDateTime::now_utc()).unwrap()
}

async fn round_trips_every_field(store: impl ProjectStore) {
    let original = project("Acme");
    store.insert("alice", &original).await.unwrap();
    assert_eq!(
        store.get("alice", original.id).await.unwrap(),
        Some(original.clone())
    );
}

async fn keeps_owners_apart(store: impl ProjectStore) {
    let original = project("Acme");
    store.insert("alice", &original).await.unwrap();
    assert_eq!(store.get("bob", original.id).await.unwrap(), None);
    assert!(store.list("bob", 10, None).await.unwrap().items.is_empty());
    let mut stolen = original.clone();
    stolen.version = 2;
    assert!(matches!(
        store.replace("bob", &stolen, 1).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete("bob", original.id, None).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store.get("alice", original.id).await.unwrap(),
        Some(original)
    );
}

async fn refuses_duplicate_ids(store: impl ProjectStore) {
    let original = project("Acme");
    store.insert("alice", &original).await.unwrap();
    assert!(matches!(
        store.insert("alice", &original).await,
        Err(StoreError::AlreadyExists)
    ));
}

async fn replaces_only_the_expected_version(store: impl ProjectStore) {
    let original = project("Acme");
    store.insert("alice", &original).await.unwrap();
    let patch = ProjectPatch {
        name: Some("Acme Coffee".into()),
        ..Default::default()
    };
    let next = original.patched(patch, OffsetDateTime::now_utc()).unwrap();
    store.replace("alice", &next, 1).await.unwrap();
    // A second writer that also read version 1 loses.
    assert!(matches!(
        store.replace("alice", &next, 1).await,
        Err(StoreError::VersionConflict)
    ));
    assert_eq!(
        store.get("alice", original.id).await.unwrap().unwrap().name,
        "Acme Coffee"
    );
    let missing = project("Ghost");
    assert!(matches!(
        store.replace("alice", &missing, 1).await,
        Err(StoreError::NotFound)
    ));
}

async fn deletes_once(store: impl ProjectStore) {
    let original = project("Acme");
    store.insert("alice", &original).await.unwrap();
    store.delete("alice", original.id, None).await.unwrap();
    assert_eq!(store.get("alice", original.id).await.unwrap(), None);
    assert!(matches!(
        store.delete("alice", original.id, None).await,
        Err(StoreError::NotFound)
    ));
}

/// `DELETE` with `If-Match`: the version check is the delete's own condition.
async fn deletes_only_the_expected_version(store: impl ProjectStore) {
    let original = project("Acme");
    store.insert("alice", &original).await.unwrap();
    let mut changed = original.clone();
    changed.version = 2;
    store.replace("alice", &changed, 1).await.unwrap();
    assert!(matches!(
        store.delete("alice", original.id, Some(1)).await,
        Err(StoreError::VersionConflict)
    ));
    assert_eq!(
        store.get("alice", original.id).await.unwrap(),
        Some(changed)
    );
    assert!(matches!(
        store.delete("bob", original.id, Some(2)).await,
        Err(StoreError::NotFound)
    ));
    store.delete("alice", original.id, Some(2)).await.unwrap();
    assert!(matches!(
        store.delete("alice", original.id, Some(2)).await,
        Err(StoreError::NotFound)
    ));
}

async fn pages_newest_first_without_gaps_or_repeats(store: impl ProjectStore) {
    let mut created = Vec::new();
    for n in 0..7 {
        let p = project(&format!("Project {n}"));
        store.insert("alice", &p).await.unwrap();
        created.push(p.id);
    }
    store.insert("bob", &project("Bob's")).await.unwrap();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store.list("alice", 3, after).await.unwrap();
        assert!(page.items.len() <= 3);
        seen.extend(page.items.iter().map(|p| p.id));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    created.reverse();
    assert_eq!(seen, created, "every project once, newest first");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 7);
    // An exact multiple of the page size ends without an empty extra page.
    let page = store.list("alice", 7, None).await.unwrap();
    assert_eq!((page.items.len(), page.next), (7, None));
}

macro_rules! contract {
    ($backend:ident, $make:expr) => {
        mod $backend {
            use super::*;
            #[tokio::test]
            async fn round_trips_every_field() {
                super::round_trips_every_field($make).await
            }
            #[tokio::test]
            async fn keeps_owners_apart() {
                super::keeps_owners_apart($make).await
            }
            #[tokio::test]
            async fn refuses_duplicate_ids() {
                super::refuses_duplicate_ids($make).await
            }
            #[tokio::test]
            async fn replaces_only_the_expected_version() {
                super::replaces_only_the_expected_version($make).await
            }
            #[tokio::test]
            async fn deletes_only_the_expected_version() {
                super::deletes_only_the_expected_version($make).await
            }

            #[tokio::test]
            async fn deletes_once() {
                super::deletes_once($make).await
            }
            #[tokio::test]
            async fn pages_newest_first_without_gaps_or_repeats() {
                super::pages_newest_first_without_gaps_or_repeats($make).await
            }
        }
    };
}

contract!(sqlite, SqliteProjectStore::in_memory().unwrap());
contract!(
    dynamodb,
    DynamoProjectStore::new(moto::dynamo_client().await, moto::table().await)
);

#[tokio::test]
async fn sqlite_data_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("visions.db");
    let original = project("Acme");
    SqliteProjectStore::open(&path)
        .unwrap()
        .insert("alice", &original)
        .await
        .unwrap();
    let reopened = SqliteProjectStore::open(&path).unwrap();
    assert_eq!(
        reopened.get("alice", original.id).await.unwrap(),
        Some(original)
    );
}
