//! The retrieve Lambda: design search over the index in S3, kept across warm invocations.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    // First, so the corpus is read while the SDK, the settings and the router are set up.
    visions_designs::store::read_builtin_early();
    let aws = visions_aws::Aws::from_env().await;
    visions_aws::telemetry::init(aws.lookup());
    lambda_http::run(visions_retrieve::lambda::app(&aws)?).await
}
