//! The model layer against fake providers on 127.0.0.1 that speak each wire protocol: the
//! exact request each provider receives, answers and usage, retries and their waits, timeouts,
//! size caps, malformed answers, refusals, fallback chains and configuration.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use visions_llm::anthropic::AnthropicModel;
use visions_llm::gemini::{GeminiModel, gemini_schema};
use visions_llm::openai::{OpenAiFlavor, OpenAiModel, strict_schema};
use visions_llm::registry::{ApiKey, ModelHttp, ModelRegistry};
use visions_llm::retry::{ModelChain, RetryPolicy, complete_with_retries};
use visions_llm::{
    Completion, CompletionRequest, LanguageModel, Message, ModelError, ModelName, Role, Usage,
};
use visions_local::LocalSecrets;
use visions_model_config::ModelSettings;
use visions_tests::fake_llm::{FakeProvider, FakeReply, Protocol, RecordedRequest};

const KEY: &str = "test-key-0123456789abcdef";

#[derive(Clone, Copy, Debug)]
enum Kind {
    OpenAi,
    Compatible,
    Anthropic,
    Gemini,
}

/// One provider under test: how it is named, configured and reached.
#[derive(Clone, Copy, Debug)]
struct Case {
    kind: Kind,
    protocol: Protocol,
    provider: &'static str,
    model: &'static str,
    /// Appended to the fake's root to make the configured base URL.
    base_suffix: &'static str,
    /// Where the provider must receive the call.
    path: &'static str,
}

const OPENAI: Case = Case {
    kind: Kind::OpenAi,
    protocol: Protocol::OpenAi,
    provider: "openai",
    model: "gpt-4o-2024-08-06",
    base_suffix: "/v1",
    path: "/v1/chat/completions",
};

const ANTHROPIC: Case = Case {
    kind: Kind::Anthropic,
    protocol: Protocol::Anthropic,
    provider: "anthropic",
    model: "claude-sonnet-4-5",
    base_suffix: "",
    path: "/v1/messages",
};

const GEMINI: Case = Case {
    kind: Kind::Gemini,
    protocol: Protocol::Gemini,
    provider: "gemini",
    model: "gemini-2.5-flash",
    base_suffix: "",
    path: "/v1beta/models/gemini-2.5-flash:generateContent",
};

/// Groq, standing for every OpenAI-compatible server.
const COMPATIBLE: Case = Case {
    kind: Kind::Compatible,
    protocol: Protocol::OpenAi,
    provider: "groq",
    model: "llama-3.3-70b-versatile",
    base_suffix: "/openai/v1",
    path: "/openai/v1/chat/completions",
};

impl Case {
    fn name(&self) -> ModelName {
        ModelName::parse(&format!("{}:{}", self.provider, self.model)).unwrap()
    }

    /// The adapter, built directly so that a test can set sub-second limits.
    fn model(&self, fake: &FakeProvider, http: ModelHttp) -> Arc<dyn LanguageModel> {
        let base = format!("{}{}", fake.url(), self.base_suffix);
        let key = ApiKey::value(KEY);
        match self.kind {
            Kind::OpenAi => Arc::new(OpenAiModel::new(
                self.name(),
                &base,
                key,
                OpenAiFlavor::OpenAi,
                http,
            )),
            Kind::Compatible => Arc::new(OpenAiModel::new(
                self.name(),
                &base,
                key,
                OpenAiFlavor::Compatible,
                http,
            )),
            Kind::Anthropic => Arc::new(AnthropicModel::new(self.name(), &base, key, http)),
            Kind::Gemini => Arc::new(GeminiModel::new(self.name(), &base, key, http)),
        }
    }
}

fn http() -> ModelHttp {
    ModelHttp::new(Duration::from_secs(10), 2 * 1024 * 1024).unwrap()
}

/// Quick backoff, so tests measure the provider's `Retry-After` and not our jitter.
fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
    }
}

fn schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "LayoutPlan",
        "type": "object",
        "properties": {
            "sections": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Section"}},
            "tone": {"type": ["string", "null"], "enum": ["warm", "bold", null]},
        },
        "required": ["sections"],
        "$defs": {
            "Section": {
                "type": "object",
                "properties": {"kind": {"type": "string"}, "variant": {"type": "string"}},
                "required": ["kind"],
            },
        },
    })
}

/// A repair round-trip: the task, the model's earlier answer, what was wrong with it.
fn request() -> CompletionRequest {
    CompletionRequest {
        system: "You plan landing pages. Designs: #12 split hero, #40 pricing grid.".into(),
        messages: vec![
            Message {
                role: Role::User,
                content: "A page for Acme Coffee, warm tone.".into(),
            },
            Message {
                role: Role::Assistant,
                content: r#"{"sections": []}"#.into(),
            },
            Message {
                role: Role::User,
                content: "sections must not be empty.".into(),
            },
        ],
        schema_name: "layout_plan".into(),
        schema: schema(),
        max_output_tokens: 2048,
        temperature: 0.4,
        task: json!({"brief": "Acme Coffee"}),
    }
}

fn answer() -> Value {
    json!({"sections": [{"kind": "hero", "variant": "split"}, {"kind": "pricing", "variant": "grid"}], "tone": "warm"})
}

/// Replies with `first` to the first `times` calls, with a success after.
fn failing_then_ok(
    protocol: Protocol,
    times: usize,
    first: FakeReply,
) -> impl Fn(&RecordedRequest) -> FakeReply {
    move |req| {
        if req.index < times {
            first.clone()
        } else {
            FakeReply::success(protocol, &answer(), 120, 40)
        }
    }
}

async fn check_success(case: Case) {
    let fake = FakeProvider::start(case.protocol, move |_| {
        FakeReply::success(case.protocol, &answer(), 1234, 567)
    })
    .await;
    let model = case.model(&fake, http());
    let completion = model.complete(&request()).await.unwrap();

    assert_eq!(completion.output, answer());
    assert_eq!(
        serde_json::from_str::<Value>(&completion.raw).unwrap(),
        answer()
    );
    assert_eq!(
        completion.usage,
        Usage {
            input_tokens: 1234,
            output_tokens: 567
        }
    );

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let sent = &requests[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, case.path);
    assert_eq!(
        sent.query, None,
        "nothing, the key least of all, travels in the URL"
    );
    assert_eq!(sent.header("content-type"), Some("application/json"));
    let body = &sent.body;
    let req = request();
    match case.kind {
        Kind::OpenAi | Kind::Compatible => {
            assert_eq!(
                sent.header("authorization"),
                Some(format!("Bearer {KEY}").as_str())
            );
            assert_eq!(sent.header("x-api-key"), None);
            assert_eq!(body["model"], case.model);
            assert_eq!(
                body["messages"],
                json!([
                    {"role": "system", "content": req.system},
                    {"role": "user", "content": req.messages[0].content},
                    {"role": "assistant", "content": req.messages[1].content},
                    {"role": "user", "content": req.messages[2].content},
                ])
            );
            let format = &body["response_format"];
            assert_eq!(format["type"], "json_schema");
            assert_eq!(format["json_schema"]["name"], "layout_plan");
            assert_eq!(
                body["temperature"].as_f64().map(|t| (t * 10.0).round()),
                Some(4.0)
            );
            if let Kind::OpenAi = case.kind {
                assert_eq!(format["json_schema"]["strict"], true);
                assert_eq!(format["json_schema"]["schema"], strict_schema(&schema()));
                assert_eq!(
                    format["json_schema"]["schema"]["additionalProperties"],
                    false
                );
                assert_eq!(body["max_completion_tokens"], 2048);
                assert!(body.get("max_tokens").is_none());
            } else {
                assert_eq!(format["json_schema"]["strict"], false);
                assert_eq!(format["json_schema"]["schema"], schema());
                assert_eq!(body["max_tokens"], 2048);
                assert!(body.get("max_completion_tokens").is_none());
            }
        }
        Kind::Anthropic => {
            assert_eq!(sent.header("x-api-key"), Some(KEY));
            assert_eq!(sent.header("anthropic-version"), Some("2023-06-01"));
            assert_eq!(sent.header("authorization"), None);
            assert_eq!(body["model"], case.model);
            assert_eq!(body["max_tokens"], 2048);
            assert_eq!(body["system"], req.system);
            assert_eq!(
                body["messages"],
                json!([
                    {"role": "user", "content": req.messages[0].content},
                    {"role": "assistant", "content": req.messages[1].content},
                    {"role": "user", "content": req.messages[2].content},
                ])
            );
            let tools = body["tools"].as_array().unwrap();
            assert_eq!(tools.len(), 1);
            assert_eq!(tools[0]["name"], "layout_plan");
            assert_eq!(tools[0]["input_schema"], schema());
            assert_eq!(
                body["tool_choice"],
                json!({"type": "tool", "name": "layout_plan"})
            );
        }
        Kind::Gemini => {
            assert_eq!(sent.header("x-goog-api-key"), Some(KEY));
            assert_eq!(sent.header("authorization"), None);
            assert_eq!(sent.model(), Some(case.model));
            assert_eq!(
                body["systemInstruction"],
                json!({"parts": [{"text": req.system}]})
            );
            assert_eq!(
                body["contents"],
                json!([
                    {"role": "user", "parts": [{"text": req.messages[0].content}]},
                    {"role": "model", "parts": [{"text": req.messages[1].content}]},
                    {"role": "user", "parts": [{"text": req.messages[2].content}]},
                ])
            );
            let config = &body["generationConfig"];
            assert_eq!(config["responseMimeType"], "application/json");
            assert_eq!(config["responseSchema"], gemini_schema(&schema()));
            assert_eq!(
                config["responseSchema"]["properties"]["tone"]["nullable"],
                true
            );
            assert!(config["responseSchema"].get("$defs").is_none());
            assert_eq!(config["maxOutputTokens"], 2048);
        }
    }
}

async fn check_rate_limited_then_success(case: Case) {
    let limited = FakeReply::error(case.protocol, 429, "slow down").with_header("retry-after", "1");
    let fake = FakeProvider::start(case.protocol, failing_then_ok(case.protocol, 1, limited)).await;
    let model = case.model(&fake, http());
    let started = Instant::now();
    let completion = complete_with_retries(model.as_ref(), &request(), &policy(), no_deadline())
        .await
        .unwrap();
    let waited = started.elapsed();
    assert_eq!(completion.output, answer());
    assert_eq!(fake.calls(), 2);
    assert!(
        waited >= Duration::from_millis(990),
        "honours Retry-After: 1 (waited {waited:?})"
    );
    assert!(waited < Duration::from_secs(3), "and no more ({waited:?})");
}

async fn check_server_error_then_success(case: Case) {
    let broken = FakeReply::error(case.protocol, 500, "internal error");
    let fake = FakeProvider::start(case.protocol, failing_then_ok(case.protocol, 1, broken)).await;
    let model = case.model(&fake, http());
    let completion = complete_with_retries(model.as_ref(), &request(), &policy(), no_deadline())
        .await
        .unwrap();
    assert_eq!(completion.output, answer());
    assert_eq!(fake.calls(), 2);
}

async fn check_server_error_forever(case: Case) {
    let fake = FakeProvider::start(case.protocol, move |_| {
        FakeReply::error(case.protocol, 500, "internal error")
    })
    .await;
    let model = case.model(&fake, http());
    let error = complete_with_retries(model.as_ref(), &request(), &policy(), no_deadline())
        .await
        .unwrap_err();
    assert!(
        matches!(error, ModelError::Server { status: 500, .. }),
        "{error:?}"
    );
    assert_eq!(fake.calls(), 3, "max_attempts calls, no more");
}

async fn check_timeout(case: Case) {
    let fake = FakeProvider::start(case.protocol, move |_| {
        FakeReply::success(case.protocol, &answer(), 1, 1).with_delay(Duration::from_secs(5))
    })
    .await;
    let timeout = Duration::from_millis(300);
    let model = case.model(&fake, ModelHttp::new(timeout, 1024 * 1024).unwrap());
    let policy = RetryPolicy {
        max_attempts: 2,
        ..policy()
    };
    let started = Instant::now();
    let error = complete_with_retries(model.as_ref(), &request(), &policy, no_deadline())
        .await
        .unwrap_err();
    assert_eq!(error, ModelError::Timeout(timeout));
    assert_eq!(fake.calls(), 2);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

async fn check_malformed_bodies(case: Case) {
    let fake = FakeProvider::start(case.protocol, |req| match req.index {
        0 => FakeReply::new(200, "<html>upstream proxy error</html>")
            .with_header("content-type", "text/html"),
        1 => FakeReply::json(200, &json!({"id": "x", "object": "unexpected"})),
        _ => FakeReply::json(200, &json!([1, 2, 3])),
    })
    .await;
    let model = case.model(&fake, http());
    for _ in 0..3 {
        let error = complete_with_retries(model.as_ref(), &request(), &policy(), no_deadline())
            .await
            .unwrap_err();
        assert!(matches!(error, ModelError::Malformed(_)), "{error:?}");
    }
    assert_eq!(fake.calls(), 3, "a malformed answer is not retried");
}

async fn check_oversized_body(case: Case) {
    let cap = 64 * 1024;
    let fake = FakeProvider::start(case.protocol, move |req| {
        // Valid JSON, just far too much of it: announced first, then only discovered by reading.
        let huge = format!("{{\"padding\": \"{}\"}}", "x".repeat(8 * 1024 * 1024));
        let reply = FakeReply::new(200, huge);
        if req.index == 0 {
            reply
        } else {
            reply.chunked()
        }
    })
    .await;
    let model = case.model(&fake, ModelHttp::new(Duration::from_secs(10), cap).unwrap());
    let started = Instant::now();
    for _ in 0..2 {
        let error = complete_with_retries(model.as_ref(), &request(), &policy(), no_deadline())
            .await
            .unwrap_err();
        assert_eq!(error, ModelError::TooLarge(cap));
    }
    assert_eq!(fake.calls(), 2, "an oversized answer is not retried");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

async fn check_answer_not_json(case: Case) {
    let fake = FakeProvider::start(case.protocol, move |_| {
        FakeReply::text(
            case.protocol,
            "Sure! Here is a lovely page for Acme Coffee.",
            10,
            10,
        )
    })
    .await;
    let error = case
        .model(&fake, http())
        .complete(&request())
        .await
        .unwrap_err();
    assert!(matches!(error, ModelError::Malformed(_)), "{error:?}");
}

async fn check_truncated(case: Case) {
    let fake = FakeProvider::start(case.protocol, move |_| {
        FakeReply::truncated(case.protocol, r#"{"sections": [{"kind": "he"#, 10, 2048)
    })
    .await;
    let error = case
        .model(&fake, http())
        .complete(&request())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, ModelError::Malformed(m) if m.contains("truncated")),
        "{error:?}"
    );
}

async fn check_refusal(case: Case) {
    let fake = FakeProvider::start(case.protocol, move |_| {
        FakeReply::refusal(case.protocol, "I can't help with that.")
    })
    .await;
    let error = case
        .model(&fake, http())
        .complete(&request())
        .await
        .unwrap_err();
    assert!(matches!(error, ModelError::Refused(_)), "{error:?}");
}

async fn check_unauthorized(case: Case) {
    let fake = FakeProvider::start(case.protocol, move |req| {
        // Providers echo (part of) the key they were given; none of it may reach our errors.
        let given = req
            .header("authorization")
            .or(req.header("x-api-key"))
            .or(req.header("x-goog-api-key"))
            .unwrap_or_default()
            .to_owned();
        FakeReply::error(
            case.protocol,
            401,
            &format!("Incorrect API key provided: {given}. Find your key in the console."),
        )
    })
    .await;
    let error = complete_with_retries(
        case.model(&fake, http()).as_ref(),
        &request(),
        &policy(),
        no_deadline(),
    )
    .await
    .unwrap_err();
    let ModelError::Rejected {
        status: 401,
        message,
    } = &error
    else {
        panic!("expected a 401 rejection, got {error:?}");
    };
    assert!(message.contains("Incorrect API key provided"), "{message}");
    for shown in [message.clone(), error.to_string(), format!("{error:?}")] {
        assert!(!shown.contains(KEY), "{shown}");
        assert!(!shown.contains("0123456789"), "{shown}");
    }
    assert_eq!(fake.calls(), 1, "a 401 is not retried");
}

macro_rules! protocol_tests {
    ($module:ident, $case:expr) => {
        mod $module {
            use super::*;

            #[tokio::test]
            async fn success_sends_the_exact_request() {
                check_success($case).await
            }
            #[tokio::test]
            async fn rate_limited_waits_for_retry_after() {
                check_rate_limited_then_success($case).await
            }
            #[tokio::test]
            async fn server_error_then_success() {
                check_server_error_then_success($case).await
            }
            #[tokio::test]
            async fn server_error_forever_stops_after_max_attempts() {
                check_server_error_forever($case).await
            }
            #[tokio::test]
            async fn slow_provider_times_out() {
                check_timeout($case).await
            }
            #[tokio::test]
            async fn malformed_bodies_are_rejected() {
                check_malformed_bodies($case).await
            }
            #[tokio::test]
            async fn oversized_body_is_cut_off() {
                check_oversized_body($case).await
            }
            #[tokio::test]
            async fn answer_that_is_not_json() {
                check_answer_not_json($case).await
            }
            #[tokio::test]
            async fn truncated_answer() {
                check_truncated($case).await
            }
            #[tokio::test]
            async fn refusal() {
                check_refusal($case).await
            }
            #[tokio::test]
            async fn unauthorized_is_final_and_key_free() {
                check_unauthorized($case).await
            }
        }
    };
}

protocol_tests!(openai, OPENAI);
protocol_tests!(anthropic, ANTHROPIC);
protocol_tests!(gemini, GEMINI);
protocol_tests!(compatible, COMPATIBLE);

#[tokio::test]
async fn anthropic_overloaded_529_is_retried() {
    let overloaded = FakeReply::error(Protocol::Anthropic, 529, "Overloaded");
    let fake = FakeProvider::start(
        Protocol::Anthropic,
        failing_then_ok(Protocol::Anthropic, 2, overloaded),
    )
    .await;
    let completion = complete_with_retries(
        ANTHROPIC.model(&fake, http()).as_ref(),
        &request(),
        &policy(),
        no_deadline(),
    )
    .await
    .unwrap();
    assert_eq!(completion.output, answer());
    assert_eq!(fake.calls(), 3);
}

#[tokio::test]
async fn gemini_retry_delay_in_the_body_is_honoured() {
    // Gemini says how long to wait in google.rpc.RetryInfo, not in a header.
    let body = json!({"error": {"code": 429, "message": "Resource has been exhausted (e.g. check quota).", "status": "RESOURCE_EXHAUSTED",
        "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "0.6s"}]}});
    let fake = FakeProvider::start(
        Protocol::Gemini,
        failing_then_ok(Protocol::Gemini, 1, FakeReply::json(429, &body)),
    )
    .await;
    let started = Instant::now();
    complete_with_retries(
        GEMINI.model(&fake, http()).as_ref(),
        &request(),
        &policy(),
        no_deadline(),
    )
    .await
    .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(590),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(fake.calls(), 2);
}

#[tokio::test]
async fn gemini_blocked_prompt_is_a_refusal() {
    let body = json!({"promptFeedback": {"blockReason": "SAFETY", "safetyRatings": []},
        "usageMetadata": {"promptTokenCount": 12, "totalTokenCount": 12}, "modelVersion": "gemini-2.5-flash"});
    let fake = FakeProvider::start(Protocol::Gemini, move |_| FakeReply::json(200, &body)).await;
    let error = GEMINI
        .model(&fake, http())
        .complete(&request())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, ModelError::Refused(m) if m.contains("SAFETY")),
        "{error:?}"
    );
}

#[tokio::test]
async fn retry_after_beyond_the_limit_fails_at_once() {
    let limited =
        FakeReply::error(Protocol::OpenAi, 429, "quota").with_header("retry-after", "120");
    let fake = FakeProvider::start(
        Protocol::OpenAi,
        failing_then_ok(Protocol::OpenAi, 1, limited),
    )
    .await;
    let started = Instant::now();
    let error = complete_with_retries(
        OPENAI.model(&fake, http()).as_ref(),
        &request(),
        &policy(),
        no_deadline(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        error,
        ModelError::RateLimited {
            retry_after: Some(Duration::from_secs(120))
        }
    );
    assert_eq!(fake.calls(), 1);
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn connection_refused_is_a_transport_error() {
    // Bind, learn the port, close: nothing listens there any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let model = OpenAiModel::new(
        OPENAI.name(),
        &format!("http://127.0.0.1:{port}/v1"),
        ApiKey::value(KEY),
        OpenAiFlavor::OpenAi,
        http(),
    );
    let error = model.complete(&request()).await.unwrap_err();
    assert!(
        matches!(&error, ModelError::Transport(m) if !m.contains(KEY)),
        "{error:?}"
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn fake_sends_chunked_bodies_without_a_length() {
    // The oversized-body tests rely on this: a chunked reply is only measured by reading it.
    let fake = FakeProvider::start(Protocol::OpenAi, |req| {
        let reply = FakeReply::new(200, "x".repeat(100_000));
        if req.index == 0 {
            reply
        } else {
            reply.chunked()
        }
    })
    .await;
    let client = reqwest::Client::new();
    let url = format!("{}/chat/completions", fake.openai_base_url());
    let announced = client.post(&url).json(&json!({})).send().await.unwrap();
    assert_eq!(announced.content_length(), Some(100_000));
    let chunked = client.post(&url).json(&json!({})).send().await.unwrap();
    assert_eq!(chunked.content_length(), None);
    assert_eq!(chunked.headers()["transfer-encoding"], "chunked");
    assert_eq!(chunked.bytes().await.unwrap().len(), 100_000);
}

// ---- fallback chains ----

#[tokio::test]
async fn chain_falls_back_to_the_next_model() {
    let broken = FakeProvider::start(Protocol::OpenAi, |_| {
        FakeReply::error(Protocol::OpenAi, 401, "invalid key")
    })
    .await;
    let healthy = FakeProvider::start(Protocol::Anthropic, |_| {
        FakeReply::success(Protocol::Anthropic, &answer(), 50, 25)
    })
    .await;
    let chain = ModelChain::new(
        vec![
            OPENAI.model(&broken, http()),
            ANTHROPIC.model(&healthy, http()),
        ],
        policy(),
    );
    let (model, completion) = chain.complete(&request(), no_deadline()).await.unwrap();
    assert_eq!(model, ANTHROPIC.name());
    assert_eq!(completion.output, answer());
    assert_eq!(
        completion.usage,
        Usage {
            input_tokens: 50,
            output_tokens: 25
        }
    );
    assert_eq!(broken.calls(), 1, "a permanent failure moves on at once");
    assert_eq!(healthy.calls(), 1);
}

#[tokio::test]
async fn chain_reports_every_failure() {
    let down = FakeProvider::start(Protocol::OpenAi, |_| {
        FakeReply::error(Protocol::OpenAi, 503, "unavailable")
    })
    .await;
    let refusing = FakeProvider::start(Protocol::Gemini, |_| {
        FakeReply::refusal(Protocol::Gemini, "no")
    })
    .await;
    let chain = ModelChain::new(
        vec![OPENAI.model(&down, http()), GEMINI.model(&refusing, http())],
        policy(),
    );
    let error = chain.complete(&request(), no_deadline()).await.unwrap_err();
    assert_eq!(error.failures.len(), 2);
    assert_eq!(error.failures[0].0, OPENAI.name());
    assert!(matches!(
        error.failures[0].1,
        ModelError::Server { status: 503, .. }
    ));
    assert_eq!(error.failures[1].0, GEMINI.name());
    assert!(matches!(error.failures[1].1, ModelError::Refused(_)));
    assert!(!error.is_transient(), "a refusal will not pass by waiting");
    let text = error.to_string();
    assert!(
        text.starts_with("every model failed: openai:gpt-4o-2024-08-06: provider error 503"),
        "{text}"
    );
    assert!(
        text.contains("; gemini:gemini-2.5-flash: the model declined"),
        "{text}"
    );
    assert_eq!(down.calls(), 3);
}

#[tokio::test]
async fn chain_stops_at_its_deadline() {
    let slow = FakeProvider::start(Protocol::OpenAi, |_| {
        FakeReply::success(Protocol::OpenAi, &answer(), 1, 1).with_delay(Duration::from_secs(5))
    })
    .await;
    let spare = FakeProvider::start(Protocol::Anthropic, |_| {
        FakeReply::success(Protocol::Anthropic, &answer(), 1, 1)
    })
    .await;
    // The per-call timeout (10 s) is longer than what the worker has left (0.5 s).
    let chain = ModelChain::new(
        vec![OPENAI.model(&slow, http()), ANTHROPIC.model(&spare, http())],
        policy(),
    );
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + Duration::from_millis(500);
    let error = chain.complete(&request(), deadline).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(error.failures.len(), 1);
    assert!(matches!(error.failures[0].1, ModelError::Timeout(_)));
    assert_eq!((slow.calls(), spare.calls()), (1, 0));
}

// ---- the registry ----

/// A model that answers without a network, standing in for the offline composer.
struct Canned(ModelName);

// The trait is `#[async_trait]`; this is its expansion, spelled out (the tests crate does not
// depend on the macro).
impl LanguageModel for Canned {
    fn name(&self) -> &ModelName {
        &self.0
    }
    fn complete<'a, 'b, 'r>(&'a self, _: &'b CompletionRequest) -> BoxedCompletion<'r>
    where
        'a: 'r,
        'b: 'r,
        Self: 'r,
    {
        Box::pin(async {
            Ok(Completion {
                output: answer(),
                raw: answer().to_string(),
                usage: Usage::default(),
            })
        })
    }
}

type BoxedCompletion<'r> = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Completion, ModelError>> + Send + 'r>,
>;

fn registry(vars: &[(&str, String)]) -> (ModelRegistry, Arc<dyn LanguageModel>) {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    let settings = ModelSettings::from_lookup(|name| vars.get(name).cloned()).unwrap();
    let composer: Arc<dyn LanguageModel> =
        Arc::new(Canned(ModelName::parse(ModelName::COMPOSER).unwrap()));
    // Local secrets never touch the disk unless a named secret is read; these tests read none.
    let secrets = Arc::new(LocalSecrets::new(
        &std::env::temp_dir().join("visions-llm-tests"),
    ));
    (
        ModelRegistry::new(settings, secrets, composer.clone()),
        composer,
    )
}

fn name(text: &str) -> ModelName {
    ModelName::parse(text).unwrap()
}

#[tokio::test]
async fn missing_keys_name_the_variable_to_set() {
    let (registry, _) = registry(&[]);
    for (model, variable) in [
        ("openai:gpt-4o", "OPENAI_API_KEY"),
        ("anthropic:claude-sonnet-4-5", "ANTHROPIC_API_KEY"),
        ("gemini:gemini-2.5-flash", "GEMINI_API_KEY"),
        (
            "openrouter:anthropic/claude-3.5-sonnet",
            "OPENROUTER_API_KEY",
        ),
        ("groq:llama-3.3-70b-versatile", "GROQ_API_KEY"),
        ("vllm:qwen2.5", "VLLM_BASE_URL"),
        ("compatible:any", "COMPATIBLE_BASE_URL"),
    ] {
        let Err(ModelError::NotConfigured(message)) = registry.resolve(&name(model)) else {
            panic!("{model} should not be configured");
        };
        assert!(message.contains(variable), "{model}: {message}");
    }
    let Err(ModelError::NotConfigured(message)) = registry.resolve(&name("mistral:large")) else {
        panic!("unknown providers are not configured");
    };
    assert!(
        message.contains("unknown model provider") && message.contains("openai"),
        "{message}"
    );
    assert!(registry.resolve(&name("local:other")).is_err());
}

#[tokio::test]
async fn local_composer_is_the_one_given() {
    let (registry, composer) = registry(&[]);
    let resolved = registry.resolve(&name(ModelName::COMPOSER)).unwrap();
    assert!(std::ptr::eq(
        Arc::as_ptr(&resolved) as *const (),
        Arc::as_ptr(&composer) as *const ()
    ));
}

#[tokio::test]
async fn base_urls_follow_each_providers_convention() {
    let openai = FakeProvider::start(Protocol::OpenAi, |_| {
        FakeReply::success(Protocol::OpenAi, &answer(), 1, 1)
    })
    .await;
    let anthropic = FakeProvider::start(Protocol::Anthropic, |_| {
        FakeReply::success(Protocol::Anthropic, &answer(), 1, 1)
    })
    .await;
    let gemini = FakeProvider::start(Protocol::Gemini, |_| {
        FakeReply::success(Protocol::Gemini, &answer(), 1, 1)
    })
    .await;
    let ollama = FakeProvider::start(Protocol::OpenAi, |_| {
        FakeReply::success(Protocol::OpenAi, &answer(), 1, 1)
    })
    .await;
    let (registry, _) = registry(&[
        // The SDK convention: OpenAI's base ends in /v1 (a trailing slash is tolerated).
        ("OPENAI_BASE_URL", format!("{}/", openai.openai_base_url())),
        ("OPENAI_API_KEY", KEY.into()),
        // Host roots: the adapter appends the versioned path.
        ("ANTHROPIC_BASE_URL", anthropic.url()),
        ("ANTHROPIC_API_KEY", KEY.into()),
        ("GEMINI_BASE_URL", gemini.url()),
        ("GEMINI_API_KEY", KEY.into()),
        ("OLLAMA_BASE_URL", ollama.openai_base_url()),
    ]);
    for model in [
        "openai:gpt-4o",
        "anthropic:claude-sonnet-4-5",
        "gemini:gemini-2.0-flash",
        "ollama:llama3.1:8b",
    ] {
        let model = registry.resolve(&name(model)).unwrap();
        assert_eq!(
            model.complete(&request()).await.unwrap().output,
            answer(),
            "{}",
            model.name()
        );
    }
    assert_eq!(openai.requests()[0].path, "/v1/chat/completions");
    assert_eq!(anthropic.requests()[0].path, "/v1/messages");
    assert_eq!(
        gemini.requests()[0].path,
        "/v1beta/models/gemini-2.0-flash:generateContent"
    );
    let local = &ollama.requests()[0];
    assert_eq!(local.path, "/v1/chat/completions");
    assert_eq!(local.body["model"], "llama3.1:8b");
    assert_eq!(
        local.header("authorization"),
        None,
        "a local Ollama needs no key"
    );
    assert_eq!(local.body["max_tokens"], 2048, "compatible mode");
}

#[tokio::test]
async fn settings_reach_the_models() {
    let fake = FakeProvider::start(Protocol::OpenAi, |req| {
        let reply = FakeReply::success(Protocol::OpenAi, &answer(), 1, 1);
        if req.index == 0 {
            reply.with_delay(Duration::from_millis(1500))
        } else {
            reply
        }
    })
    .await;
    let (registry, _) = registry(&[
        ("OPENAI_BASE_URL", fake.openai_base_url()),
        ("OPENAI_API_KEY", KEY.into()),
        ("VISIONS_MODEL_TIMEOUT_SECS", "1".into()),
        ("VISIONS_MODEL_MAX_ATTEMPTS", "2".into()),
        ("VISIONS_MODEL_MAX_RESPONSE_BYTES", "4096".into()),
    ]);
    let chain = registry.chain(&[name("openai:gpt-4o")]).unwrap();
    assert_eq!(chain.policy().max_attempts, 2);
    // The first call outlives the 1 s timeout; the retry succeeds.
    let (model, _) = chain.complete(&request(), no_deadline()).await.unwrap();
    assert_eq!(model, name("openai:gpt-4o"));
    assert_eq!(fake.calls(), 2);
    assert!(registry.settings().worst_case_per_model() < Duration::from_secs(900));
}

#[tokio::test]
async fn key_by_arn_is_read_at_first_use_not_at_resolve() {
    let fake = FakeProvider::start(Protocol::OpenAi, |_| {
        FakeReply::success(Protocol::OpenAi, &answer(), 1, 1)
    })
    .await;
    let arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:openai-key-AbCdEf";
    let (registry, _) = registry(&[
        ("OPENAI_BASE_URL", fake.openai_base_url()),
        ("OPENAI_API_KEY_ARN", arn.into()),
    ]);
    // Resolving needs no secret yet.
    let model = registry.resolve(&name("openai:gpt-4o")).unwrap();
    // Local secrets cannot read ARNs: the call fails before any request, naming the variable.
    let error = model.complete(&request()).await.unwrap_err();
    assert!(
        matches!(&error, ModelError::Transport(m) if m.contains("OPENAI_API_KEY_ARN") && !m.contains(arn)),
        "{error:?}"
    );
    assert_eq!(fake.calls(), 0);
}

/// A deadline no test reaches: these tests are about retries, not the job's budget.
fn no_deadline() -> tokio::time::Instant {
    tokio::time::Instant::now() + std::time::Duration::from_secs(3600)
}
