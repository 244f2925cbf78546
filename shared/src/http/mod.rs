//! The HTTP API as one axum router: the same value runs inside Lambda (`lambda_http`) and in the
//! local server.

mod assets;
pub mod generation;
pub mod json;
pub mod projects;
mod request_context;

use std::sync::{Arc, LazyLock};

use axum::extract::FromRef;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json, Router};
use tower_http::catch_panic::CatchPanicLayer;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use request_context::REQUEST_ID_HEADER;

use crate::auth::JwtVerifier;
use crate::llm::registry::ModelRegistry;
use crate::problem::{Problem, ProblemKind};
use crate::secrets::Secrets;
use crate::store::{BlobStore, JobQueue, JobStore, ProjectStore, VersionStore};

/// What handlers share: the ports they need, built once per cold start.
#[derive(Clone)]
pub struct AppState {
    pub projects: Arc<dyn ProjectStore>,
    pub jobs: Arc<dyn JobStore>,
    pub versions: Arc<dyn VersionStore>,
    pub blobs: Arc<dyn BlobStore>,
    pub queue: Arc<dyn JobQueue>,
    pub registry: Arc<ModelRegistry>,
    pub verifier: Arc<JwtVerifier>,
    pub secrets: Arc<Secrets>,
}

impl FromRef<AppState> for Arc<JwtVerifier> {
    fn from_ref(state: &AppState) -> Self {
        state.verifier.clone()
    }
}

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

/// Every route of the API, with its OpenAPI description.
fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(healthz))
        .routes(routes!(openapi_json))
        .merge(projects::router())
        .merge(generation::router())
}

/// The OpenAPI document, built from the same routes the router serves.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_routes().into_openapi()
}

static OPENAPI_JSON: LazyLock<Arc<str>> = LazyLock::new(|| {
    openapi()
        .to_json()
        .expect("the OpenAPI document serializes")
        .into()
});

/// The API as each Lambda serves it.
pub fn app(state: AppState) -> Router {
    finish(api_routes().split_for_parts().0, state)
}

/// The API plus `/assets/…` (blobs from the data folder), as the local server serves it.
pub fn local_app(state: AppState) -> Router {
    let router = api_routes()
        .split_for_parts()
        .0
        .route("/assets/{*key}", axum::routing::get(assets::serve))
        .route("/robots.txt", axum::routing::get(assets::robots));
    finish(router, state)
}

fn finish(router: Router<AppState>, state: AppState) -> Router {
    router
        .fallback(|| async { Problem::not_found().detail("no such route") })
        .method_not_allowed_fallback(|| async { Problem::new(ProblemKind::MethodNotAllowed) })
        .layer(Extension(OPENAPI_JSON.clone()))
        .layer(CatchPanicLayer::custom(|_| {
            Problem::internal("handler panicked").into_response()
        }))
        .layer(axum::middleware::from_fn(no_store))
        .layer(axum::middleware::from_fn(request_context::request_context))
        .with_state(state)
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
struct Health {
    status: &'static str,
    version: &'static str,
}

/// Liveness: answers without authentication.
#[utoipa::path(get, path = "/healthz", tag = "system", responses((status = 200, body = Health)))]
async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// This API's OpenAPI 3.1 description.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "system", responses((status = 200, description = "OpenAPI document", content_type = "application/json")))]
async fn openapi_json(Extension(spec): Extension<Arc<str>>) -> Response {
    ([(CONTENT_TYPE, "application/json")], spec.to_string()).into_response()
}
