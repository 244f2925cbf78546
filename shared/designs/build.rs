//! Embeds the built-in design corpus with the built-in embedder when the crate is built, and
//! indexes it for BM25, into `$OUT_DIR/builtin.vsi` (the index file format, the postings in its
//! metadata as `src/metadata.rs` lays them out): a cold start reads a finished index instead of
//! tokenizing and embedding every design (`docs/BENCHMARKS.md`, "Cold start per function").

use std::error::Error;
use std::path::PathBuf;

use serde_json::Value;

include!("src/search_text.rs");

// Only building and writing is used here.
#[allow(dead_code)]
mod bm25 {
    include!("src/bm25.rs");
}

#[allow(dead_code)]
mod metadata {
    include!("src/metadata.rs");
}

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=corpus/records.json");
    println!("cargo::rerun-if-changed=src/search_text.rs");
    println!("cargo::rerun-if-changed=src/bm25.rs");
    println!("cargo::rerun-if-changed=src/metadata.rs");
    let records: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string("corpus/records.json")?)?;
    let embedder = visions_embed::StaticEmbedder::builtin()?;
    let field = |record: &Value, name: &str| -> Result<String, String> {
        record
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("a design record has no string `{name}`"))
    };
    let mut vectors = Vec::new();
    let mut texts = Vec::new();
    for record in &records {
        let keywords: Vec<&str> = record
            .get("keywords")
            .and_then(Value::as_array)
            .map(|words| words.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let text = search_text(
            &field(record, "name")?,
            &field(record, "industry")?,
            &field(record, "conversion_goal")?,
            &field(record, "audience")?,
            &keywords,
        );
        vectors.extend(embedder.embed_one(&text));
        texts.push(text);
    }
    let lexical = bm25::Bm25::new(texts.iter().map(String::as_str));
    let index = visions_vectors::VectorIndex::build(
        visions_embed::Embedder::name(embedder.as_ref()),
        visions_embed::Embedder::dim(embedder.as_ref()),
        vectors,
        metadata::designs_metadata(&serde_json::to_vec(&records)?, &lexical.to_bytes()),
    )?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join("builtin.vsi"), index.to_bytes()?)?;
    Ok(())
}
