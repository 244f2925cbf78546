//! Exact and inverted-file search over synthetic clustered unit vectors, as
//! `visions-ai index bench` reports it; for the figures beside FAISS on the same files, see
//! `docs/BENCHMARKS.md`.
//! `cargo bench -p visions-vectors --bench search -- [ROWS] [DIM]`

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with('-'));
    let rows: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let dim: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(384);
    let clusters = (rows as f64).sqrt() as usize;
    let mut state = 42u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    };
    let centres: Vec<f32> = (0..clusters * dim).map(|_| next()).collect();
    let mut point = |c: usize| -> Vec<f32> {
        (0..dim)
            .map(|d| centres.get(c * dim + d).copied().unwrap_or(0.0) + 0.6 * next())
            .collect()
    };
    let base: Vec<f32> = (0..rows).flat_map(|i| point(i % clusters)).collect();
    let queries: Vec<f32> = (0..200).flat_map(|i| point((i * 7) % clusters)).collect();
    match visions_vectors::bench::run(base, &queries, dim, 10) {
        Ok(report) => println!("{report:#?}"),
        Err(e) => eprintln!("{e}"),
    }
}
