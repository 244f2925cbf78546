//! The function's cold start on AWS: its adapters and settings, read from the variables the
//! template sets on it (and only those; see the template test in `tests/`).

use std::sync::Arc;

use axum::Router;
use visions_api::auth::JwtVerifier;
use visions_api::cors::Cors;
use visions_aws::Aws;
use visions_domain::config::ConfigError;
use visions_domain::ports::SecretName;
use visions_metering::Metering;

pub fn app(aws: &Aws) -> Result<Router, ConfigError> {
    let secrets = aws.secrets(&[SecretName::JwtKey, SecretName::CursorKey])?;
    let ports = crate::Ports {
        projects: aws.projects()?,
        jobs: aws.jobs()?,
        versions: aws.versions()?,
        blobs: aws.blobs()?,
        submissions: aws.submissions()?,
        verifier: Arc::new(JwtVerifier::from_lookup(aws.lookup(), secrets.clone())?),
        secrets,
        credits: aws.credits()?,
        metering: Arc::new(Metering::from_lookup(aws.lookup())?),
    };
    Ok(crate::app(ports, &Cors::from_lookup(aws.lookup())?))
}
