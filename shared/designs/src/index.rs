//! The design index: the designs, their vectors in one [`VectorIndex`] file (the designs ride
//! in its metadata), and search by meaning, by words, or both fused.

use thiserror::Error;

use std::sync::Arc;

use visions_embed::{EmbedError, Embedder};
use visions_vectors::{IndexError, Missing, VectorIndex};

use crate::Design;
use crate::bm25::Bm25;
use crate::design_list::{BuiltinRecord, DesignList};
use crate::metadata::{designs_metadata, split_designs_metadata};
use crate::store::Parts;

/// Rank constant of reciprocal-rank fusion. 20 rather than the usual 60: with a few hundred
/// designs the first ranks matter most (measured: `visions-ai index eval`, see
/// `shared/embed/model/EVALUATION.md`).
const RRF_K: f32 = 20.0;
/// How much the embedding's ranking counts beside BM25's for a query that is not in English:
/// the built-in embedder is distilled from an English model and knows French, German or
/// Spanish mostly by shared word pieces, while the designs' keywords carry those languages'
/// words. Measured on the labelled set (recall@3 / MRR outside English): 1.0 gives
/// 0.786 / 0.666, 0.25 gives 0.976 / 0.871, and English stays at 0.976 / 0.930 either way.
const FOREIGN_DENSE_WEIGHT: f32 = 0.25;

fn dense_weight(query: &str) -> f32 {
    match visions_facts::language::detect(query) {
        Some(language) if language.code() != "en" => FOREIGN_DENSE_WEIGHT,
        _ => 1.0,
    }
}
/// How deep each list goes before fusion.
const FUSION_DEPTH: usize = 50;
/// Texts embedded per provider call when an index is built.
const EMBED_BATCH: usize = 64;

#[derive(Debug, Error)]
pub enum RetrievalError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Embed(#[from] EmbedError),
    #[error("the index's design records are unusable: {0}")]
    Records(String),
    #[error("the index's vectors could not be read from the store: {0}")]
    Rows(String),
}

/// How a query is matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Cosine similarity of embeddings.
    Dense,
    /// BM25 over the designs' words.
    Lexical,
    /// Both, by reciprocal-rank fusion.
    Hybrid,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Lexical, Mode::Dense, Mode::Hybrid];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dense => "dense",
            Self::Lexical => "bm25",
            Self::Hybrid => "hybrid",
        }
    }
}

/// What a search may return.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub industry: Option<String>,
    pub goal: Option<String>,
}

impl Filter {
    fn allows(&self, industry: &str, goal: &str) -> bool {
        self.industry.as_ref().is_none_or(|i| i == industry)
            && self.goal.as_ref().is_none_or(|g| g == goal)
    }
}

/// A found design with its cosine similarity to the query.
#[derive(Clone, Debug)]
pub struct Match<'a> {
    pub design: &'a Design,
    pub score: f32,
}

pub struct DesignIndex {
    pub(crate) designs: DesignList,
    vectors: VectorIndex,
    lexical: Bm25,
    /// Where a lazily opened index reads the f32 rows a search needs (see
    /// [`crate::store::IndexStore::open`]); `None` when they are all in memory.
    rows: Option<Arc<Parts>>,
}

impl DesignIndex {
    /// An index of `designs` whose vectors `embedder` made, one per design, in order.
    pub fn new(
        designs: Vec<Design>,
        embedder: &str,
        vectors: Vec<Vec<f32>>,
    ) -> Result<Self, RetrievalError> {
        let dim = vectors.first().map_or(0, Vec::len);
        if vectors.len() != designs.len() {
            return Err(RetrievalError::Records(format!(
                "{} designs but {} vectors",
                designs.len(),
                vectors.len()
            )));
        }
        let lexical = Self::postings_of(designs.iter());
        let json =
            serde_json::to_vec(&designs).map_err(|e| RetrievalError::Records(e.to_string()))?;
        let metadata = designs_metadata(&json, &lexical.to_bytes());
        let flat: Vec<f32> = vectors.into_iter().flatten().collect();
        let vectors = VectorIndex::build(embedder, dim, flat, metadata)?;
        Ok(Self {
            designs: DesignList::Parsed(designs),
            vectors,
            lexical,
            rows: None,
        })
    }

    /// Embeds every design's search text with `embedder` and indexes them.
    pub async fn build(
        designs: Vec<Design>,
        embedder: &dyn Embedder,
    ) -> Result<Self, RetrievalError> {
        let texts: Vec<String> = designs.iter().map(Design::search_text).collect();
        let mut vectors = Vec::with_capacity(texts.len());
        for batch in texts.chunks(EMBED_BATCH) {
            vectors.extend(embedder.embed(batch).await?);
        }
        Self::new(designs, embedder.name(), vectors)
    }

    /// Reads an index file; a damaged file, or records or postings that do not match its
    /// vectors, is refused.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, RetrievalError> {
        Self::read(VectorIndex::from_bytes(bytes)?, None)
    }

    /// An index whose f32 rows are read from `rows` as searches need them.
    pub(crate) fn lazy(vectors: VectorIndex, rows: Arc<Parts>) -> Result<Self, RetrievalError> {
        Self::read(vectors, Some(rows))
    }

    /// The compiled-in index `file`, whose designs `records` locates in it: each is parsed at
    /// its first use ([`DesignList`]).
    pub(crate) fn builtin(
        file: &'static [u8],
        records: &'static [BuiltinRecord],
    ) -> Result<Self, RetrievalError> {
        Self::with_designs(VectorIndex::from_bytes(file)?, None, |_| {
            Ok(DesignList::builtin(file, records))
        })
    }

    /// The designs and postings `vectors` carries in its metadata ([`crate::metadata`]).
    fn read(vectors: VectorIndex, rows: Option<Arc<Parts>>) -> Result<Self, RetrievalError> {
        Self::with_designs(vectors, rows, |json| {
            serde_json::from_slice(json)
                .map(DesignList::Parsed)
                .map_err(|e| RetrievalError::Records(e.to_string()))
        })
    }

    /// An index of `vectors` and the designs `designs` makes of the metadata's JSON.
    fn with_designs(
        vectors: VectorIndex,
        rows: Option<Arc<Parts>>,
        designs: impl FnOnce(&[u8]) -> Result<DesignList, RetrievalError>,
    ) -> Result<Self, RetrievalError> {
        let (json, postings) = split_designs_metadata(vectors.metadata())
            .ok_or_else(|| RetrievalError::Records("the designs' metadata is cut short".into()))?;
        let designs = designs(json)?;
        if designs.len() != vectors.len() {
            return Err(RetrievalError::Records(format!(
                "{} designs for {} vectors",
                designs.len(),
                vectors.len()
            )));
        }
        let lexical = match postings {
            Some(postings) => Bm25::from_bytes(postings)
                .filter(|lexical| lexical.documents() == designs.len())
                .ok_or_else(|| {
                    RetrievalError::Records(
                        "the BM25 postings are unreadable or of other designs".into(),
                    )
                })?,
            // A file written before the postings rode in it.
            None => Self::postings_of(designs.iter()),
        };
        Ok(Self {
            designs,
            vectors,
            lexical,
            rows,
        })
    }

    fn postings_of<'a>(designs: impl Iterator<Item = &'a Design>) -> Bm25 {
        let texts: Vec<String> = designs.map(Design::search_text).collect();
        Bm25::new(texts.iter().map(String::as_str))
    }

    /// The index file (an index opened lazily has it once every row is in).
    pub fn to_bytes(&self) -> Result<Vec<u8>, RetrievalError> {
        Ok(self.vectors.to_bytes()?)
    }

    /// Whether the index was opened lazily (see [`crate::store::IndexStore::open`]): its f32
    /// rows are read as searches need them and its file is not checked whole yet.
    pub fn is_lazy(&self) -> bool {
        self.rows.is_some()
    }

    /// The index file's layout, which the store cuts it into parts by.
    pub fn layout(&self) -> Option<visions_vectors::FileLayout> {
        self.vectors.layout()
    }

    pub fn embedder(&self) -> &str {
        self.vectors.embedder()
    }

    pub fn dim(&self) -> usize {
        self.vectors.dim()
    }

    /// Every design, in row order.
    pub fn designs(&self) -> impl Iterator<Item = &Design> {
        self.designs.iter()
    }

    /// How many designs the index holds.
    pub fn len(&self) -> usize {
        self.designs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.designs.len() == 0
    }

    /// The unit vector of the design at `position` in [`DesignIndex::designs`].
    pub fn vector(&self, position: usize) -> Option<&[f32]> {
        self.vectors.vector(position)
    }

    pub fn get(&self, id: &str) -> Option<&Design> {
        (0..self.designs.len())
            .find(|&i| self.designs.keys(i).is_some_and(|(key, ..)| key == id))
            .and_then(|i| self.designs.get(i))
    }

    /// The `k` designs that best fit `query`, best first, by [`Mode::Hybrid`]. The query is
    /// embedded by `embedder`, which must be the one that built the index.
    pub async fn search(
        &self,
        embedder: &dyn Embedder,
        query: &str,
        k: usize,
        filter: &Filter,
    ) -> Result<Vec<Match<'_>>, RetrievalError> {
        let vector = embedder
            .embed(&[query.to_owned()])
            .await?
            .into_iter()
            .next()
            .unwrap_or_default();
        self.vectors.check_query(embedder.name(), &vector)?;
        // Only a lazily opened index misses rows; it reads them and searches again: the
        // ranking's candidates first, then any design only BM25 found, so two reads at most.
        for _ in 0..3 {
            match self.try_search_with(&vector, query, k, filter, Mode::Hybrid) {
                Ok(found) => return Ok(found),
                Err(Missing(ids)) => {
                    let rows = self.rows.as_ref().ok_or_else(|| {
                        RetrievalError::Rows("rows are missing from a whole index".into())
                    })?;
                    rows.fill(&self.vectors, &ids)
                        .await
                        .map_err(|e| RetrievalError::Rows(e.to_string()))?;
                }
            }
        }
        Err(RetrievalError::Rows(
            "the rows a search needs were read but are still missing".into(),
        ))
    }

    /// Search with a query already embedded, in any mode (the evaluation compares them). An
    /// index opened lazily answers only once the rows it needs are in: search it with
    /// [`DesignIndex::search`].
    pub fn search_with(
        &self,
        vector: &[f32],
        query: &str,
        k: usize,
        filter: &Filter,
        mode: Mode,
    ) -> Vec<Match<'_>> {
        self.try_search_with(vector, query, k, filter, mode)
            .unwrap_or_default()
    }

    fn try_search_with(
        &self,
        vector: &[f32],
        query: &str,
        k: usize,
        filter: &Filter,
        mode: Mode,
    ) -> Result<Vec<Match<'_>>, Missing> {
        let allow = |i: usize| {
            self.designs
                .keys(i)
                .is_some_and(|(_, industry, goal)| filter.allows(industry, goal))
        };
        let ranked: Vec<usize> = match mode {
            Mode::Dense => self.dense(vector, k, allow)?,
            Mode::Lexical => self.words(query, k, allow),
            Mode::Hybrid => {
                let depth = FUSION_DEPTH.max(k);
                let mut fused: Vec<(usize, f32)> = Vec::new();
                let dense_weight = dense_weight(query);
                for (list_weight, list) in [
                    (dense_weight, self.dense(vector, depth, allow)?),
                    (1.0, self.words(query, depth, allow)),
                ] {
                    for (rank, id) in list.into_iter().enumerate() {
                        let weight = list_weight / (RRF_K + rank as f32 + 1.0);
                        match fused.iter_mut().find(|(i, _)| *i == id) {
                            Some((_, score)) => *score += weight,
                            None => fused.push((id, weight)),
                        }
                    }
                }
                fused.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                fused.into_iter().take(k).map(|(id, _)| id).collect()
            }
        };
        let missing: Vec<usize> = ranked
            .iter()
            .copied()
            .filter(|id| self.vectors.vector(*id).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(Missing(missing));
        }
        Ok(ranked
            .into_iter()
            .filter_map(|id| {
                Some(Match {
                    design: self.designs.get(id)?,
                    score: visions_vectors::dot(self.vectors.vector(id)?, vector),
                })
            })
            .collect())
    }

    fn dense(
        &self,
        vector: &[f32],
        k: usize,
        allow: impl Fn(usize) -> bool,
    ) -> Result<Vec<usize>, Missing> {
        Ok(self
            .vectors
            .try_search(vector, k, allow)?
            .into_iter()
            .map(|h| h.id)
            .collect())
    }

    fn words(&self, query: &str, k: usize, allow: impl Fn(usize) -> bool) -> Vec<usize> {
        let mut scored: Vec<(usize, f32)> = self
            .lexical
            .scores(query)
            .into_iter()
            .enumerate()
            .filter(|(i, s)| *s > 0.0 && allow(*i))
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.into_iter().take(k).map(|(i, _)| i).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_in_bm25_is_what_the_built_in_designs_index_to() {
        let builtin = crate::builtin();
        let (_, postings) = split_designs_metadata(builtin.vectors.metadata()).expect("whole");
        assert!(postings.is_some(), "build.rs writes them into the file");
        assert_eq!(builtin.lexical, DesignIndex::postings_of(builtin.designs()));
    }

    /// The built-in designs' index file with `metadata` in place of theirs.
    fn builtin_with(metadata: Vec<u8>) -> Vec<u8> {
        let builtin = crate::builtin();
        let flat: Vec<f32> = (0..builtin.len())
            .filter_map(|i| builtin.vector(i))
            .flatten()
            .copied()
            .collect();
        VectorIndex::build(builtin.embedder(), builtin.dim(), flat, metadata)
            .and_then(|index| index.to_bytes())
            .expect("the built-in vectors index")
    }

    fn designs_json() -> Vec<u8> {
        serde_json::to_vec(&crate::builtin().designs().collect::<Vec<_>>())
            .expect("designs serialize")
    }

    #[test]
    fn bm25_postings_of_other_designs_or_cut_short_are_refused() {
        let json = designs_json();
        let other = Bm25::new(["one design", "another"]).to_bytes();
        let mut short = designs_metadata(&json, &[]);
        short.truncate(short.len() - 1);
        for (what, metadata) in [
            ("postings of other designs", designs_metadata(&json, &other)),
            (
                "postings' magic alone",
                designs_metadata(&json, b"VSBM25v1"),
            ),
            ("designs cut short", short),
        ] {
            let error = DesignIndex::from_bytes(&builtin_with(metadata)).err();
            assert!(
                matches!(error, Some(RetrievalError::Records(_))),
                "{what}: {error:?}"
            );
        }
    }

    #[test]
    fn a_file_of_designs_without_postings_still_reads_and_makes_them() {
        let read = DesignIndex::from_bytes(&builtin_with(designs_json())).expect("reads");
        assert!(read.designs().eq(crate::builtin().designs()));
        assert_eq!(read.lexical, crate::builtin().lexical);
    }

    #[test]
    fn a_new_index_carries_its_postings_in_its_file() {
        let builtin = crate::builtin();
        let vectors = (0..3)
            .filter_map(|i| builtin.vector(i).map(<[f32]>::to_vec))
            .collect();
        let designs = builtin.designs().take(3).cloned().collect();
        let made = DesignIndex::new(designs, builtin.embedder(), vectors).expect("indexes");
        let file = made.to_bytes().expect("whole");
        let metadata = VectorIndex::from_bytes(&file).expect("reads");
        let (_, postings) = split_designs_metadata(metadata.metadata()).expect("whole");
        assert_eq!(postings, Some(made.lexical.to_bytes().as_slice()));
        assert_eq!(
            DesignIndex::from_bytes(&file).expect("reads").lexical,
            made.lexical
        );
    }
}
