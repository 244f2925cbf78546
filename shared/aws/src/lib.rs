//! The AWS adapters of the domain ports: DynamoDB (one table for every entity), S3 behind
//! CloudFront, SQS and Secrets Manager; plus the SDK configuration and JSON logs every Lambda
//! shares.

mod apigateway;
pub mod dynamo;
mod s3;
mod sdk;
mod secrets;
mod settings;
mod sqs;
pub mod telemetry;
mod uploads;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use visions_domain::config::{ConfigError, parse_u64};
use visions_domain::ports::SecretName;

pub use apigateway::ApiGatewayKeys;
pub use dynamo::{
    DynamoAssetStore, DynamoCreditStore, DynamoJobStore, DynamoProjectStore, DynamoSubmissionStore,
    DynamoVersionStore, create_table,
};
pub use s3::S3BlobStore;
pub use sdk::{lambda_sdk_config, s3_client, sdk_config};
pub use secrets::AwsSecrets;
pub use settings::{AwsSettings, UsagePlans};
pub use sqs::SqsQueue;
pub use uploads::S3UploadSigner;

/// What a function's code reads to find its resources: the process environment in a Lambda,
/// or any other source of `VISIONS_*` values (the local server's settings, a test's table).
pub type Lookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// One client per service, built from one SDK configuration. Each constructor reads only the
/// variables of the adapter asked for, when it is asked for, so a function needs (and the
/// template gives it) exactly the resources it uses; a missing one fails the cold start.
pub struct Aws {
    pub sdk: aws_config::SdkConfig,
    lookup: Lookup,
    /// Shared by the stores of the single table (one connection pool).
    dynamo: OnceLock<aws_sdk_dynamodb::Client>,
}

type Config<T> = Result<T, ConfigError>;

impl Aws {
    /// What every Lambda's `main` starts with: the SDK configuration and the process
    /// environment, where the template names the function's resources.
    pub async fn from_env() -> Self {
        let lookup = visions_domain::config::env_lookup;
        let sdk = match lambda_sdk_config(&lookup) {
            Some(sdk) => sdk,
            None => sdk_config().await,
        };
        Self::new(sdk, Arc::new(lookup))
    }

    pub fn new(sdk: aws_config::SdkConfig, lookup: Lookup) -> Self {
        Self {
            sdk,
            lookup,
            dynamo: OnceLock::new(),
        }
    }

    /// The variables this value was built with, for the settings of non-AWS parts (models,
    /// tokens, CORS) so that they read the same source.
    pub fn lookup(&self) -> &(dyn Fn(&str) -> Option<String> + Send + Sync) {
        self.lookup.as_ref()
    }

    fn required(&self, name: &'static str) -> Config<String> {
        (self.lookup)(name).ok_or(ConfigError::Missing { name })
    }

    fn optional(&self, name: &str) -> Option<String> {
        (self.lookup)(name).filter(|v| !v.trim().is_empty())
    }

    /// The single table (`VISIONS_TABLE`) and the client every store of it shares.
    fn table(&self) -> Config<(aws_sdk_dynamodb::Client, String)> {
        let table = self.required("VISIONS_TABLE")?;
        let client = self
            .dynamo
            .get_or_init(|| aws_sdk_dynamodb::Client::new(&self.sdk))
            .clone();
        Ok((client, table))
    }

    pub fn projects(&self) -> Config<Arc<DynamoProjectStore>> {
        let (client, table) = self.table()?;
        Ok(Arc::new(DynamoProjectStore::new(client, &table)))
    }

    pub fn jobs(&self) -> Config<Arc<DynamoJobStore>> {
        let (client, table) = self.table()?;
        Ok(Arc::new(DynamoJobStore::new(client, &table)))
    }

    pub fn credits(&self) -> Config<Arc<DynamoCreditStore>> {
        let (client, table) = self.table()?;
        Ok(Arc::new(DynamoCreditStore::new(client, &table)))
    }

    pub fn versions(&self) -> Config<Arc<DynamoVersionStore>> {
        let (client, table) = self.table()?;
        Ok(Arc::new(DynamoVersionStore::new(client, &table)))
    }

    pub fn assets(&self) -> Config<Arc<DynamoAssetStore>> {
        let (client, table) = self.table()?;
        Ok(Arc::new(DynamoAssetStore::new(client, &table)))
    }

    pub fn submissions(&self) -> Config<Arc<DynamoSubmissionStore>> {
        let (client, table) = self.table()?;
        Ok(Arc::new(DynamoSubmissionStore::new(client, &table)))
    }

    /// The design-index bucket (`VISIONS_INDEX_BUCKET`); without one, the built-in index serves.
    pub fn indexes(&self) -> Option<Arc<S3BlobStore>> {
        let bucket = self.optional("VISIONS_INDEX_BUCKET")?;
        Some(Arc::new(S3BlobStore::new(
            s3_client(&self.sdk),
            &bucket,
            "",
        )))
    }

    /// The private bucket of uploaded originals (`VISIONS_UPLOADS_BUCKET`).
    pub fn uploads(&self) -> Config<Arc<S3BlobStore>> {
        let bucket = self.required("VISIONS_UPLOADS_BUCKET")?;
        Ok(Arc::new(S3BlobStore::new(
            s3_client(&self.sdk),
            &bucket,
            "",
        )))
    }

    /// Signs uploads into the uploads bucket (`VISIONS_UPLOADS_BUCKET`).
    pub fn upload_signer(&self) -> Config<Arc<S3UploadSigner>> {
        let bucket = self.required("VISIONS_UPLOADS_BUCKET")?;
        S3UploadSigner::new(&self.sdk, &bucket)
            .map(Arc::new)
            .map_err(|_| ConfigError::Invalid {
                name: "VISIONS_UPLOADS_BUCKET",
                value: bucket,
                reason: "the SDK configuration has no credentials to sign uploads with",
            })
    }

    /// Pages and images (`VISIONS_ASSETS_BUCKET`) behind the CDN (`VISIONS_ASSETS_URL`).
    pub fn blobs(&self) -> Config<Arc<S3BlobStore>> {
        let bucket = self.required("VISIONS_ASSETS_BUCKET")?;
        let url = self.required("VISIONS_ASSETS_URL")?;
        Ok(Arc::new(S3BlobStore::new(
            s3_client(&self.sdk),
            &bucket,
            &url,
        )))
    }

    /// The generation job queue (`VISIONS_QUEUE_URL`).
    pub fn queue(&self) -> Config<Arc<SqsQueue>> {
        let url = self.required("VISIONS_QUEUE_URL")?;
        Ok(Arc::new(SqsQueue::new(
            aws_sdk_sqs::Client::new(&self.sdk),
            &url,
        )))
    }

    /// The meter's queue of usage events (`VISIONS_USAGE_QUEUE_URL`), for the functions that
    /// settle holds.
    pub fn usage_events(&self) -> Config<Arc<SqsQueue>> {
        let url = self.required("VISIONS_USAGE_QUEUE_URL")?;
        Ok(Arc::new(SqsQueue::new(
            aws_sdk_sqs::Client::new(&self.sdk),
            &url,
        )))
    }

    /// API keys on the tiers' usage plans (named by `VISIONS_USAGE_PLAN_FREE_NAME` and
    /// `VISIONS_USAGE_PLAN_PRO_NAME`).
    pub fn api_keys(&self) -> Config<Arc<ApiGatewayKeys>> {
        let plans = UsagePlans {
            free: self.required("VISIONS_USAGE_PLAN_FREE_NAME")?,
            pro: self.required("VISIONS_USAGE_PLAN_PRO_NAME")?,
        };
        let (client, table) = self.table()?;
        Ok(Arc::new(ApiGatewayKeys::new(
            aws_sdk_apigateway::Client::new(&self.sdk),
            client,
            &table,
            plans,
        )))
    }

    /// Secrets Manager, cached for `VISIONS_SECRET_TTL_SECS` (300 by default), able to read the
    /// service's own secrets named in `own` (each one's ARN is required: `VISIONS_JWT_KEY_ARN`,
    /// `VISIONS_CURSOR_KEY_ARN`) and provider keys by ARN.
    pub fn secrets(&self, own: &[SecretName]) -> Config<Arc<AwsSecrets>> {
        let arn = |secret: SecretName, name: &'static str| {
            own.contains(&secret)
                .then(|| self.required(name))
                .transpose()
        };
        let ttl = parse_u64(&self.lookup(), "VISIONS_SECRET_TTL_SECS", 300)?;
        let sdk = self.sdk.clone();
        Ok(Arc::new(AwsSecrets::new(
            move || aws_sdk_secretsmanager::Client::new(&sdk),
            arn(SecretName::JwtKey, "VISIONS_JWT_KEY_ARN")?,
            arn(SecretName::CursorKey, "VISIONS_CURSOR_KEY_ARN")?,
            Duration::from_secs(ttl),
        )))
    }
}
