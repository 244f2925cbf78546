//! Typed configuration, read once per cold start (or once per `visions-ai` command).

use std::path::PathBuf;
use std::time::Duration;

use jsonwebtoken::Algorithm;

/// Where state lives: embedded files and SQLite, or AWS (DynamoDB, S3, SQS, Secrets Manager).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    Local { data_dir: PathBuf },
    Aws(AwsSettings),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsSettings {
    pub table: String,
    /// The SQS queue generation jobs go on.
    pub queue_url: String,
    /// The S3 bucket for pages and images, and the CDN URL in front of it.
    pub assets_bucket: String,
    pub assets_url: String,
    pub jwt_key_arn: String,
    pub cursor_key_arn: String,
    pub secret_ttl: Duration,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JwtSettings {
    /// Fixed server-side; the token's own `alg` header is never trusted.
    pub algorithm: Algorithm,
    pub issuer: String,
    pub audience: String,
    pub leeway_secs: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub backend: Backend,
    pub jwt: JwtSettings,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{name} is required when VISIONS_BACKEND=aws")]
    Missing { name: &'static str },
    #[error("{name}={value:?} is invalid: {reason}")]
    Invalid {
        name: &'static str,
        value: String,
        reason: &'static str,
    },
}

pub const DEFAULT_DATA_DIR: &str = "visions-data";
pub const DEFAULT_ISSUER: &str = "visions-ai";
pub const DEFAULT_AUDIENCE: &str = "visions-ai-api";
/// RFC 7519 allows some clock skew; more than this would make expiry meaningless.
pub const MAX_LEEWAY_SECS: u64 = 30;

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Reads configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let backend = match lookup("VISIONS_BACKEND").as_deref() {
            None | Some("local") => Backend::Local {
                data_dir: PathBuf::from(
                    lookup("VISIONS_DATA_DIR").unwrap_or_else(|| DEFAULT_DATA_DIR.into()),
                ),
            },
            Some("aws") => {
                let required =
                    |name: &'static str| lookup(name).ok_or(ConfigError::Missing { name });
                Backend::Aws(AwsSettings {
                    table: required("VISIONS_TABLE")?,
                    queue_url: required("VISIONS_QUEUE_URL")?,
                    assets_bucket: required("VISIONS_ASSETS_BUCKET")?,
                    assets_url: required("VISIONS_ASSETS_URL")?,
                    jwt_key_arn: required("VISIONS_JWT_KEY_ARN")?,
                    cursor_key_arn: required("VISIONS_CURSOR_KEY_ARN")?,
                    secret_ttl: Duration::from_secs(parse_u64(
                        &lookup,
                        "VISIONS_SECRET_TTL_SECS",
                        300,
                    )?),
                })
            }
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "VISIONS_BACKEND",
                    value: other.into(),
                    reason: "expected `local` or `aws`",
                });
            }
        };

        let algorithm = match lookup("VISIONS_JWT_ALG").as_deref() {
            None | Some("HS256") => Algorithm::HS256,
            Some("EdDSA") => Algorithm::EdDSA,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "VISIONS_JWT_ALG",
                    value: other.into(),
                    reason: "expected `HS256` or `EdDSA`",
                });
            }
        };
        let leeway_secs = parse_u64(&lookup, "VISIONS_JWT_LEEWAY_SECS", MAX_LEEWAY_SECS)?;
        if leeway_secs > MAX_LEEWAY_SECS {
            return Err(ConfigError::Invalid {
                name: "VISIONS_JWT_LEEWAY_SECS",
                value: leeway_secs.to_string(),
                reason: "at most 30 seconds",
            });
        }
        Ok(Self {
            backend,
            jwt: JwtSettings {
                algorithm,
                issuer: lookup("VISIONS_JWT_ISSUER").unwrap_or_else(|| DEFAULT_ISSUER.into()),
                audience: lookup("VISIONS_JWT_AUDIENCE").unwrap_or_else(|| DEFAULT_AUDIENCE.into()),
                leeway_secs,
            },
        })
    }
}

fn parse_u64(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: u64,
) -> Result<u64, ConfigError> {
    match lookup(name) {
        None => Ok(default),
        Some(value) => value.parse().map_err(|_| ConfigError::Invalid {
            name,
            value,
            reason: "expected a whole number",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
