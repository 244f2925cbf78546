//! A Lambda function's SDK configuration, made from the variables Lambda sets, against the AWS
//! emulator: the stack is made through it, then a function's adapters work through it.

use visions_aws::{Aws, lambda_sdk_config};
use visions_domain::job::JobMessage;
use visions_domain::ports::{BlobStore, JobQueue, ProjectStore, SecretName, SecretStore};
use visions_tests::moto;

#[tokio::test]
async fn a_lambda_functions_configuration_reaches_every_service_it_uses() {
    let endpoint = moto::endpoint().to_owned();
    let lambda = move |name: &str| match name {
        "AWS_LAMBDA_RUNTIME_API" => Some("127.0.0.1:9001".to_owned()),
        "AWS_REGION" => Some(moto::REGION.to_owned()),
        "AWS_ACCESS_KEY_ID" | "AWS_SECRET_ACCESS_KEY" => Some(moto::ACCESS_KEY.to_owned()),
        "AWS_ENDPOINT_URL" => Some(endpoint.clone()),
        _ => None,
    };
    let sdk = lambda_sdk_config(&lambda).expect("the Lambda variables are all there");

    // DynamoDB, SQS, S3 and Secrets Manager: the stack's resources, made through it.
    let stack = visions_ai::emulator::bootstrap(&sdk, &moto::unique("lambda-sdk"))
        .await
        .unwrap();
    let aws = Aws::new(sdk, stack.lookup());

    let index = aws.indexes().expect("the stack has an index bucket");
    index
        .put(
            "probe",
            b"through the Lambda configuration".to_vec(),
            "text/plain",
        )
        .await
        .unwrap();
    assert_eq!(
        index.get("probe").await.unwrap().as_deref(),
        Some(&b"through the Lambda configuration"[..])
    );
    let secrets = aws.secrets(&[SecretName::JwtKey]).unwrap();
    assert!(!secrets.get(SecretName::JwtKey).await.unwrap().is_empty());
    let projects = aws.projects().unwrap();
    let none = projects.get("nobody", uuid::Uuid::now_v7()).await.unwrap();
    assert!(none.is_none());
    let message = JobMessage {
        owner: "someone".into(),
        job_id: uuid::Uuid::now_v7(),
    };
    aws.queue().unwrap().enqueue(&message).await.unwrap();
}
