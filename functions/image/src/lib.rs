//! The image function: `POST /v1/images` draws an image with the requested model (the
//! deployment's default, `local:art` unless configured), makes its responsive WebP widths and
//! stores them on the CDN; `GET /v1/assets/{id}` reads an asset back. Every asset, failed ones
//! included, is kept with its state and, when it failed, the reason.
//!
//! The call is synchronous and bounded by [`GENERATION_TIMEOUT`], under API Gateway's 29 s:
//! an image model that takes longer is a 502 that names the timeout, and the asset keeps it.

pub mod lambda;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRef, Path, State};
use axum::http::{HeaderValue, StatusCode, header::LOCATION};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use visions_api::auth::{JwtVerifier, Principal};
use visions_api::cors::Cors;
use visions_api::json::JsonBody;
use visions_api::metering::{CREDITS_HEADER, SYNC_HOLD_TTL, account, hold_for_request};
use visions_api::problem::{FieldError, Problem, ProblemKind};
use visions_assets::{AssetFailure, Studio};
use visions_domain::asset::{
    Aspect, Asset, AssetOrigin, AssetStatus, AssetStore, MAX_UPLOAD_BYTES, UploadForm,
    UploadSigner, original_key,
};
use visions_domain::credits::{CreditStore, Settlement, UsageEvent, UsageEvents};
use visions_domain::ports::{BlobStore, PageVersion, ProjectStore, VersionStore};
use visions_domain::text::has_control_chars;
use visions_llm::ModelName;
use visions_llm::images::ImageRequest;
use visions_metering::{Metering, ModelUse, Plan};

/// The longest `POST /v1/images` waits for a model, under API Gateway's 29 s limit.
pub const GENERATION_TIMEOUT: Duration = Duration::from_secs(25);
pub const MAX_PROMPT_CHARS: usize = 2000;

#[derive(Clone)]
pub struct Ports {
    pub assets: Arc<dyn AssetStore>,
    pub projects: Arc<dyn ProjectStore>,
    pub studio: Arc<Studio>,
    /// The model used when a request names none.
    pub default_model: ModelName,
    pub verifier: Arc<JwtVerifier>,
    /// Signs upload forms (a presigned S3 POST into the private uploads bucket).
    pub uploads: Arc<dyn UploadSigner>,
    /// Placing an image makes a new version of the page, rendered and stored like any other.
    pub versions: Arc<dyn VersionStore>,
    pub blobs: Arc<dyn BlobStore>,
    /// Images are paid for: a hold before the model is called, settled after.
    pub credits: Arc<dyn CreditStore>,
    pub metering: Arc<Metering>,
    /// Where settlements go (the meter's queue).
    pub usage: Arc<dyn UsageEvents>,
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
    create_image,
    get_asset,
    create_upload,
    place_image,
);

/// What to draw.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"prompt": "Sourdough loaves cooling on a linen cloth, morning light", "size": "wide"}))]
pub struct ImageInput {
    /// Subject, composition, light and style; 1 to 2000 characters.
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]*$"
    )]
    pub prompt: String,
    /// The shape: each provider is asked for its nearest size.
    pub size: Aspect,
    /// A provider style where it has one: `vivid` or `natural` (DALL-E 3), a Stability
    /// `style_preset` such as `photographic`.
    #[serde(default)]
    #[schema(max_length = 40, pattern = "^[a-z0-9-]{1,40}$")]
    pub style: Option<String>,
    /// `provider:model` (`openai:gpt-image-1`, `openai:dall-e-3`, `stability:core`,
    /// `compatible:<model>`, `local:art`); the deployment's default when absent.
    #[serde(default)]
    #[schema(
        max_length = 128,
        pattern = "^[a-z0-9_-]+:[A-Za-z0-9_.:/@-]+$",
        example = "local:art"
    )]
    pub model: Option<String>,
    /// A project of yours the image belongs to.
    #[serde(default)]
    pub project_id: Option<Uuid>,
}

fn validate(input: &ImageInput, default: &ModelName) -> Result<(String, ModelName), Problem> {
    let mut errors = Vec::new();
    let prompt = input.prompt.trim();
    if prompt.is_empty()
        || prompt.chars().count() > MAX_PROMPT_CHARS
        || has_control_chars(prompt, true)
    {
        errors.push(FieldError::new(
            "prompt",
            format!("must be 1 to {MAX_PROMPT_CHARS} characters, not only spaces, without control characters"),
        ));
    }
    if let Some(style) = &input.style
        && (style.is_empty()
            || style.len() > 40
            || !style
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
    {
        errors.push(FieldError::new(
            "style",
            "must be 1 to 40 of a-z, 0-9 and -",
        ));
    }
    let model = match input.model.as_deref() {
        None => Some(default.clone()),
        Some(name) => match ModelName::parse(name) {
            Ok(model) => Some(model),
            Err(message) => {
                errors.push(FieldError::new("model", message));
                None
            }
        },
    };
    match model {
        Some(model) if errors.is_empty() => Ok((prompt.to_owned(), model)),
        _ => Err(Problem::field_errors(errors)),
    }
}

/// A project named in a request must be one of the caller's.
async fn check_project(ports: &Ports, owner: &str, project: Option<Uuid>) -> Result<(), Problem> {
    match project {
        Some(id) if ports.projects.get(owner, id).await?.is_none() => {
            Err(Problem::not_found().detail("no project of yours has that id"))
        }
        _ => Ok(()),
    }
}

/// 201 with the asset's address.
fn created(asset: Uuid, body: impl serde::Serialize) -> Result<Response, Problem> {
    let location =
        HeaderValue::from_str(&format!("/v1/assets/{asset}")).map_err(Problem::internal)?;
    Ok((StatusCode::CREATED, [(LOCATION, location)], Json(body)).into_response())
}

/// Generate an image: drawn by the model, optimized into responsive WebP widths on the CDN.
#[utoipa::path(
    post, path = "/v1/images", operation_id = "createImage", tag = "images",
    request_body = ImageInput,
    responses(
        (status = 201, description = "The image, ready, with its widths and placeholder", body = Asset,
         headers(("Location" = String), ("Visions-Credits" = u64, description = "Credits charged for the image"))),
        (status = 400, description = "Malformed or unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 402, description = "The balance does not cover the image", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The image model needs another tier", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No project of yours has that id", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed, or the model refused the prompt (`image-refused`; the asset keeps the reason)", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "The image model failed or timed out; the asset keeps the reason", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn create_image(
    State(ports): State<Ports>,
    principal: Principal,
    JsonBody(input): JsonBody<ImageInput>,
) -> Result<Response, Problem> {
    let (prompt, model) = validate(&input, &ports.default_model)?;
    if ports.studio.models.get(&model).is_err() {
        return Err(Problem::field_errors(vec![FieldError::new(
            "model",
            format!("{model} is not offered by this deployment"),
        )]));
    }
    let tier = account(ports.credits.as_ref(), &ports.metering, &principal)
        .await?
        .tier;
    let allowed = |plan: &Plan| plan.allows_model(&model, ModelUse::Image);
    if !allowed(ports.metering.plan(tier)) {
        return Err(Problem::tier_required(
            &model.to_string(),
            ports.metering.tier_needed(allowed),
        ));
    }
    check_project(&ports, &principal.sub, input.project_id).await?;
    let now = OffsetDateTime::now_utc();
    let mut asset = Asset::new(AssetOrigin::Generated, input.project_id, now);
    asset.prompt = Some(prompt.clone());
    asset.model = Some(model.to_string());
    let cost = ports.metering.image_cost(&model);
    let reference = asset.id.to_string();
    if cost > 0 {
        hold_for_request(
            ports.credits.as_ref(),
            &principal.sub,
            &reference,
            cost,
            &format!("image by {model}"),
            SYNC_HOLD_TTL,
        )
        .await?;
    }
    ports.assets.insert(&principal.sub, &asset).await?;
    let request = ImageRequest {
        prompt,
        aspect: input.size,
        style: input.style,
        palette: Vec::new(),
    };
    let made = tokio::time::timeout(
        GENERATION_TIMEOUT,
        ports.studio.generate(&model, &request, asset.id),
    )
    .await
    .unwrap_or_else(|_| {
        Err(AssetFailure::Model(format!(
            "no image within {} s",
            GENERATION_TIMEOUT.as_secs()
        )))
    });
    asset.updated_at = OffsetDateTime::now_utc();
    match made {
        Ok(picture) => {
            asset.status = AssetStatus::Ready;
            asset.picture = Some(picture);
            ports.assets.save(&principal.sub, &asset).await?;
            tracing::info!(asset_id = %asset.id, %model, "image created");
            let settle = Settlement::Settle {
                charged: cost,
                description: format!("image by {model}"),
            };
            settle_request(&ports, &principal.sub, &reference, cost, settle).await;
            let mut response = created(asset.id, asset)?;
            response.headers_mut().insert(
                axum::http::HeaderName::from_static(CREDITS_HEADER),
                HeaderValue::from(cost),
            );
            Ok(response)
        }
        Err(failure) => {
            asset.status = AssetStatus::Failed;
            asset.failure = Some(failure.to_string());
            let release = Settlement::Release {
                reason: failure.to_string(),
            };
            settle_request(&ports, &principal.sub, &reference, cost, release).await;
            ports.assets.save(&principal.sub, &asset).await?;
            tracing::warn!(asset_id = %asset.id, %model, %failure, "image failed");
            let kind = match failure {
                AssetFailure::Refused(_) => ProblemKind::ImageRefused,
                _ => ProblemKind::UpstreamFailed,
            };
            Err(Problem::new(kind)
                .detail(format!("{failure}; asset {} keeps the reason", asset.id)))
        }
    }
}

/// Sends the settlement of a request's hold. When it cannot be sent, the hold stays until it
/// expires and is given back: the user is never charged for what was not settled.
async fn settle_request(
    ports: &Ports,
    owner: &str,
    reference: &str,
    held: u64,
    settlement: Settlement,
) {
    if held == 0 {
        return;
    }
    let event = UsageEvent {
        owner: owner.to_owned(),
        reference: reference.to_owned(),
        settlement,
    };
    if let Err(err) = ports.usage.emit(&event).await {
        tracing::error!(error = %err, %reference, "sending a settlement failed; the hold will expire");
    }
}

/// An image asset of yours: its state, widths and placeholder, or why it failed.
#[utoipa::path(
    get, path = "/v1/assets/{id}", operation_id = "getAsset", tag = "images",
    params(("id" = Uuid, Path, description = "Asset id")),
    responses(
        (status = 200, description = "The asset", body = Asset),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No asset of yours has that id", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn get_asset(
    State(ports): State<Ports>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<Asset>, Problem> {
    let id = Uuid::try_parse(&id).map_err(|_| Problem::not_found())?;
    let asset = ports
        .assets
        .get(&principal.sub, id)
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(Json(asset))
}

/// How long an upload form stays valid.
pub const UPLOAD_WINDOW: time::Duration = time::Duration::minutes(15);
/// How long an upload's hold waits for the optimize stage: the form's window plus ample time
/// for S3's notification and the queue; an upload never made gets its credits back after it.
pub const UPLOAD_HOLD_TTL: time::Duration = time::Duration::hours(2);

/// A file to upload.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"filename": "storefront.jpg", "content_type": "image/jpeg", "bytes": 2483011}))]
pub struct UploadInput {
    /// The file's name as the user has it; 1 to 255 characters, no path.
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = "^[^/\\\\\\x00-\\x1f\\x7f-\\x9f]*[^\\s/\\\\\\x00-\\x1f\\x7f-\\x9f][^/\\\\\\x00-\\x1f\\x7f-\\x9f]*$"
    )]
    pub filename: String,
    /// The file's type as declared; the bytes are checked too.
    pub content_type: UploadType,
    /// The file's size; the upload may not be larger. At most 40 MB.
    #[serde(deserialize_with = "visions_domain::project::optional_json_u64")]
    #[schema(value_type = u64, minimum = 1, maximum = 40000000)]
    pub bytes: Option<u64>,
    /// A project of yours the image belongs to.
    #[serde(default)]
    pub project_id: Option<Uuid>,
}

/// The image types an upload may declare.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
pub enum UploadType {
    #[serde(rename = "image/jpeg")]
    Jpeg,
    #[serde(rename = "image/png")]
    Png,
    #[serde(rename = "image/gif")]
    Gif,
    #[serde(rename = "image/webp")]
    Webp,
}

impl UploadType {
    pub fn mime(self) -> &'static str {
        match self {
            UploadType::Jpeg => "image/jpeg",
            UploadType::Png => "image/png",
            UploadType::Gif => "image/gif",
            UploadType::Webp => "image/webp",
        }
    }
}

/// A pending upload: the asset it will become, and the form to send the file with.
#[derive(Debug, serde::Serialize, ToSchema)]
#[schema(example = json!({
    "asset": {"id": "0193a5b7-c1d2-7e8f-9a0b-1c2d3e4f5a6b", "origin": "upload", "status": "pending", "filename": "storefront.jpg", "created_at": "2026-12-02T09:30:00Z", "updated_at": "2026-12-02T09:30:00Z"},
    "upload": {
        "url": "https://visions-ai-dev-uploads.s3.us-east-1.amazonaws.com",
        "fields": {
            "key": "originals/616c696365/0193a5b7c1d27e8f9a0b1c2d3e4f5a6b",
            "Content-Type": "image/jpeg",
            "policy": "eyJleHBpcmF0aW9uIjoiMjAyNi0xMi0wMlQwOTo0NTowMFoiLCJjb25kaXRpb25zIjpbXX0=",
            "x-amz-algorithm": "AWS4-HMAC-SHA256",
            "x-amz-credential": "ASIAEXAMPLE/20261202/us-east-1/s3/aws4_request",
            "x-amz-date": "20261202T093000Z",
            "x-amz-signature": "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
        },
        "max_bytes": 2483011,
        "expires_at": "2026-12-02T09:45:00Z"
    }
}))]
pub struct Upload {
    pub asset: Asset,
    pub upload: UploadForm,
}

fn validate_upload(input: &UploadInput) -> Result<u64, Problem> {
    let mut errors = Vec::new();
    let name = input.filename.trim();
    if name.is_empty()
        || name.chars().count() > 255
        || name.contains(['/', '\\'])
        || has_control_chars(name, false)
    {
        errors.push(FieldError::new(
            "filename",
            "must be 1 to 255 characters, without a path or control characters",
        ));
    }
    let bytes = input.bytes.filter(|b| (1..=MAX_UPLOAD_BYTES).contains(b));
    if bytes.is_none() {
        errors.push(FieldError::new(
            "bytes",
            format!("must be from 1 to {MAX_UPLOAD_BYTES}"),
        ));
    }
    match bytes {
        Some(bytes) if errors.is_empty() => Ok(bytes),
        _ => Err(Problem::field_errors(errors)),
    }
}

/// Upload an image: answers with the form to send the file with (straight to storage). Once
/// it arrives, the optimize stage makes its widths and the asset turns `ready` (or `failed`,
/// with the reason: a file that is not a JPEG, PNG, GIF or WebP, a damaged one, one too large).
#[utoipa::path(
    post, path = "/v1/uploads", operation_id = "createUpload", tag = "images",
    request_body = UploadInput,
    responses(
        (status = 201, description = "The pending asset and its upload form", body = Upload,
         headers(("Location" = String))),
        (status = 400, description = "Malformed or unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 402, description = "The balance does not cover optimizing the upload (when the price table charges for uploads)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No project of yours has that id", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn create_upload(
    State(ports): State<Ports>,
    principal: Principal,
    JsonBody(input): JsonBody<UploadInput>,
) -> Result<Response, Problem> {
    let bytes = validate_upload(&input)?;
    check_project(&ports, &principal.sub, input.project_id).await?;
    account(ports.credits.as_ref(), &ports.metering, &principal).await?;
    let now = OffsetDateTime::now_utc();
    let mut asset = Asset::new(AssetOrigin::Upload, input.project_id, now);
    asset.filename = Some(input.filename.trim().to_owned());
    let price = ports.metering.prices.upload;
    if price > 0 {
        hold_for_request(
            ports.credits.as_ref(),
            &principal.sub,
            &asset.id.to_string(),
            price,
            "upload optimized",
            UPLOAD_HOLD_TTL,
        )
        .await?;
    }
    let key = original_key(&principal.sub, asset.id);
    let upload = ports
        .uploads
        .sign(&key, input.content_type.mime(), bytes, now + UPLOAD_WINDOW)
        .await?;
    ports.assets.insert(&principal.sub, &asset).await?;
    tracing::info!(asset_id = %asset.id, bytes, "upload signed");
    created(asset.id, Upload { asset, upload })
}

/// Which slot gets which image.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"slot_id": "hero-image", "asset_id": "0193a5b7-c1d2-7e8f-9a0b-1c2d3e4f5a6b"}))]
pub struct Placement {
    /// An image slot of the page, e.g. `hero-image`, `gallery-2`.
    #[schema(min_length = 1, max_length = 64)]
    pub slot_id: String,
    /// A ready asset of yours: generated, or uploaded.
    pub asset_id: Uuid,
}

/// The version a placement made.
#[derive(Debug, serde::Serialize, ToSchema)]
#[schema(example = json!({"number": 4, "html_url": "https://d111111abcdef8.cloudfront.net/pages/5f2a9c0d7e4b1a3c8d6e2f9a0b7c4d1e/index.html", "quality": {"score": 100, "publishable": true, "findings": []}}))]
pub struct PlacedVersion {
    pub number: u64,
    /// Where the rendered HTML is served.
    pub html_url: String,
    pub quality: visions_domain::page::Quality,
}

/// Put an image (uploaded or generated) into a slot of a page: a new version, the next
/// number, equal to version `number` but for that slot's picture, rendered and checked.
#[utoipa::path(
    post, path = "/v1/projects/{id}/versions/{number}/images", operation_id = "placeImage", tag = "images",
    params(("id" = Uuid, Path, description = "Project id"), ("number" = u64, Path, description = "The version to start from")),
    request_body = Placement,
    responses(
        (status = 201, description = "The new version", body = PlacedVersion, headers(("Location" = String))),
        (status = 400, description = "Malformed or unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project, version, slot or asset of yours", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The asset is not ready", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn place_image(
    State(ports): State<Ports>,
    principal: Principal,
    Path((id, number)): Path<(String, String)>,
    JsonBody(placement): JsonBody<Placement>,
) -> Result<Response, Problem> {
    let project_id = Uuid::try_parse(&id).map_err(|_| Problem::not_found())?;
    let number: u64 = number.parse().map_err(|_| Problem::not_found())?;
    let owner = &principal.sub;
    ports
        .projects
        .get(owner, project_id)
        .await?
        .ok_or_else(Problem::not_found)?;
    let base = ports
        .versions
        .get(owner, project_id, number)
        .await?
        .ok_or_else(Problem::not_found)?;
    let asset = ports
        .assets
        .get(owner, placement.asset_id)
        .await?
        .ok_or_else(|| Problem::not_found().detail("no asset of yours has that id"))?;
    let picture = match (asset.status, asset.picture) {
        (AssetStatus::Ready, Some(picture)) => picture,
        _ => {
            return Err(Problem::field_errors(vec![FieldError::new(
                "asset_id",
                "the asset is not ready (an upload still being optimized, or a failed one)",
            )]));
        }
    };
    let mut page = base.page.clone();
    let slot = page
        .sections
        .iter_mut()
        .flat_map(|s| s.content.image_slots_mut())
        .find(|slot| slot.id == placement.slot_id)
        .ok_or_else(|| Problem::not_found().detail("the page has no image slot with that id"))?;
    slot.picture = Some(picture);
    slot.failure = None;
    let quality = visions_quality::check_page(&page);
    let html = visions_page::render_page(&page);
    let html_key = format!("pages/{}/index.html", Uuid::new_v4().simple());
    ports
        .blobs
        .put(&html_key, html.into_bytes(), "text/html; charset=utf-8")
        .await?;
    let version = PageVersion {
        number: 0,
        page,
        html_key: html_key.clone(),
        created_at: OffsetDateTime::now_utc(),
        quality: quality.clone(),
        restored_from: None,
        ..base
    };
    let new_number = ports.versions.append(owner, &version).await?;
    tracing::info!(%project_id, from = number, to = new_number, slot = %placement.slot_id, "image placed");
    let location =
        HeaderValue::from_str(&format!("/v1/projects/{project_id}/versions/{new_number}"))
            .map_err(Problem::internal)?;
    Ok((
        StatusCode::CREATED,
        [(LOCATION, location)],
        Json(PlacedVersion {
            number: new_number,
            html_url: ports.blobs.public_url(&html_key),
            quality,
        }),
    )
        .into_response())
}
