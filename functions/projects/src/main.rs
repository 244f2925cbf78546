//! The projects Lambda: `/v1/projects…`, `/healthz` and `/v1/openapi.json` behind API Gateway.

use std::sync::Arc;

use visions_api::auth::{JwtSettings, JwtVerifier};
use visions_api::cors::Cors;
use visions_aws::{Aws, telemetry};
use visions_domain::config::env_lookup;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    telemetry::init();
    let aws = Aws::from_env().await?;
    let secrets = aws.secrets();
    let ports = visions_projects::Ports {
        projects: aws.projects(),
        jobs: aws.jobs(),
        versions: aws.versions(),
        blobs: aws.blobs(),
        submissions: aws.submissions(),
        verifier: Arc::new(JwtVerifier::new(
            JwtSettings::from_lookup(env_lookup)?,
            secrets.clone(),
        )),
        secrets,
        credits: aws.credits(),
        metering: Arc::new(visions_metering::Metering::from_lookup(env_lookup)?),
    };
    let cors = Cors::from_lookup(env_lookup)?;
    lambda_http::run(visions_projects::app(ports, &cors)).await
}
