//! Index files from the blob store: any bytes are refused or read into an index that searches
//! without panicking, whole or lazily (a header, the rest of a body, rows filled from the
//! input); what we write reads back identically, both ways.
#![no_main]

use libfuzzer_sys::fuzz_target;
use visions_vectors::VectorIndex;

fuzz_target!(|data: &[u8]| {
    if let Ok(index) = VectorIndex::from_bytes(data) {
        let query = vec![0.5f32; index.dim().min(4096)];
        let _ = index.search(&query, 5, |_| true);
        let _ = index.search_exact(&query, 5, |id| id % 2 == 0);
        assert_eq!(
            VectorIndex::from_bytes(&index.to_bytes().expect("whole")).ok(),
            Some(index)
        );
    }
    let cut = usize::from(data.first().copied().unwrap_or(0)) * 4;
    if let Ok(lazy) = VectorIndex::open_lazily(data, data.get(cut..).unwrap_or(&[])) {
        let query = vec![0.5f32; lazy.dim().min(4096)];
        for _ in 0..3 {
            match lazy.try_search(&query, 5, |_| true) {
                Ok(_) => break,
                Err(visions_vectors::Missing(ids)) => {
                    for id in ids {
                        let bytes = lazy.row_bytes(id).and_then(|r| data.get(r));
                        let _ = lazy.fill_row(id, bytes.unwrap_or(&[]));
                    }
                }
            }
        }
    }
    // Vectors made of the input: built, written and read back, searched exactly as a scan.
    let dim = usize::from(data.first().copied().unwrap_or(1) % 16) + 1;
    let floats: Vec<f32> = data.iter().map(|b| f32::from(*b) - 127.5).collect();
    let rows = floats.len() / dim;
    if let Ok(index) = VectorIndex::build(
        "fuzz",
        dim,
        floats.get(..rows * dim).unwrap_or(&[]).to_vec(),
        data.to_vec(),
    ) {
        let file = index.to_bytes().expect("whole");
        let back = VectorIndex::from_bytes(&file).expect("our own file reads back");
        assert_eq!(back, index);
        let layout = index.layout().expect("a layout");
        let lazy = VectorIndex::open_lazily(&file, file.get(layout.rows_end..).unwrap_or(&[]))
            .expect("our own file opens lazily");
        for id in 0..index.len() {
            let bytes = index
                .row_bytes(id)
                .and_then(|r| file.get(r))
                .expect("a row");
            lazy.fill_row(id, bytes).expect("our own rows fill");
        }
        assert_eq!(lazy.to_bytes().ok(), Some(file));
        if let Some(query) = index.vector(0).map(<[f32]>::to_vec) {
            let exact: Vec<usize> = index
                .search_exact(&query, 3, |_| true)
                .iter()
                .map(|h| h.id)
                .collect();
            let scan: Vec<usize> = index
                .search_brute_force(&query, 3)
                .iter()
                .map(|h| h.id)
                .collect();
            assert_eq!(exact, scan);
        }
    }
});
