//! The functions' cold starts on AWS: their adapters and settings, read from the variables the
//! template sets on them (and only those; see the template test in `tests/`).

use std::sync::Arc;

use axum::Router;
use visions_api::auth::JwtVerifier;
use visions_api::cors::Cors;
use visions_aws::{Aws, DynamoCreditStore};
use visions_domain::config::ConfigError;
use visions_domain::ports::SecretName;
use visions_metering::Metering;

/// The meter API: credits, usage, keys and the admin routes.
pub fn app(aws: &Aws) -> Result<Router, ConfigError> {
    let secrets = aws.secrets(&[SecretName::JwtKey, SecretName::CursorKey])?;
    let ports = crate::Ports {
        credits: aws.credits()?,
        keys: aws.api_keys()?,
        verifier: Arc::new(JwtVerifier::from_lookup(aws.lookup(), secrets.clone())?),
        secrets,
        metering: Arc::new(Metering::from_lookup(aws.lookup())?),
    };
    Ok(crate::app(ports, &Cors::from_lookup(aws.lookup())?))
}

/// The usage-event consumer: the credit ledger it settles holds in.
pub fn usage(aws: &Aws) -> Result<Arc<DynamoCreditStore>, ConfigError> {
    aws.credits()
}
