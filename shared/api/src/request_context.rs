//! Per-request context: a request id on every log line and on the response, plus one access
//! log line per request. On Lambda the id is the invocation's own request id.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

pub async fn request_context(request: Request, next: Next) -> Response {
    let request_id = lambda_request_id(&request)
        .or_else(|| {
            request
                .headers()
                .get(REQUEST_ID_HEADER)
                .and_then(|v| v.to_str().ok())
                .filter(|v| {
                    !v.is_empty() && v.len() <= 128 && v.chars().all(|c| c.is_ascii_graphic())
                })
                .map(str::to_owned)
        })
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %request.method(),
        path = %request.uri().path(),
        principal = tracing::field::Empty,
    );
    async move {
        let started = std::time::Instant::now();
        let mut response = next.run(request).await;
        tracing::info!(
            status = response.status().as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "request finished"
        );
        if let Ok(value) = HeaderValue::from_str(&request_id) {
            response.headers_mut().insert(REQUEST_ID_HEADER, value);
        }
        response
    }
    .instrument(span)
    .await
}

fn lambda_request_id(request: &Request) -> Option<String> {
    request
        .extensions()
        .get::<lambda_http::Context>()
        .map(|context| context.request_id.clone())
}
