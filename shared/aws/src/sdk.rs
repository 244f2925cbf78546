//! One AWS SDK configuration per cold start: bounded timeouts and retries on every call.
//! `AWS_ENDPOINT_URL` (read by the SDK itself) points every client at an emulator.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_smithy_http_client::tls::rustls_provider::CryptoMode;
use aws_smithy_http_client::tls::{Provider, TlsContext, TrustStore};

/// Per-call budget well below the API Gateway (29 s) and Lambda timeouts.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(10);
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(3);

/// The roots AWS service endpoints chain to: Amazon Trust Services (Amazon Root CA 1–4), and
/// the Starfield root that cross-signs them. Trusting only these is narrower than the system
/// store, and a cold start no longer reads and parses the system's ~150 roots (the SDK's default
/// client does, once per process: 3–4 ms of every function's init, see docs/BENCHMARKS.md).
const AWS_ROOTS: [&str; 5] = [
    include_str!("../roots/Amazon_Root_CA_1.pem"),
    include_str!("../roots/Amazon_Root_CA_2.pem"),
    include_str!("../roots/Amazon_Root_CA_3.pem"),
    include_str!("../roots/Amazon_Root_CA_4.pem"),
    include_str!("../roots/Starfield_Services_Root_Certificate_Authority_-_G2.pem"),
];

pub async fn sdk_config() -> aws_config::SdkConfig {
    // One HTTPS client for every AWS client of the process (one connection pool).
    let roots = AWS_ROOTS.iter().fold(TrustStore::empty(), |store, pem| {
        store.with_pem_certificate(pem.as_bytes())
    });
    let tls = TlsContext::builder()
        .with_trust_store(roots)
        .build()
        .expect("a TLS context from the built-in roots builds");
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(tls)
        .build_https();
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(http)
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

#[cfg(test)]
mod tests {
    use super::AWS_ROOTS;

    #[test]
    fn the_aws_roots_are_five_distinct_certificates() {
        for pem in AWS_ROOTS {
            assert_eq!(pem.matches("-----BEGIN CERTIFICATE-----").count(), 1);
            assert!(pem.trim_end().ends_with("-----END CERTIFICATE-----"));
        }
        let distinct: std::collections::HashSet<_> = AWS_ROOTS.iter().collect();
        assert_eq!(distinct.len(), AWS_ROOTS.len());
    }
}
