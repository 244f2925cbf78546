//! `/assets/{key}` on the local server: what CloudFront serves from S3 on AWS. Keys are
//! unguessable; pages get a strict CSP since nothing on them needs to run.

use axum::extract::{Path, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS,
};
use axum::response::{IntoResponse, Response};

use std::sync::Arc;

use visions_api::problem::Problem;
use visions_domain::ports::{BlobStore, cache_control};

pub const PAGE_CSP: &str = "default-src 'none'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self' https: data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn content_type(key: &str) -> &'static str {
    match key.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "json" => "application/json",
        "webp" => "image/webp",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "svg" => "image/svg+xml",
        "css" => "text/css; charset=utf-8",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

pub async fn serve(
    State(blobs): State<Arc<dyn BlobStore>>,
    Path(key): Path<String>,
) -> Result<Response, Problem> {
    let bytes = blobs.get(&key).await?.ok_or_else(Problem::not_found)?;
    let content_type = content_type(&key);
    let mut response = (
        [
            (CONTENT_TYPE, content_type),
            (CACHE_CONTROL, cache_control(content_type)),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        bytes,
    )
        .into_response();
    if content_type.starts_with("text/html") || content_type.starts_with("image/svg") {
        response.headers_mut().insert(
            CONTENT_SECURITY_POLICY,
            PAGE_CSP.parse().expect("the CSP is a valid header"),
        );
    }
    Ok(response)
}

/// Pages are public and meant to be found, as on the CDN.
pub async fn robots() -> Response {
    (
        [(CONTENT_TYPE, "text/plain; charset=utf-8")],
        "User-agent: *\nAllow: /assets/\n",
    )
        .into_response()
}
