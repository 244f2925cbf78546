//! Google Gemini (`POST {base}/v1beta/models/{model}:generateContent`, key in `x-goog-api-key`).
//!
//! Structured output is `generationConfig.responseMimeType: "application/json"` with a
//! `responseSchema` in Gemini's OpenAPI 3.0 subset, which [`gemini_schema`] converts to.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::transport::{self, ApiKey, ModelHttp};
use super::{Completion, CompletionRequest, LanguageModel, ModelError, ModelName, Role, Usage};

pub struct GeminiModel {
    name: ModelName,
    url: String,
    key: ApiKey,
    http: ModelHttp,
}

impl GeminiModel {
    /// `base_url` is the host root, e.g. `https://generativelanguage.googleapis.com`.
    pub fn new(name: ModelName, base_url: &str, key: ApiKey, http: ModelHttp) -> Self {
        // `models/gemini-2.0-flash` and `gemini-2.0-flash` name the same model.
        let model = name.model.strip_prefix("models/").unwrap_or(&name.model);
        Self {
            url: transport::join(
                base_url,
                &format!(
                    "/v1beta/models/{}:generateContent",
                    transport::path_segment(model)
                ),
            ),
            name,
            key,
            http,
        }
    }

    fn body(&self, request: &CompletionRequest) -> Value {
        let contents: Vec<Value> = request
            .messages
            .iter()
            .map(|m| {
                let role = match m.role {
                    Role::User => "user",
                    Role::Assistant => "model",
                };
                json!({"role": role, "parts": [{"text": m.content}]})
            })
            .collect();
        let mut body = json!({
            "contents": contents,
            "generationConfig": {
                "responseMimeType": "application/json",
                "responseSchema": gemini_schema(&request.schema),
                "maxOutputTokens": request.max_output_tokens,
                "temperature": request.temperature.clamp(0.0, 2.0),
            },
        });
        if let (false, Some(fields)) = (request.system.is_empty(), body.as_object_mut()) {
            fields.insert(
                "systemInstruction".into(),
                json!({"parts": [{"text": request.system}]}),
            );
        }
        body
    }
}

#[async_trait::async_trait]
impl LanguageModel for GeminiModel {
    fn name(&self) -> &ModelName {
        &self.name
    }

    async fn complete(&self, request: &CompletionRequest) -> Result<Completion, ModelError> {
        let key = self.key.resolve().await?;
        let auth = key.as_deref().map(|k| ("x-goog-api-key", k.to_owned()));
        let headers = transport::headers(&[("content-type", "application/json")], auth)?;
        let body = self
            .http
            .post_json(&self.url, headers, key.as_deref(), &self.body(request))
            .await?;
        parse_response(&body)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GenerateResponse {
    candidates: Option<Vec<Candidate>>,
    prompt_feedback: Option<PromptFeedback>,
    usage_metadata: Option<UsageMetadata>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Candidate {
    content: Option<Content>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Content {
    parts: Option<Vec<Part>>,
}

#[derive(Deserialize)]
struct Part {
    text: Option<String>,
    /// Thinking models return their reasoning as parts marked `thought`.
    #[serde(default)]
    thought: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PromptFeedback {
    block_reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UsageMetadata {
    prompt_token_count: Option<u64>,
    candidates_token_count: Option<u64>,
    /// Billed as output on thinking models.
    thoughts_token_count: Option<u64>,
}

/// Finish reasons that mean a policy filter stopped the answer.
const REFUSALS: &[&str] = &[
    "SAFETY",
    "RECITATION",
    "BLOCKLIST",
    "PROHIBITED_CONTENT",
    "SPII",
    "IMAGE_SAFETY",
    "LANGUAGE",
];

pub fn parse_response(body: &[u8]) -> Result<Completion, ModelError> {
    let response: GenerateResponse = transport::parse_envelope(body)?;
    if let Some(reason) = response.prompt_feedback.and_then(|f| f.block_reason) {
        return Err(ModelError::Refused(format!(
            "the prompt was blocked ({})",
            transport::excerpt(&reason)
        )));
    }
    let candidate = response
        .candidates
        .and_then(|c| c.into_iter().next())
        .ok_or_else(|| ModelError::Malformed("the response has no candidates".into()))?;
    match candidate.finish_reason.as_deref() {
        None | Some("STOP") => {}
        Some("MAX_TOKENS") => return Err(transport::truncated()),
        Some(reason) if REFUSALS.contains(&reason) => {
            return Err(ModelError::Refused(format!("finish reason {reason}")));
        }
        Some(other) => {
            return Err(ModelError::Malformed(format!(
                "finish reason {}",
                transport::excerpt(other)
            )));
        }
    }
    let raw: String = candidate
        .content
        .and_then(|c| c.parts)
        .unwrap_or_default()
        .into_iter()
        .filter(|p| !p.thought)
        .filter_map(|p| p.text)
        .collect();
    if raw.trim().is_empty() {
        return Err(ModelError::Malformed("the candidate has no text".into()));
    }
    let output = transport::parse_answer(&raw)?;
    let usage = response
        .usage_metadata
        .map_or_else(Usage::default, |u| Usage {
            input_tokens: u.prompt_token_count.unwrap_or(0),
            output_tokens: u.candidates_token_count.unwrap_or(0)
                + u.thoughts_token_count.unwrap_or(0),
        });
    Ok(Completion { output, raw, usage })
}

/// How deep `$ref`s are expanded; a recursive schema is cut there (Gemini has no references).
const MAX_REF_DEPTH: usize = 8;
/// Constraint keywords Gemini's Schema object shares with JSON Schema, copied as they are.
const COPIED: &[&str] = &[
    "description",
    "title",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "minProperties",
    "maxProperties",
];

/// Converts a JSON Schema to Gemini's OpenAPI 3.0 subset: `$ref`s are inlined from `$defs` /
/// `definitions`; `additionalProperties`, `$defs`, `$schema` and other unsupported keywords are
/// dropped; a type union with `null` (or an `anyOf` member `{type: null}`) becomes
/// `nullable: true`; `oneOf` becomes `anyOf`; `const` becomes a one-value `enum`; type names
/// are Gemini's upper-case enum (`STRING`, `OBJECT`…).
pub fn gemini_schema(schema: &Value) -> Value {
    let mut defs = Map::new();
    for key in ["definitions", "$defs"] {
        if let Some(Value::Object(found)) = schema.get(key) {
            defs.extend(found.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
    }
    convert(schema, &defs, 0)
}

fn convert(schema: &Value, defs: &Map<String, Value>, depth: usize) -> Value {
    let Value::Object(map) = schema else {
        // `true` or anything unexpected: no constraint.
        return json!({});
    };
    if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or_default();
        let mut resolved = match defs.get(name) {
            Some(target) if depth < MAX_REF_DEPTH => convert(target, defs, depth + 1),
            _ => json!({}),
        };
        // Siblings of `$ref` (a description, `nullable` by type) refine the target.
        let mut siblings = map.clone();
        siblings.remove("$ref");
        if let (Value::Object(resolved), Value::Object(extra)) = (
            &mut resolved,
            convert(&Value::Object(siblings), defs, depth),
        ) {
            resolved.extend(extra);
        }
        return resolved;
    }
    let mut out = Map::new();
    let mut nullable = false;

    match map.get("type") {
        Some(Value::String(t)) if t == "null" => nullable = true,
        Some(Value::String(t)) => {
            out.insert("type".into(), json!(t.to_ascii_uppercase()));
        }
        Some(Value::Array(types)) => {
            let others: Vec<&str> = types
                .iter()
                .filter_map(Value::as_str)
                .filter(|t| *t != "null")
                .collect();
            nullable = others.len() < types.len();
            match others.as_slice() {
                [] => {}
                [only] => {
                    out.insert("type".into(), json!(only.to_ascii_uppercase()));
                }
                several => {
                    // `["string", "integer"]` → one alternative per type, sharing the constraints.
                    let alternatives = several.iter().map(|t| {
                        let mut single = map.clone();
                        single.insert("type".into(), json!(t));
                        convert(&Value::Object(single), defs, depth)
                    });
                    out.insert("anyOf".into(), Value::Array(alternatives.collect()));
                }
            }
        }
        _ => {}
    }

    let members = ["anyOf", "oneOf", "allOf"]
        .iter()
        .filter_map(|k| map.get(*k).and_then(Value::as_array).map(|m| (*k, m)));
    for (keyword, members) in members {
        let mut converted = Vec::new();
        for member in members {
            if member.get("type").and_then(Value::as_str) == Some("null") {
                nullable = true;
            } else {
                converted.push(convert(member, defs, depth));
            }
        }
        match (keyword, converted.len()) {
            (_, 0) => {}
            // One alternative left, or an `allOf` (merged: Gemini has no conjunction).
            (_, 1) | ("allOf", _) => {
                for member in converted {
                    if let Value::Object(member) = member {
                        for (k, v) in member {
                            out.entry(k).or_insert(v);
                        }
                    }
                }
            }
            _ => {
                out.insert("anyOf".into(), Value::Array(converted));
            }
        }
    }

    let mut values: Vec<&Value> = map
        .get("enum")
        .and_then(Value::as_array)
        .map(|v| v.iter().collect())
        .unwrap_or_default();
    if let Some(constant) = map.get("const") {
        values.push(constant);
    }
    if values.iter().any(|v| v.is_null()) {
        nullable = true;
    }
    let strings: Vec<&Value> = values.into_iter().filter(|v| !v.is_null()).collect();
    // Gemini enums are strings; other enums are left to our own validation.
    if !strings.is_empty() && strings.iter().all(|v| v.is_string()) {
        out.insert("type".into(), json!("STRING"));
        out.insert("format".into(), json!("enum"));
        out.insert(
            "enum".into(),
            Value::Array(strings.into_iter().cloned().collect()),
        );
    }

    if let Some(Value::Object(properties)) = map.get("properties") {
        let converted: Map<String, Value> = properties
            .iter()
            .map(|(name, sub)| (name.clone(), convert(sub, defs, depth)))
            .collect();
        if let Some(Value::Array(required)) = map.get("required") {
            let required: Vec<Value> = required
                .iter()
                .filter(|r| r.as_str().is_some_and(|r| converted.contains_key(r)))
                .cloned()
                .collect();
            if !required.is_empty() {
                out.insert("required".into(), Value::Array(required));
            }
        }
        out.insert("properties".into(), Value::Object(converted));
        out.entry("type").or_insert_with(|| json!("OBJECT"));
    }
    if let Some(items) = map.get("items").filter(|i| i.is_object()) {
        out.insert("items".into(), convert(items, defs, depth));
    }
    if map.get("format").and_then(Value::as_str) == Some("date-time") {
        out.insert("format".into(), json!("date-time"));
    }
    for keyword in COPIED {
        if let Some(value) = map.get(*keyword) {
            out.insert((*keyword).into(), value.clone());
        }
    }
    if nullable {
        out.insert("nullable".into(), json!(true));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_is_converted_to_the_openapi_subset() {
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "sections": {"type": "array", "maxItems": 12, "items": {"$ref": "#/$defs/Section"}},
                "subtitle": {"type": ["string", "null"], "maxLength": 120},
                "cta": {"anyOf": [{"$ref": "#/$defs/Cta"}, {"type": "null"}]},
                "kind": {"oneOf": [{"const": "hero"}, {"const": "faq"}]},
                "at": {"type": "string", "format": "date-time"},
                "n": {"type": "integer", "format": "uint32", "minimum": 0},
            },
            "required": ["sections", "kind", "missing"],
            "$defs": {
                "Section": {"type": "object", "properties": {"title": {"type": "string"}}, "required": ["title"], "additionalProperties": false},
                "Cta": {"description": "Call to action", "type": "object", "properties": {"label": {"type": "string", "enum": ["Buy", "Try"]}}},
            },
        });
        assert_eq!(
            gemini_schema(&schema),
            json!({
                "type": "OBJECT",
                "properties": {
                    "sections": {"type": "ARRAY", "maxItems": 12, "items": {
                        "type": "OBJECT", "properties": {"title": {"type": "STRING"}}, "required": ["title"],
                    }},
                    "subtitle": {"type": "STRING", "maxLength": 120, "nullable": true},
                    "cta": {"description": "Call to action", "type": "OBJECT", "nullable": true, "properties": {
                        "label": {"type": "STRING", "format": "enum", "enum": ["Buy", "Try"]},
                    }},
                    "kind": {"anyOf": [
                        {"type": "STRING", "format": "enum", "enum": ["hero"]},
                        {"type": "STRING", "format": "enum", "enum": ["faq"]},
                    ]},
                    "at": {"type": "STRING", "format": "date-time"},
                    "n": {"type": "INTEGER", "minimum": 0},
                },
                "required": ["sections", "kind"],
            })
        );
    }

    #[test]
    fn recursive_schemas_are_cut() {
        let schema = json!({
            "$ref": "#/$defs/Node",
            "$defs": {"Node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}}}},
        });
        let converted = gemini_schema(&schema);
        let mut node = &converted;
        for _ in 0..MAX_REF_DEPTH {
            node = &node["properties"]["children"]["items"];
        }
        assert_eq!(node, &json!({}));
    }

    #[test]
    fn model_names_stay_one_path_segment() {
        assert_eq!(
            crate::transport::path_segment("gemini-2.0-flash"),
            "gemini-2.0-flash"
        );
        assert_eq!(crate::transport::path_segment("tuned/x:y"), "tuned%2Fx%3Ay");
    }
}
