//! The retrieve Lambda: design search over the index in S3, kept across warm invocations.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let aws = visions_aws::Aws::from_env().await;
    visions_aws::telemetry::init(aws.lookup());
    lambda_http::run(visions_retrieve::lambda::app(&aws)?).await
}
