//! Secrets Manager by ARN, through the TTL cache, on the AWS emulator.

use std::time::Duration;

use visions_aws::AwsSecrets;
use visions_domain::ports::SecretName;
use visions_domain::ports::SecretStore;
use visions_tests::moto;

#[tokio::test]
async fn secrets_are_cached_for_their_ttl_then_reread() {
    let client = aws_sdk_secretsmanager::Client::new(&moto::sdk_config().await);
    let jwt_arn = moto::secret(&client, "first-value-of-the-jwt-signing-secret").await;
    let cursor_arn = moto::secret(&client, "cursor").await;
    let secrets = AwsSecrets::new(
        {
            let client = client.clone();
            move || client
        },
        Some(jwt_arn.clone()),
        Some(cursor_arn),
        Duration::from_millis(800),
    );
    assert_eq!(
        &*secrets.get(SecretName::JwtKey).await.unwrap(),
        "first-value-of-the-jwt-signing-secret"
    );
    assert_eq!(
        &*secrets.get(SecretName::CursorKey).await.unwrap(),
        "cursor"
    );

    client
        .put_secret_value()
        .secret_id(&jwt_arn)
        .secret_string("rotated")
        .send()
        .await
        .unwrap();
    assert_eq!(
        &*secrets.get(SecretName::JwtKey).await.unwrap(),
        "first-value-of-the-jwt-signing-secret",
        "served from cache"
    );
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(
        &*secrets.get(SecretName::JwtKey).await.unwrap(),
        "rotated",
        "re-read after the TTL"
    );
}

#[tokio::test]
async fn a_missing_secret_is_an_error_not_a_default() {
    let client = aws_sdk_secretsmanager::Client::new(&moto::sdk_config().await);
    let secrets = AwsSecrets::new(
        move || client,
        Some("arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-AbCdEf".into()),
        Some("arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-GhIjKl".into()),
        Duration::from_secs(60),
    );
    assert!(secrets.get(SecretName::JwtKey).await.is_err());
}

/// Counts the requests a client sends.
#[derive(Debug, Default, Clone)]
struct Requests(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl aws_sdk_secretsmanager::config::Intercept for Requests {
    fn name(&self) -> &'static str {
        "Requests"
    }

    fn read_before_transmit(
        &self,
        _context: &aws_sdk_secretsmanager::config::interceptors::BeforeTransmitInterceptorContextRef<
            '_,
        >,
        _components: &aws_sdk_secretsmanager::config::RuntimeComponents,
        _cfg: &mut aws_sdk_secretsmanager::config::ConfigBag,
    ) -> Result<(), aws_sdk_secretsmanager::error::BoxError> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test]
async fn callers_wanting_the_same_secret_at_once_share_one_request() {
    let sdk = moto::sdk_config().await;
    let requests = Requests::default();
    let client = aws_sdk_secretsmanager::Client::from_conf(
        aws_sdk_secretsmanager::config::Builder::from(&sdk)
            .interceptor(requests.clone())
            .build(),
    );
    let arn = moto::secret(&client, "the-signing-key").await;
    let before = requests.0.load(std::sync::atomic::Ordering::SeqCst);
    let secrets = std::sync::Arc::new(AwsSecrets::new(
        move || client,
        Some(arn),
        None,
        Duration::from_secs(60),
    ));
    // A cold start's prefetch and its first request's own read, at once.
    let reads: Vec<_> = (0..4)
        .map(|_| {
            let secrets = secrets.clone();
            tokio::spawn(async move { secrets.get(SecretName::JwtKey).await })
        })
        .collect();
    for read in reads {
        assert_eq!(&*read.await.unwrap().unwrap(), "the-signing-key");
    }
    assert_eq!(
        requests.0.load(std::sync::atomic::Ordering::SeqCst) - before,
        1
    );
}
