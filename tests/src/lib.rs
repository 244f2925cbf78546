//! Test support: a moto server per test process, per-test AWS resources, token minting and a
//! client for the router.

pub mod canned;
pub mod fake_images;
pub mod fake_llm;
pub mod moto;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;
use visions_ai::config::Config;
use visions_ai::stack::{Queue, Stack};
use visions_api::auth::{JwtSettings, Tier, TokenRequest, issue_hs256};
use visions_aws::AwsSettings;
use visions_domain::job::JobMessage;
use visions_domain::ports::SecretName;
use visions_pipeline::worker::Outcome;

/// Held by tests that keep both cores busy (dozens of generations) and by Lighthouse audits,
/// whose performance score measures the CPU it gets.
pub static CPU_HEAVY: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The text a reader of a page sees: every string of its sections and metadata, without ids,
/// links, form addresses, variants, provenance or image briefs.
pub fn page_text(page: &serde_json::Value) -> String {
    fn walk(value: &serde_json::Value, out: &mut String) {
        match value {
            serde_json::Value::String(s) => {
                out.push_str(s);
                out.push(' ');
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            serde_json::Value::Object(map) => map
                .iter()
                .filter(|(k, _)| {
                    ![
                        "brief", "href", "id", "variant", "type", "action", "source", "picture",
                        "failure",
                    ]
                    .contains(&k.as_str())
                })
                .for_each(|(_, v)| walk(v, out)),
            _ => {}
        }
    }
    let mut out = String::new();
    walk(&page["sections"], &mut out);
    walk(&page["seo"], &mut out);
    out
}

/// A response as a client sees it.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: serde_json::Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The problem `type` slug, e.g. `not-found`.
    pub fn problem(&self) -> &str {
        self.body["type"]
            .as_str()
            .unwrap_or("")
            .trim_start_matches("https://visions.ai/problems/")
    }
}

pub async fn reply(response: axum::response::Response) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = if bytes.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    Reply {
        status,
        headers,
        body,
    }
}

/// The whole application (router, stores, worker) on a backend, with local secrets or the
/// emulator's.
pub struct TestApp {
    pub router: axum::Router,
    pub stack: Stack,
    pub jwt: JwtSettings,
    /// The moto resources' settings, on the AWS backend.
    pub aws: Option<AwsSettings>,
    /// The tier of the tokens `token`, `call` and `get` mint: pro, so that a test of another
    /// feature is not refused by the free plan; metering tests set free.
    pub tier: Tier,
    jwt_key: Arc<str>,
    _data: tempfile::TempDir,
}

impl TestApp {
    /// The embedded backend in a fresh data folder.
    pub async fn sqlite() -> Self {
        Self::local(&[], |_| {}).await
    }

    /// The embedded backend with extra configuration, after `prepare` ran on the data folder
    /// (e.g. to put an Ed25519 public key in `secrets/jwt-key`).
    pub async fn local(vars: &[(&str, &str)], prepare: impl FnOnce(&std::path::Path)) -> Self {
        let data = tempfile::tempdir().unwrap();
        prepare(data.path());
        let mut vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        vars.push(("VISIONS_DATA_DIR".into(), data.path().display().to_string()));
        let lookup = move |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let config = Config::from_lookup(&lookup).unwrap();
        let stack = Stack::build_with(&config, None, &lookup).unwrap();
        Self::from_stack(stack, config, None, data).await
    }

    /// DynamoDB, S3, SQS and Secrets Manager on moto, in resources of its own.
    pub async fn dynamo() -> Self {
        Self::dynamo_with(&[]).await
    }

    pub async fn dynamo_with(vars: &[(&str, &str)]) -> Self {
        let sdk = moto::sdk_config().await;
        let settings = visions_ai::emulator::bootstrap(&sdk, &moto::unique("t"))
            .await
            .unwrap();
        Self::aws(settings, vars).await
    }

    /// The AWS backend on the emulator that answers one request at a time
    /// ([`moto::serial_endpoint`]), for tests of concurrent transactions through the API.
    pub async fn dynamo_serial() -> Self {
        let sdk = moto::serial_sdk_config().await;
        let settings = visions_ai::emulator::bootstrap(&sdk, &moto::unique("s"))
            .await
            .unwrap();
        Self::aws_on(sdk, settings, &[]).await
    }

    /// The AWS backend with the given resources (which may not exist).
    pub async fn aws(settings: AwsSettings, vars: &[(&str, &str)]) -> Self {
        Self::aws_on(moto::sdk_config().await, settings, vars).await
    }

    async fn aws_on(
        sdk: aws_config::SdkConfig,
        settings: AwsSettings,
        vars: &[(&str, &str)],
    ) -> Self {
        let mut vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        for (name, value) in [
            ("VISIONS_BACKEND", "aws"),
            ("VISIONS_TABLE", settings.table.as_str()),
            ("VISIONS_QUEUE_URL", settings.queue_url.as_str()),
            ("VISIONS_ASSETS_BUCKET", settings.assets_bucket.as_str()),
            ("VISIONS_ASSETS_URL", settings.assets_url.as_str()),
            ("VISIONS_JWT_KEY_ARN", settings.jwt_key_arn.as_str()),
            ("VISIONS_CURSOR_KEY_ARN", settings.cursor_key_arn.as_str()),
            (
                "VISIONS_INDEX_BUCKET",
                settings.index_bucket.as_deref().unwrap_or(""),
            ),
            (
                "VISIONS_UPLOADS_BUCKET",
                settings.uploads_bucket.as_deref().unwrap_or(""),
            ),
            (
                "VISIONS_USAGE_QUEUE_URL",
                settings.usage_queue_url.as_deref().unwrap_or(""),
            ),
            (
                "VISIONS_USAGE_PLAN_FREE_NAME",
                settings
                    .usage_plans
                    .as_ref()
                    .map_or("", |p| p.free.as_str()),
            ),
            (
                "VISIONS_USAGE_PLAN_PRO_NAME",
                settings.usage_plans.as_ref().map_or("", |p| p.pro.as_str()),
            ),
        ] {
            vars.push((name.into(), value.into()));
        }
        let lookup = move |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let config = Config::from_lookup(&lookup).unwrap();
        let stack = Stack::build_with(&config, Some(sdk), &lookup).unwrap();
        Self::from_stack(stack, config, Some(settings), tempfile::tempdir().unwrap()).await
    }

    async fn from_stack(
        stack: Stack,
        config: Config,
        aws: Option<AwsSettings>,
        data: tempfile::TempDir,
    ) -> Self {
        // A key that cannot be read (a test's missing secret) shows up in requests, not here.
        let jwt_key = stack
            .adapters
            .secrets
            .get(SecretName::JwtKey)
            .await
            .unwrap_or_else(|_| Arc::from(""));
        let router = stack.app();
        Self {
            router,
            stack,
            jwt: config.jwt,
            aws,
            tier: Tier::Pro,
            jwt_key,
            _data: data,
        }
    }

    /// Runs every queued job to completion in this task, as the queue's consumer would.
    pub async fn drain(&self) -> usize {
        let mut handled = 0;
        match (&self.stack.queue, &self.aws) {
            (Queue::Local(queue), _) => {
                while let Some(delivery) = queue
                    .receive(std::time::Duration::from_secs(60), 5)
                    .await
                    .unwrap()
                {
                    let outcome = self
                        .stack
                        .worker
                        .handle(delivery.message.as_ref().unwrap())
                        .await;
                    assert_eq!(outcome, Outcome::Done, "a job asked to be retried");
                    queue.delete(delivery.id).await.unwrap();
                    handled += 1;
                }
            }
            (Queue::Sqs { .. }, Some(aws)) => {
                let sqs = aws_sdk_sqs::Client::new(&moto::sdk_config().await);
                loop {
                    let received = sqs
                        .receive_message()
                        .queue_url(&aws.queue_url)
                        .max_number_of_messages(10)
                        .send()
                        .await
                        .unwrap();
                    let messages = received.messages.unwrap_or_default();
                    if messages.is_empty() {
                        break;
                    }
                    for message in messages {
                        let job: JobMessage =
                            serde_json::from_str(message.body.as_deref().unwrap()).unwrap();
                        assert_eq!(self.stack.worker.handle(&job).await, Outcome::Done);
                        sqs.delete_message()
                            .queue_url(&aws.queue_url)
                            .receipt_handle(message.receipt_handle.unwrap())
                            .send()
                            .await
                            .unwrap();
                        handled += 1;
                    }
                }
            }
            (Queue::Sqs { .. }, None) => unreachable!("the SQS queue is the AWS backend's"),
        }
        handled
    }

    /// The embedded job queue (the local backend's).
    pub fn local_queue(&self) -> visions_local::SqliteJobQueue {
        match &self.stack.queue {
            Queue::Local(queue) => queue.clone(),
            Queue::Sqs { .. } => panic!("the AWS backend has no local queue"),
        }
    }

    pub fn token(&self, sub: &str) -> String {
        self.token_with(sub, self.tier, 3600)
    }

    pub fn token_with(&self, sub: &str, tier: Tier, ttl_secs: i64) -> String {
        issue_hs256(
            &self.jwt,
            &self.jwt_key,
            &TokenRequest {
                sub,
                tier,
                admin: false,
                ttl_secs,
            },
        )
        .unwrap()
    }

    pub fn jwt_key(&self) -> &str {
        &self.jwt_key
    }

    /// Creates a project for `sub`; returns its id.
    pub async fn create_project(&self, sub: &str, name: &str) -> String {
        let reply = self
            .call(
                Method::POST,
                "/v1/projects",
                Some(sub),
                Some(serde_json::json!({"name": name})),
                &[],
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.body["id"].as_str().expect("a project id").to_owned()
    }

    /// `POST /v1/projects/{project}/generate` with `body` and an `Idempotency-Key`.
    pub async fn start_generation(
        &self,
        sub: &str,
        project: &str,
        body: serde_json::Value,
        key: &str,
    ) -> Reply {
        self.call(
            Method::POST,
            &format!("/v1/projects/{project}/generate"),
            Some(sub),
            Some(body),
            &[("idempotency-key", key)],
        )
        .await
    }

    /// `GET` as `sub`, without a body.
    pub async fn get(&self, sub: &str, uri: &str) -> Reply {
        self.call(Method::GET, uri, Some(sub), None, &[]).await
    }

    /// A request carrying exactly this `Authorization` value.
    pub async fn get_with_authorization(&self, uri: &str, authorization: &str) -> Reply {
        let request = Request::builder()
            .uri(uri)
            .header("authorization", authorization)
            .body(Body::empty())
            .unwrap();
        self.send(request).await
    }

    /// `GET uri` without credentials, as a browser downloads a file: status, type and bytes.
    pub async fn download(&self, uri: &str) -> (StatusCode, String, Vec<u8>) {
        let request = Request::builder().uri(uri).body(Body::empty()).unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, content_type, bytes.to_vec())
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        reply(self.router.clone().oneshot(request).await.unwrap()).await
    }

    /// A JSON request as `sub`, with optional extra headers.
    pub async fn call(
        &self,
        method: Method,
        uri: &str,
        sub: Option<&str>,
        body: Option<serde_json::Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let token = sub.map(|sub| self.token(sub));
        self.call_with(method, uri, token.as_deref(), body, headers)
            .await
    }

    /// An administrator's token (the `admin` role).
    pub fn admin_token(&self, sub: &str) -> String {
        issue_hs256(
            &self.jwt,
            &self.jwt_key,
            &TokenRequest {
                sub,
                tier: Tier::Free,
                admin: true,
                ttl_secs: 3600,
            },
        )
        .unwrap()
    }

    /// The router again, with `serve --require-api-key`'s rule.
    pub fn requiring_api_keys(mut self) -> Self {
        self.stack.require_api_key = true;
        self.router = self.stack.app();
        self
    }

    /// A JSON request with exactly this bearer token (none: unauthenticated).
    pub async fn call_with(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut builder = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let body = match body {
            Some(json) => {
                builder = builder.header("content-type", "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        self.send(builder.body(body).unwrap()).await
    }
}
