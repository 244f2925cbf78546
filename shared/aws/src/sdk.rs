//! One AWS SDK configuration per cold start: bounded timeouts and retries on every call.
//! `AWS_ENDPOINT_URL` (read by the SDK itself) points every client at an emulator.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;

/// Per-call budget well below the API Gateway (29 s) and Lambda timeouts.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(10);
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(3);

pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(OPERATION_TIMEOUT)
                .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                .connect_timeout(Duration::from_secs(2))
                .build(),
        )
        // Standard mode: exponential backoff with full jitter, 3 attempts.
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .load()
        .await
}

/// S3 needs path-style addressing on emulators (`AWS_ENDPOINT_URL`); AWS itself prefers
/// virtual-hosted style.
pub fn s3_client(sdk: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::config::Builder::from(sdk)
        .force_path_style(sdk.endpoint_url().is_some())
        .build();
    aws_sdk_s3::Client::from_conf(config)
}
