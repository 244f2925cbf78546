//! Embeds the built-in design corpus with the built-in embedder when the crate is built, into
//! `$OUT_DIR/builtin.vsi` (the index file format): a cold start reads a finished index instead
//! of tokenizing and embedding every design (`docs/BENCHMARKS.md`, "Cold start per function").

use std::error::Error;
use std::path::PathBuf;

use serde_json::Value;

include!("src/search_text.rs");

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=corpus/records.json");
    println!("cargo::rerun-if-changed=src/search_text.rs");
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
    }
    let index = visions_vectors::VectorIndex::build(
        visions_embed::Embedder::name(embedder.as_ref()),
        visions_embed::Embedder::dim(embedder.as_ref()),
        vectors,
        serde_json::to_vec(&records)?,
    )?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("builtin.vsi");
    std::fs::write(out, index.to_bytes())?;
    Ok(())
}
