//! Anthropic Messages (`POST {base}/v1/messages`). Structured output is a single tool whose
//! `input_schema` is the schema, forced with `tool_choice: {type: "tool", name}`; the answer is
//! that `tool_use` block's `input`.

use serde::Deserialize;
use serde_json::{Value, json};

use super::transport::{self, ApiKey, ModelHttp};
use super::{Completion, CompletionRequest, LanguageModel, ModelError, ModelName, Role, Usage};

pub const API_VERSION: &str = "2023-06-01";

pub struct AnthropicModel {
    name: ModelName,
    url: String,
    key: ApiKey,
    http: ModelHttp,
}

impl AnthropicModel {
    /// `base_url` is the host root, e.g. `https://api.anthropic.com`.
    pub fn new(name: ModelName, base_url: &str, key: ApiKey, http: ModelHttp) -> Self {
        Self {
            url: transport::join(base_url, "/v1/messages"),
            name,
            key,
            http,
        }
    }

    fn body(&self, request: &CompletionRequest) -> Value {
        let messages: Vec<Value> = request
            .messages
            .iter()
            .map(|m| {
                let role = match m.role {
                    Role::User => "user",
                    Role::Assistant => "assistant",
                };
                json!({"role": role, "content": m.content})
            })
            .collect();
        let mut body = json!({
            "model": self.name.model,
            "max_tokens": request.max_output_tokens,
            "messages": messages,
            // Anthropic's temperature range is 0–1.
            "temperature": request.temperature.clamp(0.0, 1.0),
            "tools": [{
                "name": request.schema_name,
                "description": format!("Record the answer as a {} object.", request.schema_name),
                "input_schema": request.schema,
            }],
            "tool_choice": {"type": "tool", "name": request.schema_name},
        });
        if let (false, Some(fields)) = (request.system.is_empty(), body.as_object_mut()) {
            fields.insert("system".into(), json!(request.system));
        }
        body
    }
}

#[async_trait::async_trait]
impl LanguageModel for AnthropicModel {
    fn name(&self) -> &ModelName {
        &self.name
    }

    async fn complete(&self, request: &CompletionRequest) -> Result<Completion, ModelError> {
        let key = self.key.resolve().await?;
        let auth = key.as_deref().map(|k| ("x-api-key", k.to_owned()));
        let headers = transport::headers(
            &[
                ("content-type", "application/json"),
                ("anthropic-version", API_VERSION),
            ],
            auth,
        )?;
        let body = self
            .http
            .post_json(&self.url, headers, key.as_deref(), &self.body(request))
            .await?;
        parse_response(&body, &request.schema_name)
    }
}

#[derive(Deserialize)]
struct MessageResponse {
    content: Option<Vec<ContentBlock>>,
    stop_reason: Option<String>,
    usage: Option<MessageUsage>,
}

#[derive(Deserialize)]
struct ContentBlock {
    #[serde(rename = "type")]
    kind: String,
    name: Option<String>,
    input: Option<Value>,
    text: Option<String>,
}

#[derive(Deserialize)]
struct MessageUsage {
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
}

pub fn parse_response(body: &[u8], tool: &str) -> Result<Completion, ModelError> {
    let response: MessageResponse = transport::parse_envelope(body)?;
    let content = response
        .content
        .ok_or_else(|| ModelError::Malformed("the response has no content".into()))?;
    match response.stop_reason.as_deref() {
        // A tool input cut short is not an answer, even if what arrived happens to parse.
        Some("max_tokens") | Some("model_context_window_exceeded") => {
            return Err(transport::truncated());
        }
        Some("refusal") => {
            let said: Vec<&str> = content.iter().filter_map(|b| b.text.as_deref()).collect();
            let said = transport::excerpt(&said.join(" "));
            return Err(ModelError::Refused(if said.is_empty() {
                "stop_reason refusal".into()
            } else {
                said
            }));
        }
        _ => {}
    }
    let input = content
        .into_iter()
        .find(|b| b.kind == "tool_use" && b.name.as_deref() == Some(tool))
        .and_then(|b| b.input)
        .ok_or_else(|| {
            ModelError::Malformed(format!("the response has no tool_use block for {tool}"))
        })?;
    let usage = response.usage.map_or_else(Usage::default, |u| Usage {
        input_tokens: u.input_tokens.unwrap_or(0),
        output_tokens: u.output_tokens.unwrap_or(0),
    });
    Ok(Completion {
        raw: input.to_string(),
        output: input,
        usage,
    })
}
