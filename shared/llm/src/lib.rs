//! The model layer: one trait over every language model, whatever speaks behind it.
//!
//! Models are named `provider:model` (`openai:gpt-4o`, `anthropic:claude-3-5-sonnet-latest`,
//! `gemini:gemini-1.5-pro`, `ollama:llama3.1`, `local:composer`). Every call asks for JSON that
//! matches a JSON Schema and reports the provider's own token usage.

use std::time::Duration;

use serde::{Deserialize, Serialize};
pub use visions_domain::models::{ModelName, Usage};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

/// One structured-output call.
#[derive(Clone, Debug)]
pub struct CompletionRequest {
    /// The agent's instructions, including the retrieved designs.
    pub system: String,
    /// The conversation: the task first; on a repair round-trip, the model's previous answer
    /// and what was wrong with it.
    pub messages: Vec<Message>,
    /// A short identifier for the output shape, e.g. `layout_plan` (`^[a-zA-Z0-9_-]{1,64}$`).
    pub schema_name: String,
    /// JSON Schema (draft 2020-12 subset) the answer must match.
    pub schema: serde_json::Value,
    pub max_output_tokens: u32,
    pub temperature: f32,
    /// The same task as typed data, for models that do not read prose (the offline composer).
    pub task: serde_json::Value,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    /// The answer, parsed as JSON (not yet validated against the schema's meaning).
    pub output: serde_json::Value,
    /// The answer as the model wrote it, for a repair round-trip.
    pub raw: String,
    pub usage: Usage,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    #[error("rate limited (retry after {retry_after:?})")]
    RateLimited { retry_after: Option<Duration> },
    #[error("provider error {status}")]
    Server {
        status: u16,
        retry_after: Option<Duration>,
    },
    #[error("request refused with {status}: {message}")]
    Rejected { status: u16, message: String },
    #[error("response larger than {0} bytes")]
    TooLarge(usize),
    #[error("malformed response: {0}")]
    Malformed(String),
    #[error("the model declined: {0}")]
    Refused(String),
    #[error("transport: {0}")]
    Transport(String),
    #[error("not configured: {0}")]
    NotConfigured(String),
}

impl ModelError {
    /// Worth another attempt on the same model.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Timeout(_) | Self::RateLimited { .. } | Self::Server { .. } | Self::Transport(_)
        )
    }

    /// What the provider asked us to wait, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after } | Self::Server { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

#[async_trait::async_trait]
pub trait LanguageModel: Send + Sync {
    fn name(&self) -> &ModelName;
    /// One attempt; retries and fallbacks are layered on top.
    async fn complete(&self, request: &CompletionRequest) -> Result<Completion, ModelError>;
}

pub mod anthropic;
pub mod embeddings;
pub mod gemini;
pub mod images;
pub mod openai;
pub mod registry;
pub mod retry;
pub mod transport;
