//! Designs of high-converting landing pages, and finding the ones that fit a brief.
//!
//! The corpus (`corpus/records.json`, schema beside it) is compiled in, already embedded with
//! the built-in static embedder and indexed for BM25 (by `build.rs`) into a [`DesignIndex`]
//! file, which carries the postings too ([`metadata`]). Teams build their own
//! index files (`visions-ai index build|add`), kept as generations in the blob store
//! ([`store`]).

/// BM25 over the designs' search text: the lexical baseline the embedders are measured against,
/// and the lexical half of hybrid search.
mod bm25;
pub mod corpus;
mod design_list;
pub mod eval;
mod index;
pub mod ingest;
/// The layout of a design index file's metadata: the designs and their BM25 postings.
pub mod metadata;
mod record;
mod search_text;
pub mod store;

use std::sync::{Arc, LazyLock};

pub use index::{DesignIndex, Filter, Match, Mode, RetrievalError};
pub use record::{Design, DesignSection, Hero, Palette, Typography, industry_label};

use visions_embed::StaticEmbedder;

/// The built-in corpus with its vectors and BM25 postings, made by `build.rs` with the
/// built-in embedder.
const BUILTIN_INDEX: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/builtin.vsi"));

static BUILTIN: LazyLock<Arc<DesignIndex>> =
    LazyLock::new(|| Arc::new(read_builtin().expect("the built-in index reads (a test checks)")));

use design_list::BuiltinRecord;
include!(concat!(env!("OUT_DIR"), "/builtin_records.rs"));

/// Reads the built-in corpus's compiled-in index file (what [`builtin`] does once per process);
/// each design is parsed at its first use.
pub fn read_builtin() -> Result<DesignIndex, RetrievalError> {
    DesignIndex::builtin(BUILTIN_INDEX, BUILTIN_RECORDS)
}

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
