//! A vector index as one self-checking file, and search over it.
//!
//! Vectors are unit length (cosine similarity is their inner product). Each is kept twice: in
//! f32, and as int8 codes with a per-vector scale. A query scans the int8 codes, which is a
//! quarter of the memory traffic, then re-ranks in f32 every vector whose score could still be
//! in the top k given its recorded quantization error, so exact search returns exactly what a
//! full f32 scan would. Above [`IVF_THRESHOLD`] vectors, an inverted file (k-means lists)
//! narrows the scan to the lists nearest the query. The file layout is in `format.rs` and
//! `docs/ARCHITECTURE.md`.

pub mod bench;
mod format;
mod ivf;
mod quantize;
mod rows;
mod search;
mod topk;

pub use format::{FORMAT_VERSION, FileLayout, MAGIC, Metric};
pub use ivf::{Ivf, IvfOptions};
pub use search::{Hit, Missing};

use rows::Rows;

use thiserror::Error;

/// Vectors from which an index gets an inverted file (below it, exact search is fast enough).
pub const IVF_THRESHOLD: usize = 20_000;
/// The recall@10 the default `nprobe` of an inverted file is calibrated to reach.
pub const RECALL_TARGET: f32 = 0.97;
/// Held-out rows the calibration queries with.
const CALIBRATION_QUERIES: usize = 200;

/// Why an index cannot be built or read.
#[derive(Debug, Error, PartialEq)]
pub enum IndexError {
    #[error("not a vector index file (bad magic bytes)")]
    NotAnIndex,
    #[error(
        "index format version {0} is not supported (this build reads version {FORMAT_VERSION})"
    )]
    Version(u32),
    #[error("the index file is truncated: {0}")]
    Truncated(&'static str),
    #[error("the index file is corrupted: checksum {found:08x}, header says {expected:08x}")]
    Checksum { expected: u32, found: u32 },
    #[error("the index file is inconsistent: {0}")]
    Inconsistent(String),
    #[error("vectors have {got} dimensions; the index has {want}")]
    Dimension { want: usize, got: usize },
    #[error("vector {0} is not finite or has zero length")]
    BadVector(usize),
    #[error(
        "the index was built with embedder `{index}`; querying it with `{query}` would compare unrelated vectors"
    )]
    EmbedderMismatch { index: String, query: String },
    #[error("the index's f32 rows are still being read")]
    Incomplete,
    #[error("row {0} read from the store does not match its int8 code: the file is corrupted")]
    RowMismatch(usize),
}

/// An index: its vectors in both encodings, an optional inverted file, and the metadata of the
/// records the vectors stand for (opaque bytes; the caller decides their shape).
#[derive(Clone, Debug, PartialEq)]
pub struct VectorIndex {
    embedder: String,
    dim: usize,
    metric: Metric,
    vectors: Rows,
    codes: quantize::Codes,
    /// With an inverted file, rows are stored list by list (so a list is one sequential read)
    /// and `ivf.ids[p]` is the number of the row stored at `p`; `position` is its inverse.
    ivf: Option<Ivf>,
    position: Vec<u32>,
    metadata: Vec<u8>,
}

impl VectorIndex {
    /// Builds an index of `vectors` (row-major, `dim` per row), normalising each to unit
    /// length. An inverted file is trained when there are at least [`IVF_THRESHOLD`] rows.
    pub fn build(
        embedder: &str,
        dim: usize,
        mut vectors: Vec<f32>,
        metadata: Vec<u8>,
    ) -> Result<Self, IndexError> {
        if dim == 0 || vectors.len() % dim != 0 {
            return Err(IndexError::Dimension {
                want: dim,
                got: vectors.len(),
            });
        }
        for (i, row) in vectors.chunks_exact_mut(dim).enumerate() {
            normalize(row).ok_or(IndexError::BadVector(i))?;
        }
        let count = vectors.len() / dim;
        if u32::try_from(count).is_err() {
            return Err(IndexError::Inconsistent("too many rows".into()));
        }
        let ivf = (count >= IVF_THRESHOLD)
            .then(|| Ivf::train(&vectors, dim, &IvfOptions::for_count(count)));
        if let Some(ivf) = &ivf {
            vectors = ivf
                .ids
                .iter()
                .flat_map(|&id| {
                    let start = id as usize * dim;
                    vectors
                        .get(start..start + dim)
                        .unwrap_or(&[])
                        .iter()
                        .copied()
                })
                .collect();
        }
        let position = ivf.as_ref().map(|f| inverse(&f.ids)).unwrap_or_default();
        let codes = quantize::Codes::encode(&vectors, dim);
        let mut index = Self {
            embedder: embedder.to_owned(),
            dim,
            metric: Metric::Cosine,
            vectors: Rows::Whole(vectors),
            codes,
            ivf,
            position,
            metadata,
        };
        index.calibrate();
        Ok(index)
    }

    /// Sets the inverted file's default `nprobe`: the fewest lists that give a recall@10 of
    /// [`RECALL_TARGET`] for held-out rows used as queries (each excluded from its own answer).
    fn calibrate(&mut self) {
        let Some(lists) = self.ivf.as_ref().map(Ivf::lists) else {
            return;
        };
        const K: usize = 10;
        let count = self.len();
        let queries: Vec<usize> = (0..CALIBRATION_QUERIES.min(count))
            .map(|i| i * count / CALIBRATION_QUERIES.min(count))
            .collect();
        let truth: Vec<Vec<usize>> = queries
            .iter()
            .map(|&q| {
                let vector = self.vector(q).unwrap_or(&[]).to_vec();
                let hits = self.search_exact(&vector, K, |id| id != q);
                hits.into_iter().map(|h| h.id).collect()
            })
            .collect();
        let mut nprobe = 1;
        loop {
            let found: usize = queries
                .iter()
                .zip(&truth)
                .map(|(&q, truth)| {
                    let vector = self.vector(q).unwrap_or(&[]).to_vec();
                    let hits = self.search_ivf(&vector, K, nprobe, |id| id != q);
                    hits.iter().filter(|h| truth.contains(&h.id)).count()
                })
                .sum();
            let wanted: usize = truth.iter().map(Vec::len).sum();
            if found as f32 >= RECALL_TARGET * wanted as f32 || nprobe >= lists {
                break;
            }
            nprobe = (nprobe * 3).div_ceil(2).min(lists);
        }
        if let Some(ivf) = &mut self.ivf {
            ivf.set_nprobe(nprobe);
        }
    }

    pub fn embedder(&self) -> &str {
        &self.embedder
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn metric(&self) -> Metric {
        self.metric
    }

    pub fn len(&self) -> usize {
        self.codes.scales.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn metadata(&self) -> &[u8] {
        &self.metadata
    }

    pub fn ivf(&self) -> Option<&Ivf> {
        self.ivf.as_ref()
    }

    /// The stored (unit-length) vector of row `id`.
    pub fn vector(&self, id: usize) -> Option<&[f32]> {
        self.stored_vector(self.position_of(id)?)
    }

    /// Where row `id` is stored.
    fn position_of(&self, id: usize) -> Option<usize> {
        if self.position.is_empty() {
            (id < self.len()).then_some(id)
        } else {
            self.position.get(id).map(|p| *p as usize)
        }
    }

    /// The number of the row stored at `position`.
    fn id_at(&self, position: usize) -> usize {
        self.ivf
            .as_ref()
            .and_then(|f| f.ids.get(position))
            .map_or(position, |id| *id as usize)
    }

    /// `None` for a row not read yet (see [`VectorIndex::open_lazily`]).
    fn stored_vector(&self, position: usize) -> Option<&[f32]> {
        self.vectors.get(position, self.dim)
    }

    /// Refuses a query vector made by another embedder or of another dimension.
    pub fn check_query(&self, embedder: &str, query: &[f32]) -> Result<(), IndexError> {
        if embedder != self.embedder {
            return Err(IndexError::EmbedderMismatch {
                index: self.embedder.clone(),
                query: embedder.to_owned(),
            });
        }
        if query.len() != self.dim {
            return Err(IndexError::Dimension {
                want: self.dim,
                got: query.len(),
            });
        }
        Ok(())
    }
}

/// The inverse of a permutation of `0..n`.
fn inverse(order: &[u32]) -> Vec<u32> {
    let mut position = vec![0u32; order.len()];
    for (p, id) in order.iter().enumerate() {
        if let Some(slot) = position.get_mut(*id as usize) {
            *slot = p as u32;
        }
    }
    position
}

/// Scales `row` to unit length; `None` when it has zero length or a non-finite value.
pub fn normalize(row: &mut [f32]) -> Option<()> {
    let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt();
    if !norm.is_finite() || norm == 0.0 {
        return None;
    }
    row.iter_mut().for_each(|x| *x /= norm);
    Some(())
}

/// The inner product, written so the compiler vectorizes it (eight independent sums), for
/// each SIMD level the machine may have.
#[multiversion::multiversion(targets = "simd")]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut sums = [0.0f32; 8];
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a8
        .remainder()
        .iter()
        .zip(b8.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a8.zip(b8) {
        for ((s, x), y) in sums.iter_mut().zip(x).zip(y) {
            *s += x * y;
        }
    }
    sums.iter().sum::<f32>() + tail
}
