//! Builds models from their settings: a `provider:model` name resolves to an adapter with its
//! base URL, key, timeout and response cap (see `visions-model-config` for how timeouts nest).

use std::sync::Arc;

use super::anthropic::AnthropicModel;
use super::gemini::GeminiModel;
use super::openai::{OpenAiFlavor, OpenAiModel};
use super::retry::ModelChain;
pub use super::transport::{ApiKey, ModelHttp};
use super::{LanguageModel, ModelError, ModelName};
use visions_domain::ports::SecretStore;
use visions_model_config::{Endpoint, ModelSettings, Protocol};

/// Resolves model names to models; one per process, shared by every agent.
pub struct ModelRegistry {
    settings: ModelSettings,
    secrets: Arc<dyn SecretStore>,
    composer: Arc<dyn LanguageModel>,
    /// Built once, so every model shares the connection pools. A client that failed to build
    /// (no TLS backend) makes every remote model unavailable, not the process.
    http: Result<ModelHttp, ModelError>,
}

impl ModelRegistry {
    pub fn new(
        settings: ModelSettings,
        secrets: Arc<dyn SecretStore>,
        composer: Arc<dyn LanguageModel>,
    ) -> Self {
        let http = ModelHttp::new(settings.timeout, settings.max_response_bytes);
        Self {
            settings,
            secrets,
            composer,
            http,
        }
    }

    pub fn settings(&self) -> &ModelSettings {
        &self.settings
    }

    /// The model behind `name`, or `NotConfigured` saying which variable to set.
    pub fn resolve(&self, name: &ModelName) -> Result<Arc<dyn LanguageModel>, ModelError> {
        let (protocol, base, key) = match self
            .settings
            .endpoint(name)
            .map_err(ModelError::NotConfigured)?
        {
            Endpoint::Composer => return Ok(self.composer.clone()),
            Endpoint::Remote {
                protocol,
                base_url,
                key,
            } => (protocol, base_url, key),
        };
        let key = ApiKey::from_setting(key, &self.secrets);
        let http = self.http.clone()?;
        let name = name.clone();
        Ok(match protocol {
            Protocol::OpenAi => Arc::new(OpenAiModel::new(
                name,
                base,
                key,
                OpenAiFlavor::OpenAi,
                http,
            )),
            Protocol::OpenAiCompatible => Arc::new(OpenAiModel::new(
                name,
                base,
                key,
                OpenAiFlavor::Compatible,
                http,
            )),
            Protocol::Anthropic => Arc::new(AnthropicModel::new(name, base, key, http)),
            Protocol::Gemini => Arc::new(GeminiModel::new(name, base, key, http)),
            Protocol::Stability => {
                return Err(ModelError::NotConfigured(format!(
                    "{name}: Stability AI makes images, not text"
                )));
            }
        })
    }

    /// A fallback chain over `names`, in order, with the configured retry policy. Fails on the
    /// first name that cannot be resolved: a misconfigured fallback should be fixed, not skipped.
    pub fn chain(&self, names: &[ModelName]) -> Result<ModelChain, ModelError> {
        let models = names
            .iter()
            .map(|n| self.resolve(n))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ModelChain::new(models, self.settings.retry.clone()))
    }
}
