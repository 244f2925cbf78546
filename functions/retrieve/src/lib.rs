//! The retrieve function: `GET /v1/designs/search` and `GET /v1/designs/{id}` over the design
//! index. The index is the store's current generation (see `visions_designs::store`), or the
//! built-in corpus until one is published.

pub mod lambda;

use std::sync::{Arc, LazyLock};

use axum::extract::{FromRef, Path, Query, State};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use visions_api::auth::{JwtVerifier, Principal};
use visions_api::cors::Cors;
use visions_api::problem::{Problem, ProblemKind};
use visions_designs::store::LiveIndex;
use visions_designs::{Design, Filter};
use visions_domain::text::has_control_chars;

pub const MAX_QUERY_CHARS: usize = 1000;
pub const DEFAULT_K: usize = 3;
pub const MAX_K: usize = 20;

#[derive(Clone)]
pub struct Ports {
    pub index: Arc<LiveIndex>,
    pub verifier: Arc<JwtVerifier>,
}

impl FromRef<Ports> for Arc<JwtVerifier> {
    fn from_ref(ports: &Ports) -> Self {
        ports.verifier.clone()
    }
}

pub fn app(ports: Ports, cors: &Cors) -> Router {
    visions_api::finish(router().with_state(ports), cors)
}

visions_api::api_routes!(Ports =>
    search_designs,
    get_design,
);

/// Search parameters. `k` arrives as text so a bad one is a problem, not a rejection.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// What the page is for: a brief, or a few words ("teeth whitening studio"); 1 to 1000
    /// characters, not only spaces; new lines and tabs allowed, other control characters not.
    #[param(
        min_length = 1,
        max_length = 1000,
        pattern = "^[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]*$"
    )]
    q: String,
    /// How many designs, 1 to 20; 3 by default.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 20)]
    k: Option<String>,
    /// Only designs of this industry.
    #[param(schema_with = industries)]
    industry: Option<String>,
    /// Only designs built for this conversion goal.
    #[param(schema_with = goals)]
    goal: Option<String>,
}

/// The values the design schema allows, so a client (and a test generator) knows them.
fn one_of(values: &[String], description: &str) -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .description(Some(description))
        .enum_values(Some(values.to_vec()))
        .build()
}

fn industries() -> utoipa::openapi::schema::Object {
    one_of(&SCHEMA_ENUMS.0, "Only designs of this industry")
}

fn goals() -> utoipa::openapi::schema::Object {
    one_of(
        &SCHEMA_ENUMS.1,
        "Only designs built for this conversion goal",
    )
}

/// One found design and how close it is to the query.
#[derive(Debug, Serialize, ToSchema)]
pub struct DesignHit {
    /// Cosine similarity of the query's and the design's embeddings, -1 to 1.
    pub score: f32,
    pub design: Design,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "designs": [{"score": 0.62, "design": {"id": "dental-teeth-whitening-offer", "name": "Teeth whitening offer", "industry": "dental"}}],
    "embedder": "minilm-static-v1",
    "generation": "g0193a5b7c1d27e8f9a0b1c2d3e4f5a6b"
}))]
pub struct DesignSearch {
    /// Best first.
    pub designs: Vec<DesignHit>,
    /// The embedder the index was built with, which embedded the query.
    pub embedder: String,
    /// The index generation that answered (absent: the built-in corpus).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generation: Option<String>,
}

static SCHEMA_ENUMS: LazyLock<(Vec<String>, Vec<String>)> = LazyLock::new(|| {
    let schema: serde_json::Value =
        serde_json::from_str(visions_designs::corpus::SCHEMA).unwrap_or_default();
    let list = |field: &str| -> Vec<String> {
        schema
            .pointer(&format!("/properties/{field}/enum"))
            .and_then(|v| v.as_array())
            .map(|v| {
                v.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    (list("industry"), list("conversion_goal"))
});

fn known(value: Option<String>, known: &[String], what: &str) -> Result<Option<String>, Problem> {
    match value {
        None => Ok(None),
        Some(v) if known.contains(&v) => Ok(Some(v)),
        Some(_) => Err(Problem::new(ProblemKind::InvalidQuery)
            .detail(format!("unknown {what}; one of: {}", known.join(", ")))),
    }
}

/// Find the designs of high-converting pages closest to a brief.
#[utoipa::path(
    get, path = "/v1/designs/search", operation_id = "searchDesigns", tag = "designs",
    params(SearchParams),
    responses(
        (status = 200, description = "The closest designs, best first", body = DesignSearch),
        (status = 400, description = "Missing or invalid q, k, industry or goal", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The index cannot answer now: its embedder, or the stored vectors a search needs, are unavailable", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn search_designs(
    State(ports): State<Ports>,
    _principal: Principal,
    params: Result<Query<SearchParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<DesignSearch>, Problem> {
    let Query(params) =
        params.map_err(|e| Problem::new(ProblemKind::InvalidQuery).detail(e.body_text()))?;
    let query = params.q.trim();
    if query.is_empty() || query.chars().count() > MAX_QUERY_CHARS || has_control_chars(query, true)
    {
        return Err(Problem::new(ProblemKind::InvalidQuery).detail(format!(
            "q is required: 1 to {MAX_QUERY_CHARS} characters, not only spaces, no control characters but new lines and tabs"
        )));
    }
    let k = match params.k.as_deref() {
        None => DEFAULT_K,
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|k| (1..=MAX_K).contains(k))
            .ok_or_else(|| {
                Problem::new(ProblemKind::InvalidQuery)
                    .detail(format!("k is a whole number from 1 to {MAX_K}"))
            })?,
    };
    let (industries, goals) = &*SCHEMA_ENUMS;
    let filter = Filter {
        industry: known(params.industry, industries, "industry")?,
        goal: known(params.goal, goals, "goal")?,
    };
    let loaded = ports.index.current().await;
    let found = loaded
        .index
        .search(loaded.embedder.as_ref(), query, k, &filter)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "design search failed");
            Problem::new(ProblemKind::ServiceUnavailable)
                .detail("the design index cannot answer now (its embedder or its stored vectors are unavailable); try again shortly")
        })?;
    Ok(Json(DesignSearch {
        designs: found
            .into_iter()
            .map(|m| DesignHit {
                score: m.score,
                design: m.design.clone(),
            })
            .collect(),
        embedder: loaded.embedder.name().to_owned(),
        generation: loaded.generation.clone(),
    }))
}

/// Read one design record.
#[utoipa::path(
    get, path = "/v1/designs/{id}", operation_id = "getDesign", tag = "designs",
    params(("id" = String, Path, description = "Design id")),
    responses(
        (status = 200, description = "The design", body = Design),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such design", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn get_design(
    State(ports): State<Ports>,
    _principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<Design>, Problem> {
    let loaded = ports.index.current().await;
    loaded
        .index
        .get(&id)
        .cloned()
        .map(Json)
        .ok_or_else(Problem::not_found)
}
