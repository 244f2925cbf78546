//! The meter function: the caller's credits and usage, their API keys, and the administrator's
//! grants and tier changes; and the consumer of usage events, which settles the holds that
//! the generate, image and optimize stages placed.

pub mod lambda;

use std::sync::Arc;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use axum::extract::{FromRef, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use futures::FutureExt;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use visions_api::auth::{JwtVerifier, Principal};
use visions_api::cors::Cors;
use visions_api::idempotency_key;
use visions_api::json::JsonBody;
use visions_api::list::{ListParams, Listing};
use visions_api::metering::{account, release_expired};
use visions_api::problem::{FieldError, Problem, ProblemKind};
use visions_api::range::time_range;
use visions_domain::credits::{Adjusted, CreditStore, DayTotal, Hold, LedgerEntry, UsageEvent};
use visions_domain::keys::{ApiKey, ApiKeyStore};
use visions_domain::ports::{SecretStore, StoreError};
use visions_domain::project::json_i64;
use visions_domain::text::has_control_chars;
use visions_domain::tier::Tier;
use visions_metering::Metering;

#[derive(Clone)]
pub struct Ports {
    pub credits: Arc<dyn CreditStore>,
    pub keys: Arc<dyn ApiKeyStore>,
    /// The cursor key.
    pub secrets: Arc<dyn SecretStore>,
    pub verifier: Arc<JwtVerifier>,
    pub metering: Arc<Metering>,
}

impl FromRef<Ports> for Arc<JwtVerifier> {
    fn from_ref(ports: &Ports) -> Self {
        ports.verifier.clone()
    }
}

/// Live keys one user may hold.
pub const MAX_KEYS: usize = 20;
/// The most one grant may add or remove.
pub const MAX_ADJUSTMENT: i64 = 10_000_000;

pub fn app(ports: Ports, cors: &Cors) -> Router {
    visions_api::finish(router().with_state(ports), cors)
}

visions_api::api_routes!(Ports =>
    get_credits,
    get_usage,
    create_key,
    list_keys,
    revoke_key,
    grant_credits,
    set_tier,
);

/// The caller's balance and what is held for work in progress.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "tier": "free", "balance": 23, "held": 2,
    "holds": [{"reference": "0190c5a1-0b7d-7e11-8a3c-2f9d6b4e8a10", "amount": 2, "description": "generate a page", "created_at": "2026-12-01T09:31:00Z"}]
}))]
pub struct Credits {
    pub tier: Tier,
    /// Credits available to spend.
    pub balance: u64,
    /// Credits reserved by the holds below.
    pub held: u64,
    pub holds: Vec<Hold>,
}

/// A range of the ledger, newest first, and the per-day totals of the whole range.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "items": [{"id": "0190c5a1-2a00-7e11-8a3c-2f9d6b4e8a10", "kind": "settle", "amount": 0, "balance": 23, "charged": 2, "reference": "0190c5a1-0b7d-7e11-8a3c-2f9d6b4e8a10", "description": "generate a page: 1 page by local:composer", "created_at": "2026-12-01T09:31:09Z"}],
    "days": [{"day": "2026-12-01", "charged": 2, "granted": 25, "removed": 0}]
}))]
pub struct Usage {
    pub items: Vec<LedgerEntry>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    pub days: Vec<DayTotal>,
}

/// The range of `GET /v1/usage`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsageRange {
    /// Start (inclusive): an RFC 3339 date-time or a `YYYY-MM-DD` day (UTC); 30 days before
    /// `to` when absent.
    #[param(
        example = "2026-11-01",
        pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2}))?$"
    )]
    from: Option<String>,
    /// End (exclusive), as `from`; now when absent (everything so far). At most 366 days after
    /// `from`.
    #[param(
        example = "2026-12-02",
        pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2}))?$"
    )]
    to: Option<String>,
}

/// Body of `POST /v1/keys`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "production server"}))]
pub struct NewKey {
    /// What the key is for: 1 to 64 characters.
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"
    )]
    pub name: String,
}

/// A new key with its value, shown this once.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "0190c5a1b0b77e118a3c2f9d6b4e8a10", "name": "production server", "prefix": "vk_Ab12", "tier": "free", "created_at": "2026-12-01T09:31:00Z", "value": "vk_Ab12cD34eF56gH78iJ90kL12mN34oP56qR78sT90"}))]
pub struct CreatedKey {
    #[serde(flatten)]
    pub key: ApiKey,
    /// Send as `x-api-key`. It is not stored and cannot be shown again.
    pub value: String,
}

/// The caller's live keys, newest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"items": [{"id": "0190c5a1b0b77e118a3c2f9d6b4e8a10", "name": "production server", "prefix": "vk_Ab12", "tier": "free", "created_at": "2026-12-01T09:31:00Z"}]}))]
pub struct KeyList {
    pub items: Vec<ApiKey>,
}

/// Body of `POST /v1/admin/credits`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"user": "user-42", "amount": 100, "reason": "conference promotion"}))]
pub struct Grant {
    /// The user's `sub`: 1 to 256 characters, not only spaces, no control characters.
    #[schema(
        min_length = 1,
        max_length = 256,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"
    )]
    pub user: String,
    /// Credits to add (negative: to remove, down to a zero balance at most); not zero.
    #[serde(deserialize_with = "json_i64")]
    #[schema(minimum = -10000000, maximum = 10000000)]
    pub amount: i64,
    /// Why, for the user's ledger: 1 to 200 characters, not only spaces, no control characters.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"
    )]
    pub reason: String,
}

/// Body of `PUT /v1/admin/users/{id}/tier`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"tier": "pro"}))]
pub struct TierChange {
    pub tier: Tier,
}

/// A user's account, as an administrator sees it after a change.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"user": "user-42", "tier": "pro", "balance": 600, "held": 0, "applied": true}))]
pub struct AccountView {
    pub user: String,
    pub tier: Tier,
    pub balance: u64,
    pub held: u64,
    /// False when the same Idempotency-Key was applied before (nothing changed this time).
    pub applied: bool,
}

fn admin_only(principal: &Principal) -> Result<(), Problem> {
    if principal.admin {
        Ok(())
    } else {
        Err(Problem::new(ProblemKind::Forbidden).detail("this needs the admin role"))
    }
}

fn text_problem(field: &str, value: &str, max: usize) -> Option<FieldError> {
    let chars = value.chars().count();
    (value.trim().is_empty() || chars > max || has_control_chars(value, false)).then(|| {
        FieldError::new(
            field,
            format!("must be 1 to {max} characters, not only spaces, without control characters"),
        )
    })
}

/// Your balance, tier and open holds. A first call opens the account with the tier's signup
/// credits; a hold whose request crashed before settling is given back here.
#[utoipa::path(
    get, path = "/v1/credits", operation_id = "getCredits", tag = "metering",
    responses(
        (status = 200, description = "Balance and holds", body = Credits),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn get_credits(
    State(ports): State<Ports>,
    principal: Principal,
) -> Result<Json<Credits>, Problem> {
    release_expired(ports.credits.as_ref(), &principal.sub).await?;
    let account = account(ports.credits.as_ref(), &ports.metering, &principal).await?;
    let holds = ports.credits.holds(&principal.sub).await?;
    Ok(Json(Credits {
        tier: account.tier,
        balance: account.balance,
        held: account.held,
        holds,
    }))
}

/// Your ledger over a range, newest first, with per-day totals.
#[utoipa::path(
    get, path = "/v1/usage", operation_id = "getUsage", tag = "metering",
    params(UsageRange, ListParams),
    responses(
        (status = 200, description = "Ledger entries and daily totals", body = Usage),
        (status = 400, description = "Invalid range, limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn get_usage(
    State(ports): State<Ports>,
    principal: Principal,
    range: Result<Query<UsageRange>, axum::extract::rejection::QueryRejection>,
    list: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Usage>, Problem> {
    let Query(range) =
        range.map_err(|err| Problem::new(ProblemKind::InvalidQuery).detail(err.body_text()))?;
    // A first look opens the account, so its signup grant is there to see.
    account(ports.credits.as_ref(), &ports.metering, &principal).await?;
    let (from, to) = time_range(
        range.from.as_deref(),
        range.to.as_deref(),
        OffsetDateTime::now_utc(),
    )
    .map_err(|detail| Problem::new(ProblemKind::InvalidQuery).detail(detail))?;
    // The cursor is bound to the user and to this range.
    let scope = format!(
        "{}/usage/{}/{}",
        principal.sub,
        from.unix_timestamp(),
        to.unix_timestamp()
    );
    let listing = Listing::read(list, ports.secrets.as_ref(), scope).await?;
    let mut items = ports
        .credits
        .ledger(
            &principal.sub,
            from,
            to,
            listing.limit + 1,
            listing.after::<uuid::Uuid>()?,
        )
        .await?;
    let more = items.len() > listing.limit;
    items.truncate(listing.limit);
    let next = items.last().filter(|_| more).map(|entry| entry.id);
    let days = ports.credits.daily(&principal.sub, from, to).await?;
    let page = listing.page(items, next);
    Ok(Json(Usage {
        items: page.items,
        next_cursor: page.next_cursor,
        days,
    }))
}

/// Create an API key on your tier's usage plan. Its value is in this answer only.
#[utoipa::path(
    post, path = "/v1/keys", operation_id = "createKey", tag = "metering",
    request_body = NewKey,
    responses(
        (status = 201, description = "The key and its value", body = CreatedKey),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already 20 live keys", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid name", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn create_key(
    State(ports): State<Ports>,
    principal: Principal,
    JsonBody(request): JsonBody<NewKey>,
) -> Result<Response, Problem> {
    if let Some(error) = text_problem("name", &request.name, 64) {
        return Err(Problem::field_errors(vec![error]));
    }
    let account = account(ports.credits.as_ref(), &ports.metering, &principal).await?;
    if ports.keys.list(&principal.sub).await?.len() >= MAX_KEYS {
        return Err(Problem::new(ProblemKind::Conflict).detail(format!(
            "you already have {MAX_KEYS} live keys; revoke one first"
        )));
    }
    let (key, value) = ports
        .keys
        .create(&principal.sub, request.name.trim(), account.tier)
        .await?;
    tracing::info!(key_id = %key.id, "API key created");
    Ok((StatusCode::CREATED, Json(CreatedKey { key, value })).into_response())
}

/// Your live API keys (never their values).
#[utoipa::path(
    get, path = "/v1/keys", operation_id = "listKeys", tag = "metering",
    responses(
        (status = 200, description = "Your keys", body = KeyList),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn list_keys(
    State(ports): State<Ports>,
    principal: Principal,
) -> Result<Json<KeyList>, Problem> {
    Ok(Json(KeyList {
        items: ports.keys.list(&principal.sub).await?,
    }))
}

/// Revoke one of your keys: requests sending it are refused from now on.
#[utoipa::path(
    delete, path = "/v1/keys/{id}", operation_id = "revokeKey", tag = "metering",
    params(("id" = String, Path, description = "The key's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such live key of yours", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn revoke_key(
    State(ports): State<Ports>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    if id.len() > 128 || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Problem::not_found());
    }
    ports.keys.revoke(&principal.sub, &id).await?;
    tracing::info!(key_id = %id, "API key revoked");
    Ok(StatusCode::NO_CONTENT)
}

/// Add or remove a user's credits (the admin role only). The Idempotency-Key makes a retried
/// grant apply once.
#[utoipa::path(
    post, path = "/v1/admin/credits", operation_id = "grantCredits", tag = "metering",
    params(
        ("Idempotency-Key" = String, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$", description = "A unique key per grant; a retry with the same key changes nothing"),
    ),
    request_body = Grant,
    responses(
        (status = 200, description = "The account after the grant", body = AccountView),
        (status = 400, description = "Malformed body or missing Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json", example = json!({"type": "https://visions.ai/problems/forbidden", "title": "This operation is not allowed", "status": 403, "detail": "this needs the admin role"})),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid user, amount or reason", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn grant_credits(
    State(ports): State<Ports>,
    principal: Principal,
    headers: HeaderMap,
    JsonBody(request): JsonBody<Grant>,
) -> Result<Json<AccountView>, Problem> {
    admin_only(&principal)?;
    let key = idempotency_key(&headers, "a retried grant applies once")?;
    let mut errors: Vec<FieldError> = [
        text_problem("user", &request.user, 256),
        text_problem("reason", &request.reason, 200),
    ]
    .into_iter()
    .flatten()
    .collect();
    if request.amount == 0 || request.amount.abs() > MAX_ADJUSTMENT {
        errors.push(FieldError::new(
            "amount",
            format!("must be a non-zero whole number from -{MAX_ADJUSTMENT} to {MAX_ADJUSTMENT}"),
        ));
    }
    if !errors.is_empty() {
        return Err(Problem::field_errors(errors));
    }
    let description = format!("{} (by {})", request.reason.trim(), principal.sub);
    let adjusted = ports
        .credits
        .adjust(
            &request.user,
            &format!("grant:{key}"),
            request.amount,
            &description,
            Tier::Free,
        )
        .await?;
    let (account, applied) = match adjusted {
        Adjusted::Applied(account) => (account, true),
        Adjusted::Repeated(account) => (account, false),
    };
    tracing::info!(user = %request.user, amount = request.amount, applied, "credits granted");
    Ok(Json(AccountView {
        user: request.user,
        tier: account.tier,
        balance: account.balance,
        held: account.held,
        applied,
    }))
}

/// Set a user's tier (the admin role only); their API keys move to the tier's usage plan.
#[utoipa::path(
    put, path = "/v1/admin/users/{id}/tier", operation_id = "setTier", tag = "metering",
    params(("id" = String, Path, min_length = 1, max_length = 256, pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$", description = "The user's `sub`")),
    request_body = TierChange,
    responses(
        (status = 200, description = "The account on its new tier", body = AccountView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json", example = json!({"type": "https://visions.ai/problems/forbidden", "title": "This operation is not allowed", "status": 403, "detail": "this needs the admin role"})),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid user id", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn set_tier(
    State(ports): State<Ports>,
    principal: Principal,
    Path(user): Path<String>,
    JsonBody(request): JsonBody<TierChange>,
) -> Result<Json<AccountView>, Problem> {
    admin_only(&principal)?;
    if let Some(error) = text_problem("id", &user, 256) {
        return Err(Problem::field_errors(vec![error]));
    }
    let grant = ports.metering.plan(request.tier).signup_credits;
    let account = ports.credits.set_tier(&user, request.tier, grant).await?;
    ports.keys.move_to(&user, request.tier).await?;
    tracing::info!(%user, tier = request.tier.as_str(), "tier changed");
    Ok(Json(AccountView {
        user,
        tier: account.tier,
        balance: account.balance,
        held: account.held,
        applied: true,
    }))
}

/// Settles the holds named by a batch of usage events. A redelivered event finds its hold
/// gone and changes nothing; a message that cannot be read, or a store failure, is reported
/// for another delivery (and reaches the dead-letter queue after the queue's receive limit).
pub async fn handle_usage_batch(credits: &dyn CreditStore, event: SqsEvent) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for message in event.records {
        let id = message.message_id.clone().unwrap_or_default();
        let outcome = std::panic::AssertUnwindSafe(apply_message(credits, message.body.as_deref()))
            .catch_unwind()
            .await
            .unwrap_or_else(|_| Err("settling panicked".to_owned()));
        if let Err(reason) = outcome {
            tracing::error!(message_id = %id, %reason, "usage event not applied");
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            response.batch_item_failures.push(failure);
        }
    }
    response
}

async fn apply_message(credits: &dyn CreditStore, body: Option<&str>) -> Result<(), String> {
    let event: UsageEvent = serde_json::from_str(body.unwrap_or_default())
        .map_err(|err| format!("not a usage event: {err}"))?;
    match credits
        .settle(&event.owner, &event.reference, &event.settlement)
        .await
    {
        Ok(Some(entry)) => {
            tracing::info!(reference = %event.reference, charged = entry.charged, "hold settled");
            Ok(())
        }
        Ok(None) => {
            tracing::info!(reference = %event.reference, "hold already settled; duplicate dropped");
            Ok(())
        }
        Err(StoreError::NotFound) => Err(format!("{} has no account", event.owner)),
        Err(err) => Err(err.to_string()),
    }
}
