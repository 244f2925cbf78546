//! The image Lambda: generates, optimizes and stores images on request.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let aws = visions_aws::Aws::from_env().await;
    visions_aws::telemetry::init(aws.lookup());
    lambda_http::run(visions_image::lambda::app(&aws)?).await
}
