//! The function's cold start on AWS: its adapters and settings, read from the variables the
//! template sets on it (and only those; see the template test in `tests/`).

use std::sync::Arc;

use axum::Router;
use visions_api::auth::JwtVerifier;
use visions_api::cors::Cors;
use visions_assets::{ImageModels, Studio};
use visions_aws::Aws;
use visions_domain::config::ConfigError;
use visions_domain::ports::SecretName;
use visions_llm::images::ProviderImageModels;
use visions_metering::Metering;
use visions_model_config::ModelSettings;

pub fn app(aws: &Aws) -> Result<Router, ConfigError> {
    let secrets = aws.secrets(&[SecretName::JwtKey])?;
    let settings = ModelSettings::from_lookup(aws.lookup())?;
    let ports = crate::Ports {
        assets: aws.assets()?,
        projects: aws.projects()?,
        versions: aws.versions()?,
        blobs: aws.blobs()?,
        studio: Arc::new(Studio::new(
            ImageModels::new(ProviderImageModels::new(settings.clone(), secrets.clone())),
            aws.blobs()?,
        )),
        default_model: settings.image_model,
        uploads: aws.upload_signer()?,
        verifier: Arc::new(JwtVerifier::from_lookup(aws.lookup(), secrets)?),
        credits: aws.credits()?,
        metering: Arc::new(Metering::from_lookup(aws.lookup())?),
        usage: aws.usage_events()?,
    };
    Ok(crate::app(ports, &Cors::from_lookup(aws.lookup())?))
}
