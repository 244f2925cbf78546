//! Image models over the providers' own wire formats: OpenAI Images (`dall-e-3`,
//! `gpt-image-1`, and OpenAI-compatible servers' `/images/generations`) and Stability AI's
//! Stable Image API. Answers come back as bytes, whether the provider sent base64 or a URL
//! to fetch; what the bytes really are is the optimize stage's business.
//!
//! A content-policy refusal is [`ModelError::Refused`] with the provider's reason; it is never
//! retried.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use serde::Deserialize;
use serde_json::{Value, json};

use visions_domain::ports::SecretStore;
use visions_model_config::{Endpoint, ModelSettings, Protocol, RetryPolicy};

use crate::retry::with_retries;
use crate::transport::{self, ApiKey, ModelHttp};
use crate::{ModelError, ModelName};

/// The largest image file accepted from a provider (a 2048² PNG is ~8 MB).
pub const MAX_IMAGE_BYTES: usize = 24 * 1024 * 1024;

pub use visions_domain::asset::Aspect;

fn openai_size(aspect: Aspect, model: &str) -> &'static str {
    let tall = aspect == Aspect::Portrait;
    let square = aspect == Aspect::Square;
    if model.starts_with("dall-e-3") {
        if square {
            "1024x1024"
        } else if tall {
            "1024x1792"
        } else {
            "1792x1024"
        }
    } else if square || model.starts_with("dall-e-2") {
        // dall-e-2 has only squares.
        "1024x1024"
    } else if tall {
        "1024x1536"
    } else {
        "1536x1024"
    }
}

fn stability_ratio(aspect: Aspect) -> &'static str {
    match aspect {
        Aspect::Square => "1:1",
        Aspect::Landscape => "3:2",
        Aspect::Wide => "16:9",
        Aspect::Panorama => "21:9",
        Aspect::Portrait => "2:3",
    }
}

/// One picture to make.
#[derive(Clone, Debug)]
pub struct ImageRequest {
    /// What to show: subject, composition, light, style. No text in the image.
    pub prompt: String,
    pub aspect: Aspect,
    /// A provider style where it has one (`vivid`/`natural` for DALL-E 3, a Stability
    /// `style_preset` such as `photographic`); others ignore it.
    pub style: Option<String>,
    /// Brand colours, for generators that paint with them (the offline one).
    pub palette: Vec<[u8; 3]>,
}

#[async_trait::async_trait]
pub trait ImageModel: Send + Sync {
    fn name(&self) -> &str;
    /// The image file the model made (any format; the caller sniffs it).
    async fn generate(&self, request: &ImageRequest) -> Result<Vec<u8>, ModelError>;
}

#[derive(Clone, Copy, Debug)]
enum Wire {
    OpenAi,
    Stability,
}

pub struct ProviderImages {
    label: String,
    model: String,
    url: String,
    wire: Wire,
    key: ApiKey,
    http: ModelHttp,
    retry: RetryPolicy,
    /// A URL in an answer is fetched only from the provider's own scheme (https, or http for a
    /// local server), never `file:` or anything else.
    fetch_scheme: String,
    budget: Duration,
}

impl ProviderImages {
    fn new(
        name: &ModelName,
        protocol: Protocol,
        base_url: &str,
        key: ApiKey,
        http: ModelHttp,
        retry: RetryPolicy,
        budget: Duration,
    ) -> Result<Self, ModelError> {
        let model = name.model.clone();
        let (wire, url) = match protocol {
            Protocol::OpenAi | Protocol::OpenAiCompatible => (
                Wire::OpenAi,
                transport::join(base_url, "/images/generations"),
            ),
            Protocol::Stability => {
                // core and ultra have their own routes; the SD 3.x models share `sd3`.
                let route = match model.as_str() {
                    "core" | "ultra" => model.as_str(),
                    m if m.starts_with("sd3") => "sd3",
                    other => {
                        return Err(ModelError::NotConfigured(format!(
                            "{name}: unknown Stability model {other:?}; use stability:core, stability:ultra or stability:sd3.5-large"
                        )));
                    }
                };
                (
                    Wire::Stability,
                    transport::join(base_url, &format!("/v2beta/stable-image/generate/{route}")),
                )
            }
            Protocol::Anthropic | Protocol::Gemini => {
                return Err(ModelError::NotConfigured(format!(
                    "{name}: this provider has no image model here; use openai:gpt-image-1, openai:dall-e-3, stability:core, an OpenAI-compatible server, or the built-in {}",
                    OFFLINE
                )));
            }
        };
        let fetch_scheme = base_url
            .split_once("://")
            .map_or("https", |(scheme, _)| scheme)
            .to_ascii_lowercase();
        Ok(Self {
            label: name.to_string(),
            model,
            url,
            wire,
            key,
            http,
            retry,
            fetch_scheme,
            budget,
        })
    }

    fn openai_body(&self, request: &ImageRequest) -> Value {
        let mut body = serde_json::Map::new();
        body.insert("model".into(), json!(self.model));
        body.insert("prompt".into(), json!(request.prompt));
        body.insert("n".into(), json!(1));
        body.insert(
            "size".into(),
            json!(openai_size(request.aspect, &self.model)),
        );
        if self.model.starts_with("gpt-image") {
            // Always base64; `response_format` is refused by these models.
            body.insert("output_format".into(), json!("png"));
        } else {
            body.insert("response_format".into(), json!("b64_json"));
        }
        if self.model.starts_with("dall-e-3")
            && let Some(style) = request
                .style
                .as_deref()
                .filter(|s| ["vivid", "natural"].contains(s))
        {
            body.insert("style".into(), json!(style));
        }
        Value::Object(body)
    }

    async fn call(&self, request: &ImageRequest) -> Result<Vec<u8>, ModelError> {
        let key = self.key.resolve().await?;
        let auth = key
            .as_deref()
            .map(|k| ("authorization", format!("Bearer {k}")));
        match self.wire {
            Wire::OpenAi => {
                let headers = transport::headers(&[("content-type", "application/json")], auth)?;
                let body = self
                    .http
                    .post_json_capped(
                        &self.url,
                        headers,
                        key.as_deref(),
                        &self.openai_body(request),
                        MAX_IMAGE_BYTES * 4 / 3 + 4096,
                    )
                    .await
                    .map_err(refusal)?;
                match parse_openai(&body)? {
                    Answer::Bytes(bytes) => Ok(bytes),
                    Answer::Url(url) => {
                        if !url
                            .to_ascii_lowercase()
                            .starts_with(&format!("{}://", self.fetch_scheme))
                        {
                            return Err(ModelError::Malformed(format!(
                                "the image URL is not {}",
                                self.fetch_scheme
                            )));
                        }
                        self.http.get_bytes(&url, MAX_IMAGE_BYTES).await
                    }
                }
            }
            Wire::Stability => {
                let headers = transport::headers(&[("accept", "application/json")], auth)?;
                let mut form = vec![
                    ("prompt", request.prompt.clone()),
                    ("aspect_ratio", stability_ratio(request.aspect).to_owned()),
                    ("output_format", "png".to_owned()),
                ];
                if self.model.starts_with("sd3") {
                    form.push(("model", self.model.clone()));
                }
                if let Some(style) = request
                    .style
                    .as_deref()
                    .filter(|s| STABILITY_STYLES.contains(s))
                {
                    form.push(("style_preset", style.to_owned()));
                }
                let body = self
                    .http
                    .post_multipart(
                        &self.url,
                        headers,
                        key.as_deref(),
                        form,
                        MAX_IMAGE_BYTES * 4 / 3 + 4096,
                    )
                    .await
                    .map_err(refusal)?;
                parse_stability(&body)
            }
        }
    }
}

/// Stability's `style_preset` values.
const STABILITY_STYLES: [&str; 17] = [
    "3d-model",
    "analog-film",
    "anime",
    "cinematic",
    "comic-book",
    "digital-art",
    "enhance",
    "fantasy-art",
    "isometric",
    "line-art",
    "low-poly",
    "modeling-compound",
    "neon-punk",
    "origami",
    "photographic",
    "pixel-art",
    "tile-texture",
];

/// The name of the built-in offline generator.
pub const OFFLINE: &str = "local:art";

/// A 4xx whose message is a provider's content-policy verdict becomes a refusal.
fn refusal(error: ModelError) -> ModelError {
    match error {
        ModelError::Rejected { status, message } => {
            let lower = message.to_ascii_lowercase();
            if [
                "content_policy",
                "content policy",
                "moderation",
                "safety system",
                "content_moderation",
            ]
            .iter()
            .any(|m| lower.contains(m))
            {
                ModelError::Refused(message)
            } else {
                ModelError::Rejected { status, message }
            }
        }
        other => other,
    }
}

#[async_trait::async_trait]
impl ImageModel for ProviderImages {
    fn name(&self) -> &str {
        &self.label
    }

    async fn generate(&self, request: &ImageRequest) -> Result<Vec<u8>, ModelError> {
        let deadline = tokio::time::Instant::now() + self.budget;
        with_retries(&self.retry, deadline, &self.label, || self.call(request)).await
    }
}

pub enum Answer {
    Bytes(Vec<u8>),
    Url(String),
}

#[derive(Deserialize)]
struct OpenAiResponse {
    data: Vec<OpenAiImage>,
}

#[derive(Deserialize)]
struct OpenAiImage {
    #[serde(default)]
    b64_json: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

/// OpenAI's `{"data": [{"b64_json": …} | {"url": …}]}`: the first image.
pub fn parse_openai(body: &[u8]) -> Result<Answer, ModelError> {
    let parsed: OpenAiResponse = serde_json::from_slice(body)
        .map_err(|e| ModelError::Malformed(format!("images response: {e}")))?;
    let first = parsed
        .data
        .into_iter()
        .next()
        .ok_or_else(|| ModelError::Malformed("the images response has no image".into()))?;
    match (first.b64_json, first.url) {
        (Some(b64), _) => decode_base64(&b64).map(Answer::Bytes),
        (None, Some(url)) => Ok(Answer::Url(url)),
        (None, None) => Err(ModelError::Malformed(
            "the image has neither b64_json nor url".into(),
        )),
    }
}

#[derive(Deserialize)]
struct StabilityResponse {
    #[serde(default)]
    image: Option<String>,
    #[serde(default)]
    finish_reason: Option<String>,
}

/// Stability's JSON answer: `{"image": base64, "finish_reason": "SUCCESS" | "CONTENT_FILTERED"}`.
pub fn parse_stability(body: &[u8]) -> Result<Vec<u8>, ModelError> {
    let parsed: StabilityResponse = serde_json::from_slice(body)
        .map_err(|e| ModelError::Malformed(format!("stable image response: {e}")))?;
    match parsed.finish_reason.as_deref() {
        Some("CONTENT_FILTERED") => Err(ModelError::Refused(
            "Stability AI filtered the image under its content policy".into(),
        )),
        Some("SUCCESS") | None => parsed
            .image
            .ok_or_else(|| ModelError::Malformed("the response has no image".into()))
            .and_then(|b64| decode_base64(&b64)),
        Some(other) => Err(ModelError::Malformed(format!("finish_reason {other:?}"))),
    }
}

fn decode_base64(b64: &str) -> Result<Vec<u8>, ModelError> {
    if b64.len() > MAX_IMAGE_BYTES / 3 * 4 + 4 {
        return Err(ModelError::TooLarge(MAX_IMAGE_BYTES));
    }
    base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|e| ModelError::Malformed(format!("image base64: {e}")))
}

/// Resolves image model names to providers, as [`crate::ModelRegistry`] does for text.
pub struct ProviderImageModels {
    settings: ModelSettings,
    secrets: Arc<dyn SecretStore>,
    http: Result<ModelHttp, ModelError>,
}

/// One image call with its retries may take this long; the worker's job deadline still bounds it.
pub const IMAGE_BUDGET: Duration = Duration::from_secs(180);

impl ProviderImageModels {
    pub fn new(settings: ModelSettings, secrets: Arc<dyn SecretStore>) -> Self {
        // Images take longer than text: at least two minutes per call.
        let http = ModelHttp::new(
            settings.timeout.max(Duration::from_secs(120)),
            MAX_IMAGE_BYTES,
        );
        Self {
            settings,
            secrets,
            http,
        }
    }

    pub fn get(&self, name: &ModelName) -> Result<Arc<dyn ImageModel>, ModelError> {
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
                "{name} does not make images; the built-in generator is {OFFLINE}"
            )));
        };
        Ok(Arc::new(ProviderImages::new(
            name,
            protocol,
            base_url,
            ApiKey::from_setting(key, &self.secrets),
            self.http.clone()?,
            self.settings.retry.clone(),
            IMAGE_BUDGET,
        )?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_openai_answer_shapes_and_stability_verdicts_are_read() {
        let b64 = base64::engine::general_purpose::STANDARD.encode(b"\x89PNG....");
        let body = json!({"created": 1, "data": [{"b64_json": b64, "revised_prompt": "x"}]});
        assert!(
            matches!(parse_openai(body.to_string().as_bytes()), Ok(Answer::Bytes(b)) if b.starts_with(b"\x89PNG"))
        );
        let body = json!({"data": [{"url": "https://example.test/a.png"}]});
        assert!(matches!(
            parse_openai(body.to_string().as_bytes()),
            Ok(Answer::Url(_))
        ));
        assert!(matches!(
            parse_openai(b"{\"data\": []}"),
            Err(ModelError::Malformed(_))
        ));
        assert!(matches!(
            parse_openai(b"<html>"),
            Err(ModelError::Malformed(_))
        ));
        let filtered = json!({"image": "", "finish_reason": "CONTENT_FILTERED", "seed": 1});
        assert!(matches!(
            parse_stability(filtered.to_string().as_bytes()),
            Err(ModelError::Refused(_))
        ));
        let ok = json!({"image": b64, "finish_reason": "SUCCESS", "seed": 1});
        assert!(parse_stability(ok.to_string().as_bytes()).is_ok());
    }

    #[test]
    fn a_content_policy_rejection_is_a_refusal_and_is_not_retried() {
        let e = refusal(ModelError::Rejected {
            status: 400,
            message: "content_policy_violation: Your request was rejected by our safety system"
                .into(),
        });
        assert!(matches!(e, ModelError::Refused(_)));
        assert!(!e.is_retryable());
    }
}
