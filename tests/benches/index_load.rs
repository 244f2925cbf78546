//! How long a retrieve function's cold start waits for its vector index, stored in S3 (moto, on
//! this machine) in the parts its manifest names, as `IndexStore::publish` cuts them. Two ways,
//! median of RUNS each:
//! - whole: every part fetched concurrently and checked, the file checked and read (f32
//!   vectors, int8 codes and the rest in memory), then queried once;
//! - lazy (what a cold start does): every part but the f32 rows' fetched and checked, the index
//!   opened from them, then queried once, the query reading the rows it ranks.
//!
//! Run: `cargo bench -p visions-tests --bench index_load [-- ROWS DIM RUNS]`

use std::sync::Arc;
use std::time::{Duration, Instant};

use visions_aws::S3BlobStore;
use visions_designs::store::{PART_BYTES, fetch_parts, open_lazily, put_parts, split};
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
    let bytes = index.to_bytes().expect("a built index is whole");
    let size = bytes.len();
    let layout = index.layout().expect("a layout");

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
    let cuts = split(size, Some(layout), PART_BYTES);
    let objects = put_parts(store.as_ref(), "indexes/bench/g1", &bytes, &cuts)
        .await
        .expect("put");

    let (mut gets, mut parses, mut totals) = (Vec::new(), Vec::new(), Vec::new());
    let (mut opens, mut firsts, mut lazies, mut rows_read) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut requests = Vec::new();
    let query = index.vector(0).expect("a row").to_vec();
    let want = index.search(&query, 3, |_| true);
    for _ in 0..runs {
        let started = Instant::now();
        let fetched = fetch_parts(store.as_ref(), &objects).await.expect("get");
        let got = started.elapsed();
        let parsed = Instant::now();
        let loaded = VectorIndex::from_bytes(&fetched).expect("reads");
        assert_eq!(loaded.search(&query, 3, |_| true), want);
        parses.push(parsed.elapsed());
        gets.push(got);
        totals.push(started.elapsed());
        drop((loaded, fetched));

        let started = Instant::now();
        let (lazy, opening) = open_lazily(store.clone(), &objects, layout)
            .await
            .expect("opens")
            .expect("the rows have parts of their own");
        let opened = started.elapsed();
        let (mut read, mut asked, queried) = (0, 0, Instant::now());
        let hits = loop {
            match lazy.try_search(&query, 3, |_| true) {
                Ok(hits) => break hits,
                Err(visions_vectors::Missing(ids)) => {
                    read += ids.len();
                    asked += opening.rows().fill(&lazy, &ids).await.expect("rows read");
                }
            }
        };
        assert_eq!(hits, want);
        firsts.push(queried.elapsed());
        opens.push(opened);
        lazies.push(started.elapsed());
        rows_read.push(read);
        requests.push(asked);
    }
    println!(
        "{rows} x {dim} index, {:.1} MB in {} parts in S3 (moto), medians of {runs}:",
        size as f64 / 1e6,
        objects.len()
    );
    println!(
        "  whole: GET {:?}, checked + parsed + first query {:?}, total {:?}",
        median(gets),
        median(parses),
        median(totals)
    );
    println!(
        "  lazy:  open (GET {:.1} MB + parse) {:?}, first query ({} rows in {} requests) {:?}, total {:?}",
        (size - (layout.rows_end - layout.header)) as f64 / 1e6,
        median(opens),
        rows_read.get(rows_read.len() / 2).copied().unwrap_or(0),
        requests.get(requests.len() / 2).copied().unwrap_or(0),
        median(firsts),
        median(lazies)
    );
}
