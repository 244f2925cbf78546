//! What users send that retrieval reads: a brief (tokenized and embedded), and a page of
//! their own (read into a design record that must satisfy the schema).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let embedder = visions_embed::StaticEmbedder::builtin().expect("the built-in model loads");
    let vector = embedder.embed_one(&text);
    let norm: f32 = vector.iter().map(|x| x * x).sum();
    assert!(norm == 0.0 || (norm - 1.0).abs() < 1e-3, "norm {norm}");
    let _ = visions_designs::closest_builtin(&text, 3);
    if let Ok(design) = visions_designs::ingest::page("fuzz", &text) {
        let json = serde_json::to_string(&[design]).expect("serializes");
        let problems = visions_designs::corpus::validate(&json);
        assert!(problems.is_empty(), "{problems:?}");
    }
});
