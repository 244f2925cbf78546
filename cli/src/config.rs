//! The local stack's configuration: which backend (embedded or AWS), and how tokens are
//! verified. Read once per `visions-ai` command.

use std::path::PathBuf;

use visions_api::auth::JwtSettings;
use visions_aws::AwsSettings;
use visions_domain::config::{ConfigError, env_lookup};

/// Where state lives: embedded files and SQLite, or AWS (DynamoDB, S3, SQS, Secrets Manager).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    Local { data_dir: PathBuf },
    Aws(Box<AwsSettings>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub backend: Backend,
    pub jwt: JwtSettings,
}

pub const DEFAULT_DATA_DIR: &str = "visions-data";

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(env_lookup)
    }

    /// Reads configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let backend = match lookup("VISIONS_BACKEND").as_deref() {
            None | Some("local") => Backend::Local {
                data_dir: PathBuf::from(
                    lookup("VISIONS_DATA_DIR").unwrap_or_else(|| DEFAULT_DATA_DIR.into()),
                ),
            },
            Some("aws") => Backend::Aws(Box::new(AwsSettings::from_lookup(&lookup)?)),
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "VISIONS_BACKEND",
                    value: other.into(),
                    reason: "expected `local` or `aws`",
                });
            }
        };
        Ok(Self {
            backend,
            jwt: JwtSettings::from_lookup(&lookup)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::Algorithm;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_to_local_backend_and_hs256() {
        let config = config(&[]).unwrap();
        assert_eq!(
            config.backend,
            Backend::Local {
                data_dir: DEFAULT_DATA_DIR.into()
            }
        );
        assert_eq!(config.jwt.algorithm, Algorithm::HS256);
        assert_eq!(config.jwt.leeway_secs, 30);
    }

    #[test]
    fn aws_backend_names_each_missing_variable() {
        let err = config(&[("VISIONS_BACKEND", "aws")]).unwrap_err();
        assert_eq!(
            err,
            ConfigError::Missing {
                name: "VISIONS_TABLE"
            }
        );
    }

    #[test]
    fn rejects_unknown_algorithm_and_long_leeway() {
        assert!(config(&[("VISIONS_JWT_ALG", "none")]).is_err());
        assert!(config(&[("VISIONS_JWT_ALG", "RS256")]).is_err());
        assert!(config(&[("VISIONS_JWT_LEEWAY_SECS", "31")]).is_err());
    }
}
