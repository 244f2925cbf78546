//! What the design index costs: building it over the built-in corpus (once per worker cold
//! start) and answering one query (once per job). Median of 200 runs each.
//! `cargo bench -p visions-designs --bench index`

use std::time::{Duration, Instant};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

fn main() {
    let designs = visions_designs::builtin().designs().to_vec();
    let build = median(
        (0..200)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(visions_designs::DesignIndex::new(designs.clone()));
                start.elapsed()
            })
            .collect(),
    );
    let index = visions_designs::builtin();
    let brief = "A family bakery selling sourdough loaves and birthday cakes for weekend pickup";
    let query = median(
        (0..200)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(index.top(brief, 3));
                start.elapsed()
            })
            .collect(),
    );
    println!(
        "design index over {} designs: build {build:?}, query {query:?} (medians of 200)",
        designs.len()
    );
}
