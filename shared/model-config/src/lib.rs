//! Which language models a deployment offers, read once from the environment: each
//! provider's wire protocol, base URL and key, the per-call timeout and response cap, and the
//! retry policy.
//!
//! Timeouts nest. One call is bounded by `VISIONS_MODEL_TIMEOUT_SECS`; one model with retries
//! by [`RetryPolicy::worst_case`] (attempts × call timeout + the waits between: 4 min with the
//! defaults); a chain by the sum over its models; and every call of a job by the job's own
//! deadline, which the worker passes down.
//!
//! No HTTP client here: the generation API checks a requested model against these settings
//! without linking one.

use std::collections::BTreeMap;
use std::time::Duration;

use visions_domain::config::ConfigError;
use visions_domain::models::ModelName;

pub const DEFAULT_TIMEOUT_SECS: u64 = 60;
/// Lambda's own ceiling; a call may not outlive any function.
pub const MAX_TIMEOUT_SECS: u64 = 900;
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 2 * 1024 * 1024;
/// Calls to one model for one request at most (`VISIONS_MODEL_MAX_ATTEMPTS`).
pub const MAX_MODEL_ATTEMPTS: u32 = 10;

/// The wire protocol a provider speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    OpenAi,
    OpenAiCompatible,
    Anthropic,
    Gemini,
    /// Stability AI's Stable Image API (images only).
    Stability,
}

/// A provider as configuration names it.
pub struct ProviderSpec {
    name: &'static str,
    protocol: Protocol,
    base_env: &'static str,
    /// `None`: the base URL must be configured.
    default_base: Option<&'static str>,
    key_env: &'static str,
    key_required: bool,
}

pub const PROVIDERS: &[ProviderSpec] = &[
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
        name: "stability",
        protocol: Protocol::Stability,
        base_env: "STABILITY_BASE_URL",
        // The host root; /v2beta/stable-image/generate/{model} is appended.
        default_base: Some("https://api.stability.ai"),
        key_env: "STABILITY_API_KEY",
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
    /// The image model pages are illustrated with (`VISIONS_IMAGE_MODEL`; the built-in
    /// offline generator, `local:art`, by default).
    pub image_model: ModelName,
}

/// The built-in offline image generator.
pub const OFFLINE_IMAGES: &str = "local:art";

impl ModelSettings {
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
            u64::from(MAX_MODEL_ATTEMPTS),
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
            image_model: image_model(lookup("VISIONS_IMAGE_MODEL"))?,
        })
    }

    /// The longest one model can take, retries included (see the module comment).
    pub fn worst_case_per_model(&self) -> Duration {
        self.retry.worst_case(self.timeout)
    }
}

fn image_model(value: Option<String>) -> Result<ModelName, ConfigError> {
    let value = value.filter(|v| !v.trim().is_empty());
    let name = value.as_deref().map_or(OFFLINE_IMAGES, str::trim);
    ModelName::parse(name).map_err(|_| ConfigError::Invalid {
        name: "VISIONS_IMAGE_MODEL",
        value: name.to_owned(),
        reason: "not of the form provider:model (e.g. openai:gpt-image-1, stability:core, local:art)",
    })
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

/// Where a model name leads.
#[derive(Debug, PartialEq, Eq)]
pub enum Endpoint<'a> {
    /// The built-in offline composer.
    Composer,
    Remote {
        protocol: Protocol,
        base_url: &'a str,
        key: &'a KeySetting,
    },
}

impl ModelSettings {
    /// Where `name` is served, or why this deployment cannot serve it (naming the variable to
    /// set).
    pub fn endpoint(&self, name: &ModelName) -> Result<Endpoint<'_>, String> {
        if name.is_local() {
            return if name.to_string() == ModelName::COMPOSER {
                Ok(Endpoint::Composer)
            } else {
                Err(format!(
                    "{name} is not a model; the built-in one is {}",
                    ModelName::COMPOSER
                ))
            };
        }
        let spec = PROVIDERS
            .iter()
            .find(|p| p.name == name.provider)
            .ok_or_else(|| {
                let known: Vec<&str> = PROVIDERS.iter().map(|p| p.name).chain(["local"]).collect();
                format!(
                    "unknown model provider {:?} in {name}; known providers: {}",
                    name.provider,
                    known.join(", ")
                )
            })?;
        let provider = self
            .providers
            .get(spec.name)
            .ok_or_else(|| format!("{name}: set {}", spec.base_env))?;
        let base_url = provider
            .base_url
            .as_deref()
            .ok_or_else(|| format!("{name} needs a base URL: set {}", spec.base_env))?;
        if spec.key_required && provider.key == KeySetting::Absent {
            return Err(format!(
                "{name} needs an API key: set {key} (or {key}_ARN with a Secrets Manager ARN)",
                key = spec.key_env
            ));
        }
        Ok(Endpoint::Remote {
            protocol: provider.protocol,
            base_url,
            key: &provider.key,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Calls to one model at most, the first included.
    pub max_attempts: u32,
    /// Backoff before retry `n` is drawn from `0..=min(max_delay, base_delay · 2^(n-1))`.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// A provider's `Retry-After` is honoured up to this; asked to wait longer, we fail now
    /// (and let the chain move on) rather than hold a worker.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Full jitter: a uniform draw below the exponential ceiling, so that workers hit by the
    /// same outage do not retry in lockstep.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        let ceiling = self.base_delay.saturating_mul(factor).min(self.max_delay);
        let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(fastrand::u64(0..=millis))
    }

    /// The longest one model can take under this policy, given the per-call timeout.
    pub fn worst_case(&self, call_timeout: Duration) -> Duration {
        let attempts = self.max_attempts.max(1);
        let wait = self.max_delay.max(self.max_retry_after);
        call_timeout.saturating_mul(attempts) + wait.saturating_mul(attempts - 1)
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
