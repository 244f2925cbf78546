//! The function's cold start on AWS: its adapters and settings, read from the variables the
//! template sets on it (and only those; see the template test in `tests/`).

use std::sync::Arc;

use axum::Router;
use visions_api::auth::JwtVerifier;
use visions_api::cors::Cors;
use visions_aws::Aws;
use visions_designs::store::LiveIndex;
use visions_domain::ports::{BlobStore, SecretName};
use visions_llm::embeddings::ProviderEmbedders;
use visions_model_config::ModelSettings;

pub fn app(aws: &Aws) -> anyhow::Result<Router> {
    let secrets = aws.secrets(&[SecretName::JwtKey])?;
    // A provider embedder (an index built with one) reads its key through the same store.
    let index = Arc::new(LiveIndex::over(
        aws.indexes().map(|s| s as Arc<dyn BlobStore>),
        Arc::new(ProviderEmbedders::new(
            ModelSettings::from_lookup(aws.lookup())?,
            secrets.clone(),
        )),
    )?);
    let ports = crate::Ports {
        index,
        verifier: Arc::new(JwtVerifier::from_lookup(aws.lookup(), secrets)?),
    };
    Ok(crate::app(ports, &Cors::from_lookup(aws.lookup())?))
}
