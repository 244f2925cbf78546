//! Designs of high-converting landing pages, and finding the ones that fit a brief.
//!
//! The corpus (`corpus/records.json`, schema beside it) is compiled in; at first use it is
//! embedded with the built-in static embedder into a [`DesignIndex`]. Teams build their own
//! index files (`visions-ai index build|add`), kept as generations in the blob store
//! ([`store`]).

mod bm25;
pub mod corpus;
pub mod eval;
mod index;
pub mod ingest;
mod record;
pub mod store;

use std::sync::{Arc, LazyLock};

pub use index::{DesignIndex, Filter, Match, Mode, RetrievalError};
pub use record::{Design, DesignSection, Hero, Palette, Typography, industry_label};

use visions_embed::StaticEmbedder;

static BUILTIN: LazyLock<Arc<DesignIndex>> = LazyLock::new(|| {
    let embedder = StaticEmbedder::builtin().expect("the built-in embedder loads (a test checks)");
    let designs = corpus::records().expect("the built-in corpus parses (a test checks)");
    let vectors = designs
        .iter()
        .map(|d| embedder.embed_one(&d.search_text()))
        .collect();
    let index = DesignIndex::new(
        designs,
        visions_embed::Embedder::name(embedder.as_ref()),
        vectors,
    )
    .expect("the built-in corpus indexes (a test checks)");
    Arc::new(index)
});

/// The built-in corpus, indexed once per process.
pub fn builtin() -> &'static DesignIndex {
    &BUILTIN
}

/// The `k` designs of the built-in corpus closest to `query` by the built-in embedder and
/// BM25 (what the pipeline falls back to when a configured index cannot answer).
pub fn closest_builtin(query: &str, k: usize) -> Vec<Design> {
    let Ok(embedder) = StaticEmbedder::builtin() else {
        return Vec::new();
    };
    let vector = embedder.embed_one(query);
    builtin()
        .search_with(&vector, query, k, &Filter::default(), Mode::Hybrid)
        .into_iter()
        .map(|m| m.design.clone())
        .collect()
}
