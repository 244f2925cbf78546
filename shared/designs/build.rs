//! Embeds the built-in design corpus with the built-in embedder when the crate is built, and
//! indexes it for BM25, into `$OUT_DIR/builtin.vsi` (the index file format, the postings in its
//! metadata as `src/metadata.rs` lays them out): a cold start reads a finished index instead of
//! tokenizing and embedding every design (`docs/BENCHMARKS.md`, "Cold start per function").
//! Beside it, `$OUT_DIR/builtin_records.rs` says where each design's JSON object lies in that
//! file, with its id, industry and goal, so that a cold start parses only the designs it shows.

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
    // The JSON array as `serde_json::to_vec` writes it, keeping where each object lies in it.
    let mut json = b"[".to_vec();
    let mut spans = Vec::new();
    for (i, record) in records.iter().enumerate() {
        if i > 0 {
            json.push(b',');
        }
        let start = json.len();
        serde_json::to_writer(&mut json, record)?;
        spans.push((start, json.len()));
    }
    json.push(b']');
    let metadata = metadata::designs_metadata(&json, &lexical.to_bytes());
    let index = visions_vectors::VectorIndex::build(
        visions_embed::Embedder::name(embedder.as_ref()),
        visions_embed::Embedder::dim(embedder.as_ref()),
        vectors,
        metadata.clone(),
    )?;
    let file = index.to_bytes()?;
    // The metadata ends the file, and the JSON array follows its magic and length.
    let base = file
        .len()
        .checked_sub(metadata.len())
        .ok_or("the metadata is longer than the file")?
        + 16;
    if file.get(base..base + json.len()) != Some(json.as_slice()) {
        return Err("the designs' JSON is not where the metadata's layout puts it".into());
    }
    let mut table = String::from(
        "/// Each built-in design: its JSON object's bytes in `builtin.vsi`, its id, industry and\n\
         /// conversion goal, in row order (made by `build.rs`).\n\
         static BUILTIN_RECORDS: &[BuiltinRecord] = &[\n",
    );
    for (record, (start, end)) in records.iter().zip(spans) {
        table.push_str(&format!(
            "    BuiltinRecord {{ bytes: {}..{}, id: {:?}, industry: {:?}, goal: {:?} }},\n",
            base + start,
            base + end,
            field(record, "id")?,
            field(record, "industry")?,
            field(record, "conversion_goal")?,
        ));
    }
    table.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join("builtin.vsi"), file)?;
    std::fs::write(out.join("builtin_records.rs"), table)?;
    Ok(())
}
