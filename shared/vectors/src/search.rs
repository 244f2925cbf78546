//! Search: an int8 scan that keeps every row whose score could reach the top k, then an f32
//! re-rank of just those rows.

use std::ops::Range;

use crate::quantize::{self, dots_i8};
use crate::topk::{Scored, TopK};
use crate::{VectorIndex, dot, normalize};

/// Slack for f32 rounding in the int8 estimate and its bound (scores are cosines in [-1, 1];
/// a sum of a few hundred products rounds by well under this).
const ROUNDING: f32 = 1e-4;
/// Rows scored per call of the int8 kernel.
const BLOCK: usize = 256;

/// One result: the row number and its cosine similarity to the query.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    pub id: usize,
    pub score: f32,
}

/// The rows (by number) a search of a lazily opened index needs and does not have yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Missing(pub Vec<usize>);

struct Query {
    vector: Vec<f32>,
    /// Its int8 codes, widened to i16 once for the scan's kernels.
    codes: Vec<i16>,
    scale: f32,
    error: f32,
}

impl Query {
    fn new(query: &[f32], dim: usize) -> Option<Self> {
        if query.len() != dim {
            return None;
        }
        let mut vector = query.to_vec();
        normalize(&mut vector)?;
        let mut codes = Vec::with_capacity(dim);
        let (scale, error) = quantize::encode_row(&vector, &mut codes);
        Some(Self {
            vector,
            codes: codes.into_iter().map(i16::from).collect(),
            scale,
            error,
        })
    }
}

impl VectorIndex {
    /// The `k` rows most similar to `query` among those `allow` accepts, best first: exact
    /// search, or the inverted file at its calibrated `nprobe` when the index has one. A
    /// query of the wrong dimension, zero length or with non-finite values finds nothing.
    /// An index opened lazily finds nothing until the rows a search needs are in: search it
    /// with [`VectorIndex::try_search`].
    pub fn search(&self, query: &[f32], k: usize, allow: impl Fn(usize) -> bool) -> Vec<Hit> {
        self.try_search(query, k, allow).unwrap_or_default()
    }

    /// [`VectorIndex::search`], or the rows it needs that are not read yet.
    pub fn try_search(
        &self,
        query: &[f32],
        k: usize,
        allow: impl Fn(usize) -> bool,
    ) -> Result<Vec<Hit>, Missing> {
        match &self.ivf {
            Some(ivf) => self.try_search_ivf(query, k, ivf.nprobe(), allow),
            None => self.try_search_exact(query, k, allow),
        }
    }

    /// Exactly the top `k` that a full f32 scan would return.
    pub fn search_exact(&self, query: &[f32], k: usize, allow: impl Fn(usize) -> bool) -> Vec<Hit> {
        self.try_search_exact(query, k, allow).unwrap_or_default()
    }

    fn try_search_exact(
        &self,
        query: &[f32],
        k: usize,
        allow: impl Fn(usize) -> bool,
    ) -> Result<Vec<Hit>, Missing> {
        match Query::new(query, self.dim) {
            Some(q) => self.scan(&q, k, std::iter::once(0..self.len()), allow),
            None => Ok(Vec::new()),
        }
    }

    /// The top `k` among the rows of the `nprobe` lists nearest the query (exact search when
    /// the index has no inverted file).
    pub fn search_ivf(
        &self,
        query: &[f32],
        k: usize,
        nprobe: usize,
        allow: impl Fn(usize) -> bool,
    ) -> Vec<Hit> {
        self.try_search_ivf(query, k, nprobe, allow)
            .unwrap_or_default()
    }

    fn try_search_ivf(
        &self,
        query: &[f32],
        k: usize,
        nprobe: usize,
        allow: impl Fn(usize) -> bool,
    ) -> Result<Vec<Hit>, Missing> {
        let Some(ivf) = &self.ivf else {
            return self.try_search_exact(query, k, allow);
        };
        let Some(q) = Query::new(query, self.dim) else {
            return Ok(Vec::new());
        };
        let lists = ivf.nearest_lists(&q.vector, nprobe);
        let ranges = lists.into_iter().map(|list| ivf.list(list));
        self.scan(&q, k, ranges, allow)
    }

    /// Scores the rows stored in `ranges` (a block of rows at a time, so the int8 kernel runs
    /// over contiguous memory); hits carry row numbers.
    fn scan(
        &self,
        q: &Query,
        k: usize,
        ranges: impl Iterator<Item = Range<usize>>,
        allow: impl Fn(usize) -> bool,
    ) -> Result<Vec<Hit>, Missing> {
        if k == 0 {
            return Ok(Vec::new());
        }
        let dim = self.dim;
        // Lower bounds of the true scores: the k-th best of them is a floor under the true
        // k-th score, so a row whose upper bound is below it cannot be in the answer.
        let mut floor = TopK::new(k);
        // `floor.threshold()`, kept in step with it: it only moves when a row is pushed.
        let mut threshold = f32::NEG_INFINITY;
        let mut candidates: Vec<(usize, f32)> = Vec::new();
        let mut dots = Vec::with_capacity(BLOCK);
        for range in ranges {
            let mut start = range.start;
            while start < range.end {
                let end = (start + BLOCK).min(range.end);
                let Some(codes) = self.codes.codes.get(start * dim..end * dim) else {
                    break;
                };
                dots_i8(codes, dim, &q.codes, &mut dots);
                let scales = self.codes.scales.get(start..end).unwrap_or(&[]);
                let errors = self.codes.errors.get(start..end).unwrap_or(&[]);
                for (offset, ((dot, scale), error)) in
                    dots.iter().zip(scales).zip(errors).enumerate()
                {
                    let approx = q.scale * scale * *dot as f32;
                    // |q·x − q̃·x̃| ≤ ‖q‖‖x − x̃‖ + ‖q − q̃‖‖x̃‖, with ‖q‖ = 1 and ‖x̃‖ ≤ 1 + ‖x − x̃‖;
                    // plus the f32 rounding of these sums, so a row tied with the k-th
                    // score is never dropped for a last-bit difference.
                    let bound = error + q.error * (1.0 + error) + ROUNDING;
                    let upper = approx + bound;
                    let position = start + offset;
                    if upper < threshold || !allow(self.id_at(position)) {
                        continue;
                    }
                    floor.push(Scored {
                        score: approx - bound,
                        id: position as u32,
                    });
                    threshold = floor.threshold();
                    candidates.push((position, upper));
                }
                start = end;
            }
        }
        let kept = candidates
            .into_iter()
            .filter(|(_, upper)| *upper >= threshold)
            .map(|(position, _)| position);
        self.rerank(&q.vector, k, kept)
    }

    /// The `k` best of the rows stored at `positions` by their f32 inner product with `query`,
    /// or the rows among them not read yet.
    fn rerank(
        &self,
        query: &[f32],
        k: usize,
        positions: impl Iterator<Item = usize>,
    ) -> Result<Vec<Hit>, Missing> {
        let mut best = TopK::new(k);
        let mut missing = Vec::new();
        for position in positions {
            let id = self.id_at(position);
            match self.stored_vector(position) {
                Some(vector) => best.push(Scored {
                    score: dot(vector, query),
                    id: id as u32,
                }),
                None => missing.push(id),
            }
        }
        if !missing.is_empty() {
            return Err(Missing(missing));
        }
        Ok(best
            .into_sorted()
            .into_iter()
            .map(|s| Hit {
                id: s.id as usize,
                score: s.score,
            })
            .collect())
    }

    /// The top `k` by a plain f32 scan: the reference the tests and the benchmark hold the
    /// other searches to.
    pub fn search_brute_force(&self, query: &[f32], k: usize) -> Vec<Hit> {
        let Some(q) = Query::new(query, self.dim) else {
            return Vec::new();
        };
        self.rerank(&q.vector, k, 0..self.len()).unwrap_or_default()
    }
}
