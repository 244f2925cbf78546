//! Index generations in a blob store: publish, load, switch, and refuse what does not check
//! out while the previous generation keeps serving.

use std::sync::Arc;

use visions_designs::store::{IndexStore, LiveIndex};
use visions_designs::{DesignIndex, corpus};
use visions_domain::ports::BlobStore;
use visions_embed::{BuiltinEmbedders, StaticEmbedder};
use visions_local::FileBlobStore;

fn index_of(count: usize) -> DesignIndex {
    let embedder = StaticEmbedder::builtin().expect("embedder");
    let designs: Vec<_> = corpus::records()
        .expect("records")
        .into_iter()
        .take(count)
        .collect();
    let vectors = designs
        .iter()
        .map(|d| embedder.embed_one(&d.search_text()))
        .collect();
    DesignIndex::new(designs, visions_embed::BUILTIN_NAME, vectors).expect("index")
}

async fn fixture() -> (tempfile::TempDir, Arc<dyn BlobStore>, IndexStore, LiveIndex) {
    let dir = tempfile::tempdir().expect("dir");
    let blobs: Arc<dyn BlobStore> = Arc::new(FileBlobStore::new(dir.path().to_owned(), ""));
    let store = IndexStore::new(blobs.clone(), "designs");
    let live = LiveIndex::new(Some(store.clone()), Arc::new(BuiltinEmbedders));
    (dir, blobs, store, live)
}

#[tokio::test]
async fn a_published_generation_is_served_and_a_newer_one_replaces_it() {
    let (_dir, _blobs, store, live) = fixture().await;
    let builtin = live.current().await;
    assert_eq!(builtin.generation, None);
    assert!(builtin.index.designs().len() >= 150);

    let manifest = store.publish(&index_of(20), "g1").await.expect("publish");
    assert_eq!(manifest.count, 20);
    live.expire();
    let first = live.current().await;
    assert_eq!(first.generation.as_deref(), Some("g1"));
    assert_eq!(first.index.designs().len(), 20);

    store.publish(&index_of(30), "g2").await.expect("publish");
    // Within the refresh interval the warm process keeps what it has.
    assert_eq!(live.current().await.generation.as_deref(), Some("g1"));
    live.expire();
    assert_eq!(live.current().await.index.designs().len(), 30);
}

#[tokio::test]
async fn a_damaged_or_missing_generation_is_refused_and_the_previous_keeps_serving() {
    let (_dir, blobs, store, live) = fixture().await;
    store.publish(&index_of(20), "good").await.expect("publish");
    live.expire();
    assert_eq!(live.current().await.generation.as_deref(), Some("good"));

    let manifest = store.publish(&index_of(25), "bad").await.expect("publish");
    let key = &manifest.objects.first().expect("object").key;
    let bytes = blobs.get(key).await.expect("get").expect("there");
    // Truncated.
    blobs
        .put(
            key,
            bytes.get(..bytes.len() / 2).unwrap_or(&[]).to_vec(),
            "x",
        )
        .await
        .expect("put");
    live.expire();
    assert_eq!(live.current().await.generation.as_deref(), Some("good"));
    assert!(store.load(&manifest).await.is_err());
    // Same length, one byte flipped.
    let mut flipped = bytes.clone();
    if let Some(b) = flipped.get_mut(100) {
        *b ^= 1;
    }
    blobs.put(key, flipped, "x").await.expect("put");
    live.expire();
    assert_eq!(live.current().await.generation.as_deref(), Some("good"));
    let error = match store.load(&manifest).await {
        Ok(_) => panic!("a flipped byte was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(error.contains("CRC-32"), "{error}");
    // Gone.
    blobs.delete(key).await.expect("delete");
    live.expire();
    assert_eq!(live.current().await.generation.as_deref(), Some("good"));
    // A manifest that is not JSON.
    blobs
        .put(
            "indexes/designs/manifest.json",
            b"{oops".to_vec(),
            "application/json",
        )
        .await
        .expect("put");
    live.expire();
    assert_eq!(live.current().await.generation.as_deref(), Some("good"));
}

#[tokio::test]
async fn an_index_built_by_an_embedder_this_process_lacks_is_not_switched_to() {
    let (_dir, _blobs, store, live) = fixture().await;
    let embedder = StaticEmbedder::builtin().expect("embedder");
    let designs: Vec<_> = corpus::records()
        .expect("records")
        .into_iter()
        .take(5)
        .collect();
    let vectors = designs
        .iter()
        .map(|d| embedder.embed_one(&d.search_text()))
        .collect();
    let foreign =
        DesignIndex::new(designs, "openai:text-embedding-3-small", vectors).expect("index");
    store.publish(&foreign, "foreign").await.expect("publish");
    live.expire();
    assert_eq!(live.current().await.generation, None);
    // Searching it with another embedder is a clear error, not unrelated vectors compared.
    let error = foreign
        .search(embedder.as_ref(), "bakery", 3, &Default::default())
        .await
        .expect_err("refused")
        .to_string();
    assert!(error.contains("openai:text-embedding-3-small"), "{error}");
}

#[tokio::test]
async fn a_generation_in_many_parts_loads_whole_and_a_missing_or_swapped_part_is_named() {
    let (_dir, blobs, _store, live) = fixture().await;
    let store = IndexStore::new(blobs.clone(), "designs").with_part_bytes(4096);
    let index = index_of(40);
    let manifest = store.publish(&index, "parts").await.expect("publish");
    assert!(
        manifest.objects.len() > 10,
        "{} parts",
        manifest.objects.len()
    );
    assert_eq!(
        manifest.objects.iter().map(|o| o.bytes).sum::<usize>(),
        index.to_bytes().len()
    );
    live.expire();
    let loaded = live.current().await;
    assert_eq!(loaded.generation.as_deref(), Some("parts"));
    assert_eq!(loaded.index.designs(), index.designs());
    assert_eq!(loaded.index.to_bytes(), index.to_bytes());

    // Two parts of the same size, swapped: each is refused by its own checksum.
    let (first, second) = match manifest.objects.as_slice() {
        [first, second, ..] => (first.clone(), second.clone()),
        _ => panic!("at least two parts"),
    };
    let a = blobs.get(&first.key).await.expect("get").expect("there");
    let b = blobs.get(&second.key).await.expect("get").expect("there");
    blobs.put(&first.key, b.clone(), "x").await.expect("put");
    blobs.put(&second.key, a.clone(), "x").await.expect("put");
    let error = match store.load(&manifest).await {
        Ok(_) => panic!("swapped parts were accepted"),
        Err(e) => e.to_string(),
    };
    assert!(
        error.contains(&first.key) && error.contains("CRC-32"),
        "{error}"
    );
    blobs.put(&first.key, a, "x").await.expect("put");
    blobs.put(&second.key, b, "x").await.expect("put");
    assert!(store.load(&manifest).await.is_ok());

    // A part gone: the error names it.
    let middle = manifest
        .objects
        .get(manifest.objects.len() / 2)
        .expect("middle");
    blobs.delete(&middle.key).await.expect("delete");
    let error = match store.load(&manifest).await {
        Ok(_) => panic!("a missing part was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(error.contains(&middle.key), "{error}");
}

/// A blob store whose reads take a while, as S3's do.
struct Slow(Arc<dyn BlobStore>);

#[async_trait::async_trait]
impl BlobStore for Slow {
    async fn put(
        &self,
        key: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<(), visions_domain::ports::StoreError> {
        self.0.put(key, bytes, content_type).await
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, visions_domain::ports::StoreError> {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        self.0.get(key).await
    }

    async fn delete(&self, key: &str) -> Result<(), visions_domain::ports::StoreError> {
        self.0.delete(key).await
    }

    fn public_url(&self, key: &str) -> String {
        self.0.public_url(key)
    }
}

#[tokio::test]
async fn a_first_search_during_the_warm_up_waits_for_its_look_and_gets_the_published_generation() {
    let (_dir, blobs, store, _live) = fixture().await;
    store.publish(&index_of(20), "g1").await.expect("publish");
    let live = Arc::new(LiveIndex::over(
        Some(Arc::new(Slow(blobs))),
        Arc::new(BuiltinEmbedders),
    ));
    live.warm_up();
    // The warm-up's look is under way (its manifest read takes 200 ms); this search comes
    // before it ends, and must not answer from the built-in corpus meanwhile.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let loaded = live.current().await;
    assert_eq!(loaded.generation.as_deref(), Some("g1"));
    assert_eq!(loaded.index.designs().len(), 20);
}
