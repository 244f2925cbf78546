// BM25 over the designs' search text: the lexical baseline the embedders are measured against,
// and the lexical half of hybrid search. `build.rs` includes this file to index the built-in
// corpus once per build (so it has no inner doc comment: see `mod bm25` in `lib.rs`).

use std::hash::BuildHasher;

use foldhash::fast::FixedState;

const K1: f32 = 1.2;
const B: f32 = 0.75;
/// Character n-gram length: 4 measured best on the labelled set (recall@3 in English 0.964
/// with 4, 0.952 with 5, 0.904 with 6, 0.928 with words alone).
const GRAM: usize = 4;
/// The serialized form: magic, then little-endian u32 counts (documents, terms, postings), the
/// documents' lengths (f32), the terms (u64, strictly ascending), each term's first posting
/// (u32, one more than the terms, ascending, the last = postings) and the postings (u32
/// document, f32 frequency).
const MAGIC: &[u8; 8] = b"VSBM25v1";

/// Postings in one sorted run per term (compressed sparse rows): built with one sort and a
/// handful of allocations, where a map of vectors took one per term (tens of thousands for
/// the built-in corpus), and stored as plain arrays.
#[derive(Debug, PartialEq)]
pub struct Bm25 {
    /// Term hashes, ascending: the terms themselves are never read back.
    terms: Vec<u64>,
    /// Term `t`'s postings are `postings[starts[t]..starts[t + 1]]`.
    starts: Vec<u32>,
    /// (document, frequency).
    postings: Vec<(u32, f32)>,
    lengths: Vec<f32>,
    average: f32,
}

impl Bm25 {
    pub fn new<'a>(documents: impl IntoIterator<Item = &'a str>) -> Self {
        let mut all: Vec<(u64, u32, f32)> = Vec::new();
        let mut lengths = Vec::new();
        for (doc, text) in documents.into_iter().enumerate() {
            let mut words = terms(text);
            lengths.push(words.len() as f32);
            words.sort_unstable();
            let doc = u32::try_from(doc).unwrap_or(u32::MAX);
            all.extend(
                words
                    .chunk_by(|a, b| a == b)
                    .filter_map(|run| Some((*run.first()?, doc, run.len() as f32))),
            );
        }
        // Each term's postings in document order.
        all.sort_unstable_by_key(|(term, doc, _)| (*term, *doc));
        let mut terms = Vec::new();
        let mut starts = Vec::new();
        for (at, (term, _, _)) in all.iter().enumerate() {
            if terms.last() != Some(term) {
                terms.push(*term);
                starts.push(at as u32);
            }
        }
        starts.push(all.len() as u32);
        let postings = all.into_iter().map(|(_, doc, tf)| (doc, tf)).collect();
        Self::assemble(terms, starts, postings, lengths)
    }

    fn assemble(
        terms: Vec<u64>,
        starts: Vec<u32>,
        postings: Vec<(u32, f32)>,
        lengths: Vec<f32>,
    ) -> Self {
        let average = lengths.iter().sum::<f32>() / lengths.len().max(1) as f32;
        Self {
            terms,
            starts,
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
        words.sort_unstable();
        words.dedup();
        for word in words {
            let docs = self.postings_of(word);
            if docs.is_empty() {
                continue;
            }
            let df = docs.len() as f32;
            let idf = ((total - df + 0.5) / (df + 0.5) + 1.0).ln();
            for (doc, tf) in docs {
                let length = self.lengths.get(*doc as usize).copied();
                let length = length.unwrap_or(self.average);
                let norm = tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * length / self.average));
                if let Some(score) = scores.get_mut(*doc as usize) {
                    *score += idf * norm;
                }
            }
        }
        scores
    }

    pub fn documents(&self) -> usize {
        self.lengths.len()
    }

    fn postings_of(&self, term: u64) -> &[(u32, f32)] {
        let Ok(t) = self.terms.binary_search(&term) else {
            return &[];
        };
        let (Some(&start), Some(&end)) = (self.starts.get(t), self.starts.get(t + 1)) else {
            return &[];
        };
        self.postings
            .get(start as usize..end as usize)
            .unwrap_or(&[])
    }

    /// What `build.rs` writes for the built-in corpus.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            20 + 4 * self.lengths.len() + 12 * self.terms.len() + 4 + 8 * self.postings.len(),
        );
        out.extend_from_slice(MAGIC);
        for count in [self.lengths.len(), self.terms.len(), self.postings.len()] {
            out.extend_from_slice(&(count as u32).to_le_bytes());
        }
        self.lengths
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_le_bytes()));
        self.terms
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_le_bytes()));
        self.starts
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_le_bytes()));
        for (doc, tf) in &self.postings {
            out.extend_from_slice(&doc.to_le_bytes());
            out.extend_from_slice(&tf.to_le_bytes());
        }
        out
    }

    /// Reads [`Bm25::to_bytes`]; `None` for anything else (wrong length, terms out of order,
    /// a posting outside the documents, a frequency or length that is not a finite count).
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let mut reader = Reader(bytes.strip_prefix(MAGIC)?);
        let [documents, terms, postings] = [reader.u32()?, reader.u32()?, reader.u32()?];
        // Every count is checked against the bytes left before anything is allocated (in u64:
        // four u32 counts times at most 12 cannot overflow it).
        let (d, t, p) = (u64::from(documents), u64::from(terms), u64::from(postings));
        if reader.0.len() as u64 != 4 * d + 8 * t + 4 * (t + 1) + 8 * p {
            return None;
        }
        let [documents, terms, postings] = [documents, terms, postings].map(|n| n as usize);
        let count = |x: f32| x.is_finite() && x >= 0.0;
        let lengths: Vec<f32> = (0..documents).map_while(|_| reader.f32()).collect();
        let terms: Vec<u64> = (0..terms).map_while(|_| reader.u64()).collect();
        let starts: Vec<u32> = (0..=terms.len()).map_while(|_| reader.u32()).collect();
        let postings: Vec<(u32, f32)> = (0..postings)
            .map_while(|_| Some((reader.u32()?, reader.f32()?)))
            .collect();
        let valid = lengths.iter().all(|&x| count(x))
            && terms.windows(2).all(|w| matches!(w, [a, b] if a < b))
            && starts.first() == Some(&0)
            && starts.last().map(|&s| s as usize) == Some(postings.len())
            && starts.windows(2).all(|w| matches!(w, [a, b] if a <= b))
            && postings
                .iter()
                .all(|&(doc, tf)| (doc as usize) < lengths.len() && count(tf));
        valid.then(|| Self::assemble(terms, starts, postings, lengths))
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }

    fn u32(&mut self) -> Option<u32> {
        self.take().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Option<u64> {
        self.take().map(u64::from_le_bytes)
    }

    fn f32(&mut self) -> Option<f32> {
        self.take().map(f32::from_le_bytes)
    }
}

/// A text's terms, hashed: its words, and the character n-grams of its longer words, so a
/// compound ("Sauerteigbäckerei") or an inflection ("boulangères") still meets the word it
/// contains. The seed is fixed, so a term hashes the same in every process (and in `build.rs`).
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Bm25 {
        Bm25::new([
            "Sourdough bakery for weekend pickup",
            "Dental clinic booking, teeth whitening",
            "Boulangerie artisanale: pain au levain",
        ])
    }

    #[test]
    fn the_document_sharing_the_words_scores_highest_and_the_others_zero() {
        let scores = sample().scores("whitening for my teeth");
        assert!(scores[1] > 0.0, "{scores:?}");
        assert_eq!(scores[2], 0.0, "{scores:?}");
        // "for" is the bakery's only shared word: it scores, below the clinic.
        assert!(scores[0] > 0.0 && scores[0] < scores[1], "{scores:?}");
    }

    #[test]
    fn the_stored_form_reads_back_to_the_same_index_and_scores() {
        let index = sample();
        let read = Bm25::from_bytes(&index.to_bytes()).expect("reads");
        assert_eq!(read, index);
        assert_eq!(read.scores("levain bakery"), index.scores("levain bakery"));
    }

    #[test]
    fn a_damaged_stored_form_is_refused() {
        let bytes = sample().to_bytes();
        for len in 0..bytes.len() {
            assert!(Bm25::from_bytes(&bytes[..len]).is_none(), "prefix of {len}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Bm25::from_bytes(&longer).is_none());
        let index = sample();
        let at = |field: usize| 20 + field;
        let lengths = at(0);
        let terms = lengths + 4 * index.lengths.len();
        let starts = terms + 8 * index.terms.len();
        let postings = starts + 4 * index.starts.len();
        let edits: [(&str, usize, &[u8]); 5] = [
            ("magic", 0, b"VSBM25v2"),
            (
                "a length that is not a count",
                lengths,
                &f32::NAN.to_le_bytes(),
            ),
            ("terms out of order", terms, &u64::MAX.to_le_bytes()),
            ("starts not from zero", starts, &1u32.to_le_bytes()),
            (
                "a posting outside the documents",
                postings,
                &3u32.to_le_bytes(),
            ),
        ];
        for (what, offset, value) in edits {
            let mut bad = bytes.clone();
            bad[offset..offset + value.len()].copy_from_slice(value);
            assert!(Bm25::from_bytes(&bad).is_none(), "{what}");
        }
    }
}
