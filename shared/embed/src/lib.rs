//! Text embedders. One trait; the built-in [`StaticEmbedder`] (token vectors distilled from
//! all-MiniLM-L6-v2, in the binary: no network, no download) is the default, and the model
//! providers' embedding APIs implement the same trait in `visions-llm`.

mod static_model;
mod wordpiece;

pub use static_model::StaticEmbedder;
pub use wordpiece::{WordPiece, words};

use thiserror::Error;

/// The name the built-in embedder records in an index.
pub const BUILTIN_NAME: &str = "minilm-static-v1";

#[derive(Debug, Error)]
pub enum EmbedError {
    #[error(
        "embedder `{0}` is not configured here (the built-in one is `minilm-static-v1`: provider embedders need their API key)"
    )]
    Unknown(String),
    #[error("the embedding model file is unusable: {0}")]
    Model(String),
    #[error("the embedding provider failed: {0}")]
    Provider(String),
    #[error(
        "the embedding provider answered {got} vectors of {dim} dimensions; {want} were asked for"
    )]
    Shape { want: usize, got: usize, dim: usize },
}

/// Turns texts into vectors that are close when the texts mean similar things.
#[async_trait::async_trait]
pub trait Embedder: Send + Sync {
    /// What an index records, so it is never queried with another embedder's vectors.
    fn name(&self) -> &str;
    fn dim(&self) -> usize;
    /// One vector of [`Embedder::dim`] values per text, in order.
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError>;
}

/// Finds the embedder an index was built with, by the name the index records.
pub trait Embedders: Send + Sync {
    fn get(&self, name: &str) -> Result<std::sync::Arc<dyn Embedder>, EmbedError>;
}

/// Only the built-in embedder.
pub struct BuiltinEmbedders;

impl Embedders for BuiltinEmbedders {
    fn get(&self, name: &str) -> Result<std::sync::Arc<dyn Embedder>, EmbedError> {
        let builtin = StaticEmbedder::builtin()?;
        if name == builtin.name() {
            Ok(builtin)
        } else {
            Err(EmbedError::Unknown(name.to_owned()))
        }
    }
}
