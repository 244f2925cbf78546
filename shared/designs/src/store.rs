//! Index generations in the blob store (S3 on AWS, the data folder locally).
//!
//! Publishing writes the index file under a new generation id, then the manifest that names
//! it (key, size, SHA-256): readers switch only when the manifest changes, and only to a file
//! that checks out. A [`LiveIndex`] keeps the current generation across warm invocations,
//! looks at the manifest at most every [`REFRESH`], and keeps serving the previous generation
//! when a new one is missing, truncated, corrupted or made by an embedder it does not have.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use visions_domain::ports::BlobStore;
use visions_embed::{Embedder, Embedders};

use crate::{DesignIndex, RetrievalError};

/// How often a warm process looks for a new generation.
pub const REFRESH: Duration = Duration::from_secs(30);
/// The name of the design index every function reads.
pub const DESIGN_INDEX: &str = "designs";
pub const INDEX_CONTENT_TYPE: &str = "application/vnd.visions.vector-index";

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
    pub sha256: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the index store failed: {0}")]
    Backend(String),
    #[error("the manifest is unreadable: {0}")]
    Manifest(String),
    #[error("index object {key} is missing")]
    Missing { key: String },
    #[error("index object {key} is {got} bytes with SHA-256 {sha}; the manifest says {want} bytes")]
    Mismatch {
        key: String,
        want: usize,
        got: usize,
        sha: String,
    },
    #[error(transparent)]
    Retrieval(#[from] RetrievalError),
}

/// One named index's generations in a blob store.
#[derive(Clone)]
pub struct IndexStore {
    blobs: Arc<dyn BlobStore>,
    name: String,
}

impl IndexStore {
    pub fn new(blobs: Arc<dyn BlobStore>, name: &str) -> Self {
        Self {
            blobs,
            name: name.to_owned(),
        }
    }

    fn manifest_key(&self) -> String {
        format!("indexes/{}/manifest.json", self.name)
    }

    /// Uploads `index` as a new generation and points the manifest at it.
    pub async fn publish(
        &self,
        index: &DesignIndex,
        generation: &str,
    ) -> Result<Manifest, StoreError> {
        let bytes = index.to_bytes();
        let key = format!("indexes/{}/{generation}.vsi", self.name);
        let manifest = Manifest {
            generation: generation.to_owned(),
            embedder: index.embedder().to_owned(),
            dim: index.dim(),
            count: index.designs().len(),
            objects: vec![ManifestObject {
                key: key.clone(),
                bytes: bytes.len(),
                sha256: hex_sha256(&bytes),
            }],
        };
        let backend = |e: visions_domain::ports::StoreError| StoreError::Backend(e.to_string());
        self.blobs
            .put(&key, bytes, INDEX_CONTENT_TYPE)
            .await
            .map_err(backend)?;
        let json = serde_json::to_vec_pretty(&manifest)
            .map_err(|e| StoreError::Manifest(e.to_string()))?;
        self.blobs
            .put(&self.manifest_key(), json, "application/json")
            .await
            .map_err(backend)?;
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

    /// Downloads and checks the generation `manifest` names.
    pub async fn load(&self, manifest: &Manifest) -> Result<DesignIndex, StoreError> {
        let object = manifest
            .objects
            .first()
            .ok_or_else(|| StoreError::Manifest("it names no object".into()))?;
        let bytes = self
            .blobs
            .get(&object.key)
            .await
            .map_err(|e| StoreError::Backend(e.to_string()))?
            .ok_or_else(|| StoreError::Missing {
                key: object.key.clone(),
            })?;
        let sha = hex_sha256(&bytes);
        if bytes.len() != object.bytes || sha != object.sha256 {
            return Err(StoreError::Mismatch {
                key: object.key.clone(),
                want: object.bytes,
                got: bytes.len(),
                sha,
            });
        }
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

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The index a process searches, with the embedder that made it.
#[derive(Clone)]
pub struct Loaded {
    pub generation: Option<String>,
    pub index: Arc<DesignIndex>,
    pub embedder: Arc<dyn Embedder>,
}

struct State {
    current: Loaded,
    checked: Option<Instant>,
}

/// The current generation, kept across warm invocations (see the module comment).
pub struct LiveIndex {
    store: Option<IndexStore>,
    embedders: Arc<dyn Embedders>,
    state: RwLock<State>,
}

impl Loaded {
    /// The built-in corpus with the built-in embedder.
    pub fn builtin() -> Result<Self, RetrievalError> {
        Ok(Self {
            generation: None,
            index: crate::BUILTIN.clone(),
            embedder: visions_embed::StaticEmbedder::builtin()?,
        })
    }
}

impl LiveIndex {
    /// The generations of the design index in `indexes` (none: the built-in corpus only),
    /// starting from the built-in corpus until one is published.
    pub fn over(
        indexes: Option<Arc<dyn BlobStore>>,
        embedders: Arc<dyn Embedders>,
    ) -> Result<Self, RetrievalError> {
        Ok(Self::new(
            indexes.map(|blobs| IndexStore::new(blobs, DESIGN_INDEX)),
            embedders,
            Loaded::builtin()?,
        ))
    }

    /// Only the built-in corpus, never switching.
    pub fn builtin() -> Result<Self, RetrievalError> {
        Ok(Self::new(
            None,
            Arc::new(visions_embed::BuiltinEmbedders),
            Loaded::builtin()?,
        ))
    }

    /// Starts from `initial` (the built-in corpus) until the store has a generation.
    pub fn new(store: Option<IndexStore>, embedders: Arc<dyn Embedders>, initial: Loaded) -> Self {
        Self {
            store,
            embedders,
            state: RwLock::new(State {
                current: initial,
                checked: None,
            }),
        }
    }

    /// The index to search now; looks for a new generation when [`REFRESH`] has passed.
    pub async fn current(&self) -> Loaded {
        let (current, due) = {
            let state = self.state.read().unwrap_or_else(|e| e.into_inner());
            let due = state.checked.is_none_or(|t| t.elapsed() >= REFRESH);
            (state.current.clone(), due)
        };
        if !due {
            return current;
        }
        self.mark_checked();
        match self.refresh(&current).await {
            Ok(Some(next)) => {
                tracing::info!(generation = ?next.generation, designs = next.index.designs().len(), "design index switched");
                self.state
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .current = next.clone();
                next
            }
            Ok(None) => current,
            Err(error) => {
                tracing::error!(%error, generation = ?current.generation, "new design index refused; the previous one keeps serving");
                current
            }
        }
    }

    fn mark_checked(&self) {
        self.state
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .checked = Some(Instant::now());
    }

    /// Forces the next [`LiveIndex::current`] to look at the manifest.
    pub fn expire(&self) {
        self.state
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .checked = None;
    }

    async fn refresh(&self, current: &Loaded) -> Result<Option<Loaded>, StoreError> {
        let Some(store) = &self.store else {
            return Ok(None);
        };
        let Some(manifest) = store.manifest().await? else {
            return Ok(None);
        };
        if current.generation.as_deref() == Some(manifest.generation.as_str()) {
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
