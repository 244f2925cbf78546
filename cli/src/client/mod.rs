//! How the API commands reach the API: in this process over the local data folder (the default,
//! with no `login`), or over HTTP to the URL `login` saved (the local server or a deployed
//! stack). Every command is written once, against the API; only the transport differs.

mod errors;
pub mod login;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

pub use errors::{ApiError, Exit};
use login::Login;

use crate::stack::{Queue, Stack, drain};
use visions_api::auth::{TokenRequest, issue_hs256};
use visions_domain::ports::SecretName;
use visions_domain::tier::Tier;

/// The largest response the CLI reads (an export zip included).
const MAX_RESPONSE_BYTES: usize = 512 * 1024 * 1024;
/// Jobs run at once by the in-process worker.
const LOCAL_WORKERS: usize = 2;

pub struct Client {
    transport: Transport,
}

enum Transport {
    /// The whole stack in this process: its router, and its worker draining the queue.
    Local {
        router: Router,
        token: String,
        stack: Box<Stack>,
        shutdown: CancellationToken,
        worker: tokio::task::JoinHandle<()>,
    },
    Remote {
        http: reqwest::Client,
        login: Login,
    },
}

/// An answer: status, headers and the body as JSON (`Null` when empty).
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Client {
    /// The API `login` saved, or else this machine's data folder as `user` (a pro account of
    /// the local stack).
    pub async fn open(data: Option<std::path::PathBuf>, user: &str) -> anyhow::Result<Self> {
        if let Some(login) = Login::load()? {
            return Self::remote(login);
        }
        let config = crate::commands::config(data)?;
        let stack = Stack::build(&config).await?;
        let key = stack.adapters.secrets.get(SecretName::JwtKey).await?;
        let token = issue_hs256(
            &config.jwt,
            &key,
            &TokenRequest {
                sub: user,
                tier: Tier::Pro,
                admin: false,
                ttl_secs: 24 * 3600,
            },
        )?;
        let shutdown = CancellationToken::new();
        let worker = match stack.queue.clone() {
            Queue::Local(queue) => tokio::spawn(drain::drain(
                queue,
                stack.worker.clone(),
                LOCAL_WORKERS,
                shutdown.clone(),
            )),
            Queue::Sqs { client, queue_url } => tokio::spawn(crate::stack::poll::poll(
                client,
                queue_url,
                stack.worker.clone(),
                shutdown.clone(),
            )),
        };
        Ok(Self {
            transport: Transport::Local {
                router: stack.app(),
                token,
                stack: Box::new(stack),
                shutdown,
                worker,
            },
        })
    }

    /// The API at `login`'s address, with its credentials.
    pub fn remote(login: Login) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("visions-ai/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(std::time::Duration::from_secs(10))
            .timeout(std::time::Duration::from_secs(300))
            .build()?;
        Ok(Self {
            transport: Transport::Remote { http, login },
        })
    }

    /// Where requests go, for messages: the API's URL, or the local data folder.
    pub fn target(&self) -> String {
        match &self.transport {
            Transport::Local { .. } => "this machine (no login)".into(),
            Transport::Remote { login, .. } => login.api.clone(),
        }
    }

    /// The stack, when it runs in this process (for hints only an operator may see).
    pub fn local_stack(&self) -> Option<&Stack> {
        match &self.transport {
            Transport::Local { stack, .. } => Some(stack),
            Transport::Remote { .. } => None,
        }
    }

    /// A JSON request; a problem answer becomes an [`ApiError`].
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        idempotency_key: Option<&str>,
    ) -> Result<Answer, ApiError> {
        let answer = self.send(method, path, body, idempotency_key).await?;
        if answer.status.is_success() {
            Ok(answer)
        } else {
            Err(ApiError::from_problem(
                answer.status,
                &answer.body,
                &self.target(),
            ))
        }
    }

    pub async fn get(&self, path: &str) -> Result<Value, ApiError> {
        Ok(self.call(Method::GET, path, None, None).await?.body)
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        idempotency_key: Option<&str>,
    ) -> Result<Answer, ApiError> {
        let (status, headers, bytes) = match &self.transport {
            Transport::Local { router, token, .. } => {
                let mut request = Request::builder()
                    .method(method)
                    .uri(path)
                    .header("authorization", format!("Bearer {token}"));
                if let Some(key) = idempotency_key {
                    request = request.header("idempotency-key", key);
                }
                let request = match body {
                    Some(json) => request
                        .header("content-type", "application/json")
                        .body(Body::from(json.to_string())),
                    None => request.body(Body::empty()),
                }
                .map_err(|e| ApiError::local(e.to_string()))?;
                let response = router
                    .clone()
                    .oneshot(request)
                    .await
                    .map_err(|e| ApiError::local(e.to_string()))?;
                let (parts, body) = response.into_parts();
                let bytes = axum::body::to_bytes(body, MAX_RESPONSE_BYTES)
                    .await
                    .map_err(|e| ApiError::local(e.to_string()))?;
                (parts.status, parts.headers, bytes.to_vec())
            }
            Transport::Remote { http, login } => {
                let url = login.url(path).map_err(ApiError::usage)?;
                let mut request = http.request(method, url);
                if let Some(token) = &login.token {
                    request = request.bearer_auth(token);
                }
                if let Some(key) = &login.api_key {
                    request = request.header("x-api-key", key);
                }
                if let Some(key) = idempotency_key {
                    request = request.header("idempotency-key", key);
                }
                if let Some(json) = body {
                    request = request.json(json);
                }
                let response = request
                    .send()
                    .await
                    .map_err(|e| ApiError::network(&login.api, &e))?;
                let status = response.status();
                let headers = response.headers().clone();
                let bytes = read_capped(response)
                    .await
                    .map_err(|e| ApiError::network(&login.api, &e))?;
                (status, headers, bytes)
            }
        };
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    /// Downloads a file the API pointed to (an export's zip): a path of this API or a CDN URL.
    /// `progress` is called with (bytes so far, total when known).
    pub async fn download(
        &self,
        url: &str,
        progress: &(dyn Fn(u64, Option<u64>) + Sync),
    ) -> Result<Vec<u8>, ApiError> {
        match &self.transport {
            Transport::Local { router, .. } => {
                let request = Request::builder()
                    .uri(url)
                    .body(Body::empty())
                    .map_err(|e| ApiError::local(e.to_string()))?;
                let response = router
                    .clone()
                    .oneshot(request)
                    .await
                    .map_err(|e| ApiError::local(e.to_string()))?;
                let status = response.status();
                let bytes = axum::body::to_bytes(response.into_body(), MAX_RESPONSE_BYTES)
                    .await
                    .map_err(|e| ApiError::local(e.to_string()))?;
                if !status.is_success() {
                    return Err(ApiError::download(status, url));
                }
                progress(bytes.len() as u64, Some(bytes.len() as u64));
                Ok(bytes.to_vec())
            }
            Transport::Remote { http, login } => {
                // A CDN address is fetched as it is, without our credentials.
                let absolute = url.starts_with("https://") || url.starts_with("http://");
                let target = if absolute {
                    reqwest::Url::parse(url).map_err(|e| ApiError::usage(e.to_string()))?
                } else {
                    login.url(url).map_err(ApiError::usage)?
                };
                let mut response = http
                    .get(target)
                    .send()
                    .await
                    .map_err(|e| ApiError::network(url, &e))?;
                if !response.status().is_success() {
                    return Err(ApiError::download(response.status(), url));
                }
                let total = response.content_length();
                let mut bytes = Vec::new();
                while let Some(chunk) = response
                    .chunk()
                    .await
                    .map_err(|e| ApiError::network(url, &e))?
                {
                    if bytes.len() + chunk.len() > MAX_RESPONSE_BYTES {
                        return Err(ApiError::local(format!(
                            "{url} is larger than {MAX_RESPONSE_BYTES} bytes"
                        )));
                    }
                    bytes.extend_from_slice(&chunk);
                    progress(bytes.len() as u64, total);
                }
                Ok(bytes)
            }
        }
    }

    /// Stops the in-process worker (a job it runs is picked up again by the next command).
    pub async fn close(self) {
        if let Transport::Local {
            shutdown, worker, ..
        } = self.transport
        {
            shutdown.cancel();
            let _ = worker.await;
        }
    }
}

async fn read_capped(mut response: reqwest::Response) -> Result<Vec<u8>, reqwest::Error> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if bytes.len() + chunk.len() > MAX_RESPONSE_BYTES {
            break;
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}
