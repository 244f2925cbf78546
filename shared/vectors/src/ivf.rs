//! The inverted file: spherical k-means lists, so a query scans only the lists whose
//! centroids are nearest to it.

use crate::{dot, normalize};

/// How an inverted file is trained.
#[derive(Clone, Debug)]
pub struct IvfOptions {
    pub lists: usize,
    pub iterations: usize,
    /// Rows k-means trains on (a deterministic sample); every row is then assigned.
    pub sample: usize,
    pub seed: u64,
}

/// Lists per √n rows. Measured at 100k × 384 with this constant set to each value
/// (`visions-ai index bench`, recall@10 ≈ 0.97):
/// 1 → 3,666 QPS, 2 → 5,084 QPS, 4 → 5,751 QPS but a 3× longer build; 2 it is.
const LISTS_PER_SQRT: f64 = 2.0;

impl IvfOptions {
    /// About 2√n lists of about √n / 2 rows each, trained on ~48 rows per list.
    pub fn for_count(count: usize) -> Self {
        let lists = ((count as f64).sqrt() * LISTS_PER_SQRT).round().max(1.0) as usize;
        Self {
            lists,
            iterations: 10,
            sample: count.min(lists * 48),
            seed: 0x5EED,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Ivf {
    pub(crate) dim: usize,
    pub(crate) centroids: Vec<f32>,
    /// `offsets[l]..offsets[l + 1]` are list `l`'s storage positions.
    pub(crate) offsets: Vec<u32>,
    /// The row number stored at each position.
    pub(crate) ids: Vec<u32>,
    /// Lists a query scans by default: the fewest that reach the recall target on held-out
    /// rows when the index was built.
    pub(crate) nprobe: u32,
}

impl Ivf {
    pub fn train(vectors: &[f32], dim: usize, options: &IvfOptions) -> Self {
        let count = vectors.len() / dim.max(1);
        let mut rng = Rng(options.seed);
        let sample: Vec<usize> = if options.sample >= count {
            (0..count).collect()
        } else {
            (0..options.sample).map(|_| rng.below(count)).collect()
        };
        let row = |i: usize| vectors.get(i * dim..(i + 1) * dim).unwrap_or(&[]);
        let lists = options.lists.clamp(1, sample.len().max(1));
        let mut centroids: Vec<f32> = Vec::with_capacity(lists * dim);
        for i in 0..lists {
            let pick = sample.get(i * sample.len() / lists).copied().unwrap_or(0);
            centroids.extend_from_slice(row(pick));
        }
        let mut assigned = vec![0usize; sample.len()];
        for _ in 0..options.iterations {
            for (slot, &i) in assigned.iter_mut().zip(&sample) {
                *slot = nearest(&centroids, dim, row(i));
            }
            let mut sums = vec![0.0f32; lists * dim];
            let mut sizes = vec![0usize; lists];
            for (&list, &i) in assigned.iter().zip(&sample) {
                if let Some(sum) = sums.get_mut(list * dim..(list + 1) * dim) {
                    sum.iter_mut().zip(row(i)).for_each(|(s, x)| *s += x);
                }
                if let Some(size) = sizes.get_mut(list) {
                    *size += 1;
                }
            }
            for ((centroid, sum), size) in centroids
                .chunks_exact_mut(dim)
                .zip(sums.chunks_exact_mut(dim))
                .zip(&sizes)
            {
                // An empty list restarts from a random row rather than staying dead.
                if *size == 0 || normalize(sum).is_none() {
                    let pick = sample.get(rng.below(sample.len())).copied().unwrap_or(0);
                    centroid.copy_from_slice(row(pick));
                } else {
                    centroid.copy_from_slice(sum);
                }
            }
        }
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); lists];
        for (i, x) in vectors.chunks_exact(dim).enumerate() {
            if let Some(list) = members.get_mut(nearest(&centroids, dim, x)) {
                list.push(i as u32);
            }
        }
        let mut offsets = Vec::with_capacity(lists + 1);
        let mut ids = Vec::with_capacity(count);
        offsets.push(0);
        for list in members {
            ids.extend(list);
            offsets.push(ids.len() as u32);
        }
        Self {
            dim,
            centroids,
            offsets,
            ids,
            nprobe: lists.min(8) as u32,
        }
    }

    pub fn lists(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    pub fn nprobe(&self) -> usize {
        self.nprobe as usize
    }

    pub(crate) fn set_nprobe(&mut self, nprobe: usize) {
        self.nprobe = nprobe.clamp(1, self.lists().max(1)) as u32;
    }

    /// The storage positions of list `list`'s rows (lists are stored one after another).
    pub(crate) fn list(&self, list: usize) -> std::ops::Range<usize> {
        match (self.offsets.get(list), self.offsets.get(list + 1)) {
            (Some(&start), Some(&end)) if start <= end => start as usize..end as usize,
            _ => 0..0,
        }
    }

    /// The `nprobe` lists whose centroids are nearest to `query`, nearest first.
    pub(crate) fn nearest_lists(&self, query: &[f32], nprobe: usize) -> Vec<usize> {
        let mut scored: Vec<(f32, usize)> = self
            .centroids
            .chunks_exact(self.dim)
            .enumerate()
            .map(|(l, c)| (dot(c, query), l))
            .collect();
        let nprobe = nprobe.clamp(1, scored.len().max(1));
        if nprobe < scored.len() {
            scored.select_nth_unstable_by(nprobe - 1, |a, b| b.0.total_cmp(&a.0));
            scored.truncate(nprobe);
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored.into_iter().map(|(_, l)| l).collect()
    }
}

fn nearest(centroids: &[f32], dim: usize, x: &[f32]) -> usize {
    let mut best = (f32::NEG_INFINITY, 0);
    for (l, c) in centroids.chunks_exact(dim).enumerate() {
        let score = dot(c, x);
        if score > best.0 {
            best = (score, l);
        }
    }
    best.1
}

/// A small deterministic generator (PCG-style LCG): training must give the same file twice.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}
