//! The generation API Lambda: `POST …/generate`, `…/regenerate`, `/v1/jobs/{id}`, versions.

use std::sync::Arc;

use visions_api::auth::{JwtSettings, JwtVerifier};
use visions_api::cors::Cors;
use visions_aws::{Aws, telemetry};
use visions_domain::config::env_lookup;
use visions_metering::Metering;
use visions_model_config::ModelSettings;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    telemetry::init();
    let aws = Aws::from_env().await?;
    let secrets = aws.secrets();
    let ports = visions_generate::Ports {
        projects: aws.projects(),
        jobs: aws.jobs(),
        versions: aws.versions(),
        blobs: aws.blobs(),
        queue: aws.queue(),
        verifier: Arc::new(JwtVerifier::new(
            JwtSettings::from_lookup(env_lookup)?,
            secrets.clone(),
        )),
        secrets,
        models: Arc::new(ModelSettings::from_lookup(env_lookup)?),
        credits: aws.credits(),
        metering: Arc::new(Metering::from_lookup(env_lookup)?),
    };
    let cors = Cors::from_lookup(env_lookup)?;
    lambda_http::run(visions_generate::app(ports, &cors)).await
}
