//! One contract for `AssetStore`, run against both adapters: SQLite and DynamoDB on moto.

use time::OffsetDateTime;
use visions_aws::DynamoAssetStore;
use visions_domain::asset::{Asset, AssetOrigin, AssetStatus, AssetStore};
use visions_domain::page::{Picture, PictureSource};
use visions_domain::ports::StoreError;
use visions_local::{SqliteAssetStore, SqliteDb};
use visions_tests::moto;

fn asset() -> Asset {
    let mut asset = Asset::new(AssetOrigin::Generated, None, OffsetDateTime::now_utc());
    asset.prompt = Some("Sourdough loaves on a linen cloth".into());
    asset.model = Some("local:art".into());
    asset
}

async fn contract(store: impl AssetStore) {
    let mut original = asset();
    store.insert("alice", &original).await.unwrap();
    assert!(matches!(
        store.insert("alice", &original).await,
        Err(StoreError::AlreadyExists)
    ));
    assert_eq!(
        store.get("alice", original.id).await.unwrap(),
        Some(original.clone())
    );
    // Another user's asset is not there at all, and cannot be overwritten.
    assert_eq!(store.get("bob", original.id).await.unwrap(), None);
    assert!(matches!(
        store.save("bob", &original).await,
        Err(StoreError::NotFound)
    ));

    original.status = AssetStatus::Ready;
    original.picture = Some(Picture {
        asset_id: original.id.to_string(),
        width: 1600,
        height: 900,
        sources: vec![PictureSource {
            url: "/assets/images/abc-1600w.webp".into(),
            width: 1600,
            height: 900,
            bytes: 91_234,
        }],
        placeholder: "data:image/webp;base64,UklGRg==".into(),
    });
    store.save("alice", &original).await.unwrap();
    assert_eq!(
        store.get("alice", original.id).await.unwrap(),
        Some(original.clone())
    );
    let unknown = asset();
    assert!(matches!(
        store.save("alice", &unknown).await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test]
async fn sqlite_keeps_the_asset_contract() {
    contract(SqliteAssetStore::new(SqliteDb::in_memory().unwrap())).await;
}

#[tokio::test]
async fn dynamodb_keeps_the_asset_contract() {
    contract(DynamoAssetStore::new(
        moto::dynamo_client().await,
        moto::table().await,
    ))
    .await;
}
