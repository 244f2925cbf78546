//! What building the generation function's router costs at cold start (`router()`), beside
//! building its routes with their OpenAPI operations (`routes()`, what the API's document is
//! made from, which a cold start no longer pays for). Median of 200 runs each.
//! `cargo bench -p visions-generate --bench routes`

use std::time::{Duration, Instant};

fn median_of_200<T>(build: impl Fn() -> T) -> Duration {
    let mut samples: Vec<Duration> = (0..200)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(build());
            start.elapsed()
        })
        .collect();
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

fn main() {
    let served = median_of_200(visions_generate::router);
    let documented = median_of_200(visions_generate::routes);
    println!(
        "generate router (served): {served:?}; with the OpenAPI operations: {documented:?} (medians of 200)"
    );
}
