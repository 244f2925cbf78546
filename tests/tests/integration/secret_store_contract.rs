//! One contract for `SecretStore`, run against both adapters: files in the data folder (with
//! environment overrides) and Secrets Manager on moto.

use std::time::Duration;

use visions_aws::AwsSecrets;
use visions_domain::ports::{SecretName, SecretStore};
use visions_local::LocalSecrets;
use visions_tests::moto;

async fn service_secrets_are_stable_distinct_and_strong(store: impl SecretStore) {
    let jwt = store.get(SecretName::JwtKey).await.unwrap();
    let cursor = store.get(SecretName::CursorKey).await.unwrap();
    assert_ne!(jwt, cursor);
    assert!(jwt.len() >= 32 && cursor.len() >= 32);
    for _ in 0..3 {
        assert_eq!(store.get(SecretName::JwtKey).await.unwrap(), jwt);
    }
}

/// Secrets in a fresh data folder, removed when the test drops the guard.
fn local() -> (tempfile::TempDir, LocalSecrets) {
    let dir = tempfile::tempdir().unwrap();
    let secrets = LocalSecrets::new(dir.path());
    (dir, secrets)
}

async fn aws() -> AwsSecrets {
    let client = aws_sdk_secretsmanager::Client::new(&moto::sdk_config().await);
    let jwt = moto::secret(&client, &visions_local::random_secret()).await;
    let cursor = moto::secret(&client, &visions_local::random_secret()).await;
    AwsSecrets::new(
        move || client,
        Some(jwt),
        Some(cursor),
        Duration::from_secs(60),
    )
}

#[tokio::test]
async fn local_service_secrets_are_stable_distinct_and_strong() {
    let (_folder, secrets) = local();
    service_secrets_are_stable_distinct_and_strong(secrets).await;
}

#[tokio::test]
async fn aws_service_secrets_are_stable_distinct_and_strong() {
    service_secrets_are_stable_distinct_and_strong(aws().await).await;
}

#[tokio::test]
async fn a_secret_by_reference_is_read_on_aws_and_refused_locally() {
    let store = aws().await;
    let client = aws_sdk_secretsmanager::Client::new(&moto::sdk_config().await);
    let arn = moto::secret(&client, "sk-provider-key").await;
    assert_eq!(
        &*store.get_by_reference(&arn).await.unwrap(),
        "sk-provider-key"
    );
    let (_folder, secrets) = local();
    let error = secrets.get_by_reference(&arn).await.unwrap_err();
    assert!(error.to_string().contains("VISIONS_BACKEND=aws"), "{error}");
}

#[tokio::test]
async fn local_secrets_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let first = LocalSecrets::new(dir.path())
        .get(SecretName::CursorKey)
        .await
        .unwrap();
    let again = LocalSecrets::new(dir.path())
        .get(SecretName::CursorKey)
        .await
        .unwrap();
    assert_eq!(first, again);
}
