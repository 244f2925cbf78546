//! What design retrieval costs: reading the built-in index with its BM25 postings (once per
//! cold start of the worker and the retrieve function), reading the same corpus as an index file
//! alone (a published generation: BM25 is built as it loads), embedding and indexing the corpus
//! (what `build.rs` does once per build) and answering one brief (once per job). Median of 50.
//! `cargo bench -p visions-designs --bench index`

use std::time::{Duration, Instant};

use visions_designs::{DesignIndex, Filter, Mode, corpus};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

fn main() {
    let embedder = visions_embed::StaticEmbedder::builtin().expect("the built-in embedder");
    let designs = corpus::records().expect("the corpus");
    let build = median(
        (0..50)
            .map(|_| {
                let start = Instant::now();
                let vectors = designs
                    .iter()
                    .map(|d| embedder.embed_one(&d.search_text()))
                    .collect();
                std::hint::black_box(
                    DesignIndex::new(designs.clone(), visions_embed::BUILTIN_NAME, vectors)
                        .expect("index"),
                );
                start.elapsed()
            })
            .collect(),
    );
    let index = visions_designs::builtin();
    let file = index.to_bytes().expect("whole");
    let timed = |read: &dyn Fn() -> DesignIndex| {
        median(
            (0..50)
                .map(|_| {
                    let start = Instant::now();
                    std::hint::black_box(read());
                    start.elapsed()
                })
                .collect(),
        )
    };
    let builtin = timed(&|| visions_designs::read_builtin().expect("reads"));
    let read = timed(&|| DesignIndex::from_bytes(&file).expect("reads"));
    let brief = "A family bakery selling sourdough loaves and birthday cakes for weekend pickup";
    let query = median(
        (0..50)
            .map(|_| {
                let start = Instant::now();
                let vector = embedder.embed_one(brief);
                std::hint::black_box(index.search_with(
                    &vector,
                    brief,
                    3,
                    &Filter::default(),
                    Mode::Hybrid,
                ));
                start.elapsed()
            })
            .collect(),
    );
    println!(
        "design index over {} designs: read the built-in index {builtin:?}, read it as an index file {read:?}, embed and index the corpus {build:?}, one brief embedded and searched {query:?} (medians of 50)",
        designs.len()
    );
}
