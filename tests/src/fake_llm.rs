//! Fake model providers on 127.0.0.1 that speak each provider's wire protocol: OpenAI Chat
//! Completions (and every OpenAI-compatible server), Anthropic Messages and Gemini
//! generateContent.
//!
//! A test starts one with a responder — `Fn(&RecordedRequest) -> FakeReply` — that decides what
//! to answer from the request itself (its schema, prompt, arrival index…), then asserts on the
//! log of what the fake received.
//!
//! ```ignore
//! let fake = FakeProvider::start(Protocol::Anthropic, |req| {
//!     match req.schema_name() {
//!         Some("layout_plan") => FakeReply::success(Protocol::Anthropic, &json!({"sections": []}), 100, 20),
//!         _ => FakeReply::error(Protocol::Anthropic, 400, "unexpected schema"),
//!     }
//! })
//! .await;
//! ```

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use http_body_util::{BodyExt, Full};
use serde_json::{Value, json};

/// The wire protocol a fake speaks. OpenAI-compatible servers (Ollama, vLLM, OpenRouter, Groq)
/// speak [`Protocol::OpenAi`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    OpenAi,
    Anthropic,
    Gemini,
}

impl Protocol {
    /// The routes the real service answers; anything else gets the provider's own 404.
    fn serves(self, method: &Method, path: &str) -> bool {
        method == Method::POST
            && match self {
                // Any base path: /v1, /api/v1 (OpenRouter), /openai/v1 (Groq)…
                Self::OpenAi => {
                    path.ends_with("/chat/completions") || path.ends_with("/embeddings")
                }
                Self::Anthropic => path == "/v1/messages",
                Self::Gemini => {
                    path.starts_with("/v1beta/models/")
                        && (path.ends_with(":generateContent")
                            || path.ends_with(":batchEmbedContents"))
                }
            }
    }
}

/// One request as the fake received it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// Arrival order, from 0.
    pub index: usize,
    pub protocol: Protocol,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Lower-case names; repeated headers joined with `, `.
    pub headers: BTreeMap<String, String>,
    /// The JSON body (`Null` if it was not JSON).
    pub body: Value,
}

impl RecordedRequest {
    /// The texts of an embeddings request (OpenAI `input`, Gemini `requests[].content`).
    pub fn embedding_inputs(&self) -> Vec<String> {
        match self.protocol {
            Protocol::Gemini => self.body["requests"]
                .as_array()
                .map(|requests| {
                    requests
                        .iter()
                        .map(|r| {
                            r["content"]["parts"][0]["text"]
                                .as_str()
                                .unwrap_or("")
                                .to_owned()
                        })
                        .collect()
                })
                .unwrap_or_default(),
            _ => match &self.body["input"] {
                Value::String(text) => vec![text.clone()],
                Value::Array(items) => items
                    .iter()
                    .map(|t| t.as_str().unwrap_or("").to_owned())
                    .collect(),
                _ => Vec::new(),
            },
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// The model: in the body (OpenAI, Anthropic) or in the path (Gemini).
    pub fn model(&self) -> Option<&str> {
        match self.protocol {
            Protocol::Gemini => self
                .path
                .strip_prefix("/v1beta/models/")?
                .strip_suffix(":generateContent"),
            _ => self.body["model"].as_str(),
        }
    }

    /// The schema's name: `response_format.json_schema.name` (OpenAI) or the forced tool's name
    /// (Anthropic). Gemini's request carries no name: match on [`Self::schema`] there (its
    /// `title`, its properties) or on the prompt.
    pub fn schema_name(&self) -> Option<&str> {
        match self.protocol {
            Protocol::OpenAi => self.body["response_format"]["json_schema"]["name"].as_str(),
            Protocol::Anthropic => self.body["tool_choice"]["name"].as_str(),
            Protocol::Gemini => None,
        }
    }

    /// The schema as the provider received it.
    pub fn schema(&self) -> Option<&Value> {
        let schema = match self.protocol {
            Protocol::OpenAi => &self.body["response_format"]["json_schema"]["schema"],
            Protocol::Anthropic => &self.body["tools"][0]["input_schema"],
            Protocol::Gemini => &self.body["generationConfig"]["responseSchema"],
        };
        (!schema.is_null()).then_some(schema)
    }

    /// The system prompt, wherever the protocol puts it.
    pub fn system(&self) -> Option<&str> {
        match self.protocol {
            Protocol::OpenAi => self.body["messages"]
                .as_array()?
                .iter()
                .find(|m| m["role"] == "system" || m["role"] == "developer")?["content"]
                .as_str(),
            Protocol::Anthropic => self.body["system"].as_str(),
            Protocol::Gemini => self.body["systemInstruction"]["parts"][0]["text"].as_str(),
        }
    }

    /// The text of the last user turn.
    pub fn last_user_text(&self) -> Option<&str> {
        let (list, text) = match self.protocol {
            Protocol::OpenAi | Protocol::Anthropic => (&self.body["messages"], "/content"),
            Protocol::Gemini => (&self.body["contents"], "/parts/0/text"),
        };
        list.as_array()?
            .iter()
            .rev()
            .find(|m| m["role"] == "user")?
            .pointer(text)?
            .as_str()
    }
}

/// What a fake answers: a status, headers, a body, and an optional delay before answering.
#[derive(Clone, Debug)]
pub struct FakeReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: FakeBody,
    pub delay: Duration,
    /// Sent without `Content-Length` (chunked), so a client learns the size only by reading.
    pub chunked: bool,
}

#[derive(Clone, Debug)]
pub enum FakeBody {
    Bytes(Vec<u8>),
    /// A protocol-correct answer, completed from the request when served (the model's name, the
    /// forced tool's name).
    Answer(Answer),
}

#[derive(Clone, Debug)]
pub struct Answer {
    pub protocol: Protocol,
    pub content: Content,
    pub stop: Stop,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

#[derive(Clone, Debug)]
pub enum Content {
    /// Structured output: OpenAI/Gemini text holding the JSON, Anthropic `tool_use` input.
    Json(Value),
    /// Text as the model wrote it (OpenAI/Gemini content; an Anthropic `text` block instead of
    /// the tool call).
    Text(String),
    /// The model declined: OpenAI `message.refusal`, Anthropic `stop_reason: "refusal"`, Gemini
    /// `finishReason: "SAFETY"`.
    Refusal(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    Done,
    /// Cut at the output-token limit: `length` / `max_tokens` / `MAX_TOKENS`.
    MaxTokens,
}

impl FakeReply {
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: FakeBody::Bytes(body.into()),
            delay: Duration::ZERO,
            chunked: false,
        }
    }

    pub fn json(status: u16, body: &Value) -> Self {
        Self::new(status, body.to_string())
    }

    /// A 200 embeddings answer in the provider's own shape: OpenAI's `data` list (given in
    /// reverse, as nothing promises input order: each item carries its `index`) with usage, or
    /// Gemini's `embeddings` list in request order.
    pub fn embeddings(protocol: Protocol, model: &str, vectors: &[Vec<f32>]) -> Self {
        let body = match protocol {
            Protocol::Gemini => json!({
                "embeddings": vectors.iter().map(|v| json!({"values": v})).collect::<Vec<_>>(),
            }),
            _ => json!({
                "object": "list",
                "data": vectors.iter().enumerate().rev().map(|(i, v)| json!({
                    "object": "embedding", "index": i, "embedding": v,
                })).collect::<Vec<_>>(),
                "model": model,
                "usage": {"prompt_tokens": vectors.len() * 8, "total_tokens": vectors.len() * 8},
            }),
        };
        Self::json(200, &body)
    }

    /// A 200 with `answer` as the structured output and the given token usage.
    pub fn success(
        protocol: Protocol,
        answer: &Value,
        input_tokens: u64,
        output_tokens: u64,
    ) -> Self {
        Self::answer(
            protocol,
            Content::Json(answer.clone()),
            Stop::Done,
            input_tokens,
            output_tokens,
        )
    }

    /// A 200 whose answer is `text` verbatim (e.g. prose instead of JSON).
    pub fn text(protocol: Protocol, text: &str, input_tokens: u64, output_tokens: u64) -> Self {
        Self::answer(
            protocol,
            Content::Text(text.into()),
            Stop::Done,
            input_tokens,
            output_tokens,
        )
    }

    /// A 200 cut at the token limit, with the partial text written so far.
    pub fn truncated(
        protocol: Protocol,
        partial: &str,
        input_tokens: u64,
        output_tokens: u64,
    ) -> Self {
        let content = match protocol {
            // Anthropic still returns the tool_use block, with what input it could parse.
            Protocol::Anthropic => Content::Json(json!({})),
            _ => Content::Text(partial.into()),
        };
        Self::answer(
            protocol,
            content,
            Stop::MaxTokens,
            input_tokens,
            output_tokens,
        )
    }

    /// A 200 in which the model declines.
    pub fn refusal(protocol: Protocol, message: &str) -> Self {
        Self::answer(
            protocol,
            Content::Refusal(message.into()),
            Stop::Done,
            10,
            5,
        )
    }

    pub fn answer(
        protocol: Protocol,
        content: Content,
        stop: Stop,
        input_tokens: u64,
        output_tokens: u64,
    ) -> Self {
        Self {
            body: FakeBody::Answer(Answer {
                protocol,
                content,
                stop,
                input_tokens,
                output_tokens,
            }),
            ..Self::new(200, Vec::new())
        }
    }

    /// An error in the provider's own shape, with the status's usual error type.
    pub fn error(protocol: Protocol, status: u16, message: &str) -> Self {
        let body = match protocol {
            Protocol::OpenAi => {
                let kind = match status {
                    401 => "invalid_request_error",
                    429 => "rate_limit_exceeded",
                    500.. => "server_error",
                    _ => "invalid_request_error",
                };
                json!({"error": {"message": message, "type": kind, "param": null, "code": null}})
            }
            Protocol::Anthropic => {
                let kind = match status {
                    401 => "authentication_error",
                    403 => "permission_error",
                    404 => "not_found_error",
                    413 => "request_too_large",
                    429 => "rate_limit_error",
                    529 => "overloaded_error",
                    500.. => "api_error",
                    _ => "invalid_request_error",
                };
                json!({"type": "error", "error": {"type": kind, "message": message}})
            }
            Protocol::Gemini => {
                let kind = match status {
                    400 => "INVALID_ARGUMENT",
                    401 => "UNAUTHENTICATED",
                    403 => "PERMISSION_DENIED",
                    404 => "NOT_FOUND",
                    429 => "RESOURCE_EXHAUSTED",
                    503 => "UNAVAILABLE",
                    504 => "DEADLINE_EXCEEDED",
                    _ => "INTERNAL",
                };
                json!({"error": {"code": status, "message": message, "status": kind}})
            }
        };
        Self::json(status, &body)
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        let name = name.to_ascii_lowercase();
        self.headers.retain(|(n, _)| *n != name);
        self.headers.push((name, value.into()));
        self
    }

    /// Waits this long before sending the response head.
    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Sends the body chunked, without `Content-Length`, so a client only learns its size by
    /// reading it.
    pub fn chunked(mut self) -> Self {
        self.chunked = true;
        self
    }

    /// The bytes this reply sends in answer to `request`.
    pub fn render(&self, request: &RecordedRequest) -> Vec<u8> {
        match &self.body {
            FakeBody::Bytes(bytes) => bytes.clone(),
            FakeBody::Answer(answer) => answer.render(request).to_string().into_bytes(),
        }
    }
}

impl Answer {
    fn render(&self, request: &RecordedRequest) -> Value {
        let model = request.model().unwrap_or("fake-model");
        let (input, output) = (self.input_tokens, self.output_tokens);
        let truncated = self.stop == Stop::MaxTokens;
        match self.protocol {
            Protocol::OpenAi => {
                let (content, refusal) = match &self.content {
                    Content::Json(answer) => (json!(answer.to_string()), Value::Null),
                    Content::Text(text) => (json!(text), Value::Null),
                    Content::Refusal(message) => (Value::Null, json!(message)),
                };
                json!({
                    "id": format!("chatcmpl-fake{}", request.index),
                    "object": "chat.completion",
                    "created": 1_700_000_000,
                    "model": model,
                    "choices": [{
                        "index": 0,
                        "message": {"role": "assistant", "content": content, "refusal": refusal, "annotations": []},
                        "logprobs": null,
                        "finish_reason": if truncated { "length" } else { "stop" },
                    }],
                    "usage": {
                        "prompt_tokens": input,
                        "completion_tokens": output,
                        "total_tokens": input + output,
                        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
                    },
                    "service_tier": "default",
                    "system_fingerprint": "fp_fake",
                })
            }
            Protocol::Anthropic => {
                let tool = request.schema_name().unwrap_or("answer");
                let (content, stop_reason) = match &self.content {
                    Content::Json(answer) => (
                        json!([{"type": "tool_use", "id": format!("toolu_fake{}", request.index), "name": tool, "input": answer}]),
                        "tool_use",
                    ),
                    Content::Text(text) => (json!([{"type": "text", "text": text}]), "end_turn"),
                    Content::Refusal(message) => {
                        (json!([{"type": "text", "text": message}]), "refusal")
                    }
                };
                json!({
                    "id": format!("msg_fake{}", request.index),
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": content,
                    "stop_reason": if truncated { "max_tokens" } else { stop_reason },
                    "stop_sequence": null,
                    "usage": {
                        "input_tokens": input,
                        "output_tokens": output,
                        "cache_creation_input_tokens": 0,
                        "cache_read_input_tokens": 0,
                    },
                })
            }
            Protocol::Gemini => {
                let candidate = match &self.content {
                    // A safety stop carries no content, only the ratings.
                    Content::Refusal(_) => json!({
                        "finishReason": "SAFETY",
                        "index": 0,
                        "safetyRatings": [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": true}],
                    }),
                    Content::Json(_) | Content::Text(_) => {
                        let text = match &self.content {
                            Content::Json(answer) => answer.to_string(),
                            Content::Text(text) => text.clone(),
                            Content::Refusal(_) => String::new(),
                        };
                        json!({
                            "content": {"parts": [{"text": text}], "role": "model"},
                            "finishReason": if truncated { "MAX_TOKENS" } else { "STOP" },
                            "index": 0,
                        })
                    }
                };
                json!({
                    "candidates": [candidate],
                    "usageMetadata": {
                        "promptTokenCount": input,
                        "candidatesTokenCount": output,
                        "totalTokenCount": input + output,
                        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": input}],
                    },
                    "modelVersion": model,
                    "responseId": format!("fake{}", request.index),
                })
            }
        }
    }
}

type Responder = dyn Fn(&RecordedRequest) -> FakeReply + Send + Sync;

struct Shared {
    protocol: Protocol,
    responder: Box<Responder>,
    log: Mutex<Vec<RecordedRequest>>,
}

/// A fake provider serving on 127.0.0.1 until dropped.
pub struct FakeProvider {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl FakeProvider {
    /// Starts serving on a free loopback port, inside the calling test's runtime.
    pub async fn start(
        protocol: Protocol,
        responder: impl Fn(&RecordedRequest) -> FakeReply + Send + Sync + 'static,
    ) -> Self {
        let shared = Arc::new(Shared {
            protocol,
            responder: Box::new(responder),
            log: Mutex::default(),
        });
        let app = axum::Router::new()
            .fallback(handle)
            .layer(DefaultBodyLimit::disable())
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("listener address");
        let server = tokio::spawn(async move {
            // Ends when the test's runtime does, or when the provider is dropped.
            let _ = axum::serve(listener, app).await;
        });
        Self {
            addr,
            shared,
            server,
        }
    }

    pub fn protocol(&self) -> Protocol {
        self.shared.protocol
    }

    /// `http://127.0.0.1:<port>`: the host root, as ANTHROPIC_BASE_URL and GEMINI_BASE_URL take.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:<port>/v1`, as OPENAI_BASE_URL takes.
    pub fn openai_base_url(&self) -> String {
        format!("{}/v1", self.url())
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.log.lock().expect("request log").clone()
    }

    /// Every request received so far, leaving the log empty (e.g. between benchmark rounds).
    pub fn take_requests(&self) -> Vec<RecordedRequest> {
        std::mem::take(&mut *self.shared.log.lock().expect("request log"))
    }

    pub fn calls(&self) -> usize {
        self.shared.log.lock().expect("request log").len()
    }
}

impl Drop for FakeProvider {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = {
        let mut log = shared.log.lock().expect("request log");
        let request = RecordedRequest {
            index: log.len(),
            protocol: shared.protocol,
            method: method.to_string(),
            path: uri.path().to_owned(),
            query: uri.query().map(str::to_owned),
            headers: header_map(&headers),
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        };
        log.push(request.clone());
        request
    };
    let reply = if shared.protocol.serves(&method, &request.path) {
        (shared.responder)(&request)
    } else {
        FakeReply::error(
            shared.protocol,
            404,
            &format!("no route for {method} {}", request.path),
        )
    };
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let bytes = Bytes::from(reply.render(&request));
    let body = if reply.chunked {
        // An identity map hides the exact size, so neither axum nor hyper announce a length.
        Body::new(Full::new(bytes).map_frame(|frame| frame))
    } else {
        Body::from(bytes)
    };
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(reply.status).expect("a valid status code");
    for (name, value) in &reply.headers {
        response.headers_mut().insert(
            HeaderName::from_bytes(name.as_bytes()).expect("a valid header name"),
            HeaderValue::from_str(value).expect("a valid header value"),
        );
    }
    response
}

fn header_map(headers: &HeaderMap) -> BTreeMap<String, String> {
    let mut map = BTreeMap::<String, String>::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        map.entry(name.as_str().to_owned())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert(value);
    }
    map
}
