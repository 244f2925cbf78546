//! The built-in embedder: one vector per vocabulary piece, distilled from all-MiniLM-L6-v2 by
//! `scripts/distill-embedder` (model2vec's recipe: each piece through the transformer, PCA,
//! Zipf weighting). A text's vector is the mean of its pieces' vectors, unit length.
//!
//! `model/minilm-static.bin`, little-endian: magic `VSTATIC1`, vocabulary size u32,
//! dimension u32, then size·dimension int8 values row by row, then size f32 row scales
//! (value = int8 · scale). `model/vocab.txt` holds the pieces, one per line (compiled into a
//! perfect-hash map by `build.rs`).

use std::sync::{Arc, LazyLock};

use crate::{EmbedError, Embedder, WordPiece};

const MAGIC: &[u8; 8] = b"VSTATIC1";
/// model2vec's truncation: the first 512 token ids of the text's first 512 × (median piece
/// length, 6) = 3072 characters, so a long text costs no more than a short page.
const MAX_TOKENS: usize = 512;
const MAX_CHARS: usize = 3072;
/// Tokens that carry no meaning of their own and are not pooled.
const SPECIAL: [&str; 4] = ["[CLS]", "[SEP]", "[PAD]", "[UNK]"];

static BUILTIN: LazyLock<Result<Arc<StaticEmbedder>, String>> = LazyLock::new(|| {
    StaticEmbedder::from_parts(
        crate::BUILTIN_NAME,
        include_bytes!("../model/minilm-static.bin"),
        WordPiece::builtin(),
    )
    .map(Arc::new)
    .map_err(|e| e.to_string())
});

pub struct StaticEmbedder {
    name: String,
    dim: usize,
    tokenizer: WordPiece,
    /// Row-major int8 codes, read in place from the compiled-in file: a cold start pays
    /// nothing for the rows a text does not use.
    codes: &'static [u8],
    /// Per row: value = code · scale.
    scales: Vec<f32>,
    special: Vec<u32>,
}

impl StaticEmbedder {
    /// The embedder compiled into the binary.
    pub fn builtin() -> Result<Arc<Self>, EmbedError> {
        BUILTIN.clone().map_err(EmbedError::Model)
    }

    pub fn from_parts(
        name: &str,
        model: &'static [u8],
        tokenizer: WordPiece,
    ) -> Result<Self, EmbedError> {
        let bad = |what: &str| EmbedError::Model(what.to_owned());
        let (magic, rest) = model.split_at_checked(8).ok_or_else(|| bad("no header"))?;
        if magic != MAGIC {
            return Err(bad("not a static embedding file"));
        }
        let (size, rest) = read_u32(rest).ok_or_else(|| bad("no vocabulary size"))?;
        let (dim, rest) = read_u32(rest).ok_or_else(|| bad("no dimension"))?;
        let (size, dim) = (size as usize, dim as usize);
        let cells = size.checked_mul(dim).ok_or_else(|| bad("size overflows"))?;
        let (codes, scales) = rest
            .split_at_checked(cells)
            .ok_or_else(|| bad("truncated rows"))?;
        if dim == 0 || scales.len() != size * 4 {
            return Err(bad("the rows and scales do not match the header"));
        }
        if tokenizer.len() != size {
            return Err(bad("the vocabulary and the rows differ in length"));
        }
        let scales = scales
            .chunks_exact(4)
            .map(|scale| <[u8; 4]>::try_from(scale).map_or(0.0, f32::from_le_bytes))
            .collect();
        let special = SPECIAL.iter().filter_map(|t| tokenizer.id(t)).collect();
        Ok(Self {
            name: name.to_owned(),
            dim,
            tokenizer,
            codes,
            scales,
            special,
        })
    }

    pub fn tokenizer(&self) -> &WordPiece {
        &self.tokenizer
    }

    /// The unit-length mean of the text's piece vectors (the first [`MAX_TOKENS`] of its first
    /// [`MAX_CHARS`] characters); zeros when it has no pieces.
    pub fn embed_one(&self, text: &str) -> Vec<f32> {
        let mut sum = vec![0.0f32; self.dim];
        let mut count = 0usize;
        let head: String = text.chars().take(MAX_CHARS).collect();
        for id in self.tokenizer.encode(&head).into_iter().take(MAX_TOKENS) {
            if self.special.contains(&id) {
                continue;
            }
            let start = id as usize * self.dim;
            let row = self.codes.get(start..start + self.dim);
            if let (Some(row), Some(scale)) = (row, self.scales.get(id as usize)) {
                for (s, code) in sum.iter_mut().zip(row) {
                    *s += f32::from(i8::from_le_bytes([*code])) * scale;
                }
                count += 1;
            }
        }
        let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt();
        if count > 0 && norm > 0.0 {
            sum.iter_mut().for_each(|x| *x /= norm);
        }
        sum
    }
}

fn read_u32(bytes: &[u8]) -> Option<(u32, &[u8])> {
    let (head, rest) = bytes.split_at_checked(4)?;
    Some((u32::from_le_bytes(head.try_into().ok()?), rest))
}

#[async_trait::async_trait]
impl Embedder for StaticEmbedder {
    fn name(&self) -> &str {
        &self.name
    }

    fn dim(&self) -> usize {
        self.dim
    }

    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        Ok(texts.iter().map(|t| self.embed_one(t)).collect())
    }
}
