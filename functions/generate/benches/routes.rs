//! What building the generation function's router costs at cold start (its routes and their
//! OpenAPI description). Median of 200 runs. `cargo bench -p visions-generate --bench routes`

use std::time::{Duration, Instant};

fn main() {
    let mut samples: Vec<Duration> = (0..200)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(visions_generate::routes());
            start.elapsed()
        })
        .collect();
    samples.sort();
    println!(
        "generate routes: {:?} (median of 200)",
        samples.get(samples.len() / 2).copied().unwrap_or_default()
    );
}
