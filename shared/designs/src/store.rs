//! Index generations in the blob store (S3 on AWS, the data folder locally).
//!
//! Publishing writes the index file under a new generation id, in parts of [`PART_BYTES`],
//! then the manifest that names them (key, size and CRC-32 of each): readers switch only when
//! the manifest changes, and only to a file that checks out. A reader fetches the parts
//! concurrently and checks each one as it arrives, while the others are still on the way (one
//! large GET is one connection's speed; S3's guidance is parallel requests of 8–16 MB). A [`LiveIndex`] keeps the current generation across warm invocations,
//! looks at the manifest at most every [`REFRESH`], and keeps serving the previous generation
//! when a new one is missing, truncated, corrupted or made by an embedder it does not have.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde::{Deserialize, Serialize};

use visions_domain::ports::BlobStore;
use visions_embed::{Embedder, Embedders};

use crate::{DesignIndex, RetrievalError};

/// How often a warm process looks for a new generation.
pub const REFRESH: Duration = Duration::from_secs(30);
/// The name of the design index every function reads.
pub const DESIGN_INDEX: &str = "designs";
pub const INDEX_CONTENT_TYPE: &str = "application/vnd.visions.vector-index";
/// The size of an index file's parts in the store.
pub const PART_BYTES: usize = 8 << 20;
/// Parts fetched or uploaded at once.
const PARALLEL_PARTS: usize = 8;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub generation: String,
    pub embedder: String,
    pub dim: usize,
    pub count: usize,
    pub objects: Vec<ManifestObject>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestObject {
    pub key: String,
    pub bytes: usize,
    /// CRC-32 (IEEE), eight hex digits: what the index file itself is checked with, and fast
    /// enough to check a part while the next ones download.
    pub crc32: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the index store failed: {0}")]
    Backend(String),
    #[error("the manifest is unreadable: {0}")]
    Manifest(String),
    #[error("index object {key} is missing")]
    Missing { key: String },
    #[error(
        "index object {key} is {got} bytes with CRC-32 {crc32}; the manifest says {want} bytes with CRC-32 {want_crc32}"
    )]
    Mismatch {
        key: String,
        want: usize,
        got: usize,
        crc32: String,
        want_crc32: String,
    },
    #[error(transparent)]
    Retrieval(#[from] RetrievalError),
}

/// One named index's generations in a blob store.
#[derive(Clone)]
pub struct IndexStore {
    blobs: Arc<dyn BlobStore>,
    name: String,
    part_bytes: usize,
}

impl IndexStore {
    pub fn new(blobs: Arc<dyn BlobStore>, name: &str) -> Self {
        Self {
            blobs,
            name: name.to_owned(),
            part_bytes: PART_BYTES,
        }
    }

    /// Publishes in parts of `bytes` instead of [`PART_BYTES`] (at least one byte).
    pub fn with_part_bytes(mut self, bytes: usize) -> Self {
        self.part_bytes = bytes.max(1);
        self
    }

    fn manifest_key(&self) -> String {
        format!("indexes/{}/manifest.json", self.name)
    }

    /// Uploads `index` as a new generation (its parts concurrently) and points the manifest
    /// at it.
    pub async fn publish(
        &self,
        index: &DesignIndex,
        generation: &str,
    ) -> Result<Manifest, StoreError> {
        let prefix = format!("indexes/{}/{generation}", self.name);
        let objects = put_parts(
            self.blobs.as_ref(),
            &prefix,
            &index.to_bytes(),
            self.part_bytes,
        )
        .await?;
        let manifest = Manifest {
            generation: generation.to_owned(),
            embedder: index.embedder().to_owned(),
            dim: index.dim(),
            count: index.designs().len(),
            objects,
        };
        let json = serde_json::to_vec_pretty(&manifest)
            .map_err(|e| StoreError::Manifest(e.to_string()))?;
        self.blobs
            .put(&self.manifest_key(), json, "application/json")
            .await
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        Ok(manifest)
    }

    /// The current manifest, if an index was ever published.
    pub async fn manifest(&self) -> Result<Option<Manifest>, StoreError> {
        let Some(bytes) = self
            .blobs
            .get(&self.manifest_key())
            .await
            .map_err(|e| StoreError::Backend(e.to_string()))?
        else {
            return Ok(None);
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| StoreError::Manifest(e.to_string()))
    }

    /// Downloads the parts of the generation `manifest` names, [`PARALLEL_PARTS`] at a time,
    /// checks each against the manifest and the whole file against its own checksum.
    pub async fn load(&self, manifest: &Manifest) -> Result<DesignIndex, StoreError> {
        if manifest.objects.is_empty() {
            return Err(StoreError::Manifest("it names no object".into()));
        }
        let bytes = fetch_parts(self.blobs.as_ref(), &manifest.objects).await?;
        let index = DesignIndex::from_bytes(&bytes)?;
        if index.embedder() != manifest.embedder || index.dim() != manifest.dim {
            return Err(StoreError::Manifest(format!(
                "it says {} ({}), the file holds {} ({})",
                manifest.embedder,
                manifest.dim,
                index.embedder(),
                index.dim()
            )));
        }
        Ok(index)
    }
}

/// Stores `bytes` as parts of `part_bytes` under `prefix` (`prefix/00000.part`, …),
/// [`PARALLEL_PARTS`] at a time; returns their manifest entries in order.
pub async fn put_parts(
    blobs: &dyn BlobStore,
    prefix: &str,
    bytes: &[u8],
    part_bytes: usize,
) -> Result<Vec<ManifestObject>, StoreError> {
    let parts: Vec<(ManifestObject, &[u8])> = bytes
        .chunks(part_bytes.max(1))
        .enumerate()
        .map(|(i, part)| {
            let object = ManifestObject {
                key: format!("{prefix}/{i:05}.part"),
                bytes: part.len(),
                crc32: hex_crc32(part),
            };
            (object, part)
        })
        .collect();
    // The futures are made first, outside the stream's closures: a stream mapping borrowed
    // items to futures is not provably `Send`, which the functions' handlers must be.
    let puts: Vec<_> = parts
        .iter()
        .map(|(object, part)| blobs.put(&object.key, part.to_vec(), INDEX_CONTENT_TYPE))
        .collect();
    let mut puts = futures::stream::iter(puts).buffer_unordered(PARALLEL_PARTS);
    while let Some(put) = puts.next().await {
        put.map_err(|e| StoreError::Backend(e.to_string()))?;
    }
    drop(puts);
    Ok(parts.into_iter().map(|(object, _)| object).collect())
}

/// The bytes of `objects` in order, [`PARALLEL_PARTS`] fetched at a time, each checked against
/// its size and CRC-32 as it arrives.
pub async fn fetch_parts(
    blobs: &dyn BlobStore,
    objects: &[ManifestObject],
) -> Result<Vec<u8>, StoreError> {
    // Made first for the reason given in `put_parts`.
    let fetches: Vec<_> = objects
        .iter()
        .map(|object| fetch_part(blobs, object))
        .collect();
    let mut parts = futures::stream::iter(fetches).buffered(PARALLEL_PARTS);
    // Appended in order as parts arrive; never sized from the manifest, which may lie.
    let mut bytes = Vec::new();
    while let Some(part) = parts.next().await {
        bytes.extend_from_slice(&part?);
    }
    Ok(bytes)
}

async fn fetch_part(blobs: &dyn BlobStore, object: &ManifestObject) -> Result<Vec<u8>, StoreError> {
    let bytes = blobs
        .get(&object.key)
        .await
        .map_err(|e| StoreError::Backend(e.to_string()))?
        .ok_or_else(|| StoreError::Missing {
            key: object.key.clone(),
        })?;
    let crc32 = hex_crc32(&bytes);
    if bytes.len() != object.bytes || crc32 != object.crc32 {
        return Err(StoreError::Mismatch {
            key: object.key.clone(),
            want: object.bytes,
            got: bytes.len(),
            crc32,
            want_crc32: object.crc32.clone(),
        });
    }
    Ok(bytes)
}

fn hex_crc32(bytes: &[u8]) -> String {
    format!("{:08x}", crc32fast::hash(bytes))
}

/// The index a process searches, with the embedder that made it.
#[derive(Clone)]
pub struct Loaded {
    pub generation: Option<String>,
    pub index: Arc<DesignIndex>,
    pub embedder: Arc<dyn Embedder>,
}

struct State {
    /// `None`: the built-in corpus, read when first searched.
    current: Option<Loaded>,
    checked: Option<Instant>,
}

/// The current generation, kept across warm invocations (see the module comment).
pub struct LiveIndex {
    store: Option<IndexStore>,
    embedders: Arc<dyn Embedders>,
    state: RwLock<State>,
    /// Held while the store is looked at: a search that comes before the first look has ended
    /// waits for it (the store may hold a generation the built-in corpus must not stand in
    /// for), while a later one answers from the generation it has.
    looking: tokio::sync::Mutex<()>,
}

impl Loaded {
    /// The built-in corpus with the built-in embedder (both compiled in; a test reads them).
    pub fn builtin() -> Self {
        Self {
            generation: None,
            index: crate::BUILTIN.clone(),
            embedder: visions_embed::StaticEmbedder::builtin()
                .expect("the built-in embedder reads (a test checks)"),
        }
    }
}

impl LiveIndex {
    /// The generations of the design index in `indexes` (none: the built-in corpus only),
    /// starting from the built-in corpus until one is published.
    pub fn over(indexes: Option<Arc<dyn BlobStore>>, embedders: Arc<dyn Embedders>) -> Self {
        Self::new(
            indexes.map(|blobs| IndexStore::new(blobs, DESIGN_INDEX)),
            embedders,
        )
    }

    /// Serves the built-in corpus until the store has a generation.
    pub fn new(store: Option<IndexStore>, embedders: Arc<dyn Embedders>) -> Self {
        Self {
            store,
            embedders,
            state: RwLock::new(State {
                current: None,
                checked: None,
            }),
            looking: tokio::sync::Mutex::new(()),
        }
    }

    /// A cold start's head start: the first look at the store goes out in the background
    /// while this reads the built-in corpus, so the first search waits only for what is left
    /// of the look. Needs a Tokio runtime.
    pub fn warm_up(self: &Arc<Self>) {
        let live = self.clone();
        tokio::spawn(async move { live.current().await });
        drop(Loaded::builtin());
    }

    /// The index to search now; looks for a new generation when [`REFRESH`] has passed.
    pub async fn current(&self) -> Loaded {
        let (current, checked) = self.peek();
        if !Self::due(checked) {
            return current.unwrap_or_else(Loaded::builtin);
        }
        let _looking = match checked {
            None => self.looking.lock().await,
            Some(_) => match self.looking.try_lock() {
                Ok(guard) => guard,
                Err(_) => return current.unwrap_or_else(Loaded::builtin),
            },
        };
        // The look this waited for may have just ended.
        let (current, checked) = self.peek();
        if !Self::due(checked) {
            return current.unwrap_or_else(Loaded::builtin);
        }
        let generation = current.as_ref().and_then(|c| c.generation.clone());
        let next = match self.refresh(generation.as_deref()).await {
            Ok(next) => next,
            Err(error) => {
                tracing::error!(%error, ?generation, "new design index refused; the previous one keeps serving");
                None
            }
        };
        {
            let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
            // Marked when the look ends: until the first one has, every search waits for it.
            state.checked = Some(Instant::now());
            if let Some(next) = &next {
                tracing::info!(generation = ?next.generation, designs = next.index.designs().len(), "design index switched");
                state.current = Some(next.clone());
            }
        }
        next.or(current).unwrap_or_else(Loaded::builtin)
    }

    fn peek(&self) -> (Option<Loaded>, Option<Instant>) {
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        (state.current.clone(), state.checked)
    }

    fn due(checked: Option<Instant>) -> bool {
        checked.is_none_or(|t| t.elapsed() >= REFRESH)
    }

    /// Forces the next [`LiveIndex::current`] to look at the manifest.
    pub fn expire(&self) {
        self.state
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .checked = None;
    }

    async fn refresh(&self, generation: Option<&str>) -> Result<Option<Loaded>, StoreError> {
        let Some(store) = &self.store else {
            return Ok(None);
        };
        let Some(manifest) = store.manifest().await? else {
            return Ok(None);
        };
        if generation == Some(manifest.generation.as_str()) {
            return Ok(None);
        }
        let embedder = self
            .embedders
            .get(&manifest.embedder)
            .map_err(RetrievalError::from)?;
        let index = store.load(&manifest).await?;
        Ok(Some(Loaded {
            generation: Some(manifest.generation),
            index: Arc::new(index),
            embedder,
        }))
    }
}
