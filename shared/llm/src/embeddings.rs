//! Embedding models over the providers' own wire formats: OpenAI's `POST /embeddings` (also
//! what OpenAI-compatible servers speak) and Gemini's `:batchEmbedContents`. They implement
//! `visions_embed::Embedder`, so an index can be built and queried with them; the registry
//! resolves an index's recorded embedder name (`openai:text-embedding-3-small`) to one.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

use visions_domain::ports::SecretStore;
use visions_embed::{EmbedError, Embedder, Embedders, StaticEmbedder};
use visions_model_config::{Endpoint, ModelSettings, Protocol, RetryPolicy};

use crate::retry::with_retries;
use crate::transport::{self, ApiKey, ModelHttp};
use crate::{ModelError, ModelName};

/// Texts per request (OpenAI takes up to 2048 inputs, Gemini up to 100 requests per batch).
const BATCH: usize = 96;
/// How long one `embed` call may take with its retries.
const EMBED_BUDGET: Duration = Duration::from_secs(60);

/// The dimension of the embedding models we know, before the first answer says it.
fn known_dim(model: &str) -> Option<usize> {
    match model {
        "text-embedding-3-small" | "text-embedding-ada-002" => Some(1536),
        "text-embedding-3-large" | "gemini-embedding-001" => Some(3072),
        "text-embedding-004" => Some(768),
        _ => None,
    }
}

#[derive(Clone, Copy, Debug)]
enum Wire {
    OpenAi,
    Gemini,
}

pub struct ProviderEmbedder {
    label: String,
    model: String,
    url: String,
    wire: Wire,
    key: ApiKey,
    http: ModelHttp,
    retry: RetryPolicy,
    dim: OnceLock<usize>,
}

impl ProviderEmbedder {
    pub(crate) fn new(
        name: &ModelName,
        protocol: Protocol,
        base_url: &str,
        key: ApiKey,
        http: ModelHttp,
        retry: RetryPolicy,
    ) -> Result<Self, ModelError> {
        let model = name
            .model
            .strip_prefix("models/")
            .unwrap_or(&name.model)
            .to_owned();
        let (wire, url) = match protocol {
            Protocol::OpenAi | Protocol::OpenAiCompatible => {
                (Wire::OpenAi, transport::join(base_url, "/embeddings"))
            }
            Protocol::Gemini => (
                Wire::Gemini,
                transport::join(
                    base_url,
                    &format!(
                        "/v1beta/models/{}:batchEmbedContents",
                        transport::path_segment(&model)
                    ),
                ),
            ),
            Protocol::Anthropic | Protocol::Stability => {
                return Err(ModelError::NotConfigured(format!(
                    "{name}: this provider has no embeddings API; use openai:text-embedding-3-small, a gemini embedding model or the built-in {}",
                    visions_embed::BUILTIN_NAME
                )));
            }
        };
        let dim = OnceLock::new();
        if let Some(known) = known_dim(&model) {
            let _ = dim.set(known);
        }
        Ok(Self {
            label: name.to_string(),
            model,
            url,
            wire,
            key,
            http,
            retry,
            dim,
        })
    }

    fn body(&self, texts: &[String]) -> Value {
        match self.wire {
            Wire::OpenAi => {
                json!({"model": self.model, "input": texts, "encoding_format": "float"})
            }
            Wire::Gemini => json!({
                "requests": texts.iter().map(|t| json!({
                    "model": format!("models/{}", self.model),
                    "content": {"parts": [{"text": t}]},
                })).collect::<Vec<_>>(),
            }),
        }
    }

    async fn call(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, ModelError> {
        let key = self.key.resolve().await?;
        let auth = key.as_deref().map(|k| match self.wire {
            Wire::OpenAi => ("authorization", format!("Bearer {k}")),
            Wire::Gemini => ("x-goog-api-key", k.to_owned()),
        });
        let headers = transport::headers(&[("content-type", "application/json")], auth)?;
        let body = self
            .http
            .post_json(&self.url, headers, key.as_deref(), &self.body(texts))
            .await?;
        match self.wire {
            Wire::OpenAi => parse_openai(&body, texts.len()),
            Wire::Gemini => parse_gemini(&body, texts.len()),
        }
    }

    async fn call_with_retries(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, ModelError> {
        let deadline = tokio::time::Instant::now() + EMBED_BUDGET;
        with_retries(&self.retry, deadline, &self.label, || self.call(texts)).await
    }
}

#[async_trait::async_trait]
impl Embedder for ProviderEmbedder {
    fn name(&self) -> &str {
        &self.label
    }

    fn dim(&self) -> usize {
        self.dim.get().copied().unwrap_or(0)
    }

    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut out = Vec::with_capacity(texts.len());
        for batch in texts.chunks(BATCH) {
            let vectors = self
                .call_with_retries(batch)
                .await
                .map_err(|e| EmbedError::Provider(format!("{}: {e}", self.label)))?;
            let dim = vectors.first().map_or(0, Vec::len);
            let want = *self.dim.get_or_init(|| dim);
            if vectors.len() != batch.len() || vectors.iter().any(|v| v.len() != want) {
                return Err(EmbedError::Shape {
                    want: batch.len(),
                    got: vectors.len(),
                    dim,
                });
            }
            out.extend(vectors);
        }
        Ok(out)
    }
}

#[derive(Deserialize)]
struct OpenAiResponse {
    data: Vec<OpenAiEmbedding>,
}

#[derive(Deserialize)]
struct OpenAiEmbedding {
    index: usize,
    embedding: Vec<f32>,
}

/// OpenAI's answer, put back in input order by each item's `index`.
pub fn parse_openai(body: &[u8], count: usize) -> Result<Vec<Vec<f32>>, ModelError> {
    let parsed: OpenAiResponse = serde_json::from_slice(body)
        .map_err(|e| ModelError::Malformed(format!("embeddings response: {e}")))?;
    let mut out: Vec<Option<Vec<f32>>> = vec![None; count];
    for item in parsed.data {
        let slot = out.get_mut(item.index).ok_or_else(|| {
            ModelError::Malformed(format!("embedding index {} out of range", item.index))
        })?;
        *slot = Some(item.embedding);
    }
    out.into_iter()
        .enumerate()
        .map(|(i, v)| v.ok_or_else(|| ModelError::Malformed(format!("no embedding for input {i}"))))
        .collect()
}

#[derive(Deserialize)]
struct GeminiResponse {
    embeddings: Vec<GeminiEmbedding>,
}

#[derive(Deserialize)]
struct GeminiEmbedding {
    values: Vec<f32>,
}

/// Gemini's answer: one embedding per request, in request order.
pub fn parse_gemini(body: &[u8], count: usize) -> Result<Vec<Vec<f32>>, ModelError> {
    let parsed: GeminiResponse = serde_json::from_slice(body)
        .map_err(|e| ModelError::Malformed(format!("embeddings response: {e}")))?;
    if parsed.embeddings.len() != count {
        return Err(ModelError::Malformed(format!(
            "{} embeddings for {count} texts",
            parsed.embeddings.len()
        )));
    }
    Ok(parsed.embeddings.into_iter().map(|e| e.values).collect())
}

/// Every embedder this deployment can run: the built-in one, and the providers' embedding
/// models over the base URLs and keys of the model settings.
pub struct ProviderEmbedders {
    settings: ModelSettings,
    secrets: Arc<dyn SecretStore>,
    /// Made for the first provider embedder: an index of the built-in embedder never needs it,
    /// and a cold start need not build its TLS roots and client.
    http: OnceLock<Result<ModelHttp, ModelError>>,
}

impl ProviderEmbedders {
    pub fn new(settings: ModelSettings, secrets: Arc<dyn SecretStore>) -> Self {
        Self {
            settings,
            secrets,
            http: OnceLock::new(),
        }
    }

    /// The embedding model behind `name` (`openai:text-embedding-3-small`).
    pub fn provider(&self, name: &ModelName) -> Result<ProviderEmbedder, ModelError> {
        let Endpoint::Remote {
            protocol,
            base_url,
            key,
        } = self
            .settings
            .endpoint(name)
            .map_err(ModelError::NotConfigured)?
        else {
            return Err(ModelError::NotConfigured(format!(
                "{name} does not embed; the built-in embedder is {}",
                visions_embed::BUILTIN_NAME
            )));
        };
        ProviderEmbedder::new(
            name,
            protocol,
            base_url,
            ApiKey::from_setting(key, &self.secrets),
            self.http
                .get_or_init(|| {
                    ModelHttp::new(self.settings.timeout, self.settings.max_response_bytes)
                })
                .clone()?,
            self.settings.retry.clone(),
        )
    }
}

impl Embedders for ProviderEmbedders {
    fn get(&self, name: &str) -> Result<Arc<dyn Embedder>, EmbedError> {
        if name == visions_embed::BUILTIN_NAME {
            return Ok(StaticEmbedder::builtin()?);
        }
        let parsed =
            ModelName::parse(name).map_err(|e| EmbedError::Unknown(format!("{name}: {e}")))?;
        self.provider(&parsed)
            .map(|e| Arc::new(e) as Arc<dyn Embedder>)
            .map_err(|e| EmbedError::Unknown(format!("{name}: {e}")))
    }
}
