//! The projects function: `/v1/projects` — create, list, read, update (with `If-Match`) and
//! delete a user's projects. A deleted project takes its jobs, versions, pages and form messages
//! with it. `forms`: the contact forms of published pages.

pub mod lambda;

use std::sync::Arc;

use axum::extract::{FromRef, Path, Query, State};
use axum::http::header::{ETAG, IF_MATCH, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use time::OffsetDateTime;
use uuid::Uuid;

use visions_api::auth::{JwtVerifier, Principal};
use visions_api::cors::Cors;
use visions_api::json::JsonBody;
use visions_api::list::{ListParams, Listing, Paginated};
use visions_api::metering::account;
use visions_api::problem::{Problem, ProblemKind};
use visions_api::uuid_or_404;
use visions_domain::credits::CreditStore;
use visions_domain::ports::{
    BlobStore, JobStore, ProjectStore, SecretStore, StoreError, SubmissionStore, VersionStore,
};

pub mod forms;
use visions_domain::project::{NewProject, Project, ProjectPatch};
use visions_metering::Metering;

/// The ports this function uses; each handler takes only the ones it needs.
#[derive(Clone)]
pub struct Ports {
    pub projects: Arc<dyn ProjectStore>,
    /// A deleted project's jobs, versions and stored pages go with it.
    pub jobs: Arc<dyn JobStore>,
    pub versions: Arc<dyn VersionStore>,
    pub blobs: Arc<dyn BlobStore>,
    /// Messages sent through the project's published contact forms.
    pub submissions: Arc<dyn SubmissionStore>,
    /// The cursor key (it also signs form addresses).
    pub secrets: Arc<dyn SecretStore>,
    pub verifier: Arc<JwtVerifier>,
    /// The caller's tier, which caps how many projects they keep.
    pub credits: Arc<dyn CreditStore>,
    pub metering: Arc<Metering>,
}

macro_rules! port {
    ($field:ident: $port:ty) => {
        impl FromRef<Ports> for $port {
            fn from_ref(ports: &Ports) -> Self {
                ports.$field.clone()
            }
        }
    };
}
port!(projects: Arc<dyn ProjectStore>);
port!(jobs: Arc<dyn JobStore>);
port!(versions: Arc<dyn VersionStore>);
port!(blobs: Arc<dyn BlobStore>);
port!(submissions: Arc<dyn SubmissionStore>);
port!(secrets: Arc<dyn SecretStore>);
port!(verifier: Arc<JwtVerifier>);
port!(credits: Arc<dyn CreditStore>);
port!(metering: Arc<Metering>);

visions_api::api_routes!(Ports =>
    create_project,
    list_projects,
    get_project,
    update_project,
    delete_project,
    forms::submit_form,
    forms::list_submissions,
);

/// The function's app, as its Lambda serves it.
pub fn app(ports: Ports, cors: &Cors) -> Router {
    visions_api::finish(router().with_state(ports), cors)
}

/// A page of projects.
pub type ProjectList = Paginated<Project>;

fn with_etag(status: StatusCode, project: Project) -> Response {
    let etag = HeaderValue::from_str(&project.etag()).expect("etags are ASCII");
    (status, [(ETAG, etag)], Json(project)).into_response()
}

/// Create a project.
#[utoipa::path(
    post, path = "/v1/projects", operation_id = "createProject", tag = "projects",
    request_body = NewProject,
    responses(
        (status = 201, description = "Created", body = Project,
         headers(("ETag" = String, description = "Version tag for If-Match"), ("Location" = String))),
        (status = 400, description = "Malformed or unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The tier's project limit is reached", body = Problem, content_type = "application/problem+json", example = json!({"type": "https://visions.ai/problems/tier-required", "title": "Your tier does not include this", "status": 403, "detail": "more than 3 projects needs the pro tier", "tier": "pro"})),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn create_project(
    State(projects): State<Arc<dyn ProjectStore>>,
    State(credits): State<Arc<dyn CreditStore>>,
    State(metering): State<Arc<Metering>>,
    principal: Principal,
    JsonBody(input): JsonBody<NewProject>,
) -> Result<Response, Problem> {
    let project =
        Project::create(input, OffsetDateTime::now_utc()).map_err(Problem::field_errors)?;
    let tier = account(credits.as_ref(), &metering, &principal).await?.tier;
    let most = metering.plan(tier).max_projects;
    let kept = projects
        .list(
            &principal.sub,
            usize::try_from(most).unwrap_or(usize::MAX),
            None,
        )
        .await?
        .items
        .len() as u64;
    if kept >= most {
        return Err(Problem::tier_required(
            &format!("more than {most} projects"),
            metering.tier_needed(|plan| plan.max_projects > most),
        ));
    }
    projects.insert(&principal.sub, &project).await?;
    tracing::info!(project_id = %project.id, "project created");
    let location =
        HeaderValue::from_str(&format!("/v1/projects/{}", project.id)).expect("ids are ASCII");
    let mut response = with_etag(StatusCode::CREATED, project);
    response.headers_mut().insert(LOCATION, location);
    Ok(response)
}

/// List your projects, newest first.
#[utoipa::path(
    get, path = "/v1/projects", operation_id = "listProjects", tag = "projects",
    params(ListParams),
    responses(
        (status = 200, description = "One page of projects", body = ProjectList),
        (status = 400, description = "Invalid limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn list_projects(
    State(projects): State<Arc<dyn ProjectStore>>,
    State(secrets): State<Arc<dyn SecretStore>>,
    principal: Principal,
    query: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ProjectList>, Problem> {
    let listing = Listing::read(query, secrets.as_ref(), principal.sub.clone()).await?;
    let page = projects
        .list(&principal.sub, listing.limit, listing.after::<Uuid>()?)
        .await?;
    Ok(Json(listing.page(page.items, page.next)))
}

/// Read one project.
#[utoipa::path(
    get, path = "/v1/projects/{id}", operation_id = "getProject", tag = "projects",
    params(("id" = Uuid, Path, description = "Project id")),
    responses(
        (status = 200, description = "The project", body = Project, headers(("ETag" = String))),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project for this user", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn get_project(
    State(projects): State<Arc<dyn ProjectStore>>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let project = projects
        .get(&principal.sub, uuid_or_404(&id)?)
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(with_etag(StatusCode::OK, project))
}

/// Update a project. `If-Match` must carry the `ETag` you last read.
#[utoipa::path(
    patch, path = "/v1/projects/{id}", operation_id = "updateProject", tag = "projects",
    params(
        ("id" = Uuid, Path, description = "Project id"),
        ("If-Match" = String, Header, min_length = 1, description = "The ETag of the version being changed"),
    ),
    request_body = ProjectPatch,
    responses(
        (status = 200, description = "Updated", body = Project, headers(("ETag" = String))),
        (status = 400, description = "Malformed or unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project for this user", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The project changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn update_project(
    State(projects): State<Arc<dyn ProjectStore>>,
    principal: Principal,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(patch): JsonBody<ProjectPatch>,
) -> Result<Response, Problem> {
    let id = uuid_or_404(&id)?;
    let Some(if_match) = if_match(&headers)? else {
        return Err(Problem::new(ProblemKind::PreconditionRequired)
            .detail("send If-Match with the project's ETag so concurrent edits are not lost"));
    };
    let current = matching(projects.as_ref(), &principal.sub, id, if_match).await?;
    let next = current
        .patched(patch, OffsetDateTime::now_utc())
        .map_err(Problem::field_errors)?;
    projects
        .replace(&principal.sub, &next, current.version)
        .await?;
    Ok(with_etag(StatusCode::OK, next))
}

/// Delete a project. An `If-Match`, when sent, must match.
#[utoipa::path(
    delete, path = "/v1/projects/{id}", operation_id = "deleteProject", tag = "projects",
    params(
        ("id" = Uuid, Path, description = "Project id"),
        ("If-Match" = Option<String>, Header, min_length = 1, description = "Delete only this version"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project for this user", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The project changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match was sent empty", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn delete_project(
    State(ports): State<Ports>,
    principal: Principal,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, Problem> {
    let id = uuid_or_404(&id)?;
    let expected_version = match if_match(&headers)? {
        Some(if_match) => Some(
            matching(ports.projects.as_ref(), &principal.sub, id, if_match)
                .await?
                .version,
        ),
        None => None,
    };
    // The version read above is the delete's condition: a change in between is a 412.
    ports
        .projects
        .delete(&principal.sub, id, expected_version)
        .await
        .map_err(|err| match err {
            StoreError::VersionConflict => Problem::new(ProblemKind::PreconditionFailed)
                .detail("the project changed since that ETag; fetch it again"),
            other => other.into(),
        })?;
    delete_contents(&ports, &principal.sub, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What a deleted project leaves behind: its versions, their stored pages and its jobs. The
/// project itself goes first, so a failure here leaves nothing reachable (versions and jobs
/// are served only for a project that exists); a retried `DELETE` of a gone project is a 404.
async fn delete_contents(ports: &Ports, owner: &str, id: Uuid) -> Result<(), Problem> {
    let keys = ports.versions.delete_project(owner, id).await?;
    for key in keys {
        ports.blobs.delete(&key).await?;
    }
    ports.jobs.delete_project(owner, id).await?;
    ports.submissions.delete_project(id).await?;
    Ok(())
}

/// The `If-Match` header. An empty one names no entity tag (RFC 9110 asks for `*` or at least
/// one): it is refused as a precondition that still has to be given.
fn if_match(headers: &HeaderMap) -> Result<Option<&HeaderValue>, Problem> {
    match headers.get(IF_MATCH) {
        Some(value) if value.as_bytes().trim_ascii().is_empty() => {
            Err(Problem::new(ProblemKind::PreconditionRequired)
                .detail("If-Match is empty: send the project's ETag, or * for any version"))
        }
        other => Ok(other),
    }
}

/// The stored project, if `If-Match` names it: 404 when there is none, 412 when it changed.
async fn matching(
    projects: &dyn ProjectStore,
    owner: &str,
    id: Uuid,
    if_match: &HeaderValue,
) -> Result<Project, Problem> {
    let current = projects
        .get(owner, id)
        .await?
        .ok_or_else(Problem::not_found)?;
    require_match(if_match, &current)?;
    Ok(current)
}

/// `If-Match` per RFC 9110: `*` or a list of strong entity tags.
fn require_match(if_match: &HeaderValue, current: &Project) -> Result<(), Problem> {
    let etag = current.etag();
    let matches = if_match
        .to_str()
        .map(|value| {
            value
                .split(',')
                .map(str::trim)
                .any(|tag| tag == "*" || tag == etag)
        })
        .unwrap_or(false);
    if matches {
        Ok(())
    } else {
        Err(
            Problem::new(ProblemKind::PreconditionFailed).detail(format!(
                "the project is now at ETag {etag}; fetch it again before changing it"
            )),
        )
    }
}
