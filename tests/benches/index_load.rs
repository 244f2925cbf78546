//! How long a retrieve function's cold start waits for its vector index: the index file read
//! from S3 (moto, on this machine) in the parts its manifest names, fetched concurrently and
//! each checked, then made ready to query (checksum, structure, int8 codes and f32 vectors in
//! memory) and queried once. Median of RUNS.
//!
//! Run: `cargo bench -p visions-tests --bench index_load [-- ROWS DIM RUNS]`

use std::sync::Arc;
use std::time::{Duration, Instant};

use visions_aws::S3BlobStore;
use visions_designs::store::{PART_BYTES, fetch_parts, put_parts};
use visions_domain::ports::BlobStore;
use visions_tests::moto;
use visions_vectors::VectorIndex;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let rows = args.first().copied().unwrap_or(100_000);
    let dim = args.get(1).copied().unwrap_or(384);
    let runs = args.get(2).copied().unwrap_or(5);

    let mut state = 7u64;
    let vectors: Vec<f32> = (0..rows * dim)
        .map(|i| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            // Clustered: a centre per 100 rows, plus noise.
            ((state >> 40) as f32 / (1u64 << 24) as f32 - 0.5) + ((i / dim / 100) % 7) as f32 * 0.1
        })
        .collect();
    let index = VectorIndex::build("bench", dim, vectors, Vec::new()).expect("builds");
    let bytes = index.to_bytes();
    let size = bytes.len();

    let sdk = moto::sdk_config().await;
    let client = visions_aws::s3_client(&sdk);
    let bucket = moto::unique("index-load");
    client
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("bucket");
    let store: Arc<dyn BlobStore> = Arc::new(S3BlobStore::new(client, &bucket, ""));
    let objects = put_parts(store.as_ref(), "indexes/bench/g1", &bytes, PART_BYTES)
        .await
        .expect("put");

    let (mut gets, mut parses, mut totals) = (Vec::new(), Vec::new(), Vec::new());
    let query = index.vector(0).expect("a row").to_vec();
    for _ in 0..runs {
        let started = Instant::now();
        let fetched = fetch_parts(store.as_ref(), &objects).await.expect("get");
        let got = started.elapsed();
        let parsed = Instant::now();
        let loaded = VectorIndex::from_bytes(&fetched).expect("reads");
        let hits = loaded.search(&query, 3, |_| true);
        assert_eq!(hits.first().map(|h| h.id), Some(0));
        parses.push(parsed.elapsed());
        gets.push(got);
        totals.push(started.elapsed());
    }
    println!(
        "{rows} x {dim} index, {:.1} MB from S3 (moto): GET {:?}, checked + parsed + first query {:?}, total {:?} (medians of {runs})",
        size as f64 / 1e6,
        median(gets),
        median(parses),
        median(totals)
    );
}
