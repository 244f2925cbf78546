//! The image Lambda: generates, optimizes and stores images on request.

use std::sync::Arc;

use visions_api::auth::{JwtSettings, JwtVerifier};
use visions_api::cors::Cors;
use visions_assets::{ImageModels, Studio};
use visions_aws::{Aws, telemetry};
use visions_domain::config::env_lookup;
use visions_llm::images::ProviderImageModels;
use visions_metering::Metering;
use visions_model_config::ModelSettings;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    telemetry::init();
    let aws = Aws::from_env().await?;
    let secrets = aws.secrets();
    let settings = ModelSettings::from_lookup(env_lookup)?;
    let ports = visions_image::Ports {
        assets: aws.assets(),
        projects: aws.projects(),
        versions: aws.versions(),
        blobs: aws.blobs(),
        studio: Arc::new(Studio::new(
            ImageModels::new(ProviderImageModels::new(settings.clone(), secrets.clone())),
            aws.blobs(),
        )),
        default_model: settings.image_model,
        uploads: aws
            .upload_signer()
            .ok_or("VISIONS_UPLOADS_BUCKET is required by the image function")?,
        verifier: Arc::new(JwtVerifier::new(
            JwtSettings::from_lookup(env_lookup)?,
            secrets,
        )),
        credits: aws.credits(),
        metering: Arc::new(Metering::from_lookup(env_lookup)?),
        usage: aws.usage_events()?,
    };
    let cors = Cors::from_lookup(env_lookup)?;
    lambda_http::run(visions_image::app(ports, &cors)).await
}
