//! What every API function shares: problem+json errors, the JSON body extractor, JWT
//! authentication, cursors and paginated lists, the request context, and the layers and
//! system routes every function's router is finished with.

pub mod auth;
pub mod cors;
pub mod cursor;
pub mod json;
pub mod list;
pub mod metering;
pub mod problem;
pub mod range;
mod request_context;
mod routes;

use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use tower_http::catch_panic::CatchPanicLayer;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use uuid::Uuid;

pub use request_context::REQUEST_ID_HEADER;

use crate::problem::{Problem, ProblemKind};

/// The whole API's OpenAPI document, as served at `/v1/openapi.json`. It is built from every
/// function's routes (`visions-ai openapi`); a test checks that this copy matches them.
pub const OPENAPI_JSON: &str = include_str!("../openapi.json");

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Visions AI API",
        description = "Turn a prompt and a brand kit into a production-ready landing page.",
        version = env!("CARGO_PKG_VERSION"),
    ),
    modifiers(&BearerAuth),
    components(schemas(Problem)),
    tags(
        (name = "projects", description = "Your landing-page projects"),
        (name = "generation", description = "Generate pages, follow jobs, read versions"),
        (name = "forms", description = "Messages visitors send through published pages"),
        (name = "metering", description = "Credits, usage, API keys, and the administrator's grants and tiers"),
        (name = "system", description = "Health and API description"),
    ),
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Health and the API's description, which every function serves.
mod system {
    crate::api_routes!(() => super::healthz, super::openapi_json);
}

/// The document's base (title, security scheme, tags) and the system routes, to which each
/// function's routes are merged.
pub fn system_routes() -> OpenApiRouter {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(system::routes())
}

/// A function's router, finished as every function serves it: the system routes, problem+json
/// fallbacks, a contained panic, `no-store`, the request context and CORS for `cors`' origins.
pub fn finish(router: Router, cors: &cors::Cors) -> Router {
    let router = system::router()
        .merge(router)
        .fallback(|| async { Problem::not_found().detail("no such route") })
        .method_not_allowed_fallback(|| async { Problem::new(ProblemKind::MethodNotAllowed) })
        .layer(CatchPanicLayer::custom(|_| {
            Problem::internal("handler panicked").into_response()
        }))
        .layer(axum::middleware::from_fn(no_store))
        .layer(axum::middleware::from_fn(request_context::request_context));
    // Outermost, so that preflights are answered before anything else and every answer,
    // errors included, carries the headers a browser needs to read it.
    match cors.layer() {
        Some(layer) => router.layer(layer),
        None => router,
    }
}

/// The routes open without an API key (`ApiKeyRequired: false` in the template; the local
/// server's `--require-api-key` spares them too): health, the API description, published
/// pages' contact forms (sent by visitors' browsers), and the key routes themselves, so that a
/// user creates their first key with their token alone.
pub const OPEN_ROUTES: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/v1/openapi.json"),
    ("POST", "/v1/forms/{token}"),
    ("POST", "/v1/keys"),
    ("GET", "/v1/keys"),
    ("DELETE", "/v1/keys/{id}"),
];

/// The request's `Idempotency-Key`: 1 to 255 visible ASCII characters, else a 400 that says
/// why a key is needed (`purpose`, e.g. "a retried request never starts a second job").
pub fn idempotency_key<'a>(
    headers: &'a axum::http::HeaderMap,
    purpose: &str,
) -> Result<&'a str, Problem> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| {
            Problem::new(ProblemKind::IdempotencyKeyRequired).detail(format!(
                "send an Idempotency-Key header (e.g. a UUID) so {purpose}"
            ))
        })?;
    if key.len() > 255 || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(Problem::new(ProblemKind::IdempotencyKeyRequired)
            .detail("Idempotency-Key must be 1 to 255 visible ASCII characters"));
    }
    Ok(key)
}

/// Ids that are not UUIDs cannot name anything: they are simply not found.
pub fn uuid_or_404(raw: &str) -> Result<Uuid, Problem> {
    Uuid::parse_str(raw).map_err(|_| Problem::not_found())
}

/// API answers are per user: no browser, proxy or CDN may keep them (`Cache-Control:
/// no-store`), unless a handler chose otherwise. The OpenAPI document is public and the same
/// for all.
async fn no_store(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let private = request.uri().path().starts_with("/v1/") && request.uri().path() != OPENAPI_PATH;
    let mut response = next.run(request).await;
    if private {
        response
            .headers_mut()
            .entry(axum::http::header::CACHE_CONTROL)
            .or_insert(axum::http::HeaderValue::from_static("no-store"));
    }
    response
}

const OPENAPI_PATH: &str = "/v1/openapi.json";

#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(example = json!({"status": "ok", "version": "0.1.0"}))]
struct Health {
    status: &'static str,
    version: &'static str,
}

/// Liveness: answers without authentication.
#[utoipa::path(get, path = "/healthz", operation_id = "getHealth", tag = "system", responses((status = 200, description = "The service is up", body = Health)))]
async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// This API's OpenAPI 3.1 description.
#[utoipa::path(get, path = "/v1/openapi.json", operation_id = "getOpenApi", tag = "system", responses((status = 200, description = "OpenAPI document", content_type = "application/json", example = json!({"openapi": "3.1.0", "info": {"title": "Visions AI API", "version": "0.1.0"}, "paths": {}}))))]
async fn openapi_json() -> Response {
    ([(CONTENT_TYPE, "application/json")], OPENAPI_JSON).into_response()
}
