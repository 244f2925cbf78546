//! What `visions-ai index bench` measures: building an index over raw little-endian f32
//! rows, its size, and single-query latency and recall, exact and through the inverted file,
//! against a plain f32 scan's answers.

use std::time::{Duration, Instant};

use crate::{IndexError, VectorIndex};

/// Queries timed (the first ones of the query file).
pub const TIMED_QUERIES: usize = 200;

/// Rows of a raw little-endian f32 file of `dim` columns.
pub fn read_raw(bytes: &[u8], dim: usize) -> Result<Vec<f32>, IndexError> {
    if dim == 0 || bytes.len() % (4 * dim) != 0 {
        return Err(IndexError::Inconsistent(format!(
            "{} bytes are not whole rows of {dim} little-endian f32",
            bytes.len()
        )));
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|c| <[u8; 4]>::try_from(c).map_or(f32::NAN, f32::from_le_bytes))
        .collect())
}

#[derive(Clone, Debug)]
pub struct Latency {
    pub p50: Duration,
    pub p99: Duration,
    pub qps: f64,
    pub recall: f64,
}

#[derive(Clone, Debug)]
pub struct Report {
    pub rows: usize,
    pub dim: usize,
    pub k: usize,
    pub build: Duration,
    pub index_bytes: usize,
    pub load: Duration,
    pub exact: Latency,
    /// `(nprobe, latency)`: the calibrated default first, then a sweep.
    pub ivf: Vec<(usize, Latency)>,
    pub lists: usize,
}

pub fn run(base: Vec<f32>, queries: &[f32], dim: usize, k: usize) -> Result<Report, IndexError> {
    let rows = base.len() / dim.max(1);
    let started = Instant::now();
    let index = VectorIndex::build("bench", dim, base, Vec::new())?;
    let build = started.elapsed();
    let bytes = index.to_bytes()?;
    let started = Instant::now();
    let index = VectorIndex::from_bytes(&bytes)?;
    let load = started.elapsed();
    let queries: Vec<&[f32]> = queries.chunks_exact(dim).take(TIMED_QUERIES).collect();
    let truth: Vec<Vec<usize>> = queries
        .iter()
        .map(|q| {
            index
                .search_brute_force(q, k)
                .iter()
                .map(|h| h.id)
                .collect()
        })
        .collect();
    let exact = measure(&queries, &truth, |q| index.search_exact(q, k, |_| true));
    let mut ivf = Vec::new();
    if let Some(file) = index.ivf() {
        let default = file.nprobe();
        let mut sweep = vec![default];
        sweep.extend(
            [1, 2, 4, 8, 16, 32, 64]
                .into_iter()
                .filter(|n| *n != default && *n <= file.lists()),
        );
        for nprobe in sweep {
            let latency = measure(&queries, &truth, |q| {
                index.search_ivf(q, k, nprobe, |_| true)
            });
            ivf.push((nprobe, latency));
        }
    }
    Ok(Report {
        rows,
        dim,
        k,
        build,
        index_bytes: bytes.len(),
        load,
        exact,
        lists: index.ivf().map_or(0, |f| f.lists()),
        ivf,
    })
}

fn measure(
    queries: &[&[f32]],
    truth: &[Vec<usize>],
    search: impl Fn(&[f32]) -> Vec<crate::Hit>,
) -> Latency {
    let mut times = Vec::with_capacity(queries.len());
    let (mut found, mut wanted) = (0usize, 0usize);
    for (query, truth) in queries.iter().zip(truth) {
        let started = Instant::now();
        let hits = std::hint::black_box(search(query));
        times.push(started.elapsed());
        found += hits.iter().filter(|h| truth.contains(&h.id)).count();
        wanted += truth.len();
    }
    let total: Duration = times.iter().sum();
    times.sort();
    let at = |p: f64| {
        let i = ((times.len() as f64 - 1.0) * p).round() as usize;
        times.get(i).copied().unwrap_or_default()
    };
    Latency {
        p50: at(0.5),
        p99: at(0.99),
        qps: queries.len() as f64 / total.as_secs_f64().max(f64::MIN_POSITIVE),
        recall: found as f64 / wanted.max(1) as f64,
    }
}
