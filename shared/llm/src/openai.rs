//! OpenAI Chat Completions (`POST {base}/chat/completions`), and every server that speaks it
//! (Ollama, vLLM, OpenRouter, Groq…) in [`OpenAiFlavor::Compatible`] mode.
//!
//! Structured output goes through `response_format: {type: "json_schema", json_schema: {name,
//! schema, strict}}`. OpenAI's strict mode only accepts a subset of JSON Schema, hence
//! [`strict_schema`]. Compatible servers get the schema unchanged with `strict: false`: Ollama
//! (≥ 0.5) and vLLM turn it into a grammar, OpenRouter and Groq pass it on to the model, and all
//! of them read `max_tokens` where OpenAI now wants `max_completion_tokens`.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::transport::{self, ApiKey, ModelHttp};
use super::{Completion, CompletionRequest, LanguageModel, ModelError, ModelName, Role, Usage};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenAiFlavor {
    /// api.openai.com: strict structured outputs, `max_completion_tokens`.
    OpenAi,
    /// An OpenAI-compatible server: non-strict `json_schema`, `max_tokens`.
    Compatible,
}

pub struct OpenAiModel {
    name: ModelName,
    url: String,
    key: ApiKey,
    flavor: OpenAiFlavor,
    http: ModelHttp,
}

impl OpenAiModel {
    /// `base_url` ends in `/v1` (as in the official SDKs), e.g. `https://api.openai.com/v1`.
    pub fn new(
        name: ModelName,
        base_url: &str,
        key: ApiKey,
        flavor: OpenAiFlavor,
        http: ModelHttp,
    ) -> Self {
        Self {
            url: transport::join(base_url, "/chat/completions"),
            name,
            key,
            flavor,
            http,
        }
    }

    fn body(&self, request: &CompletionRequest) -> Value {
        let mut messages = Vec::with_capacity(request.messages.len() + 1);
        if !request.system.is_empty() {
            messages.push(json!({"role": "system", "content": request.system}));
        }
        messages.extend(request.messages.iter().map(|m| {
            let role = match m.role {
                Role::User => "user",
                Role::Assistant => "assistant",
            };
            json!({"role": role, "content": m.content})
        }));
        let (schema, strict, max_tokens_field) = match self.flavor {
            OpenAiFlavor::OpenAi => (
                strict_schema(&request.schema),
                true,
                "max_completion_tokens",
            ),
            OpenAiFlavor::Compatible => (request.schema.clone(), false, "max_tokens"),
        };
        let mut body = json!({
            "model": self.name.model,
            "messages": messages,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": request.schema_name, "schema": schema, "strict": strict},
            },
        });
        if let Some(fields) = body.as_object_mut() {
            fields.insert(max_tokens_field.into(), json!(request.max_output_tokens));
            if self.flavor == OpenAiFlavor::Compatible || accepts_temperature(&self.name.model) {
                fields.insert(
                    "temperature".into(),
                    json!(request.temperature.clamp(0.0, 2.0)),
                );
            }
        }
        body
    }
}

/// Reasoning models (o1, o3, o4, gpt-5…) reject any `temperature` but the default.
fn accepts_temperature(model: &str) -> bool {
    let reasoning = ["o1", "o3", "o4", "gpt-5"]
        .iter()
        .any(|family| model == *family || model.starts_with(&format!("{family}-")));
    !reasoning || model.starts_with("gpt-5-chat")
}

#[async_trait::async_trait]
impl LanguageModel for OpenAiModel {
    fn name(&self) -> &ModelName {
        &self.name
    }

    async fn complete(&self, request: &CompletionRequest) -> Result<Completion, ModelError> {
        let key = self.key.resolve().await?;
        let auth = key
            .as_deref()
            .map(|k| ("authorization", format!("Bearer {k}")));
        let headers = transport::headers(&[("content-type", "application/json")], auth)?;
        let body = self
            .http
            .post_json(&self.url, headers, key.as_deref(), &self.body(request))
            .await?;
        parse_response(&body)
    }
}

#[derive(Deserialize)]
struct ChatResponse {
    choices: Option<Vec<Choice>>,
    usage: Option<ChatUsage>,
}

#[derive(Deserialize)]
struct Choice {
    message: Option<ChoiceMessage>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct ChoiceMessage {
    content: Option<String>,
    refusal: Option<String>,
}

#[derive(Deserialize)]
struct ChatUsage {
    prompt_tokens: Option<u64>,
    completion_tokens: Option<u64>,
}

pub fn parse_response(body: &[u8]) -> Result<Completion, ModelError> {
    let response: ChatResponse = transport::parse_envelope(body)?;
    let choice = response
        .choices
        .and_then(|choices| choices.into_iter().next())
        .ok_or_else(|| ModelError::Malformed("the response has no choices".into()))?;
    let message = choice
        .message
        .ok_or_else(|| ModelError::Malformed("the choice has no message".into()))?;
    if let Some(refusal) = message.refusal.filter(|r| !r.trim().is_empty()) {
        return Err(ModelError::Refused(transport::excerpt(&refusal)));
    }
    match choice.finish_reason.as_deref() {
        Some("length") => return Err(transport::truncated()),
        Some("content_filter") => {
            return Err(ModelError::Refused("stopped by the content filter".into()));
        }
        _ => {}
    }
    let raw = message
        .content
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| ModelError::Malformed("the message has no content".into()))?;
    let output = transport::parse_answer(&raw)?;
    // Missing usage is not fatal (some compatible servers omit it); it is counted as zero.
    let usage = response.usage.map_or_else(Usage::default, |u| Usage {
        input_tokens: u.prompt_tokens.unwrap_or(0),
        output_tokens: u.completion_tokens.unwrap_or(0),
    });
    Ok(Completion { output, raw, usage })
}

/// Formats OpenAI's strict mode accepts; others are dropped (our own validation still runs).
const STRICT_FORMATS: &[&str] = &[
    "date-time",
    "time",
    "date",
    "duration",
    "email",
    "hostname",
    "ipv4",
    "ipv6",
    "uuid",
];
/// Keywords strict mode accepts and that are copied as they are.
const STRICT_KEYWORDS: &[&str] = &[
    "type",
    "description",
    "title",
    "enum",
    "const",
    "$ref",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
];

/// Rewrites a JSON Schema for OpenAI's strict structured outputs: every object gets
/// `additionalProperties: false` and lists all its properties in `required`; a property that
/// was optional becomes nullable instead (so the answer carries `null` where it would have
/// omitted the field). `oneOf` becomes `anyOf`; keywords strict mode rejects are dropped.
pub fn strict_schema(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (keyword, value) in map {
        match keyword.as_str() {
            "items" => {
                out.insert(keyword.clone(), strict_schema(value));
            }
            "anyOf" | "oneOf" => {
                if let Value::Array(members) = value {
                    let any_of = out.entry("anyOf").or_insert_with(|| json!([]));
                    if let Value::Array(any_of) = any_of {
                        any_of.extend(members.iter().map(strict_schema));
                    }
                }
            }
            // A lone `allOf` member is how some generators attach a description to a `$ref`.
            "allOf" => match value.as_array().map(Vec::as_slice) {
                Some([only]) => {
                    if let Value::Object(inner) = strict_schema(only) {
                        for (k, v) in inner {
                            out.entry(k).or_insert(v);
                        }
                    }
                }
                _ => {
                    out.insert(keyword.clone(), value.clone());
                }
            },
            "$defs" | "definitions" => {
                if let Value::Object(defs) = value {
                    let defs = defs
                        .iter()
                        .map(|(name, def)| (name.clone(), strict_schema(def)));
                    out.insert(keyword.clone(), Value::Object(defs.collect()));
                }
            }
            "format" if value.as_str().is_some_and(|f| STRICT_FORMATS.contains(&f)) => {
                out.insert(keyword.clone(), value.clone());
            }
            other if STRICT_KEYWORDS.contains(&other) => {
                out.insert(keyword.clone(), value.clone());
            }
            _ => {}
        }
    }
    if is_object_schema(map) {
        let required: Vec<&str> = map
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut properties = Map::new();
        if let Some(Value::Object(props)) = map.get("properties") {
            for (name, sub) in props {
                let sub = strict_schema(sub);
                let sub = if required.contains(&name.as_str()) {
                    sub
                } else {
                    nullable(sub)
                };
                properties.insert(name.clone(), sub);
            }
        }
        let names: Vec<Value> = properties.keys().map(|k| json!(k)).collect();
        out.insert("properties".into(), Value::Object(properties));
        out.insert("required".into(), Value::Array(names));
        out.insert("additionalProperties".into(), json!(false));
    }
    Value::Object(out)
}

fn is_object_schema(map: &Map<String, Value>) -> bool {
    map.contains_key("properties")
        || match map.get("type") {
            Some(Value::String(t)) => t == "object",
            Some(Value::Array(types)) => types.iter().any(|t| t == "object"),
            _ => false,
        }
}

/// The same schema, also accepting `null`.
fn nullable(schema: Value) -> Value {
    let Value::Object(mut map) = schema else {
        return schema;
    };
    let null = json!("null");
    let allows_null = match map.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(types)) => types.contains(&null),
        _ => false,
    } || map
        .get("anyOf")
        .and_then(Value::as_array)
        .is_some_and(|members| members.iter().any(|m| m["type"] == "null"));
    if allows_null {
        return Value::Object(map);
    }
    let add_to_enum = |map: &mut Map<String, Value>| {
        if let Some(Value::Array(values)) = map.get_mut("enum") {
            values.push(Value::Null);
        }
    };
    let has_const = map.contains_key("const");
    match map.get_mut("type") {
        Some(Value::String(t)) if !has_const => {
            let t = std::mem::take(t);
            map.insert("type".into(), json!([t, "null"]));
            add_to_enum(&mut map);
            Value::Object(map)
        }
        Some(Value::Array(types)) if !has_const => {
            types.push(null);
            add_to_enum(&mut map);
            Value::Object(map)
        }
        _ => match map.get_mut("anyOf") {
            Some(Value::Array(members)) => {
                members.push(json!({"type": "null"}));
                Value::Object(map)
            }
            // `$ref`, `const` or an untyped schema: wrap it.
            _ => json!({"anyOf": [Value::Object(map), {"type": "null"}]}),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_schema_closes_objects_and_nulls_optional_fields() {
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "Plan",
            "type": "object",
            "properties": {
                "sections": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Section"}},
                "note": {"type": "string", "maxLength": 80},
                "tone": {"type": "string", "enum": ["warm", "bold"]},
                "count": {"type": "integer", "format": "uint32", "minimum": 0},
            },
            "required": ["sections"],
            "additionalProperties": true,
            "$defs": {
                "Section": {
                    "type": "object",
                    "properties": {
                        "kind": {"oneOf": [{"const": "hero"}, {"const": "faq"}]},
                        "variant": {"$ref": "#/$defs/Variant"},
                    },
                    "required": ["kind"],
                },
                "Variant": {"type": ["string", "null"]},
            },
        });
        let expected = json!({
            "title": "Plan",
            "type": "object",
            "properties": {
                "sections": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Section"}},
                "note": {"type": ["string", "null"]},
                "tone": {"type": ["string", "null"], "enum": ["warm", "bold", null]},
                "count": {"type": ["integer", "null"], "minimum": 0},
            },
            "required": ["sections", "note", "tone", "count"],
            "additionalProperties": false,
            "$defs": {
                "Section": {
                    "type": "object",
                    "properties": {
                        "kind": {"anyOf": [{"const": "hero"}, {"const": "faq"}]},
                        "variant": {"anyOf": [{"$ref": "#/$defs/Variant"}, {"type": "null"}]},
                    },
                    "required": ["kind", "variant"],
                    "additionalProperties": false,
                },
                "Variant": {"type": ["string", "null"]},
            },
        });
        let mut got = strict_schema(&schema);
        // Property order is not meaningful; compare `required` as sets.
        let sort = |v: &mut Value| {
            if let Some(Value::Array(r)) = v.get_mut("required") {
                r.sort_by_key(|s| s.as_str().map(str::to_owned));
            }
        };
        let mut expected = expected;
        for v in [&mut got, &mut expected] {
            sort(v);
            sort(&mut v["$defs"]["Section"]);
        }
        assert_eq!(got, expected);
    }

    #[test]
    fn reasoning_models_get_no_temperature() {
        assert!(accepts_temperature("gpt-4o"));
        assert!(accepts_temperature("gpt-4.1-mini"));
        assert!(!accepts_temperature("o3-mini"));
        assert!(!accepts_temperature("gpt-5"));
        assert!(accepts_temperature("gpt-5-chat-latest"));
    }
}
