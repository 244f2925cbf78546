//! A design index file's metadata (`visions_designs::metadata`): any bytes, as the designs'
//! BM25 postings beside valid designs or as the whole metadata, are refused or read into an
//! index that searches without panicking.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use visions_designs::metadata::designs_metadata;
use visions_designs::{DesignIndex, Filter, Mode};
use visions_vectors::VectorIndex;

/// The built-in corpus's first two designs (their JSON) and vectors: small, so the fuzzer
/// spends its time in the metadata, not in reading designs.
static DESIGNS: LazyLock<(Vec<u8>, Vec<f32>)> = LazyLock::new(|| {
    let builtin = visions_designs::builtin();
    let designs: Vec<_> = builtin.designs().take(2).cloned().collect();
    let vectors = (0..2)
        .filter_map(|i| builtin.vector(i))
        .flatten()
        .copied()
        .collect();
    (
        serde_json::to_vec(&designs).expect("designs serialize"),
        vectors,
    )
});

fuzz_target!(|data: &[u8]| {
    let builtin = visions_designs::builtin();
    let (json, vectors) = &*DESIGNS;
    for metadata in [designs_metadata(json, data), data.to_vec()] {
        let Ok(file) =
            VectorIndex::build(builtin.embedder(), builtin.dim(), vectors.clone(), metadata)
                .and_then(|index| index.to_bytes())
        else {
            continue;
        };
        if let Ok(index) = DesignIndex::from_bytes(&file) {
            let query = vec![0.0f32; index.dim()];
            let found = index.search_with(
                &query,
                "sourdough bakery boulangerie",
                5,
                &Filter::default(),
                Mode::Lexical,
            );
            assert!(found.len() <= 2);
        }
    }
});
