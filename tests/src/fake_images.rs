//! Fake image providers on 127.0.0.1, speaking OpenAI Images (`POST …/images/generations`,
//! JSON, answering `b64_json` or a `url` this server also serves) and Stability AI's Stable
//! Image API (`POST /v2beta/stable-image/generate/{core|ultra|sd3}`, multipart form in, JSON
//! `{image, finish_reason, seed}` out with `Accept: application/json`).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageWire {
    OpenAi,
    Stability,
}

/// One generation request as the fake received it.
#[derive(Clone, Debug)]
pub struct ImageCall {
    pub path: String,
    pub headers: BTreeMap<String, String>,
    /// The JSON body (OpenAI), or `Null`.
    pub json: Value,
    /// The multipart text fields (Stability).
    pub form: BTreeMap<String, String>,
}

/// What to answer.
pub enum ImageReply {
    /// The file, base64 in the provider's JSON.
    Base64(Vec<u8>),
    /// OpenAI only: a URL on this server that serves the file.
    Url(Vec<u8>),
    /// Any status and raw body, with extra headers.
    Raw {
        status: u16,
        body: String,
        headers: Vec<(&'static str, String)>,
    },
    /// Stability's 200 with `finish_reason: CONTENT_FILTERED`.
    Filtered,
}

impl ImageReply {
    /// OpenAI's refusal for a prompt its safety system rejects.
    pub fn openai_content_policy() -> Self {
        ImageReply::Raw {
            status: 400,
            body: json!({"error": {"code": "content_policy_violation", "message": "Your request was rejected as a result of our safety system.", "param": null, "type": "invalid_request_error"}}).to_string(),
            headers: vec![],
        }
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        ImageReply::Raw {
            status: 429,
            body: json!({"error": {"message": "Rate limit reached for images per minute", "type": "requests", "code": "rate_limit_exceeded"}}).to_string(),
            headers: vec![("retry-after", retry_after_secs.to_string())],
        }
    }
}

type Responder = dyn Fn(&ImageCall) -> ImageReply + Send + Sync;

struct Shared {
    wire: ImageWire,
    responder: Box<Responder>,
    calls: Mutex<Vec<ImageCall>>,
    files: Mutex<Vec<Vec<u8>>>,
    addr: Mutex<Option<SocketAddr>>,
}

pub struct FakeImageProvider {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl FakeImageProvider {
    pub async fn start(
        wire: ImageWire,
        responder: impl Fn(&ImageCall) -> ImageReply + Send + Sync + 'static,
    ) -> Self {
        let shared = Arc::new(Shared {
            wire,
            responder: Box::new(responder),
            calls: Mutex::default(),
            files: Mutex::default(),
            addr: Mutex::default(),
        });
        let app = axum::Router::new()
            .fallback(handle)
            .layer(DefaultBodyLimit::disable())
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("listener address");
        *shared.addr.lock().expect("addr") = Some(addr);
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            addr,
            shared,
            server,
        }
    }

    /// `http://127.0.0.1:<port>`: STABILITY_BASE_URL takes the host root.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:<port>/v1`, as OPENAI_BASE_URL takes.
    pub fn openai_base_url(&self) -> String {
        format!("{}/v1", self.url())
    }

    pub fn calls(&self) -> Vec<ImageCall> {
        self.shared.calls.lock().expect("calls").clone()
    }
}

impl Drop for FakeImageProvider {
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
    let path = uri.path().to_owned();
    if method == Method::GET
        && let Some(n) = path
            .strip_prefix("/files/")
            .and_then(|n| n.parse::<usize>().ok())
    {
        let file = shared.files.lock().expect("files").get(n).cloned();
        return match file {
            Some(bytes) => ([("content-type", "image/png")], bytes).into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        };
    }
    let served = method == Method::POST
        && match shared.wire {
            ImageWire::OpenAi => path.ends_with("/images/generations"),
            ImageWire::Stability => path.starts_with("/v2beta/stable-image/generate/"),
        };
    if !served {
        return (
            StatusCode::NOT_FOUND,
            format!("no route for {method} {path}"),
        )
            .into_response();
    }
    let headers: BTreeMap<String, String> = headers
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let form = headers
        .get("content-type")
        .and_then(|ct| ct.split("boundary=").nth(1))
        .map(|boundary| multipart_fields(&body, boundary.trim_matches('"')))
        .unwrap_or_default();
    let call = ImageCall {
        path,
        headers,
        json: serde_json::from_slice(&body).unwrap_or(Value::Null),
        form,
    };
    shared.calls.lock().expect("calls").push(call.clone());
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let (status, body, extra) = match ((shared.responder)(&call), shared.wire) {
        (ImageReply::Base64(bytes), ImageWire::OpenAi) => (
            200,
            json!({"created": 1_700_000_000, "data": [{"b64_json": b64(&bytes), "revised_prompt": "a revised prompt"}]}).to_string(),
            vec![],
        ),
        (ImageReply::Base64(bytes), ImageWire::Stability) => (
            200,
            json!({"image": b64(&bytes), "finish_reason": "SUCCESS", "seed": 42}).to_string(),
            vec![],
        ),
        (ImageReply::Url(bytes), _) => {
            let n = {
                let mut files = shared.files.lock().expect("files");
                files.push(bytes);
                files.len() - 1
            };
            let addr = shared.addr.lock().expect("addr").map(|a| a.to_string()).unwrap_or_default();
            (
                200,
                json!({"created": 1_700_000_000, "data": [{"url": format!("http://{addr}/files/{n}")}]}).to_string(),
                vec![],
            )
        }
        (ImageReply::Filtered, _) => (
            200,
            json!({"image": "", "finish_reason": "CONTENT_FILTERED", "seed": 42}).to_string(),
            vec![],
        ),
        (ImageReply::Raw { status, body, headers }, _) => (status, body, headers),
    };
    let mut response = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [("content-type", "application/json")],
        body,
    )
        .into_response();
    for (name, value) in extra {
        if let Ok(value) = value.parse() {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// The text fields of a `multipart/form-data` body.
fn multipart_fields(body: &[u8], boundary: &str) -> BTreeMap<String, String> {
    let text = String::from_utf8_lossy(body);
    let delimiter = format!("--{boundary}");
    text.split(delimiter.as_str())
        .filter_map(|part| {
            let (head, value) = part.split_once("\r\n\r\n")?;
            let name = head.split("name=\"").nth(1)?.split('"').next()?;
            Some((name.to_owned(), value.trim_end_matches("\r\n").to_owned()))
        })
        .collect()
}
