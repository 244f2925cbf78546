//! Secrets from Secrets Manager by ARN, cached for a TTL so a rotated secret is picked up
//! without a redeploy and a warm function does not call Secrets Manager per request. Callers
//! that want the same secret at once share one request (a cold start fetches its signing key
//! while the runtime waits for the first event; that event's request then waits on it).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_secretsmanager::Client;
use visions_domain::ports::{SecretError, SecretName, SecretStore};

pub struct AwsSecrets {
    /// Made at the first read: a function that reads no secret at its cold start (a public
    /// token key, no provider key) does not pay for the client there (about 0.2 ms).
    client: LazyLock<Client, Box<dyn FnOnce() -> Client + Send>>,
    jwt_key_arn: Option<String>,
    cursor_key_arn: Option<String>,
    ttl: Duration,
    cache: Mutex<HashMap<String, Arc<Slot>>>,
}

/// One ARN's value and when it expires; locked across the fetch.
type Slot = tokio::sync::Mutex<Option<(Instant, Arc<str>)>>;

impl AwsSecrets {
    /// The service's own secrets by ARN (a function that verifies no token passes `None`).
    pub fn new(
        client: impl FnOnce() -> Client + Send + 'static,
        jwt_key_arn: Option<String>,
        cursor_key_arn: Option<String>,
        ttl: Duration,
    ) -> Self {
        Self {
            client: LazyLock::new(Box::new(client)),
            jwt_key_arn,
            cursor_key_arn,
            ttl,
            cache: Mutex::default(),
        }
    }

    async fn by_arn(&self, label: &str, arn: &str) -> Result<Arc<str>, SecretError> {
        let slot = self
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(arn.to_owned())
            .or_default()
            .clone();
        let mut slot = slot.lock().await;
        if let Some((expires, value)) = slot.as_ref() {
            if Instant::now() < *expires {
                return Ok(value.clone());
            }
        }
        let value: Arc<str> = fetch_aws(&self.client, label, arn).await?.into();
        *slot = Some((Instant::now() + self.ttl, value.clone()));
        Ok(value)
    }
}

#[async_trait::async_trait]
impl SecretStore for AwsSecrets {
    async fn get(&self, name: SecretName) -> Result<Arc<str>, SecretError> {
        let (label, arn) = match name {
            SecretName::JwtKey => ("JwtKey", self.jwt_key_arn.as_deref()),
            SecretName::CursorKey => ("CursorKey", self.cursor_key_arn.as_deref()),
        };
        let arn = arn.ok_or_else(|| {
            SecretError::Unavailable(label.to_owned(), "no ARN configured".into())
        })?;
        self.by_arn(label, arn).await
    }

    async fn get_by_reference(&self, reference: &str) -> Result<Arc<str>, SecretError> {
        self.by_arn("by ARN", reference).await
    }
}

async fn fetch_aws(client: &Client, label: &str, arn: &str) -> Result<String, SecretError> {
    let output = client
        .get_secret_value()
        .secret_id(arn)
        .send()
        .await
        // The SDK error names the ARN; it is logged by the caller's problem, never answered.
        .map_err(|err| {
            SecretError::Unavailable(
                label.to_owned(),
                aws_sdk_secretsmanager::error::DisplayErrorContext(err).to_string(),
            )
        })?;
    output.secret_string.ok_or_else(|| {
        SecretError::Unavailable(label.to_owned(), "secret has no string value".into())
    })
}
