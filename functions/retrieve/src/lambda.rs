//! The function's cold start on AWS: its adapters and settings, read from the variables the
//! template sets on it (and only those; see the template test in `tests/`).

use std::sync::Arc;

use axum::Router;
use visions_api::auth::JwtVerifier;
use visions_api::cors::Cors;
use visions_aws::Aws;
use visions_designs::store::LiveIndex;
use visions_domain::ports::{BlobStore, SecretName, SecretStore};
use visions_llm::embeddings::ProviderEmbedders;
use visions_model_config::ModelSettings;

/// Needs a Tokio runtime: the cold start's requests (the index manifest, and the token key
/// when it is a secret) go out here, while the built-in corpus is read and the runtime waits for
/// the first event, whose search then waits on them instead of making them one after the other.
pub fn app(aws: &Aws) -> anyhow::Result<Router> {
    let secrets = aws.secrets(&[SecretName::JwtKey])?;
    let verifier = JwtVerifier::from_lookup(aws.lookup(), secrets.clone())?;
    if verifier.reads_secret() {
        let key = secrets.clone();
        tokio::spawn(async move { key.get(SecretName::JwtKey).await.map(drop) });
    }
    // A provider embedder (an index built with one) reads its key through the same store.
    let index = Arc::new(LiveIndex::over(
        aws.indexes().map(|s| s as Arc<dyn BlobStore>),
        Arc::new(ProviderEmbedders::new(
            ModelSettings::from_lookup(aws.lookup())?,
            secrets,
        )),
    ));
    index.warm_up();
    let ports = crate::Ports {
        index,
        verifier: Arc::new(verifier),
    };
    Ok(crate::app(ports, &Cors::from_lookup(aws.lookup())?))
}
