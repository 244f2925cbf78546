//! BM25 postings beside a design index file: any bytes are refused or read into postings that
//! score a query without panicking.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use visions_designs::{DesignIndex, Filter, Mode};

/// An index file of the built-in corpus's first two designs: small, so the fuzzer spends its
/// time in the postings, not in reading designs.
static INDEX_FILE: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let builtin = visions_designs::builtin();
    let designs: Vec<_> = builtin.designs().iter().take(2).cloned().collect();
    let vectors = (0..designs.len())
        .filter_map(|i| builtin.vector(i).map(<[f32]>::to_vec))
        .collect();
    DesignIndex::new(designs, builtin.embedder(), vectors)
        .expect("two designs index")
        .to_bytes()
        .expect("a built index is whole")
});

fuzz_target!(|data: &[u8]| {
    if let Ok(index) = DesignIndex::from_bytes_with_bm25(&INDEX_FILE, data) {
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
});
