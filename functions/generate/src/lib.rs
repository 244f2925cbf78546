//! The generation function: start a job (`202`), follow it, read the versions it produced,
//! regenerate one section, export a version. Everything is checked before a job is stored or a message queued;
//! the worker function runs the job.

pub mod lambda;

use std::sync::Arc;

use axum::extract::{FromRef, Path, Query, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use visions_api::auth::{JwtVerifier, Principal};
use visions_api::cors::Cors;
use visions_api::json::JsonBody;
use visions_api::list::{ListParams, Listed, Listing, Paginated};
use visions_api::metering::{CREDITS_HEADER, account, release_expired};
use visions_api::problem::{FieldError, Problem, ProblemKind};
use visions_api::{idempotency_key, uuid_or_404};
use visions_domain::clock::now_millis;
use visions_domain::credits::CreditStore;
use visions_domain::job::{
    CallUsage, ExportFormat, Job, JobInput, JobKind, JobMessage, JobStatus, MAX_VARIANTS, Stage,
};
use visions_domain::locale::canonical_tag;
use visions_domain::models::ModelName;
use visions_domain::ports::{
    BlobStore, Created, Idempotency, JobQueue, JobStore, PageVersion, ProjectStore, SecretStore,
    StoreError, VersionStore,
};
use visions_domain::project::{BrandKit, optional_json_object, optional_json_u64};
use visions_domain::text::has_control_chars;
use visions_domain::tier::Tier;
use visions_metering::{Metering, ModelUse};
use visions_model_config::ModelSettings;

/// The ports this function uses.
#[derive(Clone)]
pub struct Ports {
    pub projects: Arc<dyn ProjectStore>,
    pub jobs: Arc<dyn JobStore>,
    pub versions: Arc<dyn VersionStore>,
    /// Where versions' pages are served from.
    pub blobs: Arc<dyn BlobStore>,
    pub queue: Arc<dyn JobQueue>,
    /// The cursor key.
    pub secrets: Arc<dyn SecretStore>,
    pub verifier: Arc<JwtVerifier>,
    /// Which models a request may ask for.
    pub models: Arc<ModelSettings>,
    /// Balances and holds: a job is accepted with a hold for the most it can cost.
    pub credits: Arc<dyn CreditStore>,
    /// Prices and what each tier may do.
    pub metering: Arc<Metering>,
}

impl FromRef<Ports> for Arc<JwtVerifier> {
    fn from_ref(ports: &Ports) -> Self {
        ports.verifier.clone()
    }
}

pub const MAX_PROMPT_CHARS: usize = 4000;
/// How long an `Idempotency-Key` is remembered.
pub const IDEMPOTENCY_TTL: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// The function's app, as its Lambda serves it.
pub fn app(ports: Ports, cors: &Cors) -> Router {
    visions_api::finish(router().with_state(ports), cors)
}

visions_api::api_routes!(Ports =>
    generate,
    regenerate_section,
    get_job,
    list_versions,
    get_version,
    restore_version,
    export,
);

/// Body of `POST /v1/projects/{id}/generate`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"prompt": "Acme Coffee Roasters, a small-batch roastery in Portland selling single-origin beans by subscription", "locale": "en"}))]
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
    #[serde(default, deserialize_with = "optional_json_object")]
    pub brand: Option<BrandKit>,
    /// BCP 47 language of the page; when absent, the prompt's language (en, fr, de, es, it, pt
    /// or nl), else `en`.
    #[serde(default)]
    #[schema(
        max_length = 35,
        pattern = "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$",
        example = "fr"
    )]
    pub locale: Option<String>,
    /// Distinct pages to make, 1 to 3 (different plans and headlines), each its own version;
    /// 1 when absent.
    #[serde(default, deserialize_with = "optional_json_u64")]
    #[schema(value_type = Option<u8>, minimum = 1, maximum = 3, example = 2)]
    pub variants: Option<u64>,
}

/// Body of `POST /v1/projects/{id}/sections/{section_id}/regenerate`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"prompt": "Make the headline about weekend pickup", "base_version": 1}))]
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
    #[serde(default, deserialize_with = "optional_json_u64")]
    #[schema(minimum = 1)]
    pub base_version: Option<u64>,
}

/// Body of `POST /v1/projects/{id}/exports`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"format": "nextjs", "version": 2}))]
pub struct ExportRequest {
    /// `html` (a static site), `react` (Vite + TypeScript) or `nextjs` (App Router, static
    /// export). The tier decides which are allowed.
    pub format: ExportFormat,
    /// The version to export; the latest when absent.
    #[serde(default, deserialize_with = "optional_json_u64")]
    #[schema(minimum = 1)]
    pub version: Option<u64>,
}

/// A finished export: where to download its zip.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"url": "https://d111111abcdef8.cloudfront.net/exports/0190c5a03f1e7c2a9b1d5e8f0a7c4d21/6f1c2b0e9d8a4c7b8e5f3a2d1c0b9a88/rosas-bakery-nextjs.zip", "bytes": 412733, "files": 41}))]
pub struct ExportView {
    /// The zip (CloudFront on AWS, the local server locally).
    pub url: String,
    pub bytes: u64,
    /// Files in the zip.
    pub files: u32,
}

/// A stored version as the API shows it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "number": 1,
    "job_id": "0190c5a1-0b7d-7e11-8a3c-2f9d6b4e8a10",
    "created_at": "2026-12-01T09:31:04Z",
    "html_url": "https://d111111abcdef8.cloudfront.net/pages/0190c5a0-3f1e-7c2a-9b1d-5e8f0a7c4d21/v1/index.html",
    "design_ids": ["coffee-subscription", "bakery-preorder", "restaurant-reservations"],
    "models": ["local:composer"],
    "quality": {"score": 97, "publishable": true, "findings": [{"code": "unfilled-slot", "severity": "warning", "section": "hero", "message": "image `hero-image` has no picture yet (a themed placeholder is shown)"}]}
}))]
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
    /// The quality gate's score and findings; a version with a blocking finding is kept but
    /// is not publishable.
    pub quality: visions_domain::page::Quality,
    /// The version this one is a copy of, when it was made by a restore.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restored_from: Option<u64>,
    /// The page JSON (schema-versioned); only on `GET …/versions/{n}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<std::collections::HashMap<String, serde_json::Value>>)]
    pub page: Option<serde_json::Value>,
}

impl Listed for VersionView {
    const LIST_NAME: &'static str = "VersionList";
    fn example() -> serde_json::Value {
        visions_api::list::example_of::<Self>()
    }
}

/// A page of versions.
pub type VersionList = Paginated<VersionView>;

/// A job as clients see it. The stored record also holds what only workers need (the attempt
/// count, the requester's tier, the lease).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(as = Job)]
#[schema(example = json!({
    "id": "0190c5a1-0b7d-7e11-8a3c-2f9d6b4e8a10",
    "project_id": "0190c5a0-3f1e-7c2a-9b1d-5e8f0a7c4d21",
    "kind": "generate",
    "input": {"prompt": "Acme Coffee Roasters, a small-batch roastery in Portland selling single-origin beans by subscription", "model": null, "brand": null, "locale": "en"},
    "status": "running",
    "stage": "copywriting",
    "progress": 45,
    "usage": [{"agent": "layout", "model": "local:composer", "input_tokens": 1830, "output_tokens": 412}],
    "credits_held": 2,
    "created_at": "2026-12-01T09:31:00Z",
    "updated_at": "2026-12-01T09:31:02Z"
}))]
pub struct JobView {
    pub id: Uuid,
    pub project_id: Uuid,
    pub kind: JobKindName,
    /// The version a section regeneration starts from, or the version an export packages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1)]
    pub base_version: Option<u64>,
    /// The section a regeneration rewrites (`regenerate_section` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section_id: Option<String>,
    /// What an export makes (`export` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<ExportFormat>,
    /// The request of a generation or a section regeneration (not on exports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<JobInput>,
    pub status: JobStatus,
    pub stage: Stage,
    /// 0 to 100.
    pub progress: u8,
    /// Why the job failed, in words a user can act on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The project version this job produced (the first, when it made variants).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    /// Every version this job produced, one per variant.
    #[serde(default)]
    pub versions: Vec<u64>,
    #[serde(default)]
    pub usage: Vec<CallUsage>,
    /// The zip, once an export has succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export: Option<ExportView>,
    /// Credits held when the job was accepted: the most it can cost.
    #[serde(default)]
    pub credits_held: u64,
    /// What the job cost, once it ended; the rest of the hold was returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits_charged: Option<u64>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

/// What a job does: a whole new page, one section of a version rewritten (the rest kept), or
/// a version exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = JobKind)]
pub enum JobKindName {
    Generate,
    RegenerateSection,
    Export,
}

impl JobView {
    /// `lease_until` (ms): a running job whose lease has expired has no live worker; its
    /// message will bring it back to one, so it is shown as waiting, not running.
    pub fn new(job: Job, lease_until: Option<i64>, blobs: &dyn BlobStore) -> Self {
        let (kind, base_version, section_id, format) = match job.kind {
            JobKind::Generate => (JobKindName::Generate, None, None, None),
            JobKind::RegenerateSection {
                base_version,
                section_id,
            } => (
                JobKindName::RegenerateSection,
                Some(base_version),
                Some(section_id),
                None,
            ),
            JobKind::Export {
                base_version,
                format,
            } => (JobKindName::Export, Some(base_version), None, Some(format)),
        };
        let mut status = job.status;
        if status == JobStatus::Running && lease_until.is_none_or(|until| until <= now_millis()) {
            status = JobStatus::Queued;
        }
        Self {
            id: job.id,
            project_id: job.project_id,
            kind,
            base_version,
            section_id,
            input: format.is_none().then_some(job.input),
            format,
            status,
            stage: job.stage,
            progress: job.progress,
            error: job.error,
            version: job.version,
            versions: job.versions,
            usage: job.usage,
            export: job.export.map(|archive| ExportView {
                url: blobs.public_url(&archive.key),
                bytes: archive.bytes,
                files: archive.files,
            }),
            credits_held: job.credits_held,
            credits_charged: job.credits_charged,
            created_at: job.created_at,
            updated_at: job.updated_at,
        }
    }
}

fn view(blobs: &dyn BlobStore, version: PageVersion, with_page: bool) -> VersionView {
    VersionView {
        number: version.number,
        job_id: version.job_id,
        created_at: version.created_at,
        html_url: blobs.public_url(&version.html_key),
        design_ids: version.page.provenance.design_ids.clone(),
        models: version.page.provenance.models.clone(),
        quality: version.quality.clone(),
        restored_from: version.restored_from,
        page: with_page.then(|| serde_json::to_value(&version.page).unwrap_or_default()),
    }
}

fn idempotency(headers: &HeaderMap, fingerprint: &impl Serialize) -> Result<Idempotency, Problem> {
    let key = idempotency_key(headers, "a retried request never starts a second job")?;
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
    if has_control_chars(prompt, true) {
        errors.push(FieldError {
            field: "prompt".into(),
            message: "must not contain control characters".into(),
        });
    }
}

fn check_model(
    models: &ModelSettings,
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
    if models.endpoint(&name).is_err() {
        errors.push(FieldError {
            field: "model".into(),
            message: format!("{name} is not available on this server"),
        });
        return None;
    }
    Some(name)
}

/// What a generation request asks for, checked as the API checks it (`visions-ai create` runs
/// the same rules): every problem at once, with its field.
pub fn job_input(
    request: &GenerateRequest,
    models: &ModelSettings,
) -> Result<JobInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    check_prompt(&request.prompt, &mut errors);
    let model = check_model(models, request.model.as_deref(), &mut errors);
    if let Some(brand) = &request.brand {
        errors.extend(brand.problems());
    }
    // Unless the request names one, the page is in the brief's language.
    let locale = match request.locale.as_deref() {
        None => Some(
            visions_facts::detect_language(&request.prompt)
                .map_or("en", |language| language.code())
                .to_owned(),
        ),
        Some(raw) => canonical_tag(raw),
    };
    if locale.is_none() {
        errors.push(FieldError::new(
            "locale",
            "must be a BCP 47 language tag such as en or fr-CA",
        ));
    }
    let variants = u8::try_from(request.variants.unwrap_or(1)).unwrap_or(0);
    if !(1..=MAX_VARIANTS).contains(&variants) {
        errors.push(FieldError::new(
            "variants",
            format!("1 to {MAX_VARIANTS} pages per request"),
        ));
    }
    match locale {
        Some(locale) if errors.is_empty() => Ok(JobInput {
            prompt: request.prompt.trim().to_owned(),
            model,
            brand: request.brand.clone(),
            locale,
            variants,
        }),
        _ => Err(errors),
    }
}

/// A requested model must be one the tier may use for both text agents.
fn check_tier(metering: &Metering, tier: Tier, model: Option<&ModelName>) -> Result<(), Problem> {
    let Some(model) = model else {
        return Ok(());
    };
    let allowed = |plan: &visions_metering::Plan| {
        plan.allows_model(model, ModelUse::Layout) && plan.allows_model(model, ModelUse::Copy)
    };
    if allowed(metering.plan(tier)) {
        return Ok(());
    }
    Err(Problem::tier_required(
        &model.to_string(),
        metering.tier_needed(allowed),
    ))
}

/// Stores the job (or finds the earlier one for this key), with its hold, and queues it: 202
/// with the job. A balance short of the hold is a 402 and nothing is stored or queued.
async fn accept(
    ports: &Ports,
    principal: &Principal,
    job: Job,
    idempotency: Idempotency,
) -> Result<Response, Problem> {
    let created = match ports.jobs.create(&principal.sub, &job, &idempotency).await {
        // Holds of requests that crashed before settling come back first, then one more try.
        Err(StoreError::InsufficientCredits { .. })
            if release_expired(ports.credits.as_ref(), &principal.sub).await? > 0 =>
        {
            ports.jobs.create(&principal.sub, &job, &idempotency).await
        }
        other => other,
    };
    let job = match created? {
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
        ports
            .queue
            .enqueue(&JobMessage {
                owner: principal.sub.clone(),
                job_id: job.id,
            })
            .await?;
    }
    tracing::info!(job_id = %job.id, "job accepted");
    let location = HeaderValue::from_str(&format!("/v1/jobs/{}", job.id)).expect("ids are ASCII");
    Ok((
        StatusCode::ACCEPTED,
        [
            (LOCATION, location),
            (
                axum::http::HeaderName::from_static(CREDITS_HEADER),
                HeaderValue::from(job.credits_held),
            ),
        ],
        Json(JobView::new(job, None, ports.blobs.as_ref())),
    )
        .into_response())
}

/// Generate a new page for a project. Answers at once with the job to follow.
#[utoipa::path(
    post, path = "/v1/projects/{id}/generate", operation_id = "generatePage", tag = "generation",
    params(
        ("id" = Uuid, Path, description = "Project id"),
        ("Idempotency-Key" = String, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$", description = "A unique key per generation (1 to 255 visible ASCII characters, e.g. a UUID); a retry with the same key returns the same job"),
    ),
    request_body = GenerateRequest,
    responses(
        (status = 202, description = "Accepted; follow the job at Location", body = JobView, headers(("Location" = String), ("Visions-Credits" = u64, description = "Credits held for the job (the unused part is returned when it ends)"))),
        (status = 400, description = "Malformed body or missing Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 402, description = "The balance does not cover the job's hold; nothing was queued", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The model or the number of variants needs another tier", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project for this user", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid prompt, model, brand or locale; or a reused Idempotency-Key", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn generate(
    State(ports): State<Ports>,
    principal: Principal,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<GenerateRequest>,
) -> Result<Response, Problem> {
    let project_id = uuid_or_404(&id)?;
    let idempotency = idempotency(&headers, &("generate", project_id, &request))?;
    ports
        .projects
        .get(&principal.sub, project_id)
        .await?
        .ok_or_else(Problem::not_found)?;
    let input = job_input(&request, &ports.models).map_err(Problem::field_errors)?;
    let tier = account(ports.credits.as_ref(), &ports.metering, &principal)
        .await?
        .tier;
    check_tier(&ports.metering, tier, input.model.as_ref())?;
    let plan = ports.metering.plan(tier);
    if input.variants > plan.max_variants {
        let needed = ports
            .metering
            .tier_needed(|plan| input.variants <= plan.max_variants);
        return Err(Problem::tier_required(
            &format!("{} variants", input.variants),
            needed,
        ));
    }
    let image_model = ports
        .metering
        .image_model_for(tier, &ports.models.image_model);
    let held =
        ports
            .metering
            .generation_hold(tier, input.model.as_ref(), input.variants, &image_model);
    let mut job = Job::new(
        project_id,
        JobKind::Generate,
        input,
        tier,
        OffsetDateTime::now_utc(),
    );
    job.credits_held = held;
    accept(&ports, &principal, job, idempotency).await
}

/// Rewrite one section of a version; the rest of the page is kept. Answers with the job.
#[utoipa::path(
    post, path = "/v1/projects/{id}/sections/{section_id}/regenerate", operation_id = "regenerateSection", tag = "generation",
    params(
        ("id" = Uuid, Path, description = "Project id"),
        ("section_id" = String, Path, description = "The section's id in the page"),
        ("Idempotency-Key" = String, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$", description = "A unique key per request (1 to 255 visible ASCII characters)"),
    ),
    request_body = RegenerateRequest,
    responses(
        (status = 202, description = "Accepted", body = JobView, headers(("Location" = String), ("Visions-Credits" = u64, description = "Credits held for the job (the unused part is returned when it ends)"))),
        (status = 400, description = "Malformed body or missing Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 402, description = "The balance does not cover the job's hold; nothing was queued", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The model needs another tier", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project, version or section", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid prompt or model", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn regenerate_section(
    State(ports): State<Ports>,
    principal: Principal,
    Path((id, section_id)): Path<(String, String)>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<RegenerateRequest>,
) -> Result<Response, Problem> {
    let project_id = uuid_or_404(&id)?;
    let idempotency = idempotency(&headers, &("regenerate", project_id, &section_id, &request))?;
    let project = ports
        .projects
        .get(&principal.sub, project_id)
        .await?
        .ok_or_else(Problem::not_found)?;
    let base = version_or_latest(&ports, &principal, project_id, request.base_version).await?;
    if !base.page.sections.iter().any(|s| s.id == section_id) {
        return Err(Problem::not_found().detail(format!(
            "version {} has no section {section_id:?}",
            base.number
        )));
    }
    let mut errors = Vec::new();
    check_prompt(&request.prompt, &mut errors);
    let model = check_model(&ports.models, request.model.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(Problem::field_errors(errors));
    }
    let input = JobInput {
        prompt: request.prompt.trim().to_owned(),
        model,
        brand: Some(project.brand),
        locale: base.page.locale.clone(),
        variants: 1,
    };
    let kind = JobKind::RegenerateSection {
        base_version: base.number,
        section_id,
    };
    let tier = account(ports.credits.as_ref(), &ports.metering, &principal)
        .await?
        .tier;
    check_tier(&ports.metering, tier, input.model.as_ref())?;
    let image_model = ports
        .metering
        .image_model_for(tier, &ports.models.image_model);
    let held = ports
        .metering
        .section_hold(tier, input.model.as_ref(), &image_model);
    let mut job = Job::new(project_id, kind, input, tier, OffsetDateTime::now_utc());
    job.credits_held = held;
    accept(&ports, &principal, job, idempotency).await
}

/// Version `number` of a project, or its latest when `number` is absent.
async fn version_or_latest(
    ports: &Ports,
    principal: &Principal,
    project_id: Uuid,
    number: Option<u64>,
) -> Result<PageVersion, Problem> {
    match number {
        Some(number) => ports
            .versions
            .get(&principal.sub, project_id, number)
            .await?
            .ok_or_else(|| Problem::not_found().detail(format!("no version {number}"))),
        None => ports
            .versions
            .list(&principal.sub, project_id, 1, None)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| Problem::not_found().detail("no version yet; generate a page first")),
    }
}

/// Export a version as a static site, a React project or a Next.js project. Answers at once
/// with the job to follow; when it succeeds, the job's `export.url` is the zip.
#[utoipa::path(
    post, path = "/v1/projects/{id}/exports", operation_id = "exportVersion", tag = "generation",
    params(
        ("id" = Uuid, Path, description = "Project id"),
        ("Idempotency-Key" = String, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$", description = "A unique key per export (1 to 255 visible ASCII characters); a retry with the same key returns the same job"),
    ),
    request_body = ExportRequest,
    responses(
        (status = 202, description = "Accepted; follow the job at Location", body = JobView, headers(("Location" = String), ("Visions-Credits" = u64, description = "Credits held for the export"))),
        (status = 400, description = "Malformed body or missing Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 402, description = "The balance does not cover the export; nothing was queued", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The format needs another tier", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project or version for this user", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Version 0; or a reused Idempotency-Key", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn export(
    State(ports): State<Ports>,
    principal: Principal,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<ExportRequest>,
) -> Result<Response, Problem> {
    let project_id = uuid_or_404(&id)?;
    let idempotency = idempotency(&headers, &("export", project_id, &request))?;
    if request.version == Some(0) {
        return Err(Problem::field_errors(vec![FieldError::new(
            "version",
            "versions are numbered from 1",
        )]));
    }
    ports
        .projects
        .get(&principal.sub, project_id)
        .await?
        .ok_or_else(Problem::not_found)?;
    let base = version_or_latest(&ports, &principal, project_id, request.version).await?;
    let tier = account(ports.credits.as_ref(), &ports.metering, &principal)
        .await?
        .tier;
    let format = request.format;
    if !ports.metering.plan(tier).allows_export(format) {
        let needed = ports
            .metering
            .tier_needed(|plan| plan.allows_export(format));
        return Err(Problem::tier_required(
            &format!("the {format} export"),
            needed,
        ));
    }
    // An export asks for nothing but the version: no prompt, no model.
    let input = JobInput {
        prompt: String::new(),
        model: None,
        brand: None,
        locale: base.page.locale.clone(),
        variants: 1,
    };
    let kind = JobKind::Export {
        base_version: base.number,
        format,
    };
    let mut job = Job::new(project_id, kind, input, tier, OffsetDateTime::now_utc());
    job.credits_held = ports.metering.export_cost(format);
    accept(&ports, &principal, job, idempotency).await
}

/// Follow a job: status, stage, progress, and the version it produced.
#[utoipa::path(
    get, path = "/v1/jobs/{id}", operation_id = "getJob", tag = "generation",
    params(("id" = Uuid, Path, description = "Job id")),
    responses(
        (status = 200, description = "The job", body = JobView),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job for this user", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn get_job(
    State(ports): State<Ports>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<JobView>, Problem> {
    let (job, lease_until) = ports
        .jobs
        .get_with_lease(&principal.sub, uuid_or_404(&id)?)
        .await?
        .ok_or_else(Problem::not_found)?;
    // A deleted project's jobs are gone with it.
    ports
        .projects
        .get(&principal.sub, job.project_id)
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(Json(JobView::new(job, lease_until, ports.blobs.as_ref())))
}

/// A project's versions, newest first.
#[utoipa::path(
    get, path = "/v1/projects/{id}/versions", operation_id = "listVersions", tag = "generation",
    params(("id" = Uuid, Path, description = "Project id"), ListParams),
    responses(
        (status = 200, description = "One page of versions", body = VersionList),
        (status = 400, description = "Invalid limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project for this user", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn list_versions(
    State(ports): State<Ports>,
    principal: Principal,
    Path(id): Path<String>,
    query: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<VersionList>, Problem> {
    let project_id = uuid_or_404(&id)?;
    // The cursor is bound to the user and to this project.
    let scope = format!("{}/{project_id}", principal.sub);
    let listing = Listing::read(query, ports.secrets.as_ref(), scope).await?;
    ports
        .projects
        .get(&principal.sub, project_id)
        .await?
        .ok_or_else(Problem::not_found)?;
    let mut versions = ports
        .versions
        .list(
            &principal.sub,
            project_id,
            listing.limit + 1,
            listing.after::<u64>()?,
        )
        .await?;
    let more = versions.len() > listing.limit;
    versions.truncate(listing.limit);
    let next = versions.last().filter(|_| more).map(|v| v.number);
    let items = versions
        .into_iter()
        .map(|v| view(ports.blobs.as_ref(), v, false))
        .collect();
    Ok(Json(listing.page(items, next)))
}

/// One version: the page JSON and where its HTML is served.
#[utoipa::path(
    get, path = "/v1/projects/{id}/versions/{number}", operation_id = "getVersion", tag = "generation",
    params(("id" = Uuid, Path, description = "Project id"), ("number" = u64, Path, description = "Version number, from 1")),
    responses(
        (status = 200, description = "The version", body = VersionView),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such version for this user", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn get_version(
    State(ports): State<Ports>,
    principal: Principal,
    Path((id, number)): Path<(String, String)>,
) -> Result<Json<VersionView>, Problem> {
    let project_id = uuid_or_404(&id)?;
    let number: u64 = number.parse().map_err(|_| Problem::not_found())?;
    ports
        .projects
        .get(&principal.sub, project_id)
        .await?
        .ok_or_else(Problem::not_found)?;
    let version = ports
        .versions
        .get(&principal.sub, project_id, number)
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(Json(view(ports.blobs.as_ref(), version, true)))
}

/// Restore a version: a new version, the next number, equal to version `number` (its page and
/// its HTML). Versions are never changed; a restore adds one.
#[utoipa::path(
    post, path = "/v1/projects/{id}/versions/{number}/restore", operation_id = "restoreVersion", tag = "generation",
    params(("id" = Uuid, Path, description = "Project id"), ("number" = u64, Path, description = "The version to restore")),
    responses(
        (status = 201, description = "The new version, a copy of the restored one", body = VersionView, headers(("Location" = String))),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such version for this user", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn restore_version(
    State(ports): State<Ports>,
    principal: Principal,
    Path((id, number)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let project_id = uuid_or_404(&id)?;
    let number: u64 = number.parse().map_err(|_| Problem::not_found())?;
    ports
        .projects
        .get(&principal.sub, project_id)
        .await?
        .ok_or_else(Problem::not_found)?;
    let source = ports
        .versions
        .get(&principal.sub, project_id, number)
        .await?
        .ok_or_else(Problem::not_found)?;
    // The HTML is shared: versions are immutable, and a project's deletion removes both.
    let copy = PageVersion {
        number: 0,
        created_at: OffsetDateTime::now_utc(),
        restored_from: Some(source.number),
        ..source
    };
    let new_number = ports.versions.append(&principal.sub, &copy).await?;
    let created = ports
        .versions
        .get(&principal.sub, project_id, new_number)
        .await?
        .ok_or_else(|| Problem::internal("the restored version cannot be read back"))?;
    tracing::info!(%project_id, from = number, to = new_number, "version restored");
    let location =
        HeaderValue::from_str(&format!("/v1/projects/{project_id}/versions/{new_number}"))
            .map_err(Problem::internal)?;
    Ok((
        StatusCode::CREATED,
        [(LOCATION, location)],
        Json(view(ports.blobs.as_ref(), created, true)),
    )
        .into_response())
}
