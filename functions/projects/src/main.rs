//! The projects Lambda: `/v1/projects…`, `/healthz` and `/v1/openapi.json` behind API Gateway.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let aws = visions_aws::Aws::from_env().await;
    visions_aws::telemetry::init(aws.lookup());
    lambda_http::run(visions_projects::lambda::app(&aws)?).await
}
