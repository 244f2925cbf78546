//! The retrieve Lambda: design search over the index in S3, kept across warm invocations.

use std::sync::Arc;

use visions_api::auth::{JwtSettings, JwtVerifier};
use visions_api::cors::Cors;
use visions_aws::{Aws, telemetry};
use visions_designs::store::LiveIndex;
use visions_domain::config::env_lookup;
use visions_domain::ports::BlobStore;
use visions_llm::embeddings::ProviderEmbedders;
use visions_model_config::ModelSettings;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    telemetry::init();
    let aws = Aws::from_env().await?;
    let secrets = aws.secrets();
    let index = Arc::new(LiveIndex::over(
        aws.indexes().map(|s| s as Arc<dyn BlobStore>),
        Arc::new(ProviderEmbedders::new(
            ModelSettings::from_lookup(env_lookup)?,
            secrets.clone(),
        )),
    )?);
    let ports = visions_retrieve::Ports {
        index,
        verifier: Arc::new(JwtVerifier::new(
            JwtSettings::from_lookup(env_lookup)?,
            secrets,
        )),
    };
    let cors = Cors::from_lookup(env_lookup)?;
    lambda_http::run(visions_retrieve::app(ports, &cors)).await
}
