//! Contact forms of published pages: `POST /v1/forms/{token}` takes a visitor's message
//! (public: pages post here, as an HTML form or as JSON), and `GET /v1/projects/{id}/submissions`
//! lists them for the project's owner.

use std::sync::Arc;

use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_TYPE, LOCATION, REFERER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use time::OffsetDateTime;
use uuid::Uuid;

use visions_api::auth::Principal;
use visions_api::list::{ListParams, Listing, Paginated};
use visions_api::problem::{Problem, ProblemKind};
use visions_api::uuid_or_404;
use visions_domain::form::{FormFields, FormToken, Submission};
use visions_domain::ports::{ProjectStore, SecretName, SecretStore, SubmissionStore};

/// A message is a few kilobytes at most; anything larger is refused before it is read.
pub const MAX_FORM_BYTES: usize = 16 * 1024;
/// The anchor of the confirmation a page shows when its form was sent.
pub const SENT_ANCHOR: &str = "message-sent";

/// A page of messages.
pub type SubmissionList = Paginated<Submission>;

/// The answer to a JSON submission.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(example = json!({"status": "received"}))]
pub struct Received {
    status: &'static str,
}

/// What a contact form sends.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"name": "Maria Lopez", "email": "maria@example.com", "message": "Do you bake gluten-free loaves on Saturdays?"}))]
#[allow(dead_code)] // Documents the body; the handler reads `FormFields`.
struct FormBody {
    #[schema(max_length = 100)]
    name: String,
    #[schema(max_length = 254)]
    email: String,
    #[schema(max_length = 4000)]
    message: String,
    /// Leave empty: a field people never see, which only bots fill.
    website: Option<String>,
}

/// Send a message to the business behind a published page.
#[utoipa::path(
    post, path = "/v1/forms/{token}", operation_id = "submitForm", tag = "forms",
    params(("token" = String, Path, description = "The form's token, from the page's form address")),
    request_body(content(
        (FormBody = "application/json"),
        (FormBody = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 202, description = "Received (JSON)", body = Received),
        (status = 303, description = "Received (HTML form): back to the page, at its confirmation", headers(("Location" = String))),
        (status = 200, description = "Received (HTML form without a referring page)", content_type = "text/html", body = String, example = json!("<!doctype html><title>Message sent</title><p>Thank you. Your message has been sent.</p>")),
        (status = 404, description = "No such form", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than 16 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither JSON nor a form", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn submit_form(
    State(submissions): State<Arc<dyn SubmissionStore>>,
    State(secrets): State<Arc<dyn SecretStore>>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let key = secrets
        .get(SecretName::CursorKey)
        .await
        .map_err(Problem::internal)?;
    let project_id = FormToken::new(key.as_bytes())
        .verify(&token)
        .ok_or_else(|| Problem::not_found().detail("no such form"))?;
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let html_form = match content_type.as_str() {
        "application/x-www-form-urlencoded" => true,
        "application/json" => false,
        _ => {
            return Err(Problem::new(ProblemKind::UnsupportedMediaType)
                .detail("send application/json or application/x-www-form-urlencoded"));
        }
    };
    let bytes = to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| Problem::new(ProblemKind::PayloadTooLarge))?;
    let fields: FormFields = if html_form {
        serde_urlencoded::from_bytes(&bytes)
            .map_err(|err| Problem::new(ProblemKind::InvalidBody).detail(err.to_string()))?
    } else {
        serde_json::from_slice(&bytes)
            .map_err(|err| Problem::new(ProblemKind::MalformedJson).detail(err.to_string()))?
    };
    // Bots get the same answer as people; what they send is not kept.
    if !fields.is_spam() {
        let submission = fields
            .submission(project_id, OffsetDateTime::now_utc())
            .map_err(Problem::field_errors)?;
        submissions.add(&submission).await?;
        tracing::info!(%project_id, submission_id = %submission.id, "form message received");
    }
    if !html_form {
        return Ok((StatusCode::ACCEPTED, Json(Received { status: "received" })).into_response());
    }
    match headers.get(REFERER).and_then(|v| v.to_str().ok()).and_then(back_to_page) {
        Some(location) => Ok((StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response()),
        None => Ok(Html(
            "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>Message sent</title><p>Thank you. Your message has been sent.</p></html>",
        )
        .into_response()),
    }
}

/// The page the form was on, at its confirmation anchor; only an http(s) address.
fn back_to_page(referer: &str) -> Option<HeaderValue> {
    let mut url = url::Url::parse(referer).ok()?;
    if !matches!(url.scheme(), "http" | "https") || referer.len() > 2048 {
        return None;
    }
    url.set_fragment(Some(SENT_ANCHOR));
    HeaderValue::from_str(url.as_str()).ok()
}

/// List the messages visitors sent through a project's pages, newest first.
#[utoipa::path(
    get, path = "/v1/projects/{id}/submissions", operation_id = "listSubmissions", tag = "forms",
    params(("id" = Uuid, Path, description = "Project id"), ListParams),
    responses(
        (status = 200, description = "One page of messages", body = SubmissionList),
        (status = 400, description = "Invalid limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project for this user", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_submissions(
    State(projects): State<Arc<dyn ProjectStore>>,
    State(submissions): State<Arc<dyn SubmissionStore>>,
    State(secrets): State<Arc<dyn SecretStore>>,
    principal: Principal,
    Path(id): Path<String>,
    query: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<SubmissionList>, Problem> {
    let id = uuid_or_404(&id)?;
    projects
        .get(&principal.sub, id)
        .await?
        .ok_or_else(Problem::not_found)?;
    let scope = format!("{}/{id}/submissions", principal.sub);
    let listing = Listing::read(query, secrets.as_ref(), scope).await?;
    let mut items = submissions
        .list(id, listing.limit + 1, listing.after::<Uuid>()?)
        .await?;
    let more = items.len() > listing.limit;
    items.truncate(listing.limit);
    let next = more.then(|| items.last().map(|s| s.id)).flatten();
    Ok(Json(listing.page(items, next)))
}
