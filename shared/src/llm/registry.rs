//! Builds models from configuration: `provider:model` names resolve to an adapter with its base
//! URL, key, timeout and response cap.
//!
//! Timeouts nest. One call is bounded by `VISIONS_MODEL_TIMEOUT_SECS`; one model with retries
//! by [`RetryPolicy::worst_case`] (attempts × call timeout + the waits between: 4 min with the
//! defaults); a chain by the sum over its models. The per-call timeout must stay well below the
//! worker function's timeout, so that a hung provider costs one call and a fallback, never the
//! worker: Lambda killing a worker mid-job leaves the job leased and its credit hold open until
//! the message is redelivered. Since stages × chain × worst case can exceed any Lambda timeout
//! (900 s at most), the worker should also pass its own deadline, less a margin to record the
//! failure, to [`ModelChain::complete_by`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use super::anthropic::AnthropicModel;
use super::gemini::GeminiModel;
pub use super::http::{ApiKey, ModelHttp};
use super::openai::{OpenAiFlavor, OpenAiModel};
use super::retry::{ModelChain, RetryPolicy};
use super::{LanguageModel, ModelError, ModelName};
use crate::config::ConfigError;
use crate::secrets::Secrets;

pub const DEFAULT_TIMEOUT_SECS: u64 = 60;
/// Lambda's own ceiling; a call may not outlive any function.
pub const MAX_TIMEOUT_SECS: u64 = 900;
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 2 * 1024 * 1024;
pub const MAX_ATTEMPTS: u32 = 10;

/// The wire protocol a provider speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    OpenAi,
    OpenAiCompatible,
    Anthropic,
    Gemini,
}

/// A provider as configuration names it.
struct ProviderSpec {
    name: &'static str,
    protocol: Protocol,
    base_env: &'static str,
    /// `None`: the base URL must be configured.
    default_base: Option<&'static str>,
    key_env: &'static str,
    key_required: bool,
}

const PROVIDERS: &[ProviderSpec] = &[
    ProviderSpec {
        name: "openai",
        protocol: Protocol::OpenAi,
        base_env: "OPENAI_BASE_URL",
        // Ends in /v1, like the official SDKs' base URL.
        default_base: Some("https://api.openai.com/v1"),
        key_env: "OPENAI_API_KEY",
        key_required: true,
    },
    ProviderSpec {
        name: "anthropic",
        protocol: Protocol::Anthropic,
        base_env: "ANTHROPIC_BASE_URL",
        // The host root; /v1/messages is appended.
        default_base: Some("https://api.anthropic.com"),
        key_env: "ANTHROPIC_API_KEY",
        key_required: true,
    },
    ProviderSpec {
        name: "gemini",
        protocol: Protocol::Gemini,
        base_env: "GEMINI_BASE_URL",
        // The host root; /v1beta/models/{model}:generateContent is appended.
        default_base: Some("https://generativelanguage.googleapis.com"),
        key_env: "GEMINI_API_KEY",
        key_required: true,
    },
    ProviderSpec {
        name: "ollama",
        protocol: Protocol::OpenAiCompatible,
        base_env: "OLLAMA_BASE_URL",
        // No default: a server without Ollama must not accept `ollama:*` and then fail the
        // job on connects to a port nobody listens on. Set it to e.g. http://127.0.0.1:11434/v1.
        default_base: None,
        // A local Ollama needs none; ollama.com does.
        key_env: "OLLAMA_API_KEY",
        key_required: false,
    },
    ProviderSpec {
        name: "vllm",
        protocol: Protocol::OpenAiCompatible,
        base_env: "VLLM_BASE_URL",
        default_base: None,
        // Only when the server was started with --api-key.
        key_env: "VLLM_API_KEY",
        key_required: false,
    },
    ProviderSpec {
        name: "openrouter",
        protocol: Protocol::OpenAiCompatible,
        base_env: "OPENROUTER_BASE_URL",
        default_base: Some("https://openrouter.ai/api/v1"),
        key_env: "OPENROUTER_API_KEY",
        key_required: true,
    },
    ProviderSpec {
        name: "groq",
        protocol: Protocol::OpenAiCompatible,
        base_env: "GROQ_BASE_URL",
        default_base: Some("https://api.groq.com/openai/v1"),
        key_env: "GROQ_API_KEY",
        key_required: true,
    },
    ProviderSpec {
        name: "compatible",
        protocol: Protocol::OpenAiCompatible,
        base_env: "COMPATIBLE_BASE_URL",
        default_base: None,
        key_env: "COMPATIBLE_API_KEY",
        key_required: false,
    },
];

/// Where a provider's key is configured. `Debug` never shows a key.
#[derive(Clone, PartialEq, Eq)]
pub enum KeySetting {
    Absent,
    Value(String),
    /// A Secrets Manager ARN (`<NAME>_API_KEY_ARN`), read at first use.
    Arn {
        arn: String,
        env_var: String,
    },
}

impl std::fmt::Debug for KeySetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Absent => f.write_str("Absent"),
            Self::Value(_) => f.write_str("Value([redacted])"),
            Self::Arn { env_var, .. } => write!(f, "Arn({env_var})"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderSettings {
    pub protocol: Protocol,
    /// Without a trailing slash; `None` when the provider has no default and none is set.
    pub base_url: Option<String>,
    pub key: KeySetting,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelSettings {
    /// One call: connect, send, wait, read.
    pub timeout: Duration,
    pub max_response_bytes: usize,
    pub retry: RetryPolicy,
    /// By provider name (`openai`, `ollama`…).
    pub providers: BTreeMap<&'static str, ProviderSettings>,
}

impl ModelSettings {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads settings through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let timeout_secs = number(
            &lookup,
            "VISIONS_MODEL_TIMEOUT_SECS",
            DEFAULT_TIMEOUT_SECS,
            1,
            MAX_TIMEOUT_SECS,
        )?;
        let max_response_bytes = number(
            &lookup,
            "VISIONS_MODEL_MAX_RESPONSE_BYTES",
            DEFAULT_MAX_RESPONSE_BYTES as u64,
            1024,
            64 * 1024 * 1024,
        )?;
        let max_attempts = number(
            &lookup,
            "VISIONS_MODEL_MAX_ATTEMPTS",
            3,
            1,
            u64::from(MAX_ATTEMPTS),
        )?;
        let mut providers = BTreeMap::new();
        for spec in PROVIDERS {
            let base_url = match lookup(spec.base_env) {
                Some(value) => Some(base_url(spec.base_env, value)?),
                None => spec.default_base.map(str::to_owned),
            };
            // A plain key wins over an ARN, as a local override does for the other secrets.
            let arn_env = format!("{}_ARN", spec.key_env);
            let key = match (lookup(spec.key_env), lookup(&arn_env)) {
                (Some(key), _) => KeySetting::Value(key.trim().to_owned()),
                (None, Some(arn)) => KeySetting::Arn {
                    arn: arn.trim().to_owned(),
                    env_var: arn_env,
                },
                (None, None) => KeySetting::Absent,
            };
            let protocol = spec.protocol;
            providers.insert(
                spec.name,
                ProviderSettings {
                    protocol,
                    base_url,
                    key,
                },
            );
        }
        Ok(Self {
            timeout: Duration::from_secs(timeout_secs),
            max_response_bytes: max_response_bytes as usize,
            retry: RetryPolicy {
                max_attempts: max_attempts as u32,
                ..RetryPolicy::default()
            },
            providers,
        })
    }

    /// The longest one model can take, retries included (see the module comment).
    pub fn worst_case_per_model(&self) -> Duration {
        self.retry.worst_case(self.timeout)
    }
}

fn number(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: u64,
    min: u64,
    max: u64,
) -> Result<u64, ConfigError> {
    let Some(value) = lookup(name) else {
        return Ok(default);
    };
    match value.trim().parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        Ok(_) => Err(ConfigError::Invalid {
            name,
            value,
            reason: "out of range",
        }),
        Err(_) => Err(ConfigError::Invalid {
            name,
            value,
            reason: "expected a whole number",
        }),
    }
}

fn base_url(name: &'static str, value: String) -> Result<String, ConfigError> {
    let invalid = |reason| ConfigError::Invalid {
        name,
        value: value.clone(),
        reason,
    };
    let parsed =
        url::Url::parse(value.trim()).map_err(|_| invalid("expected an absolute http(s) URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(invalid("expected an absolute http(s) URL"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("a base URL has no query or fragment"));
    }
    Ok(value.trim().trim_end_matches('/').to_owned())
}

/// Resolves model names to models; one per process, shared by every agent.
pub struct ModelRegistry {
    settings: ModelSettings,
    secrets: Arc<Secrets>,
    composer: Arc<dyn LanguageModel>,
    /// Built once, so every model shares the connection pools. A client that failed to build
    /// (no TLS backend) makes every remote model unavailable, not the process.
    http: Result<ModelHttp, ModelError>,
}

impl ModelRegistry {
    pub fn new(
        settings: ModelSettings,
        secrets: Arc<Secrets>,
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
        if name.is_local() {
            return if name.to_string() == ModelName::COMPOSER {
                Ok(self.composer.clone())
            } else {
                Err(ModelError::NotConfigured(format!(
                    "{name} is not a model; the built-in one is {}",
                    ModelName::COMPOSER
                )))
            };
        }
        let spec = PROVIDERS
            .iter()
            .find(|p| p.name == name.provider)
            .ok_or_else(|| {
                let known: Vec<&str> = PROVIDERS.iter().map(|p| p.name).chain(["local"]).collect();
                ModelError::NotConfigured(format!(
                    "unknown model provider {:?} in {name}; known providers: {}",
                    name.provider,
                    known.join(", ")
                ))
            })?;
        let provider =
            self.settings.providers.get(spec.name).ok_or_else(|| {
                ModelError::NotConfigured(format!("{name}: set {}", spec.base_env))
            })?;
        let base = provider.base_url.as_deref().ok_or_else(|| {
            ModelError::NotConfigured(format!("{name} needs a base URL: set {}", spec.base_env))
        })?;
        let key = match &provider.key {
            KeySetting::Value(key) => ApiKey::value(key.as_str()),
            KeySetting::Arn { arn, env_var } => ApiKey::Arn {
                arn: arn.clone(),
                env_var: env_var.clone(),
                secrets: self.secrets.clone(),
            },
            KeySetting::Absent if spec.key_required => {
                return Err(ModelError::NotConfigured(format!(
                    "{name} needs an API key: set {key} (or {key}_ARN with a Secrets Manager ARN)",
                    key = spec.key_env
                )));
            }
            KeySetting::Absent => ApiKey::None,
        };
        let http = self.http.clone()?;
        let name = name.clone();
        Ok(match provider.protocol {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<ModelSettings, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ModelSettings::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.timeout, Duration::from_secs(60));
        assert_eq!(s.max_response_bytes, 2 * 1024 * 1024);
        assert_eq!(s.retry, RetryPolicy::default());
        assert_eq!(
            s.providers["openai"].base_url.as_deref(),
            Some("https://api.openai.com/v1")
        );
        assert_eq!(s.providers["ollama"].base_url, None);
        assert_eq!(s.providers["vllm"].base_url, None);
        assert_eq!(s.providers["openai"].key, KeySetting::Absent);
    }

    #[test]
    fn values_are_checked() {
        let s = settings(&[
            ("VISIONS_MODEL_MAX_ATTEMPTS", "5"),
            ("GROQ_BASE_URL", "http://127.0.0.1:9/openai/v1/"),
            (
                "OPENAI_API_KEY_ARN",
                "arn:aws:secretsmanager:us-east-1:1:secret:k",
            ),
            ("ANTHROPIC_API_KEY", "sk-ant-x"),
            ("ANTHROPIC_API_KEY_ARN", "arn:ignored"),
        ])
        .unwrap();
        assert_eq!(s.retry.max_attempts, 5);
        assert_eq!(
            s.providers["groq"].base_url.as_deref(),
            Some("http://127.0.0.1:9/openai/v1")
        );
        assert!(
            matches!(&s.providers["openai"].key, KeySetting::Arn { env_var, .. } if env_var == "OPENAI_API_KEY_ARN")
        );
        assert_eq!(
            s.providers["anthropic"].key,
            KeySetting::Value("sk-ant-x".into())
        );
        assert!(!format!("{s:?}").contains("sk-ant-x"));
        for bad in [
            ("VISIONS_MODEL_MAX_ATTEMPTS", "0"),
            ("VISIONS_MODEL_TIMEOUT_SECS", "soon"),
            ("VISIONS_MODEL_TIMEOUT_SECS", "901"),
            ("OPENAI_BASE_URL", "api.openai.com/v1"),
            ("GEMINI_BASE_URL", "ftp://example.com"),
        ] {
            assert!(settings(&[bad]).is_err(), "{bad:?}");
        }
    }
}
