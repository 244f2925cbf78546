//! The meter Lambda: `/v1/credits`, `/v1/usage`, `/v1/keys…` and `/v1/admin/…` behind API
//! Gateway.

use std::sync::Arc;

use visions_api::auth::{JwtSettings, JwtVerifier};
use visions_api::cors::Cors;
use visions_aws::{Aws, telemetry};
use visions_domain::config::env_lookup;
use visions_metering::Metering;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    telemetry::init();
    let aws = Aws::from_env().await?;
    let secrets = aws.secrets();
    let ports = visions_meter::Ports {
        credits: aws.credits(),
        keys: aws.api_keys()?,
        verifier: Arc::new(JwtVerifier::new(
            JwtSettings::from_lookup(env_lookup)?,
            secrets.clone(),
        )),
        secrets,
        metering: Arc::new(Metering::from_lookup(env_lookup)?),
    };
    let cors = Cors::from_lookup(env_lookup)?;
    lambda_http::run(visions_meter::app(ports, &cors)).await
}
