//! The meter Lambda: `/v1/credits`, `/v1/usage`, `/v1/keys…` and `/v1/admin/…` behind API
//! Gateway.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let aws = visions_aws::Aws::from_env().await;
    visions_aws::telemetry::init(aws.lookup());
    lambda_http::run(visions_meter::lambda::app(&aws)?).await
}
