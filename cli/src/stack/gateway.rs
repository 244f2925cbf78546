//! What API Gateway does in front of the functions on AWS, done by the local server: an
//! `x-api-key` must name a live key (403 otherwise), and each key gets its tier's usage plan: a
//! token bucket of the plan's rate and burst, and a daily quota (429 with `Retry-After` past
//! either). With `--require-api-key` a key is mandatory on every route the template protects;
//! without it, requests that send no key pass (the local default), those that send one are
//! held to it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header::RETRY_AFTER};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

use visions_api::problem::{Problem, ProblemKind};
use visions_domain::credits::day_of;
use visions_local::SqliteApiKeyStore;
use visions_metering::{Metering, Throttle};

/// The header API Gateway reads the key from.
pub const API_KEY_HEADER: &str = "x-api-key";

#[derive(Clone)]
pub struct Gateway {
    pub keys: SqliteApiKeyStore,
    pub metering: Arc<Metering>,
    /// Refuse requests without a key on protected routes.
    pub require_key: bool,
    buckets: Arc<Mutex<HashMap<String, Bucket>>>,
}

impl Gateway {
    pub fn new(keys: SqliteApiKeyStore, metering: Arc<Metering>, require_key: bool) -> Self {
        Self {
            keys,
            metering,
            require_key,
            buckets: Arc::default(),
        }
    }

    /// Takes a token from the key's bucket; the seconds to wait when there is none.
    fn take(&self, key_id: &str, throttle: Throttle) -> Result<(), u64> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let bucket = buckets.entry(key_id.to_owned()).or_insert(Bucket {
            tokens: f64::from(throttle.burst),
            at: Instant::now(),
        });
        bucket.take(throttle)
    }
}

/// A token bucket: `burst` tokens at most, refilled at `rate` a second.
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn take(&mut self, throttle: Throttle) -> Result<(), u64> {
        let now = Instant::now();
        let elapsed = now.duration_since(self.at).as_secs_f64();
        self.at = now;
        self.tokens = (self.tokens + elapsed * throttle.rate).min(f64::from(throttle.burst));
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(());
        }
        let wait = (1.0 - self.tokens) / throttle.rate;
        Err(wait.ceil().max(1.0) as u64)
    }
}

/// Whether `path` is an instance of `template` (`{name}` matches one segment).
fn matches(template: &str, path: &str) -> bool {
    let (mut template, mut path) = (template.split('/'), path.split('/'));
    loop {
        match (template.next(), path.next()) {
            (None, None) => return true,
            (Some(t), Some(p)) if t.starts_with('{') && t.ends_with('}') && !p.is_empty() => {}
            (Some(t), Some(p)) if t == p => {}
            _ => return false,
        }
    }
}

/// Routes that stay open without a key, as in the template: preflights and
/// [`visions_api::OPEN_ROUTES`], plus what the local server serves in place of the CDN and S3.
fn open(method: &Method, path: &str) -> bool {
    *method == Method::OPTIONS
        || path.starts_with("/assets/")
        || path == "/robots.txt"
        || (*method == Method::POST && matches("/v1/uploads/{token}", path))
        || visions_api::OPEN_ROUTES
            .iter()
            .any(|(m, template)| method.as_str() == *m && matches(template, path))
}

fn limited(detail: String, retry_after: u64) -> Response {
    let mut response = Problem::new(ProblemKind::RateLimited)
        .detail(detail)
        .into_response();
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(retry_after));
    response
}

fn refused(detail: &str) -> Response {
    Problem::new(ProblemKind::Forbidden)
        .detail(detail.to_owned())
        .into_response()
}

/// Seconds until the next UTC midnight, when daily quotas start again.
fn until_midnight(now: OffsetDateTime) -> u64 {
    let midnight = now
        .date()
        .next_day()
        .map(|day| day.midnight().assume_utc())
        .unwrap_or(now);
    u64::try_from((midnight - now).whole_seconds())
        .unwrap_or(0)
        .max(1)
}

pub async fn enforce(State(gateway): State<Gateway>, request: Request, next: Next) -> Response {
    let key = request
        .headers()
        .get(API_KEY_HEADER)
        .map(|value| value.to_str().unwrap_or("").to_owned());
    let Some(value) = key else {
        if gateway.require_key && !open(request.method(), request.uri().path()) {
            return refused("send your API key as x-api-key (create one with POST /v1/keys)");
        }
        return next.run(request).await;
    };
    let found = match gateway.keys.find(&value).await {
        Ok(found) => found,
        Err(err) => return Problem::internal(err).into_response(),
    };
    let Some(found) = found.filter(|found| !found.revoked) else {
        return refused("the x-api-key is unknown or revoked");
    };
    let plan = gateway.metering.plan(found.key.tier);
    if let Err(wait) = gateway.take(&found.key.id, plan.throttle) {
        return limited(
            format!(
                "this key's {} plan allows {} requests a second (bursts of {}); retry in {wait} s",
                found.key.tier.as_str(),
                plan.throttle.rate,
                plan.throttle.burst
            ),
            wait,
        );
    }
    let now = OffsetDateTime::now_utc();
    match gateway
        .keys
        .count_request(&found.key.id, &day_of(now))
        .await
    {
        Ok(count) if count > plan.quota_per_day => limited(
            format!(
                "this key's {} plan allows {} requests a day; the quota starts again at midnight UTC",
                found.key.tier.as_str(),
                plan.quota_per_day
            ),
            until_midnight(now),
        ),
        Ok(_) => next.run(request).await,
        Err(err) => Problem::internal(err).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_one_segment_per_parameter() {
        assert!(matches("/v1/forms/{token}", "/v1/forms/abc"));
        assert!(!matches("/v1/forms/{token}", "/v1/forms/"));
        assert!(!matches("/v1/forms/{token}", "/v1/forms/a/b"));
        assert!(matches("/healthz", "/healthz"));
        assert!(!matches("/healthz", "/healthz/x"));
    }

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let throttle = Throttle {
            rate: 2.0,
            burst: 3,
        };
        let mut bucket = Bucket {
            tokens: 3.0,
            at: Instant::now(),
        };
        for _ in 0..3 {
            assert_eq!(bucket.take(throttle), Ok(()));
        }
        assert_eq!(bucket.take(throttle), Err(1));
        bucket.at -= std::time::Duration::from_millis(600);
        assert_eq!(bucket.take(throttle), Ok(()));
    }

    #[test]
    fn quotas_restart_at_midnight_utc() {
        let now = time::macros::datetime!(2026-12-01 23:59:30 UTC);
        assert_eq!(until_midnight(now), 30);
    }
}
