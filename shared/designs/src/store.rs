//! Index generations in the blob store (S3 on AWS, the data folder locally).
//!
//! Publishing writes the index file under a new generation id, in parts of [`PART_BYTES`],
//! then the manifest that names them (key, size and CRC-32 of each): readers switch only when
//! the manifest changes, and only to a file that checks out. A reader fetches the parts
//! concurrently and checks each one as it arrives, while the others are still on the way (one
//! large GET is one connection's speed; S3's guidance is parallel requests of 8–16 MB). A [`LiveIndex`] keeps the current generation across warm invocations,
//! looks at the manifest at most every [`REFRESH`], and keeps serving the previous generation
//! when a new one is missing, truncated, corrupted or made by an embedder it does not have.

use std::ops::Range;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde::{Deserialize, Serialize};

use visions_domain::ports::BlobStore;
use visions_embed::{Embedder, Embedders};
use visions_vectors::{FileLayout, VectorIndex};

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
/// Ranged reads of rows a search makes at once from a generation still being opened (small
/// reads: latency, not bandwidth, bounds them).
const PARALLEL_READS: usize = 32;
/// Rows at most this far apart in the file are read with one request: S3 answers a first byte
/// in tens of milliseconds and streams about 100 MB a second, so a megabyte in between costs
/// less than another request.
const COALESCE_GAP: usize = 1 << 20;
/// The most one coalesced read spans.
const COALESCE_SPAN: usize = 8 << 20;

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
        let bytes = index.to_bytes()?;
        let cuts = split(bytes.len(), index.layout(), self.part_bytes);
        let objects = put_parts(self.blobs.as_ref(), &prefix, &bytes, &cuts).await?;
        let manifest = Manifest {
            generation: generation.to_owned(),
            embedder: index.embedder().to_owned(),
            dim: index.dim(),
            count: index.len(),
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
        matches(manifest, DesignIndex::from_bytes(&bytes)?)
    }

    /// Opens the generation `manifest` names for a cold start with [`open_lazily`]; `None`
    /// when no part holds only rows (a small index): [`IndexStore::load`] it.
    pub async fn open(
        &self,
        manifest: &Manifest,
    ) -> Result<Option<(DesignIndex, Opening)>, StoreError> {
        let layout = FileLayout::of(&manifest.embedder, manifest.dim, manifest.count)
            .ok_or_else(|| StoreError::Manifest("its rows × dimension overflow".into()))?;
        let Some((vectors, opening)) =
            open_lazily(self.blobs.clone(), &manifest.objects, layout).await?
        else {
            return Ok(None);
        };
        if vectors.len() != manifest.count {
            return Err(StoreError::Manifest(format!(
                "it says {} designs, the file holds {}",
                manifest.count,
                vectors.len()
            )));
        }
        let index = DesignIndex::lazy(vectors, opening.parts.clone())?;
        Ok(Some((matches(manifest, index)?, opening)))
    }
}

/// Opens an index file stored as `objects`, laid out as `layout` says, before its f32 rows are
/// in: searchable once every part but those holding only rows is in and checked. A search
/// reads the rows it ranks ([`Parts::fill`], each row checked against its int8 code), and
/// [`Opening::finish`] reads the rest for the whole file's check. `None` when no part holds
/// only rows.
pub async fn open_lazily(
    blobs: Arc<dyn BlobStore>,
    objects: &[ManifestObject],
    layout: FileLayout,
) -> Result<Option<(VectorIndex, Opening)>, StoreError> {
    let parts = Parts::new(blobs, objects)?;
    let rows_only =
        |i: usize| parts.start(i) >= layout.header && parts.start(i + 1) <= layout.rows_end;
    if !(0..parts.len()).any(rows_only) {
        return Ok(None);
    }
    let wanted: Vec<usize> = (0..parts.len()).filter(|i| !rows_only(*i)).collect();
    let fetches: Vec<_> = wanted
        .iter()
        .filter_map(|i| objects.get(*i))
        .map(|object| fetch_part(parts.blobs.as_ref(), object))
        .collect();
    let fetched: Vec<Vec<u8>> = futures::stream::iter(fetches)
        .buffered(PARALLEL_PARTS)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    let mut have: Vec<Option<Vec<u8>>> = vec![None; parts.len()];
    for (i, bytes) in wanted.into_iter().zip(fetched) {
        if let Some(slot) = have.get_mut(i) {
            *slot = Some(bytes);
        }
    }
    // The file's bytes `from..to` out of the parts in hand: the header and the rest of the
    // body are contiguous there (only parts wholly inside the rows were left out).
    let joined = |from: usize, to: usize| -> Vec<u8> {
        let first = parts.part_at(from);
        let start = parts.start(first);
        let mut bytes = Vec::new();
        for part in have.iter().skip(first).map_while(Option::as_ref) {
            if start + bytes.len() >= to {
                break;
            }
            bytes.extend_from_slice(part);
        }
        bytes.truncate(to.saturating_sub(start));
        bytes.drain(..from.saturating_sub(start).min(bytes.len()));
        bytes
    };
    let head = joined(0, layout.header);
    let tail = joined(layout.rows_end, parts.total());
    let vectors = VectorIndex::open_lazily(&head, &tail).map_err(RetrievalError::from)?;
    let opening = Opening {
        parts: Arc::new(parts),
        have,
    };
    Ok(Some((vectors, opening)))
}

/// `index` if it is what `manifest` says it is.
fn matches(manifest: &Manifest, index: DesignIndex) -> Result<DesignIndex, StoreError> {
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

/// A generation's parts, and where each begins in its index file.
pub struct Parts {
    blobs: Arc<dyn BlobStore>,
    objects: Vec<ManifestObject>,
    /// `starts[i]` is part `i`'s offset; the last entry is the file's length.
    starts: Vec<usize>,
}

impl Parts {
    pub fn new(blobs: Arc<dyn BlobStore>, objects: &[ManifestObject]) -> Result<Self, StoreError> {
        let mut starts = vec![0usize];
        for object in objects {
            let end = starts
                .last()
                .and_then(|s| s.checked_add(object.bytes))
                .ok_or_else(|| StoreError::Manifest("its sizes overflow".into()))?;
            starts.push(end);
        }
        if objects.is_empty() {
            return Err(StoreError::Manifest("it names no object".into()));
        }
        Ok(Self {
            blobs,
            objects: objects.to_vec(),
            starts,
        })
    }

    fn len(&self) -> usize {
        self.objects.len()
    }

    fn total(&self) -> usize {
        self.start(self.len())
    }

    /// Where part `i` begins (the file's length past the last part).
    fn start(&self, i: usize) -> usize {
        self.starts.get(i).copied().unwrap_or_else(|| self.total())
    }

    /// The part holding file offset `offset`.
    fn part_at(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|s| *s <= offset)
            .saturating_sub(1)
    }

    /// The file's bytes `range`, by ranged reads of the parts it spans.
    async fn read(&self, range: Range<usize>) -> Result<Vec<u8>, StoreError> {
        let mut bytes = Vec::with_capacity(range.len());
        let mut at = range.start;
        while at < range.end {
            let i = self.part_at(at);
            let (Some(object), Some(&start)) = (self.objects.get(i), self.starts.get(i)) else {
                return Err(StoreError::Manifest("a row lies past the last part".into()));
            };
            let len = range.end.min(start + object.bytes) - at;
            let got = self
                .blobs
                .get_range(&object.key, (at - start) as u64, len as u64)
                .await
                .map_err(|e| StoreError::Backend(e.to_string()))?
                .ok_or_else(|| StoreError::Missing {
                    key: object.key.clone(),
                })?;
            if got.len() != len {
                return Err(StoreError::Manifest(format!(
                    "{} is shorter than it says",
                    object.key
                )));
            }
            bytes.extend_from_slice(&got);
            at += len;
        }
        Ok(bytes)
    }

    /// Reads and fills the f32 rows `ids` of `index`. Rows close together in the file are
    /// read with one request (an inverted file stores a list's rows side by side, so a query's
    /// candidates cluster): a request's latency costs more than the bytes between them.
    /// [`PARALLEL_READS`] requests go at once. Returns how many were made.
    pub async fn fill(&self, index: &VectorIndex, ids: &[usize]) -> Result<usize, StoreError> {
        let mut rows: Vec<(Range<usize>, usize)> = ids
            .iter()
            .map(|&id| {
                index
                    .row_bytes(id)
                    .map(|range| (range, id))
                    .ok_or_else(|| StoreError::Manifest(format!("no row {id}")))
            })
            .collect::<Result<_, _>>()?;
        rows.sort_by_key(|(range, _)| range.start);
        // Each read: the bytes it spans, and the rows (bytes, number) in it.
        type Rows = Vec<(Range<usize>, usize)>;
        let mut spans: Vec<(Range<usize>, Rows)> = Vec::new();
        for (range, id) in rows {
            match spans.last_mut() {
                Some((span, members))
                    if range.start <= span.end + COALESCE_GAP
                        && range.end - span.start <= COALESCE_SPAN =>
                {
                    span.end = span.end.max(range.end);
                    members.push((range, id));
                }
                _ => spans.push((range.clone(), vec![(range, id)])),
            }
        }
        let reads: Vec<_> = spans
            .iter()
            .map(|(span, members)| async move {
                let bytes = self.read(span.clone()).await?;
                for (range, id) in members {
                    let row = bytes
                        .get(range.start - span.start..range.end - span.start)
                        .unwrap_or(&[]);
                    index.fill_row(*id, row).map_err(RetrievalError::from)?;
                }
                Ok::<_, StoreError>(())
            })
            .collect();
        let requests = reads.len();
        let mut reads = futures::stream::iter(reads).buffer_unordered(PARALLEL_READS);
        while let Some(read) = reads.next().await {
            read?;
        }
        Ok(requests)
    }
}

/// What a cold start's open of a generation has yet to read.
pub struct Opening {
    parts: Arc<Parts>,
    /// The parts read so far, by number.
    have: Vec<Option<Vec<u8>>>,
}

impl Opening {
    /// Where the rows a search needs are read from.
    pub fn rows(&self) -> &Parts {
        &self.parts
    }

    /// Reads the parts left out (each checked against the manifest) and returns the whole
    /// file, for a reader to check and swap in.
    pub async fn finish(self) -> Result<Vec<u8>, StoreError> {
        let blobs: &dyn BlobStore = self.parts.blobs.as_ref();
        let fetches: Vec<_> = self
            .have
            .into_iter()
            .zip(&self.parts.objects)
            .map(|(have, object)| async move {
                match have {
                    Some(bytes) => Ok(bytes),
                    None => fetch_part(blobs, object).await,
                }
            })
            .collect();
        concatenated(fetches).await
    }
}

/// Where to cut a file of `len` bytes into parts of at most `part_bytes`. A file that fits in
/// one part is one part: one request reads it whole. A larger one with a `layout` is cut at
/// its sections' bounds (header, f32 rows, the rest), and between rows within the rows, so a
/// cold start can leave the rows' parts for later and read any row with one request.
pub fn split(len: usize, layout: Option<FileLayout>, part_bytes: usize) -> Vec<Range<usize>> {
    let part_bytes = part_bytes.max(1);
    let sections = match layout.filter(|l| len > part_bytes && l.rows_end <= len && l.row_bytes > 0)
    {
        Some(l) => vec![
            (0..l.header, part_bytes),
            (
                l.header..l.rows_end,
                (part_bytes / l.row_bytes).max(1) * l.row_bytes,
            ),
            (l.rows_end..len, part_bytes),
        ],
        None => vec![(0..len, part_bytes)],
    };
    let mut cuts = Vec::new();
    for (section, size) in sections {
        let mut start = section.start;
        while start < section.end {
            let end = section.end.min(start + size);
            cuts.push(start..end);
            start = end;
        }
    }
    cuts
}

/// Stores the pieces `cuts` of `bytes` (see [`split`]) as parts under `prefix`
/// (`prefix/00000.part`, …), [`PARALLEL_PARTS`] at a time; returns their manifest entries in
/// order.
pub async fn put_parts(
    blobs: &dyn BlobStore,
    prefix: &str,
    bytes: &[u8],
    cuts: &[Range<usize>],
) -> Result<Vec<ManifestObject>, StoreError> {
    let parts: Vec<(ManifestObject, &[u8])> = cuts
        .iter()
        .map(|cut| bytes.get(cut.clone()).unwrap_or(&[]))
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
    concatenated(fetches).await
}

/// What `fetches` give, joined in their order, [`PARALLEL_PARTS`] awaited at a time.
async fn concatenated(
    fetches: Vec<impl Future<Output = Result<Vec<u8>, StoreError>>>,
) -> Result<Vec<u8>, StoreError> {
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
    /// Whether a look at the store has ended (unlike `checked`, never reset by
    /// [`LiveIndex::expire`]): only the process's first look opens a generation lazily.
    looked: bool,
}

/// The current generation, kept across warm invocations (see the module comment).
pub struct LiveIndex {
    store: Option<IndexStore>,
    embedders: Arc<dyn Embedders>,
    /// Shared with the task that finishes a cold start's lazy open.
    state: Arc<RwLock<State>>,
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

/// Starts reading the built-in corpus and embedder (about 2 ms at a cold start: the file's
/// check, its rows and the designs' JSON) on a thread of their own, once per process, and
/// returns at once: a cold start sets up the rest meanwhile, and whoever needs them first
/// waits only for what is left of the read.
pub fn read_builtin_early() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        let read = std::thread::Builder::new()
            .name("builtin-corpus".into())
            .spawn(|| drop(Loaded::builtin()));
        if read.is_err() {
            // No thread to spare: the first search reads it instead.
            tracing::warn!("the built-in corpus is read at the first search");
        }
    });
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
            state: Arc::new(RwLock::new(State {
                current: None,
                checked: None,
                looked: false,
            })),
            looking: tokio::sync::Mutex::new(()),
        }
    }

    /// A cold start's head start: the first look at the store goes out in the background
    /// and the built-in corpus is read on a thread of its own ([`read_builtin_early`]), so
    /// the first search waits only for what is left of either. Needs a Tokio runtime.
    pub fn warm_up(self: &Arc<Self>) {
        let live = self.clone();
        tokio::spawn(async move { live.current().await });
        read_builtin_early();
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
        let cold = !self.state.read().unwrap_or_else(|e| e.into_inner()).looked;
        let (next, opening) = match self.refresh(generation.as_deref(), cold).await {
            Ok(Some((next, opening))) => (Some(next), opening),
            Ok(None) => (None, None),
            Err(error) => {
                tracing::error!(%error, ?generation, "new design index refused; the previous one keeps serving");
                (None, None)
            }
        };
        {
            let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
            // Marked when the look ends: until the first one has, every search waits for it.
            state.checked = Some(Instant::now());
            state.looked = true;
            if let Some(next) = &next {
                tracing::info!(generation = ?next.generation, designs = next.index.len(), lazy = opening.is_some(), "design index switched");
                state.current = Some(next.clone());
            }
        }
        if let (Some(next), Some((manifest, opening))) = (&next, opening) {
            self.finish(next.embedder.clone(), manifest, opening);
        }
        next.or(current).unwrap_or_else(Loaded::builtin)
    }

    /// Reads the rest of a generation opened lazily, in the background, and swaps in the whole
    /// index once its file checks out. If it cannot be read or does not check out (a part
    /// damaged in the store, found only now), the built-in corpus serves instead: searches
    /// must not go on ranking rows of a file that failed its check. The next look, within
    /// [`REFRESH`], reads the generation whole and switches to it only if it checks out.
    fn finish(&self, embedder: Arc<dyn Embedder>, manifest: Manifest, opening: Opening) {
        let state = self.state.clone();
        tokio::spawn(async move {
            let whole = match opening.finish().await {
                Ok(bytes) => tokio::task::spawn_blocking(move || DesignIndex::from_bytes(&bytes))
                    .await
                    .map_err(|e| StoreError::Backend(e.to_string()))
                    .and_then(|read| matches(&manifest, read?)),
                Err(error) => Err(error),
            };
            let mut state = state.write().unwrap_or_else(|e| e.into_inner());
            let same = state.current.as_ref().and_then(|c| c.generation.as_deref())
                == Some(manifest.generation.as_str());
            if !same {
                return;
            }
            match whole {
                Ok(index) => {
                    tracing::info!(generation = %manifest.generation, "design index read whole and checked");
                    state.current = Some(Loaded {
                        generation: Some(manifest.generation.clone()),
                        index: Arc::new(index),
                        embedder,
                    });
                }
                Err(error) => {
                    tracing::error!(%error, generation = %manifest.generation, "design index could not be read whole or failed its check; back to the built-in corpus until the next look");
                    state.current = None;
                }
            }
        });
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

    /// The generation to switch to, if the manifest names a new one. At cold start (`cold`:
    /// the first look, so there is no previous generation to keep serving) a large index is
    /// opened lazily, with what is left to read of it. Later looks read a generation whole
    /// and check it before switching.
    async fn refresh(
        &self,
        generation: Option<&str>,
        cold: bool,
    ) -> Result<Option<(Loaded, Option<(Manifest, Opening)>)>, StoreError> {
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
        let (index, opening) = match cold {
            true => match store.open(&manifest).await? {
                Some((index, opening)) => (index, Some((manifest.clone(), opening))),
                None => (store.load(&manifest).await?, None),
            },
            false => (store.load(&manifest).await?, None),
        };
        Ok(Some((
            Loaded {
                generation: Some(manifest.generation.clone()),
                index: Arc::new(index),
                embedder,
            },
            opening,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_cut_at_its_sections_and_between_rows() {
        let layout = FileLayout::of("static:test", 96, 1000).expect("a layout");
        let len = layout.rows_end + 123_456;
        for part_bytes in [1, 1000, 4096, 65_536] {
            let cuts = split(len, Some(layout), part_bytes);
            // Contiguous, covering the file, none empty or too big (a part holds a row at
            // least).
            assert_eq!(cuts.first().map(|c| c.start), Some(0));
            assert_eq!(cuts.last().map(|c| c.end), Some(len));
            assert!(cuts.windows(2).all(|w| w[0].end == w[1].start));
            assert!(cuts.iter().all(|c| !c.is_empty()));
            assert!(
                cuts.iter()
                    .all(|c| c.len() <= part_bytes.max(layout.row_bytes))
            );
            for bound in [layout.header, layout.rows_end] {
                assert!(cuts.iter().any(|c| c.start == bound), "{part_bytes}");
            }
            for cut in cuts
                .iter()
                .filter(|c| c.start >= layout.header && c.end <= layout.rows_end)
            {
                assert_eq!((cut.start - layout.header) % layout.row_bytes, 0);
                assert_eq!(cut.len() % layout.row_bytes, 0);
            }
        }
        // A file that fits in one part is one part, sections or not.
        assert_eq!(split(len, Some(layout), len), vec![0..len]);
        assert_eq!(split(len, Some(layout), 8 << 20), vec![0..len]);
        // Without a layout: plain parts.
        let cuts = split(10, None, 4);
        assert_eq!(cuts, vec![0..4, 4..8, 8..10]);
    }
}
