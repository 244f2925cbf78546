//! One contract for `BlobStore`, run against both adapters: files in a data folder and S3 on
//! moto.

use visions_aws::S3BlobStore;
use visions_domain::ports::BlobStore;
use visions_local::FileBlobStore;
use visions_tests::moto;

async fn round_trips_bytes_and_overwrites(store: impl BlobStore) {
    let key = "pages/0190c5a0/v1/index.html";
    store
        .put(
            key,
            b"<!doctype html>one".to_vec(),
            "text/html; charset=utf-8",
        )
        .await
        .unwrap();
    assert_eq!(
        store.get(key).await.unwrap().as_deref(),
        Some(&b"<!doctype html>one"[..])
    );
    let binary: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    store.put(key, binary.clone(), "image/webp").await.unwrap();
    assert_eq!(store.get(key).await.unwrap(), Some(binary));
}

async fn reads_a_range_of_a_blob(store: impl BlobStore) {
    let key = "indexes/designs/g1/00000.part";
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    store
        .put(key, bytes.clone(), "application/octet-stream")
        .await
        .unwrap();
    for (start, len) in [(0, 1), (1_000, 1_536), (69_000, 1_000), (0, 70_000)] {
        let want = bytes.get(start..start + len).unwrap();
        let got = store
            .get_range(key, start as u64, len as u64)
            .await
            .unwrap();
        assert_eq!(got.as_deref(), Some(want), "{start}+{len}");
    }
    // Past the end: what there is, then nothing.
    let got = store.get_range(key, 69_990, 100).await.unwrap();
    assert_eq!(got.as_deref(), bytes.get(69_990..));
    assert_eq!(
        store.get_range(key, 70_000, 10).await.unwrap(),
        Some(Vec::new())
    );
    assert_eq!(store.get_range(key, 5, 0).await.unwrap(), Some(Vec::new()));
    assert_eq!(store.get_range("indexes/none", 0, 10).await.unwrap(), None);
    assert_eq!(store.get_range("../etc/passwd", 0, 10).await.unwrap(), None);
}

async fn a_missing_blob_is_none_and_deleting_it_is_not_an_error(store: impl BlobStore) {
    assert_eq!(store.get("pages/none/index.html").await.unwrap(), None);
    store.delete("pages/none/index.html").await.unwrap();
}

async fn deletes_what_it_stored(store: impl BlobStore) {
    let key = "pages/a/index.html";
    store.put(key, b"x".to_vec(), "text/html").await.unwrap();
    store.delete(key).await.unwrap();
    assert_eq!(store.get(key).await.unwrap(), None);
    store.delete(key).await.unwrap();
}

async fn a_prefix_is_no_blob(store: impl BlobStore) {
    store
        .put("pages/b/index.html", b"x".to_vec(), "text/html")
        .await
        .unwrap();
    assert_eq!(store.get("pages/b").await.unwrap(), None);
    assert_eq!(store.get("pages").await.unwrap(), None);
}

async fn refuses_keys_that_escape(store: impl BlobStore) {
    for bad in [
        "../secrets/jwt-key",
        "/etc/passwd",
        "a//b",
        "a/./b",
        "a b",
        "",
    ] {
        assert!(
            store.put(bad, b"x".to_vec(), "text/plain").await.is_err(),
            "{bad:?} was stored"
        );
        assert_eq!(store.get(bad).await.unwrap(), None, "{bad:?} was read");
        assert!(store.delete(bad).await.is_err(), "{bad:?} was deleted");
    }
}

async fn serves_each_key_at_its_own_url(store: impl BlobStore) {
    let one = store.public_url("pages/a/index.html");
    let two = store.public_url("pages/b/index.html");
    assert!(one.ends_with("/pages/a/index.html"), "{one}");
    assert_ne!(one, two);
}

macro_rules! contract {
    ($backend:ident, $store:expr) => {
        mod $backend {
            use super::*;

            #[tokio::test]
            async fn round_trips_bytes_and_overwrites() {
                let (_folder, store) = $store;
                super::round_trips_bytes_and_overwrites(store).await;
            }
            #[tokio::test]
            async fn reads_a_range_of_a_blob() {
                let (_folder, store) = $store;
                super::reads_a_range_of_a_blob(store).await;
            }

            #[tokio::test]
            async fn a_missing_blob_is_none_and_deleting_it_is_not_an_error() {
                let (_folder, store) = $store;
                super::a_missing_blob_is_none_and_deleting_it_is_not_an_error(store).await;
            }
            #[tokio::test]
            async fn deletes_what_it_stored() {
                let (_folder, store) = $store;
                super::deletes_what_it_stored(store).await;
            }
            #[tokio::test]
            async fn a_prefix_is_no_blob() {
                let (_folder, store) = $store;
                super::a_prefix_is_no_blob(store).await;
            }
            #[tokio::test]
            async fn refuses_keys_that_escape() {
                let (_folder, store) = $store;
                super::refuses_keys_that_escape(store).await;
            }
            #[tokio::test]
            async fn serves_each_key_at_its_own_url() {
                let (_folder, store) = $store;
                super::serves_each_key_at_its_own_url(store).await;
            }
        }
    };
}

/// A store over a fresh folder, removed when the test drops the guard.
fn files() -> (tempfile::TempDir, FileBlobStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = FileBlobStore::new(dir.path().to_owned(), "/assets");
    (dir, store)
}

async fn s3() -> ((), S3BlobStore) {
    let sdk = moto::sdk_config().await;
    let client = visions_aws::s3_client(&sdk);
    let bucket = moto::unique("blobs");
    client.create_bucket().bucket(&bucket).send().await.unwrap();
    (
        (),
        S3BlobStore::new(client, &bucket, "https://cdn.example.com"),
    )
}

contract!(files, files());
contract!(s3, s3().await);
