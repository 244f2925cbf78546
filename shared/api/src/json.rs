//! `JsonBody<T>`: reads a bounded body and answers every failure as a problem, never as
//! axum's plain-text rejections.

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;

use crate::problem::{Problem, ProblemKind};

/// Largest request body any JSON endpoint accepts.
pub const MAX_JSON_BODY_BYTES: usize = 64 * 1024;

pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let essence = content_type.split(';').next().unwrap_or("").trim();
        if !essence.eq_ignore_ascii_case("application/json")
            && !essence.to_ascii_lowercase().ends_with("+json")
        {
            return Err(Problem::new(ProblemKind::UnsupportedMediaType)
                .detail("send the body as application/json"));
        }
        let too_large = || {
            Problem::new(ProblemKind::PayloadTooLarge).detail(format!(
                "the body may be at most {MAX_JSON_BODY_BYTES} bytes"
            ))
        };
        // A declared length over the limit is refused before a byte is read.
        let declared = request
            .headers()
            .get(axum::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|len| len > MAX_JSON_BODY_BYTES as u64) {
            return Err(too_large());
        }
        let body: Body = request.into_body();
        let bytes = axum::body::to_bytes(body, MAX_JSON_BODY_BYTES)
            .await
            .map_err(|_| too_large())?;
        decode(&bytes).map(JsonBody)
    }
}

/// Syntax errors are `malformed-json`; well-formed JSON of the wrong shape is `invalid-body`.
/// Every body is a JSON object (serde would also read a struct from an array of its fields,
/// which the OpenAPI document does not allow).
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|err| {
        use serde_json::error::Category;
        let kind = match err.classify() {
            Category::Data => ProblemKind::InvalidBody,
            Category::Syntax | Category::Eof | Category::Io => ProblemKind::MalformedJson,
        };
        Problem::new(kind).detail(err.to_string())
    })?;
    if !value.is_object() {
        return Err(Problem::new(ProblemKind::InvalidBody).detail("the body must be a JSON object"));
    }
    serde_json::from_value(value)
        .map_err(|err| Problem::new(ProblemKind::InvalidBody).detail(err.to_string()))
}
