//! One AWS SDK configuration per cold start: bounded timeouts and retries on every call.
//! `AWS_ENDPOINT_URL` points every client at an emulator.
//!
//! In a Lambda function the configuration is made from the variables Lambda sets (region and
//! the execution role's credentials) in a few microseconds ([`lambda_sdk_config`]); the SDK's
//! default chain, which everything else uses, spends 0.6–0.9 ms of each cold start building
//! providers (profile files, SSO, web identity, container, instance metadata) that a function
//! never reaches, because the environment's credentials come first in it.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_s3::config::SharedHttpClient; // the smithy type every service crate re-exports
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

/// The configuration by the SDK's default chain (environment, profile files, SSO, …): the
/// command line's and the local server's.
pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client())
        .timeout_config(timeouts())
        .retry_config(retries())
        .load()
        .await
}

/// The configuration of a Lambda function, from the variables Lambda sets on it:
/// `AWS_REGION` and the execution role's `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
/// `AWS_SESSION_TOKEN` (fixed for the life of the execution environment), and
/// `AWS_ENDPOINT_URL` when set. `None` outside a Lambda function (no
/// `AWS_LAMBDA_RUNTIME_API`) or when the credentials are not in the environment (a runtime
/// that serves them over HTTP instead): the default chain then applies.
pub fn lambda_sdk_config(lookup: &dyn Fn(&str) -> Option<String>) -> Option<aws_config::SdkConfig> {
    lookup("AWS_LAMBDA_RUNTIME_API")?;
    let credentials = Credentials::new(
        lookup("AWS_ACCESS_KEY_ID")?,
        lookup("AWS_SECRET_ACCESS_KEY")?,
        lookup("AWS_SESSION_TOKEN"),
        None,
        "lambda-environment",
    );
    let config = aws_config::SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(lookup("AWS_REGION")?))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .http_client(https_client())
        .timeout_config(timeouts())
        .retry_config(retries());
    Some(
        match lookup("AWS_ENDPOINT_URL") {
            Some(url) => config.endpoint_url(url),
            None => config,
        }
        .build(),
    )
}

/// One HTTPS client for every AWS client of the process (one connection pool).
fn https_client() -> SharedHttpClient {
    let roots = AWS_ROOTS.iter().fold(TrustStore::empty(), |store, pem| {
        store.with_pem_certificate(pem.as_bytes())
    });
    let tls = TlsContext::builder()
        .with_trust_store(roots)
        .build()
        .expect("a TLS context from the built-in roots builds");
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(tls)
        .build_https()
}

fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .operation_timeout(OPERATION_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .connect_timeout(Duration::from_secs(2))
        .build()
}

/// Standard mode: exponential backoff with full jitter, 3 attempts.
fn retries() -> RetryConfig {
    RetryConfig::standard().with_max_attempts(3)
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
    use super::{AWS_ROOTS, lambda_sdk_config};
    use aws_credential_types::provider::ProvideCredentials;

    fn lambda(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    const LAMBDA: [(&str, &str); 5] = [
        ("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"),
        ("AWS_REGION", "eu-west-3"),
        ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("AWS_SESSION_TOKEN", "session"),
    ];

    #[tokio::test]
    async fn a_lambda_functions_configuration_is_its_environments_region_and_role() {
        let sdk = lambda_sdk_config(&lambda(&LAMBDA)).expect("in a Lambda function");
        assert_eq!(sdk.region().map(|r| r.as_ref()), Some("eu-west-3"));
        assert_eq!(sdk.endpoint_url(), None, "AWS itself, not an emulator");
        let credentials = sdk
            .credentials_provider()
            .expect("credentials")
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!(credentials.access_key_id(), "ASIAEXAMPLE");
        assert_eq!(credentials.secret_access_key(), "secret");
        assert_eq!(credentials.session_token(), Some("session"));
        let timeouts = sdk.timeout_config().expect("timeouts");
        assert_eq!(timeouts.operation_timeout(), Some(super::OPERATION_TIMEOUT));
        assert_eq!(
            timeouts.operation_attempt_timeout(),
            Some(super::ATTEMPT_TIMEOUT)
        );
        assert_eq!(sdk.retry_config().map(|r| r.max_attempts()), Some(3));

        let emulated = [
            LAMBDA.as_slice(),
            &[("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")],
        ]
        .concat();
        let sdk = lambda_sdk_config(&lambda(&emulated)).unwrap();
        assert_eq!(sdk.endpoint_url(), Some("http://127.0.0.1:5000"));
    }

    #[test]
    fn outside_lambda_or_without_credentials_in_the_environment_the_default_chain_applies() {
        let outside = &LAMBDA[1..];
        assert!(
            lambda_sdk_config(&lambda(outside)).is_none(),
            "no runtime API"
        );
        for missing in ["AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
            let without: Vec<_> = LAMBDA.into_iter().filter(|(k, _)| *k != missing).collect();
            assert!(
                lambda_sdk_config(&lambda(&without)).is_none(),
                "without {missing}"
            );
        }
        let no_token: Vec<_> = LAMBDA
            .into_iter()
            .filter(|(k, _)| *k != "AWS_SESSION_TOKEN")
            .collect();
        assert!(
            lambda_sdk_config(&lambda(&no_token)).is_some(),
            "a session token is optional"
        );
    }

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
