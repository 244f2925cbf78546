//! `/v1/projects`: create, list, read, update (with `If-Match`) and delete a user's projects.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header::{ETAG, IF_MATCH, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::AppState;
use super::json::JsonBody;
use crate::auth::Principal;
use crate::cursor::CursorCodec;
use crate::problem::{Problem, ProblemKind};
use crate::project::{NewProject, Project, ProjectPatch};
use crate::secrets::SecretName;
use crate::store::StoreError;

pub const DEFAULT_PAGE_SIZE: usize = 20;
pub const MAX_PAGE_SIZE: usize = 100;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_project, list_projects))
        .routes(routes!(get_project, update_project, delete_project))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Page size, 1 to 100 (larger values are clamped); 20 by default.
    #[param(value_type = Option<i64>, minimum = 1)]
    limit: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProjectList {
    pub items: Vec<Project>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl From<StoreError> for Problem {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => Problem::not_found(),
            StoreError::VersionConflict => Problem::new(ProblemKind::PreconditionFailed)
                .detail("the project was changed by another request; fetch it again"),
            StoreError::AlreadyExists | StoreError::Backend(_) => Problem::internal(err),
        }
    }
}

/// `limit` as clients send it: absent → the default, above the maximum → clamped.
const LIMIT_RULE: &str =
    "limit must be a whole number from 1 to 9223372036854775807 (above 100 counts as 100)";

pub fn page_size(raw: Option<&str>) -> Result<usize, Problem> {
    match raw {
        None => Ok(DEFAULT_PAGE_SIZE),
        // Digits only (no sign), an int64 as the document says; above 100 counts as 100.
        Some(raw) => raw
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| raw.parse::<i64>().ok())
            .flatten()
            .filter(|n| *n >= 1)
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX).min(MAX_PAGE_SIZE))
            .ok_or_else(|| Problem::new(ProblemKind::InvalidQuery).detail(LIMIT_RULE)),
    }
}

/// Ids that are not UUIDs cannot name a project: they are simply not found.
fn project_id(raw: &str) -> Result<Uuid, Problem> {
    Uuid::parse_str(raw).map_err(|_| Problem::not_found())
}

fn with_etag(status: StatusCode, project: Project) -> Response {
    let etag = HeaderValue::from_str(&project.etag()).expect("etags are ASCII");
    (status, [(ETAG, etag)], Json(project)).into_response()
}

/// Create a project.
#[utoipa::path(
    post, path = "/v1/projects", tag = "projects",
    request_body = NewProject,
    responses(
        (status = 201, description = "Created", body = Project,
         headers(("ETag" = String, description = "Version tag for If-Match"), ("Location" = String))),
        (status = 400, description = "Malformed or unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn create_project(
    State(state): State<AppState>,
    principal: Principal,
    JsonBody(input): JsonBody<NewProject>,
) -> Result<Response, Problem> {
    let project =
        Project::create(input, OffsetDateTime::now_utc()).map_err(Problem::field_errors)?;
    state.projects.insert(&principal.sub, &project).await?;
    tracing::info!(project_id = %project.id, "project created");
    let location =
        HeaderValue::from_str(&format!("/v1/projects/{}", project.id)).expect("ids are ASCII");
    let mut response = with_etag(StatusCode::CREATED, project);
    response.headers_mut().insert(LOCATION, location);
    Ok(response)
}

/// List your projects, newest first.
#[utoipa::path(
    get, path = "/v1/projects", tag = "projects",
    params(ListParams),
    responses(
        (status = 200, description = "One page of projects", body = ProjectList),
        (status = 400, description = "Invalid limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn list_projects(
    State(state): State<AppState>,
    principal: Principal,
    query: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ProjectList>, Problem> {
    let Query(params) =
        query.map_err(|err| Problem::new(ProblemKind::InvalidQuery).detail(err.body_text()))?;
    let limit = page_size(params.limit.as_deref())?;
    let cursor_key = state
        .secrets
        .get(SecretName::CursorKey)
        .await
        .map_err(Problem::internal)?;
    let codec = CursorCodec::new(cursor_key.as_bytes());
    let after = match params.cursor.as_deref() {
        None | Some("") => None,
        Some(cursor) => {
            let invalid = |err: &dyn std::fmt::Display| {
                Problem::new(ProblemKind::InvalidCursor).detail(err.to_string())
            };
            let position = codec
                .decode(&principal.sub, cursor)
                .map_err(|e| invalid(&e))?;
            Some(Uuid::parse_str(&position).map_err(|e| invalid(&e))?)
        }
    };
    let page = state.projects.list(&principal.sub, limit, after).await?;
    Ok(Json(ProjectList {
        next_cursor: page
            .next
            .map(|id| codec.encode(&principal.sub, &id.to_string())),
        items: page.items,
    }))
}

/// Read one project.
#[utoipa::path(
    get, path = "/v1/projects/{id}", tag = "projects",
    params(("id" = Uuid, Path, description = "Project id")),
    responses(
        (status = 200, description = "The project", body = Project, headers(("ETag" = String))),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project for this user", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn get_project(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let project = state
        .projects
        .get(&principal.sub, project_id(&id)?)
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(with_etag(StatusCode::OK, project))
}

/// Update a project. `If-Match` must carry the `ETag` you last read.
#[utoipa::path(
    patch, path = "/v1/projects/{id}", tag = "projects",
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
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(patch): JsonBody<ProjectPatch>,
) -> Result<Response, Problem> {
    let id = project_id(&id)?;
    let Some(if_match) = if_match(&headers)? else {
        return Err(Problem::new(ProblemKind::PreconditionRequired)
            .detail("send If-Match with the project's ETag so concurrent edits are not lost"));
    };
    let current = matching(&state, &principal.sub, id, if_match).await?;
    let next = current
        .patched(patch, OffsetDateTime::now_utc())
        .map_err(Problem::field_errors)?;
    state
        .projects
        .replace(&principal.sub, &next, current.version)
        .await?;
    Ok(with_etag(StatusCode::OK, next))
}

/// Delete a project. An `If-Match`, when sent, must match.
#[utoipa::path(
    delete, path = "/v1/projects/{id}", tag = "projects",
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
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, Problem> {
    let id = project_id(&id)?;
    let expected_version = match if_match(&headers)? {
        Some(if_match) => Some(
            matching(&state, &principal.sub, id, if_match)
                .await?
                .version,
        ),
        None => None,
    };
    // The version read above is the delete's condition: a change in between is a 412.
    state
        .projects
        .delete(&principal.sub, id, expected_version)
        .await
        .map_err(|err| match err {
            StoreError::VersionConflict => Problem::new(ProblemKind::PreconditionFailed)
                .detail("the project changed since that ETag; fetch it again"),
            other => other.into(),
        })?;
    delete_contents(&state, &principal.sub, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What a deleted project leaves behind: its versions, their stored pages and its jobs. The
/// project itself goes first, so a failure here leaves nothing reachable (versions and jobs
/// are served only for a project that exists); a retried `DELETE` of a gone project is a 404.
async fn delete_contents(state: &AppState, owner: &str, id: Uuid) -> Result<(), Problem> {
    let keys = state.versions.delete_project(owner, id).await?;
    for key in keys {
        state.blobs.delete(&key).await?;
    }
    state.jobs.delete_project(owner, id).await?;
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
    state: &AppState,
    owner: &str,
    id: Uuid,
    if_match: &HeaderValue,
) -> Result<Project, Problem> {
    let current = state
        .projects
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
