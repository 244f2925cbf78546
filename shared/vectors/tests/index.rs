//! The index against a plain f32 scan, its file against damage, and its inverted file's recall.

use visions_vectors::{IVF_THRESHOLD, IndexError, VectorIndex};

/// Unit vectors in clusters, as sentence embeddings are (a fixed seed: the same data each run).
/// `sample` picks the noise: base rows and queries share the clusters (the same `seed`).
fn clustered(count: usize, dim: usize, clusters: usize, seed: u64) -> Vec<f32> {
    sample(count, dim, clusters, seed, 0)
}

fn sample(count: usize, dim: usize, clusters: usize, seed: u64, noise: u64) -> Vec<f32> {
    fn generator(mut state: u64) -> impl FnMut() -> f32 {
        move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        }
    }
    let mut centre = generator(seed);
    let centres: Vec<f32> = (0..clusters * dim).map(|_| centre()).collect();
    let mut next = generator(seed ^ (noise + 1).wrapping_mul(0x9E3779B97F4A7C15));
    let mut out = Vec::with_capacity(count * dim);
    for i in 0..count {
        let c = i % clusters;
        for d in 0..dim {
            let centre = centres.get(c * dim + d).copied().unwrap_or(0.0);
            out.push(centre + 0.35 * next());
        }
    }
    out
}

fn ids(hits: &[visions_vectors::Hit]) -> Vec<usize> {
    hits.iter().map(|h| h.id).collect()
}

#[test]
fn exact_search_returns_what_a_full_f32_scan_returns() {
    for (count, dim, seed) in [(1, 8, 1), (500, 24, 2), (3000, 64, 3), (4000, 384, 4)] {
        let index = VectorIndex::build("test", dim, clustered(count, dim, 20, seed), Vec::new())
            .expect("builds");
        let queries = sample(50, dim, 20, seed, 1);
        for (q, query) in queries.chunks_exact(dim).enumerate() {
            for k in [1, 3, 10] {
                let got = index.search_exact(query, k, |_| true);
                let want = index.search_brute_force(query, k);
                assert_eq!(ids(&got), ids(&want), "count {count}, query {q}, k {k}");
                for (g, w) in got.iter().zip(&want) {
                    assert!((g.score - w.score).abs() < 1e-5);
                }
            }
        }
    }
}

#[test]
fn a_filter_keeps_only_allowed_rows_and_still_fills_k() {
    let dim = 16;
    let index =
        VectorIndex::build("test", dim, clustered(1000, dim, 10, 9), Vec::new()).expect("builds");
    let query = sample(1, dim, 10, 9, 1);
    let hits = index.search_exact(&query, 5, |id| id % 7 == 0);
    assert_eq!(hits.len(), 5);
    assert!(hits.iter().all(|h| h.id % 7 == 0));
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn queries_it_cannot_answer_find_nothing() {
    let index = VectorIndex::build("test", 4, clustered(10, 4, 2, 5), Vec::new()).expect("builds");
    assert!(index.search(&[0.0; 4], 3, |_| true).is_empty());
    assert!(
        index
            .search(&[1.0, f32::NAN, 0.0, 0.0], 3, |_| true)
            .is_empty()
    );
    assert!(index.search(&[1.0; 3], 3, |_| true).is_empty());
    assert!(index.search(&[1.0; 4], 0, |_| true).is_empty());
    assert_eq!(
        index.check_query("other", &[1.0; 4]),
        Err(IndexError::EmbedderMismatch {
            index: "test".into(),
            query: "other".into()
        })
    );
    assert_eq!(
        index.check_query("test", &[1.0; 5]),
        Err(IndexError::Dimension { want: 4, got: 5 })
    );
}

#[test]
fn bad_vectors_are_refused_at_build() {
    assert_eq!(
        VectorIndex::build("t", 2, vec![1.0, 0.0, 0.0, 0.0], Vec::new()),
        Err(IndexError::BadVector(1))
    );
    assert!(VectorIndex::build("t", 3, vec![1.0; 4], Vec::new()).is_err());
    assert!(VectorIndex::build("t", 0, vec![], Vec::new()).is_err());
}

#[test]
fn the_file_round_trips_and_refuses_any_damage() {
    let dim = 12;
    let index = VectorIndex::build(
        "static-minilm",
        dim,
        clustered(60, dim, 4, 11),
        b"{}".to_vec(),
    )
    .expect("builds");
    let bytes = index.to_bytes().expect("a built index is whole");
    let back = VectorIndex::from_bytes(&bytes).expect("reads");
    assert_eq!(back, index);
    assert_eq!(back.metadata(), b"{}");

    // Every truncation is refused, never a panic or a half index.
    for cut in 0..bytes.len() {
        assert!(
            VectorIndex::from_bytes(bytes.get(..cut).unwrap_or(&[])).is_err(),
            "cut {cut}"
        );
    }
    // Any flipped byte is caught: by the magic, the version, the header checks or the checksum.
    for at in (0..bytes.len()).step_by(7) {
        let mut damaged = bytes.clone();
        if let Some(b) = damaged.get_mut(at) {
            *b ^= 0x5A;
        }
        assert!(VectorIndex::from_bytes(&damaged).is_err(), "flip at {at}");
    }
    let mut wrong = bytes.clone();
    if let Some(b) = wrong.get_mut(0) {
        *b = b'X';
    }
    assert_eq!(VectorIndex::from_bytes(&wrong), Err(IndexError::NotAnIndex));
    let mut later = bytes.clone();
    if let Some(b) = later.get_mut(8) {
        *b = 9;
    }
    assert_eq!(VectorIndex::from_bytes(&later), Err(IndexError::Version(9)));
    let mut longer = bytes;
    longer.push(0);
    assert!(VectorIndex::from_bytes(&longer).is_err());
}

#[test]
fn the_inverted_file_reaches_its_recall_target_and_survives_the_file() {
    let dim = 32;
    let count = IVF_THRESHOLD + 5000;
    let rows = clustered(count, dim, 150, 21);
    let index = VectorIndex::build("test", dim, rows.clone(), Vec::new()).expect("builds");
    let ivf = index.ivf().expect("an inverted file above the threshold");
    // Rows are stored list by list, but each keeps its number.
    for id in [0, 1, 777, count - 1] {
        let mut want = rows.get(id * dim..(id + 1) * dim).expect("row").to_vec();
        visions_vectors::normalize(&mut want).expect("non-zero");
        assert_eq!(index.vector(id), Some(want.as_slice()), "row {id}");
        let hits = index.search_brute_force(&want, 1);
        assert_eq!(hits.first().map(|h| h.id), Some(id));
    }
    assert!(ivf.lists() > 100 && ivf.nprobe() < ivf.lists());
    let queries = sample(200, dim, 150, 21, 1);
    let (mut found, mut wanted) = (0, 0);
    for query in queries.chunks_exact(dim) {
        let truth = ids(&index.search_brute_force(query, 10));
        let got = ids(&index.search(query, 10, |_| true));
        found += got.iter().filter(|id| truth.contains(id)).count();
        wanted += truth.len();
    }
    let recall = found as f32 / wanted as f32;
    assert!(
        recall >= 0.95,
        "recall@10 {recall} at nprobe {}",
        ivf.nprobe()
    );
    let back = VectorIndex::from_bytes(&index.to_bytes().expect("whole")).expect("reads");
    assert_eq!(back, index);
}

/// Found by the fuzzer: rows tied with the k-th score, where rounding in the int8 estimate
/// left a tied row's upper bound a hair under the floor.
#[test]
fn ties_at_the_kth_score_are_broken_as_a_full_scan_breaks_them() {
    let data: &[u8] = include_bytes!("fixtures/tied-rows.bin");
    let dim = usize::from(data.first().copied().unwrap_or(1) % 16) + 1;
    let floats: Vec<f32> = data.iter().map(|b| f32::from(*b) - 127.5).collect();
    let rows = floats.len() / dim;
    let index = VectorIndex::build(
        "t",
        dim,
        floats.get(..rows * dim).unwrap_or(&[]).to_vec(),
        Vec::new(),
    )
    .expect("builds");
    for row in 0..rows {
        let query = index.vector(row).expect("row").to_vec();
        for k in 1..=rows {
            assert_eq!(
                ids(&index.search_exact(&query, k, |_| true)),
                ids(&index.search_brute_force(&query, k)),
                "row {row}, k {k}"
            );
        }
    }
}

/// Opens `index`'s file lazily, from its header and everything after its f32 rows.
fn open_lazily(file: &[u8], index: &VectorIndex) -> VectorIndex {
    let layout = index.layout().expect("a layout");
    let head = file.get(..layout.header).expect("header");
    let tail = file.get(layout.rows_end..).expect("tail");
    VectorIndex::open_lazily(head, tail).expect("opens")
}

/// Searches a lazily opened index as a cold start does: whatever rows a search names missing
/// are read from the file and filled, until it answers; returns the answer and the rows read.
fn search_filling(
    lazy: &VectorIndex,
    file: &[u8],
    query: &[f32],
    k: usize,
) -> (Vec<visions_vectors::Hit>, usize) {
    let mut read = 0;
    loop {
        match lazy.try_search(query, k, |_| true) {
            Ok(hits) => return (hits, read),
            Err(visions_vectors::Missing(ids)) => {
                assert!(!ids.is_empty());
                for id in ids {
                    let bytes = file
                        .get(lazy.row_bytes(id).expect("a row"))
                        .expect("in file");
                    lazy.fill_row(id, bytes).expect("an undamaged row fills");
                    read += 1;
                }
            }
        }
    }
}

#[test]
fn a_lazily_opened_index_answers_as_the_whole_file_does_reading_only_the_rows_it_ranks() {
    for (count, dim) in [(3000, 48), (IVF_THRESHOLD + 2000, 32)] {
        let index = VectorIndex::build(
            "test",
            dim,
            clustered(count, dim, 150, 31),
            b"meta".to_vec(),
        )
        .expect("builds");
        let file = index.to_bytes().expect("whole");
        let lazy = open_lazily(&file, &index);
        assert_eq!(
            (lazy.len(), lazy.dim(), lazy.metadata()),
            (count, dim, &b"meta"[..])
        );
        assert!(!lazy.is_complete());
        assert_eq!(lazy.to_bytes(), Err(IndexError::Incomplete));
        let queries = sample(20, dim, 150, 31, 1);
        let mut read = 0;
        for query in queries.chunks_exact(dim) {
            let (got, rows) = search_filling(&lazy, &file, query, 10);
            assert_eq!(got, index.search(query, 10, |_| true));
            read += rows;
        }
        // Each query reads its few candidates, under 2% of the rows.
        assert!(
            read > 0 && read < 20 * count / 50,
            "{read} rows read for 20 queries"
        );
        // Filled completely, it is the index the whole file reads to.
        for id in 0..count {
            let bytes = file
                .get(index.row_bytes(id).expect("a row"))
                .expect("in file");
            lazy.fill_row(id, bytes).expect("fills");
        }
        assert!(lazy.is_complete());
        assert_eq!(lazy.to_bytes().expect("complete"), file);
    }
}

#[test]
fn a_lazily_read_row_that_does_not_match_its_code_is_refused() {
    let dim = 24;
    let index =
        VectorIndex::build("test", dim, clustered(500, dim, 10, 41), Vec::new()).expect("builds");
    let file = index.to_bytes().expect("whole");
    let lazy = open_lazily(&file, &index);
    let id = 123;
    let good = file
        .get(index.row_bytes(id).expect("a row"))
        .expect("in file");
    let other = file
        .get(index.row_bytes(id + 1).expect("a row"))
        .expect("in file");
    // Each bit of a value's sign, exponent and top of its mantissa, and a whole other row.
    let mut damaged: Vec<Vec<u8>> = (12..32)
        .map(|bit| {
            let mut bytes = good.to_vec();
            let value = bytes.get_mut(4 * 5 + bit / 8).expect("a byte");
            *value ^= 1 << (bit % 8);
            bytes
        })
        .collect();
    damaged.push(other.to_vec());
    damaged.push(good.get(4..).expect("short").to_vec());
    let mut nan = good.to_vec();
    nan.get_mut(..4)
        .expect("a value")
        .copy_from_slice(&f32::NAN.to_le_bytes());
    damaged.push(nan);
    for bytes in damaged {
        assert_eq!(lazy.fill_row(id, &bytes), Err(IndexError::RowMismatch(id)));
        assert_eq!(lazy.vector(id), None);
    }
    lazy.fill_row(id, good).expect("the row itself fills");
    assert_eq!(lazy.vector(id), index.vector(id));
}

#[test]
fn a_lazy_open_refuses_a_header_and_rest_that_do_not_belong_together() {
    let dim = 16;
    let index =
        VectorIndex::build("test", dim, clustered(300, dim, 10, 51), Vec::new()).expect("builds");
    let file = index.to_bytes().expect("whole");
    let layout = index.layout().expect("a layout");
    let head = file.get(..layout.header).expect("header");
    let tail = file.get(layout.rows_end..).expect("tail");
    assert!(VectorIndex::open_lazily(head, tail.get(1..).expect("shorter")).is_err());
    assert!(VectorIndex::open_lazily(head.get(..layout.header - 1).expect("cut"), tail).is_err());
    let bigger = VectorIndex::build("test", dim, clustered(301, dim, 10, 51), Vec::new())
        .expect("builds")
        .to_bytes()
        .expect("whole");
    assert!(VectorIndex::open_lazily(&bigger, tail).is_err());
    assert!(VectorIndex::open_lazily(b"not an index at all, no", tail).is_err());
}
