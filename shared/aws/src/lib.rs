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

pub use apigateway::ApiGatewayKeys;
pub use dynamo::{
    DynamoAssetStore, DynamoCreditStore, DynamoJobStore, DynamoProjectStore, DynamoSubmissionStore,
    DynamoVersionStore, create_table,
};
pub use s3::S3BlobStore;
pub use sdk::{s3_client, sdk_config};
pub use secrets::AwsSecrets;
pub use settings::{AwsSettings, UsagePlans};
pub use sqs::SqsQueue;
pub use uploads::S3UploadSigner;

/// One client per service, built from one SDK configuration; each constructor builds only the
/// adapter asked for, so a function pays for the services it uses.
pub struct Aws {
    pub sdk: aws_config::SdkConfig,
    pub settings: AwsSettings,
    /// Shared by the stores of the single table (one connection pool).
    dynamo: OnceLock<aws_sdk_dynamodb::Client>,
}

impl Aws {
    /// What every Lambda's `main` starts with: the SDK configuration and the resources the
    /// template names in the environment.
    pub async fn from_env() -> Result<Self, visions_domain::config::ConfigError> {
        let settings = AwsSettings::from_lookup(visions_domain::config::env_lookup)?;
        Ok(Self::new(sdk_config().await, settings))
    }

    pub fn new(sdk: aws_config::SdkConfig, settings: AwsSettings) -> Self {
        Self {
            sdk,
            settings,
            dynamo: OnceLock::new(),
        }
    }

    fn dynamo(&self) -> aws_sdk_dynamodb::Client {
        self.dynamo
            .get_or_init(|| aws_sdk_dynamodb::Client::new(&self.sdk))
            .clone()
    }

    pub fn projects(&self) -> Arc<DynamoProjectStore> {
        Arc::new(DynamoProjectStore::new(self.dynamo(), &self.settings.table))
    }

    pub fn jobs(&self) -> Arc<DynamoJobStore> {
        Arc::new(DynamoJobStore::new(self.dynamo(), &self.settings.table))
    }

    pub fn credits(&self) -> Arc<DynamoCreditStore> {
        Arc::new(DynamoCreditStore::new(self.dynamo(), &self.settings.table))
    }

    pub fn versions(&self) -> Arc<DynamoVersionStore> {
        Arc::new(DynamoVersionStore::new(self.dynamo(), &self.settings.table))
    }

    pub fn assets(&self) -> Arc<DynamoAssetStore> {
        Arc::new(DynamoAssetStore::new(self.dynamo(), &self.settings.table))
    }

    pub fn submissions(&self) -> Arc<DynamoSubmissionStore> {
        Arc::new(DynamoSubmissionStore::new(
            self.dynamo(),
            &self.settings.table,
        ))
    }

    /// The design-index bucket, when this function is given one.
    pub fn indexes(&self) -> Option<Arc<S3BlobStore>> {
        let bucket = self.settings.index_bucket.as_deref()?;
        Some(Arc::new(S3BlobStore::new(s3_client(&self.sdk), bucket, "")))
    }

    /// The uploads bucket (private originals), when this function is given one.
    pub fn uploads(&self) -> Option<Arc<S3BlobStore>> {
        let bucket = self.settings.uploads_bucket.as_deref()?;
        Some(Arc::new(S3BlobStore::new(s3_client(&self.sdk), bucket, "")))
    }

    /// Signs uploads into the uploads bucket, when this function is given one.
    pub fn upload_signer(&self) -> Option<Arc<S3UploadSigner>> {
        let bucket = self.settings.uploads_bucket.as_deref()?;
        S3UploadSigner::new(&self.sdk, bucket).ok().map(Arc::new)
    }

    pub fn blobs(&self) -> Arc<S3BlobStore> {
        Arc::new(S3BlobStore::new(
            s3_client(&self.sdk),
            &self.settings.assets_bucket,
            &self.settings.assets_url,
        ))
    }

    pub fn queue(&self) -> Arc<SqsQueue> {
        Arc::new(SqsQueue::new(
            aws_sdk_sqs::Client::new(&self.sdk),
            &self.settings.queue_url,
        ))
    }

    /// The meter's queue of usage events (`VISIONS_USAGE_QUEUE_URL`, required by the functions
    /// that settle holds).
    pub fn usage_events(&self) -> Result<Arc<SqsQueue>, visions_domain::config::ConfigError> {
        let url = self.settings.usage_queue_url.as_deref().ok_or(
            visions_domain::config::ConfigError::Missing {
                name: "VISIONS_USAGE_QUEUE_URL",
            },
        )?;
        Ok(Arc::new(SqsQueue::new(
            aws_sdk_sqs::Client::new(&self.sdk),
            url,
        )))
    }

    /// API keys on the tiers' usage plans (named by `VISIONS_USAGE_PLAN_FREE_NAME` and
    /// `VISIONS_USAGE_PLAN_PRO_NAME`).
    pub fn api_keys(&self) -> Result<Arc<ApiGatewayKeys>, visions_domain::config::ConfigError> {
        let plans = self.settings.usage_plans.clone().ok_or(
            visions_domain::config::ConfigError::Missing {
                name: "VISIONS_USAGE_PLAN_FREE_NAME",
            },
        )?;
        Ok(Arc::new(ApiGatewayKeys::new(
            aws_sdk_apigateway::Client::new(&self.sdk),
            self.dynamo(),
            &self.settings.table,
            plans,
        )))
    }

    pub fn secrets(&self) -> Arc<AwsSecrets> {
        Arc::new(AwsSecrets::new(
            aws_sdk_secretsmanager::Client::new(&self.sdk),
            Some(self.settings.jwt_key_arn.clone()),
            Some(self.settings.cursor_key_arn.clone()),
            self.settings.secret_ttl,
        ))
    }
}
