//! BM25 postings beside a design index file: any bytes are refused or read into postings that
//! score a query without panicking.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use visions_designs::{DesignIndex, Filter, Mode};

static INDEX_FILE: LazyLock<Vec<u8>> = LazyLock::new(|| visions_designs::builtin().to_bytes());

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
        assert!(found.len() <= 5);
    }
});
