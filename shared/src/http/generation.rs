//! Generation: start a job (`202`), follow it, read the versions it produced, regenerate one
//! section. Everything is checked before a job is stored or a message queued.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::AppState;
use super::json::JsonBody;
use crate::auth::Principal;
use crate::cursor::CursorCodec;
use crate::jobs::model::{Job, JobInput, JobKind, JobMessage, JobStatus};
use crate::llm::ModelName;
use crate::problem::{FieldError, Problem, ProblemKind};
use crate::project::BrandKit;
use crate::secrets::SecretName;
use crate::store::{Created, Idempotency, PageVersion};

pub const MAX_PROMPT_CHARS: usize = 4000;
/// How long an `Idempotency-Key` is remembered.
pub const IDEMPOTENCY_TTL: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(generate))
        .routes(routes!(regenerate_section))
        .routes(routes!(get_job))
        .routes(routes!(list_versions))
        .routes(routes!(get_version))
}

/// Body of `POST /v1/projects/{id}/generate`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateRequest {
    /// What the page is for, in your own words: 3 to 4000 characters, not only spaces; new
    /// lines and tabs allowed, other control characters not.
    #[schema(
        max_length = 4000,
        pattern = "^[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]*$",
        example = "Acme Coffee Roasters, a small-batch roastery in Portland selling single-origin beans by subscription"
    )]
    pub prompt: String,
    /// `provider:model`, e.g. `openai:gpt-4o`; the configured chain when absent. A provider
    /// this server has not configured is refused with a 422.
    #[serde(default)]
    #[schema(
        max_length = 128,
        pattern = "^(local:composer|(openai|anthropic|gemini|ollama|vllm|openrouter|groq|compatible):[A-Za-z0-9._:/@-]+)$",
        example = "local:composer"
    )]
    pub model: Option<String>,
    /// Overrides the project's brand kit for this page.
    #[serde(default, deserialize_with = "crate::project::optional_json_object")]
    pub brand: Option<BrandKit>,
    /// BCP 47 language of the page; `en` when absent.
    #[serde(default)]
    #[schema(
        max_length = 35,
        pattern = "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$",
        example = "fr"
    )]
    pub locale: Option<String>,
}

/// Body of `POST /v1/projects/{id}/sections/{section_id}/regenerate`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegenerateRequest {
    /// What to change in this section (the same rules as a generation's prompt).
    #[schema(
        max_length = 4000,
        pattern = "^[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]*$",
        example = "Make the headline about weekend pickup"
    )]
    pub prompt: String,
    #[serde(default)]
    #[schema(
        max_length = 128,
        pattern = "^(local:composer|(openai|anthropic|gemini|ollama|vllm|openrouter|groq|compatible):[A-Za-z0-9._:/@-]+)$"
    )]
    pub model: Option<String>,
    /// The version to start from; the latest when absent.
    #[serde(default, deserialize_with = "crate::project::optional_json_u64")]
    #[schema(minimum = 1)]
    pub base_version: Option<u64>,
}

/// A stored version as the API shows it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct VersionView {
    pub number: u64,
    pub job_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// Where the rendered HTML is served.
    pub html_url: String,
    pub design_ids: Vec<String>,
    pub models: Vec<String>,
    /// The page JSON (schema-versioned); only on `GET …/versions/{n}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub page: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct VersionList {
    pub items: Vec<VersionView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionParams {
    /// Page size, 1 to 100 (larger values are clamped); 20 by default.
    #[param(value_type = Option<i64>, minimum = 1)]
    limit: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

fn view(state: &AppState, version: PageVersion, with_page: bool) -> VersionView {
    VersionView {
        number: version.number,
        job_id: version.job_id,
        created_at: version.created_at,
        html_url: state.blobs.public_url(&version.html_key),
        design_ids: version.page.provenance.design_ids.clone(),
        models: version.page.provenance.models.clone(),
        page: with_page.then(|| serde_json::to_value(&version.page).unwrap_or_default()),
    }
}

fn uuid_or_404(raw: &str) -> Result<Uuid, Problem> {
    Uuid::parse_str(raw).map_err(|_| Problem::not_found())
}

fn idempotency(headers: &HeaderMap, fingerprint: &impl Serialize) -> Result<Idempotency, Problem> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| {
            Problem::new(ProblemKind::IdempotencyKeyRequired).detail("send an Idempotency-Key header (e.g. a UUID) so a retried request never starts a second job")
        })?;
    if key.len() > 255 || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(Problem::new(ProblemKind::IdempotencyKeyRequired)
            .detail("Idempotency-Key must be 1 to 255 visible ASCII characters"));
    }
    let digest = Sha256::digest(serde_json::to_vec(fingerprint).expect("requests serialize"));
    Ok(Idempotency {
        key: key.to_owned(),
        fingerprint: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest),
        ttl: IDEMPOTENCY_TTL,
    })
}

fn check_prompt(prompt: &str, errors: &mut Vec<FieldError>) {
    let chars = prompt.chars().count();
    if !(3..=MAX_PROMPT_CHARS).contains(&chars) || prompt.trim().is_empty() {
        errors.push(FieldError {
            field: "prompt".into(),
            message: format!("must be 3 to {MAX_PROMPT_CHARS} characters, not only spaces"),
        });
    }
    if prompt
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        errors.push(FieldError {
            field: "prompt".into(),
            message: "must not contain control characters".into(),
        });
    }
}

fn check_model(
    state: &AppState,
    model: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<ModelName> {
    let name = match ModelName::parse(model?) {
        Ok(name) => name,
        Err(message) => {
            errors.push(FieldError {
                field: "model".into(),
                message,
            });
            return None;
        }
    };
    if state.registry.resolve(&name).is_err() {
        errors.push(FieldError {
            field: "model".into(),
            message: format!("{name} is not available on this server"),
        });
        return None;
    }
    Some(name)
}

/// BCP 47, loosely: a 2–3 letter language, then subtags of 1–8 letters or digits.
fn valid_locale(locale: &str) -> bool {
    let mut parts = locale.split('-');
    let language = parts.next().unwrap_or("");
    locale.len() <= 35
        && (2..=3).contains(&language.len())
        && language.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Stores the job (or finds the earlier one for this key) and queues it: 202 with the job.
async fn accept(
    state: &AppState,
    principal: &Principal,
    job: Job,
    idempotency: Idempotency,
) -> Result<Response, Problem> {
    let job = match state
        .jobs
        .create(&principal.sub, &job, &idempotency)
        .await?
    {
        Created::New(job) => job,
        Created::Existing(job) => job,
        Created::KeyReused => {
            return Err(Problem::new(ProblemKind::IdempotencyKeyReused)
                .detail("this Idempotency-Key was used with a different request"));
        }
    };
    // Queued again on a replay too: if the first enqueue failed, the retry repairs it, and a
    // duplicate message is harmless (the worker's claim runs a job once).
    if job.status == JobStatus::Queued {
        state
            .queue
            .enqueue(&JobMessage {
                owner: principal.sub.clone(),
                job_id: job.id,
            })
            .await?;
    }
    tracing::info!(job_id = %job.id, "job accepted");
    let location = HeaderValue::from_str(&format!("/v1/jobs/{}", job.id)).expect("ids are ASCII");
    Ok((StatusCode::ACCEPTED, [(LOCATION, location)], Json(job)).into_response())
}

/// Generate a new page for a project. Answers at once with the job to follow.
#[utoipa::path(
    post, path = "/v1/projects/{id}/generate", tag = "generation",
    params(
        ("id" = Uuid, Path, description = "Project id"),
        ("Idempotency-Key" = String, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$", description = "A unique key per generation (1 to 255 visible ASCII characters, e.g. a UUID); a retry with the same key returns the same job"),
    ),
    request_body = GenerateRequest,
    responses(
        (status = 202, description = "Accepted; follow the job at Location", body = Job, headers(("Location" = String))),
        (status = 400, description = "Malformed body or missing Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project for this user", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid prompt, model, brand or locale; or a reused Idempotency-Key", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn generate(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<GenerateRequest>,
) -> Result<Response, Problem> {
    let project_id = uuid_or_404(&id)?;
    let idempotency = idempotency(&headers, &("generate", project_id, &request))?;
    state
        .projects
        .get(&principal.sub, project_id)
        .await?
        .ok_or_else(Problem::not_found)?;
    let mut errors = Vec::new();
    check_prompt(&request.prompt, &mut errors);
    let model = check_model(&state, request.model.as_deref(), &mut errors);
    if let Some(brand) = &request.brand {
        errors.extend(brand.problems());
    }
    let locale = request.locale.clone().unwrap_or_else(|| "en".into());
    if !valid_locale(&locale) {
        errors.push(FieldError {
            field: "locale".into(),
            message: "must be a BCP 47 language tag such as en or fr-CA".into(),
        });
    }
    if !errors.is_empty() {
        return Err(Problem::field_errors(errors));
    }
    let input = JobInput {
        prompt: request.prompt.trim().to_owned(),
        model,
        brand: request.brand,
        locale,
    };
    let job = Job::new(
        project_id,
        JobKind::Generate,
        input,
        principal.tier,
        OffsetDateTime::now_utc(),
    );
    accept(&state, &principal, job, idempotency).await
}

/// Rewrite one section of a version; the rest of the page is kept. Answers with the job.
#[utoipa::path(
    post, path = "/v1/projects/{id}/sections/{section_id}/regenerate", tag = "generation",
    params(
        ("id" = Uuid, Path, description = "Project id"),
        ("section_id" = String, Path, description = "The section's id in the page"),
        ("Idempotency-Key" = String, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$", description = "A unique key per request (1 to 255 visible ASCII characters)"),
    ),
    request_body = RegenerateRequest,
    responses(
        (status = 202, description = "Accepted", body = Job, headers(("Location" = String))),
        (status = 400, description = "Malformed body or missing Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project, version or section", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid prompt or model", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn regenerate_section(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, section_id)): Path<(String, String)>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<RegenerateRequest>,
) -> Result<Response, Problem> {
    let project_id = uuid_or_404(&id)?;
    let idempotency = idempotency(&headers, &("regenerate", project_id, &section_id, &request))?;
    let project = state
        .projects
        .get(&principal.sub, project_id)
        .await?
        .ok_or_else(Problem::not_found)?;
    let base = match request.base_version {
        Some(number) => {
            state
                .versions
                .get(&principal.sub, project_id, number)
                .await?
        }
        None => state
            .versions
            .list(&principal.sub, project_id, 1, None)
            .await?
            .into_iter()
            .next(),
    }
    .ok_or_else(|| Problem::not_found().detail("no such version; generate a page first"))?;
    if !base.page.sections.iter().any(|s| s.id == section_id) {
        return Err(Problem::not_found().detail(format!(
            "version {} has no section {section_id:?}",
            base.number
        )));
    }
    let mut errors = Vec::new();
    check_prompt(&request.prompt, &mut errors);
    let model = check_model(&state, request.model.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(Problem::field_errors(errors));
    }
    let input = JobInput {
        prompt: request.prompt.trim().to_owned(),
        model,
        brand: Some(project.brand),
        locale: base.page.locale.clone(),
    };
    let kind = JobKind::RegenerateSection {
        base_version: base.number,
        section_id,
    };
    let job = Job::new(
        project_id,
        kind,
        input,
        principal.tier,
        OffsetDateTime::now_utc(),
    );
    accept(&state, &principal, job, idempotency).await
}

/// Follow a job: status, stage, progress, and the version it produced.
#[utoipa::path(
    get, path = "/v1/jobs/{id}", tag = "generation",
    params(("id" = Uuid, Path, description = "Job id")),
    responses(
        (status = 200, description = "The job", body = Job),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job for this user", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn get_job(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<Job>, Problem> {
    let (mut job, lease_until) = state
        .jobs
        .get_with_lease(&principal.sub, uuid_or_404(&id)?)
        .await?
        .ok_or_else(Problem::not_found)?;
    // A deleted project's jobs are gone with it.
    state
        .projects
        .get(&principal.sub, job.project_id)
        .await?
        .ok_or_else(Problem::not_found)?;
    // A running job whose lease has expired has no live worker: its message will bring it back
    // to one, so it is waiting, not running.
    let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
    if job.status == JobStatus::Running && lease_until.is_none_or(|until| i128::from(until) <= now)
    {
        job.status = JobStatus::Queued;
    }
    Ok(Json(job))
}

/// A project's versions, newest first.
#[utoipa::path(
    get, path = "/v1/projects/{id}/versions", tag = "generation",
    params(("id" = Uuid, Path, description = "Project id"), VersionParams),
    responses(
        (status = 200, description = "One page of versions", body = VersionList),
        (status = 400, description = "Invalid limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project for this user", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn list_versions(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    query: Result<Query<VersionParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<VersionList>, Problem> {
    let project_id = uuid_or_404(&id)?;
    let Query(params) =
        query.map_err(|err| Problem::new(ProblemKind::InvalidQuery).detail(err.body_text()))?;
    let limit = super::projects::page_size(params.limit.as_deref())?;
    state
        .projects
        .get(&principal.sub, project_id)
        .await?
        .ok_or_else(Problem::not_found)?;
    let key = state
        .secrets
        .get(SecretName::CursorKey)
        .await
        .map_err(Problem::internal)?;
    let codec = CursorCodec::new(key.as_bytes());
    // The cursor is bound to the user and to this project.
    let scope = format!("{}/{project_id}", principal.sub);
    let before = match params.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(cursor) => {
            let position = codec
                .decode(&scope, cursor)
                .map_err(|e| Problem::new(ProblemKind::InvalidCursor).detail(e.to_string()))?;
            Some(
                position
                    .parse::<u64>()
                    .map_err(|_| Problem::new(ProblemKind::InvalidCursor))?,
            )
        }
    };
    let mut versions = state
        .versions
        .list(&principal.sub, project_id, limit + 1, before)
        .await?;
    let more = versions.len() > limit;
    versions.truncate(limit);
    let next_cursor = more
        .then(|| {
            versions
                .last()
                .map(|v| codec.encode(&scope, &v.number.to_string()))
        })
        .flatten();
    Ok(Json(VersionList {
        items: versions
            .into_iter()
            .map(|v| view(&state, v, false))
            .collect(),
        next_cursor,
    }))
}

/// One version: the page JSON and where its HTML is served.
#[utoipa::path(
    get, path = "/v1/projects/{id}/versions/{number}", tag = "generation",
    params(("id" = Uuid, Path, description = "Project id"), ("number" = u64, Path, description = "Version number, from 1")),
    responses(
        (status = 200, description = "The version", body = VersionView),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such version for this user", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn get_version(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, number)): Path<(String, String)>,
) -> Result<Json<VersionView>, Problem> {
    let project_id = uuid_or_404(&id)?;
    let number: u64 = number.parse().map_err(|_| Problem::not_found())?;
    state
        .projects
        .get(&principal.sub, project_id)
        .await?
        .ok_or_else(Problem::not_found)?;
    let version = state
        .versions
        .get(&principal.sub, project_id, number)
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(Json(view(&state, version, true)))
}
