//! BM25 over the designs' search text: the lexical baseline the embedders are measured
//! against, and the lexical half of hybrid search.

use std::hash::BuildHasher;

use foldhash::fast::FixedState;
use foldhash::{HashMap, HashMapExt};

const K1: f32 = 1.2;
const B: f32 = 0.75;
/// Character n-gram length: 4 measured best on the labelled set (recall@3 in English 0.964
/// with 4, 0.952 with 5, 0.904 with 6, 0.928 with words alone).
const GRAM: usize = 4;

pub struct Bm25 {
    /// Per term (by its 64-bit hash: the terms themselves are never read back, and a cold
    /// start builds this map without allocating a string per n-gram): (document, frequency).
    postings: HashMap<u64, Vec<(usize, f32)>>,
    lengths: Vec<f32>,
    average: f32,
}

impl Bm25 {
    pub fn new<'a>(documents: impl IntoIterator<Item = &'a str>) -> Self {
        let mut postings: HashMap<u64, Vec<(usize, f32)>> = HashMap::new();
        let mut lengths = Vec::new();
        for (doc, text) in documents.into_iter().enumerate() {
            let mut words = terms(text);
            lengths.push(words.len() as f32);
            words.sort_unstable();
            for run in words.chunk_by(|a, b| a == b) {
                if let Some(word) = run.first() {
                    postings
                        .entry(*word)
                        .or_default()
                        .push((doc, run.len() as f32));
                }
            }
        }
        let average = lengths.iter().sum::<f32>() / lengths.len().max(1) as f32;
        Self {
            postings,
            lengths,
            average,
        }
    }

    /// Every document's score for `query` (zero where no word is shared).
    pub fn scores(&self, query: &str) -> Vec<f32> {
        let total = self.lengths.len() as f32;
        let mut scores = vec![0.0f32; self.lengths.len()];
        let mut words = terms(query);
        words.sort();
        words.dedup();
        for word in words {
            let Some(docs) = self.postings.get(&word) else {
                continue;
            };
            let df = docs.len() as f32;
            let idf = ((total - df + 0.5) / (df + 0.5) + 1.0).ln();
            for (doc, tf) in docs {
                let length = self.lengths.get(*doc).copied().unwrap_or(self.average);
                let norm = tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * length / self.average));
                if let Some(score) = scores.get_mut(*doc) {
                    *score += idf * norm;
                }
            }
        }
        scores
    }
}

/// A text's terms, hashed: its words, and the character n-grams of its longer words, so a
/// compound ("Sauerteigbäckerei") or an inflection ("boulangères") still meets the word it
/// contains. The seed is fixed, so a term hashes the same in every process.
fn terms(text: &str) -> Vec<u64> {
    let hasher = FixedState::with_seed(0x5eed_b425);
    let mut out = Vec::new();
    for word in visions_embed::words(text) {
        let chars: Vec<char> = word.chars().collect();
        let whole = hasher.hash_one(('w', &chars));
        // A whole word counts twice: it says more than any of its grams (MRR 0.930 → 0.934).
        out.extend([whole, whole]);
        if chars.len() > GRAM {
            out.extend(chars.windows(GRAM).map(|gram| hasher.hash_one(('#', gram))));
        }
    }
    out
}
