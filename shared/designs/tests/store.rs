//! Index generations in a blob store: publish, load, switch, and refuse what does not check
//! out while the previous generation keeps serving.

use std::sync::Arc;

use visions_designs::store::{IndexStore, LiveIndex, Manifest};
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
    assert!(builtin.index.len() >= 150);

    let manifest = store.publish(&index_of(20), "g1").await.expect("publish");
    assert_eq!(manifest.count, 20);
    live.expire();
    let first = live.current().await;
    assert_eq!(first.generation.as_deref(), Some("g1"));
    assert_eq!(first.index.len(), 20);

    store.publish(&index_of(30), "g2").await.expect("publish");
    // Within the refresh interval the warm process keeps what it has.
    assert_eq!(live.current().await.generation.as_deref(), Some("g1"));
    live.expire();
    assert_eq!(live.current().await.index.len(), 30);
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
    *flipped.get_mut(bytes.len() / 2).expect("a byte") ^= 1;
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
        index.to_bytes().expect("whole").len()
    );
    live.expire();
    let loaded = settled(&live).await.expect("read whole in time");
    assert_eq!(loaded.generation.as_deref(), Some("parts"));
    assert!(loaded.index.designs().eq(index.designs()));
    assert_eq!(loaded.index.to_bytes().ok(), index.to_bytes().ok());

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

/// A blob store over another whose reads take `delay`, as S3's do, and which counts ranged
/// reads, as a lazily opened index makes them.
struct Observed {
    inner: Arc<dyn BlobStore>,
    delay: std::time::Duration,
    ranges: std::sync::atomic::AtomicUsize,
}

impl Observed {
    fn new(inner: Arc<dyn BlobStore>, delay: std::time::Duration) -> Arc<Self> {
        Arc::new(Self {
            inner,
            delay,
            ranges: Default::default(),
        })
    }
}

#[async_trait::async_trait]
impl BlobStore for Observed {
    async fn put(
        &self,
        key: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<(), visions_domain::ports::StoreError> {
        self.inner.put(key, bytes, content_type).await
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, visions_domain::ports::StoreError> {
        tokio::time::sleep(self.delay).await;
        self.inner.get(key).await
    }

    async fn get_range(
        &self,
        key: &str,
        start: u64,
        len: u64,
    ) -> Result<Option<Vec<u8>>, visions_domain::ports::StoreError> {
        self.ranges
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        tokio::time::sleep(self.delay).await;
        self.inner.get_range(key, start, len).await
    }

    async fn delete(&self, key: &str) -> Result<(), visions_domain::ports::StoreError> {
        self.inner.delete(key).await
    }

    fn public_url(&self, key: &str) -> String {
        self.inner.public_url(key)
    }
}

#[tokio::test]
async fn a_first_search_during_the_warm_up_waits_for_its_look_and_gets_the_published_generation() {
    let (_dir, blobs, store, _live) = fixture().await;
    store.publish(&index_of(20), "g1").await.expect("publish");
    let live = Arc::new(LiveIndex::over(
        Some(Observed::new(blobs, std::time::Duration::from_millis(200))),
        Arc::new(BuiltinEmbedders),
    ));
    live.warm_up();
    // The warm-up's look is under way (its manifest read takes 200 ms); this search comes
    // before it ends, and must not answer from the built-in corpus meanwhile.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let loaded = live.current().await;
    assert_eq!(loaded.generation.as_deref(), Some("g1"));
    assert_eq!(loaded.index.len(), 20);
}

/// An index of 60 designs published in 4 KiB parts, so its f32 rows fill parts of their own.
async fn published_in_small_parts(blobs: &Arc<dyn BlobStore>) -> (DesignIndex, Manifest) {
    let store = IndexStore::new(blobs.clone(), "designs").with_part_bytes(4096);
    let index = index_of(60);
    let manifest = store.publish(&index, "big").await.expect("publish");
    (index, manifest)
}

/// The parts that hold nothing but f32 rows: what a cold start leaves for later.
fn rows_only_parts(index: &DesignIndex, manifest: &Manifest) -> Vec<String> {
    let layout = index.layout().expect("a layout");
    let mut start = 0;
    let mut keys = Vec::new();
    for object in &manifest.objects {
        if start >= layout.header && start + object.bytes <= layout.rows_end {
            keys.push(object.key.clone());
        }
        start += object.bytes;
    }
    keys
}

/// What `live` serves once the background read of a lazily opened generation has ended (`None`
/// if it has not within five seconds).
async fn settled(live: &LiveIndex) -> Option<visions_designs::store::Loaded> {
    for _ in 0..500 {
        let loaded = live.current().await;
        if !loaded.index.is_lazy() {
            return Some(loaded);
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    None
}

#[tokio::test]
async fn a_cold_start_searches_a_large_generation_before_its_rows_are_in_then_swaps_in_the_checked_whole()
 {
    let dir = tempfile::tempdir().expect("dir");
    let files: Arc<dyn BlobStore> = Arc::new(FileBlobStore::new(dir.path().to_owned(), ""));
    let (index, manifest) = published_in_small_parts(&files).await;
    assert!(rows_only_parts(&index, &manifest).len() > 5);
    let counting = Observed::new(files, std::time::Duration::ZERO);
    let live = LiveIndex::over(Some(counting.clone()), Arc::new(BuiltinEmbedders));
    let embedder = StaticEmbedder::builtin().expect("embedder");

    let loaded = live.current().await;
    assert_eq!(loaded.generation.as_deref(), Some("big"));
    assert!(loaded.index.is_lazy());
    assert!(loaded.index.designs().eq(index.designs()));
    for query in [
        "artisan bakery pre-orders",
        "B2B analytics platform free trial",
        "cours de yoga pour débutants",
        "emergency plumber call now",
    ] {
        let filter = Default::default();
        let got = loaded
            .index
            .search(embedder.as_ref(), query, 5, &filter)
            .await
            .expect("searches");
        let want = index
            .search(embedder.as_ref(), query, 5, &filter)
            .await
            .expect("searches");
        let pairs = |m: &[visions_designs::Match<'_>]| -> Vec<(String, f32)> {
            m.iter().map(|m| (m.design.id.clone(), m.score)).collect()
        };
        assert_eq!(pairs(&got), pairs(&want), "{query}");
    }
    assert!(counting.ranges.load(std::sync::atomic::Ordering::SeqCst) > 0);

    let whole = settled(&live).await.expect("read whole in time");
    assert_eq!(whole.generation.as_deref(), Some("big"));
    assert_eq!(whole.index.to_bytes().ok(), index.to_bytes().ok());
}

#[tokio::test]
async fn rows_damaged_in_the_store_are_never_ranked_and_the_built_in_corpus_takes_over() {
    let (_dir, blobs, _store, live) = fixture().await;
    let (index, manifest) = published_in_small_parts(&blobs).await;
    // Every rows-only part overwritten with zeros of the same size: nothing a cold start
    // reads at open time changes, so only the rows' own check and the whole file's find it.
    for key in rows_only_parts(&index, &manifest) {
        let size = blobs.get(&key).await.expect("get").expect("there").len();
        blobs.put(&key, vec![0; size], "x").await.expect("put");
    }
    let loaded = live.current().await;
    assert_eq!(loaded.generation.as_deref(), Some("big"));
    let embedder = StaticEmbedder::builtin().expect("embedder");
    let error = loaded
        .index
        .search(embedder.as_ref(), "artisan bakery", 3, &Default::default())
        .await
        .expect_err("damaged rows are refused")
        .to_string();
    assert!(error.contains("does not match its int8 code"), "{error}");

    let settled = settled(&live).await.expect("read whole in time");
    assert_eq!(settled.generation, None);
    assert!(settled.index.len() >= 150);
    // Later looks read a generation whole and refuse it before switching.
    live.expire();
    assert_eq!(live.current().await.generation, None);
}

#[tokio::test]
async fn after_the_first_look_a_new_generation_is_read_whole_before_it_serves() {
    let (_dir, blobs, _store, live) = fixture().await;
    assert_eq!(live.current().await.generation, None);
    published_in_small_parts(&blobs).await;
    live.expire();
    let loaded = live.current().await;
    assert_eq!(loaded.generation.as_deref(), Some("big"));
    assert!(!loaded.index.is_lazy());
}
