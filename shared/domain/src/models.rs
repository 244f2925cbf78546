//! Language models as the domain sees them: a model's name, and the tokens a call used (what
//! metering charges for).

use serde::{Deserialize, Serialize};

/// A `provider:model` name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ModelName {
    pub provider: String,
    pub model: String,
}

impl ModelName {
    pub const COMPOSER: &'static str = "local:composer";

    pub fn parse(name: &str) -> Result<Self, String> {
        let (provider, model) = name
            .split_once(':')
            .filter(|(p, m)| !p.is_empty() && !m.is_empty())
            .ok_or_else(|| format!("model {name:?} is not of the form provider:model"))?;
        let valid = |s: &str, extra: &str| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
        };
        // Providers are lower case, as configuration and the OpenAPI document name them.
        if name.len() > 128
            || !valid(provider, "-_")
            || provider.chars().any(|c| c.is_ascii_uppercase())
            || !valid(model, "-_.:/@")
        {
            return Err(format!(
                "model {name:?} has characters a model name cannot have"
            ));
        }
        Ok(Self {
            provider: provider.to_ascii_lowercase(),
            model: model.to_owned(),
        })
    }

    pub fn is_local(&self) -> bool {
        self.provider == "local"
    }
}

impl std::fmt::Display for ModelName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.provider, self.model)
    }
}

impl TryFrom<String> for ModelName {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)
    }
}

impl From<ModelName> for String {
    fn from(value: ModelName) -> Self {
        value.to_string()
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

impl std::ops::AddAssign for Usage {
    fn add_assign(&mut self, other: Self) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
    }
}
