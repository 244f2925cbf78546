//! RFC 9457 problem details: the one error shape every client sees.
//!
//! Each kind has a stable `type` URI that clients can switch on. Details are written for the
//! client; internal causes (SQL, AWS request ids, ARNs, stack traces) are logged, never sent.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

pub const CONTENT_TYPE: &str = "application/problem+json";

/// The stable catalogue of problems the API can answer with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    MalformedJson,
    InvalidBody,
    InvalidQuery,
    InvalidCursor,
    IdempotencyKeyRequired,
    IdempotencyKeyReused,
    ValidationFailed,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    PreconditionFailed,
    PreconditionRequired,
    PayloadTooLarge,
    UnsupportedMediaType,
    Internal,
    ServiceUnavailable,
    /// An image model refused the prompt under its content policy.
    ImageRefused,
    /// A provider behind the API failed (an image model's error or a timeout).
    UpstreamFailed,
    /// The balance does not cover the operation's cost (`balance` and `cost` say by how much).
    InsufficientCredits,
    /// The caller's tier does not include the feature (`tier` names the one that does).
    TierRequired,
    /// The request conflicts with the state of what it changes (e.g. a limit already reached).
    Conflict,
    /// Past the API key's plan: its rate or its daily quota (`Retry-After` says when to retry).
    RateLimited,
}

impl ProblemKind {
    pub fn slug(self) -> &'static str {
        match self {
            Self::MalformedJson => "malformed-json",
            Self::InvalidBody => "invalid-body",
            Self::InvalidQuery => "invalid-query",
            Self::InvalidCursor => "invalid-cursor",
            Self::IdempotencyKeyRequired => "idempotency-key-required",
            Self::IdempotencyKeyReused => "idempotency-key-reused",
            Self::ValidationFailed => "validation-failed",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not-found",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::PreconditionFailed => "precondition-failed",
            Self::PreconditionRequired => "precondition-required",
            Self::PayloadTooLarge => "payload-too-large",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::Internal => "internal",
            Self::ServiceUnavailable => "service-unavailable",
            Self::ImageRefused => "image-refused",
            Self::UpstreamFailed => "upstream-failed",
            Self::InsufficientCredits => "insufficient-credits",
            Self::TierRequired => "tier-required",
            Self::RateLimited => "rate-limited",
            Self::Conflict => "conflict",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            Self::MalformedJson
            | Self::InvalidBody
            | Self::InvalidQuery
            | Self::InvalidCursor
            | Self::IdempotencyKeyRequired => StatusCode::BAD_REQUEST,
            Self::ValidationFailed | Self::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::ImageRefused => StatusCode::UNPROCESSABLE_ENTITY,
            Self::UpstreamFailed => StatusCode::BAD_GATEWAY,
            Self::InsufficientCredits => StatusCode::PAYMENT_REQUIRED,
            Self::TierRequired => StatusCode::FORBIDDEN,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::Conflict => StatusCode::CONFLICT,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::MalformedJson => "The request body is not valid JSON",
            Self::InvalidBody => "The request body does not match the expected shape",
            Self::InvalidQuery => "The query string is invalid",
            Self::InvalidCursor => "The pagination cursor is invalid",
            Self::IdempotencyKeyRequired => "An Idempotency-Key header is required",
            Self::IdempotencyKeyReused => "The Idempotency-Key was used for another request",
            Self::ValidationFailed => "The request failed validation",
            Self::Unauthorized => "Authentication is required",
            Self::Forbidden => "This operation is not allowed",
            Self::NotFound => "Not found",
            Self::MethodNotAllowed => "Method not allowed",
            Self::PreconditionFailed => "The resource has changed",
            Self::PreconditionRequired => "A precondition header is required",
            Self::PayloadTooLarge => "The request body is too large",
            Self::UnsupportedMediaType => "Unsupported media type",
            Self::Internal => "Internal error",
            Self::ServiceUnavailable => "Service temporarily unavailable",
            Self::ImageRefused => "The image model refused the prompt",
            Self::UpstreamFailed => "A provider failed",
            Self::InsufficientCredits => "Not enough credits",
            Self::TierRequired => "Your tier does not include this",
            Self::RateLimited => "Too many requests",
            Self::Conflict => "The request conflicts with the current state",
        }
    }

    /// The stable `type` URI clients switch on.
    pub fn type_uri(self) -> &'static str {
        match self {
            Self::MalformedJson => concat!("https://visions.ai/problems/", "malformed-json"),
            Self::InvalidBody => concat!("https://visions.ai/problems/", "invalid-body"),
            Self::InvalidQuery => concat!("https://visions.ai/problems/", "invalid-query"),
            Self::InvalidCursor => concat!("https://visions.ai/problems/", "invalid-cursor"),
            Self::IdempotencyKeyRequired => {
                concat!("https://visions.ai/problems/", "idempotency-key-required")
            }
            Self::IdempotencyKeyReused => {
                concat!("https://visions.ai/problems/", "idempotency-key-reused")
            }
            Self::ValidationFailed => concat!("https://visions.ai/problems/", "validation-failed"),
            Self::Unauthorized => concat!("https://visions.ai/problems/", "unauthorized"),
            Self::Forbidden => concat!("https://visions.ai/problems/", "forbidden"),
            Self::NotFound => concat!("https://visions.ai/problems/", "not-found"),
            Self::MethodNotAllowed => concat!("https://visions.ai/problems/", "method-not-allowed"),
            Self::PreconditionFailed => {
                concat!("https://visions.ai/problems/", "precondition-failed")
            }
            Self::PreconditionRequired => {
                concat!("https://visions.ai/problems/", "precondition-required")
            }
            Self::PayloadTooLarge => concat!("https://visions.ai/problems/", "payload-too-large"),
            Self::UnsupportedMediaType => {
                concat!("https://visions.ai/problems/", "unsupported-media-type")
            }
            Self::Internal => concat!("https://visions.ai/problems/", "internal"),
            Self::ServiceUnavailable => {
                concat!("https://visions.ai/problems/", "service-unavailable")
            }
            Self::ImageRefused => concat!("https://visions.ai/problems/", "image-refused"),
            Self::UpstreamFailed => concat!("https://visions.ai/problems/", "upstream-failed"),
            Self::InsufficientCredits => {
                concat!("https://visions.ai/problems/", "insufficient-credits")
            }
            Self::TierRequired => concat!("https://visions.ai/problems/", "tier-required"),
            Self::RateLimited => concat!("https://visions.ai/problems/", "rate-limited"),
            Self::Conflict => concat!("https://visions.ai/problems/", "conflict"),
        }
    }
}

pub use visions_domain::text::FieldError;

/// A problem answer. Build one with [`Problem::new`] and send it with `IntoResponse`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_uri: &'static str,
    pub title: &'static str,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(nullable = false)]
    pub errors: Vec<FieldError>,
    /// The available balance (`insufficient-credits` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub balance: Option<u64>,
    /// What the refused operation costs at most (`insufficient-credits` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub cost: Option<u64>,
    /// The tier that includes the refused feature (`tier-required` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub tier: Option<visions_domain::tier::Tier>,
    #[serde(skip)]
    kind: ProblemKind,
}

impl Problem {
    pub fn new(kind: ProblemKind) -> Self {
        Self {
            type_uri: kind.type_uri(),
            title: kind.title(),
            status: kind.status().as_u16(),
            detail: None,
            errors: Vec::new(),
            balance: None,
            cost: None,
            tier: None,
            kind,
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn field_errors(errors: Vec<FieldError>) -> Self {
        let mut problem = Self::new(ProblemKind::ValidationFailed);
        problem.errors = errors;
        problem
    }

    /// An unexpected failure: logged in full here, answered with nothing internal.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(ProblemKind::Internal)
    }

    pub fn not_found() -> Self {
        Self::new(ProblemKind::NotFound)
    }

    /// A 402 naming the balance and the cost.
    pub fn insufficient_credits(balance: u64, cost: u64) -> Self {
        let mut problem = Self::new(ProblemKind::InsufficientCredits).detail(format!(
            "this costs up to {cost} credits and your balance is {balance}; \
             unused credits of a finished job are returned (see GET /v1/credits)"
        ));
        problem.balance = Some(balance);
        problem.cost = Some(cost);
        problem
    }

    /// A 403 naming the tier that includes `what` (`None`: no tier does).
    pub fn tier_required(what: &str, tier: Option<visions_domain::tier::Tier>) -> Self {
        let mut problem = Self::new(ProblemKind::TierRequired);
        problem.detail = Some(match tier {
            Some(tier) => format!("{what} needs the {} tier", tier.as_str()),
            None => format!("{what} is not offered on any tier"),
        });
        problem.tier = tier;
        problem
    }

    pub fn slug(&self) -> &'static str {
        self.kind.slug()
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"visions-ai\", error=\"invalid_token\""),
            );
        }
        response
    }
}

/// Gives every problem+json response of `document` an example: the problem its status
/// stands for (with a field error for a 422), so each error response shows its real shape.
pub fn add_problem_examples(document: &mut utoipa::openapi::OpenApi) {
    for item in document.paths.paths.values_mut() {
        for operation in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            let has_body = operation.request_body.is_some();
            for (status, response) in operation.responses.responses.iter_mut() {
                let utoipa::openapi::RefOr::T(response) = response else {
                    continue;
                };
                let Some(utoipa::openapi::RefOr::T(content)) =
                    response.content.get_mut(CONTENT_TYPE)
                else {
                    continue;
                };
                if content.example.is_none() {
                    content.example = problem_example(status, has_body);
                }
            }
        }
    }
}

fn problem_example(status: &str, has_body: bool) -> Option<serde_json::Value> {
    let problem = match status {
        "400" if has_body => Problem::new(ProblemKind::MalformedJson)
            .detail("expected `,` or `}` at line 1 column 18"),
        "400" => Problem::new(ProblemKind::InvalidQuery)
            .detail("limit must be a whole number from 1 to 9223372036854775807"),
        "401" => {
            Problem::new(ProblemKind::Unauthorized).detail("send `Authorization: Bearer <token>`")
        }
        "404" => Problem::not_found(),
        "409" => Problem::new(ProblemKind::Conflict)
            .detail("you already have 20 live keys; revoke one first"),
        "412" => Problem::new(ProblemKind::PreconditionFailed)
            .detail("the project is now at ETag \"3\"; fetch it again before changing it"),
        "402" => Problem::insufficient_credits(1, 5),
        "403" => Problem::tier_required("openai:gpt-4o", Some(visions_domain::tier::Tier::Pro)),
        "413" => Problem::new(ProblemKind::PayloadTooLarge),
        "415" => Problem::new(ProblemKind::UnsupportedMediaType),
        "422" => Problem::field_errors(vec![FieldError::new(
            "name",
            "must be 1 to 120 characters, not only spaces",
        )]),
        "428" => Problem::new(ProblemKind::PreconditionRequired)
            .detail("send If-Match with the project's ETag so concurrent edits are not lost"),
        "429" => Problem::new(ProblemKind::RateLimited)
            .detail("this API key is past its plan's rate of 2 requests a second; retry after the Retry-After seconds"),
        "502" => Problem::new(ProblemKind::UpstreamFailed).detail(
            "the image model failed: timed out after 60s; asset 0193a5b7-c1d2-7e8f-9a0b-1c2d3e4f5a6b keeps the reason",
        ),
        "503" => Problem::new(ProblemKind::ServiceUnavailable)
            .detail("the design index cannot answer now (its embedder or its stored vectors are unavailable); try again shortly"),
        _ => return None,
    };
    serde_json::to_value(problem).ok()
}

/// A store's answer as the API gives it. Handlers that can tell a conflict apart (a stale
/// `If-Match`) map it themselves first.
impl From<visions_domain::ports::StoreError> for Problem {
    fn from(err: visions_domain::ports::StoreError) -> Self {
        use visions_domain::ports::StoreError;
        match err {
            StoreError::NotFound => Problem::not_found(),
            StoreError::VersionConflict => Problem::new(ProblemKind::PreconditionFailed)
                .detail("the project was changed by another request; fetch it again"),
            StoreError::InsufficientCredits { balance, cost } => {
                Problem::insufficient_credits(balance, cost)
            }
            StoreError::AlreadyExists | StoreError::Backend(_) => Problem::internal(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_serializes_rfc9457_fields_only() {
        let problem = Problem::new(ProblemKind::NotFound).detail("no such project");
        let json = serde_json::to_value(&problem).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "type": "https://visions.ai/problems/not-found",
                "title": "Not found",
                "status": 404,
                "detail": "no such project"
            })
        );
    }

    #[test]
    fn response_carries_problem_content_type_and_status() {
        let response = Problem::new(ProblemKind::PayloadTooLarge).into_response();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(response.headers()[header::CONTENT_TYPE], CONTENT_TYPE);
    }
}
