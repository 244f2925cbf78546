//! The generation API Lambda: `POST …/generate`, `…/regenerate`, `/v1/jobs/{id}`, versions.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let aws = visions_aws::Aws::from_env().await;
    visions_aws::telemetry::init(aws.lookup());
    lambda_http::run(visions_generate::lambda::app(&aws)?).await
}
