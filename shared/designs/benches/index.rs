//! What design retrieval costs: reading the built-in index with the BM25 postings in its file
//! (once per cold start of the worker and the retrieve function; its designs are parsed as
//! searches return them), embedding and indexing the corpus (what `build.rs` does once per
//! build) and answering one brief (once per job). Median of 50; also the process's first read
//! of the built-in index, as a cold start makes it (its pages of compiled-in data not yet
//! touched), and parsing every design's JSON record (what a published generation's read adds).
//! `cargo bench -p visions-designs --bench index`

use std::time::{Duration, Instant};

use visions_designs::{DesignIndex, Filter, Mode, corpus};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

/// The median of 50 runs of `run`.
fn timed<T>(run: impl Fn() -> T) -> Duration {
    median(
        (0..50)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(run());
                start.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let start = Instant::now();
    std::hint::black_box(visions_designs::read_builtin().expect("reads"));
    let first = start.elapsed();
    let embedder = visions_embed::StaticEmbedder::builtin().expect("the built-in embedder");
    let designs = corpus::records().expect("the corpus");
    let build = timed(|| {
        let vectors = designs
            .iter()
            .map(|d| embedder.embed_one(&d.search_text()))
            .collect();
        DesignIndex::new(designs.clone(), visions_embed::BUILTIN_NAME, vectors).expect("index")
    });
    let index = visions_designs::builtin();
    let builtin = timed(|| visions_designs::read_builtin().expect("reads"));
    let records = timed(|| corpus::records().expect("the corpus"));
    let brief = "A family bakery selling sourdough loaves and birthday cakes for weekend pickup";
    let query = timed(|| {
        let vector = embedder.embed_one(brief);
        index.search_with(&vector, brief, 3, &Filter::default(), Mode::Hybrid)
    });
    println!(
        "design index over {} designs: a process's first read of the built-in index {first:?}, read the built-in index {builtin:?}, parse every design's JSON {records:?}, embed and index the corpus {build:?}, one brief embedded and searched {query:?} (medians of 50)",
        designs.len()
    );
}
