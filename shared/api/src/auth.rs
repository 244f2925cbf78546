//! Strict JWT authentication: the algorithm is fixed server-side, and `exp`, `nbf`, `iss`, `aud`
//! and `sub` are all required. The principal that comes out is the only source of storage keys.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::problem::{Problem, ProblemKind};
use visions_domain::config::{ConfigError, parse_u64};
use visions_domain::ports::{SecretName, SecretStore};
pub use visions_domain::tier::Tier;

/// HS256 keys shorter than this are brute-forceable (RFC 7518 §3.2).
pub const MIN_HS256_KEY_BYTES: usize = 32;
/// Tokens longer than this are refused before any parsing.
const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// Who is calling: the token's `sub`, its tier, and whether it holds the admin role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub sub: String,
    pub tier: Tier,
    pub admin: bool,
}

/// The claims Visions AI reads. Numeric dates are typed as integers, so a string `exp` or `nbf`
/// fails here even before the library's own checks.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iss: String,
    pub aud: Audience,
    pub exp: i64,
    pub nbf: i64,
    pub iat: i64,
    pub tier: Tier,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
}

/// RFC 7519 §4.1.3: one audience as a string, or several as an array (the library checks
/// that ours is among them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

/// The longest lifetime a minted token may have (a year): beyond it a token is a credential
/// that never expires.
pub const MAX_TOKEN_TTL_SECS: i64 = 366 * 24 * 3600;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("missing bearer token")]
    Missing,
    #[error("invalid token: {0}")]
    Invalid(String),
    #[error("verification key unavailable: {0}")]
    KeyUnavailable(String),
}

impl From<AuthError> for Problem {
    fn from(err: AuthError) -> Self {
        match err {
            AuthError::Missing => Problem::new(ProblemKind::Unauthorized)
                .detail("send `Authorization: Bearer <token>`"),
            // Which check failed stays in the logs: telling a forger helps nobody else.
            AuthError::Invalid(reason) => {
                tracing::info!(%reason, "rejected token");
                Problem::new(ProblemKind::Unauthorized).detail("the token is invalid or expired")
            }
            AuthError::KeyUnavailable(reason) => Problem::internal(reason),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JwtSettings {
    /// Fixed server-side; the token's own `alg` header is never trusted.
    pub algorithm: Algorithm,
    pub issuer: String,
    pub audience: String,
    pub leeway_secs: u64,
    /// EdDSA only: the public key given as configuration. It is no secret, so with it a
    /// verifier never asks the secret store (a cold start's first request makes no such call);
    /// without it the key is the `JwtKey` secret.
    pub public_key: Option<Ed25519PublicKey>,
}

/// An Ed25519 public key, from its JWK `x` (RFC 8037 §2: base64url, no padding, of the 32-byte
/// key), the form identity providers publish in their JWKS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ed25519PublicKey([u8; 32]);

impl std::str::FromStr for Ed25519PublicKey {
    type Err = &'static str;

    fn from_str(x: &str) -> Result<Self, Self::Err> {
        const EXPECTED: &str = "expected an Ed25519 public key's JWK `x`: 43 base64url characters";
        let bytes = URL_SAFE_NO_PAD.decode(x.trim()).map_err(|_| EXPECTED)?;
        Ok(Self(bytes.try_into().map_err(|_| EXPECTED)?))
    }
}

pub const DEFAULT_ISSUER: &str = "visions-ai";
pub const DEFAULT_AUDIENCE: &str = "visions-ai-api";
/// RFC 7519 allows some clock skew; more than this would make expiry meaningless.
pub const MAX_LEEWAY_SECS: u64 = 30;

impl JwtSettings {
    /// `VISIONS_JWT_ALG` (HS256 or EdDSA), `VISIONS_JWT_ISSUER`, `VISIONS_JWT_AUDIENCE`,
    /// `VISIONS_JWT_LEEWAY_SECS` and `VISIONS_JWT_PUBLIC_KEY`, read through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
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
        let public_key = match lookup("VISIONS_JWT_PUBLIC_KEY").filter(|x| !x.is_empty()) {
            None => None,
            Some(x) if algorithm != Algorithm::EdDSA => {
                return Err(ConfigError::Invalid {
                    name: "VISIONS_JWT_PUBLIC_KEY",
                    value: x,
                    reason: "a public key verifies EdDSA tokens: set VISIONS_JWT_ALG=EdDSA",
                });
            }
            Some(x) => Some(x.parse().map_err(|reason| ConfigError::Invalid {
                name: "VISIONS_JWT_PUBLIC_KEY",
                value: x,
                reason,
            })?),
        };
        Ok(Self {
            algorithm,
            issuer: lookup("VISIONS_JWT_ISSUER").unwrap_or_else(|| DEFAULT_ISSUER.into()),
            audience: lookup("VISIONS_JWT_AUDIENCE").unwrap_or_else(|| DEFAULT_AUDIENCE.into()),
            leeway_secs,
            public_key,
        })
    }
}

/// Verifies bearer tokens against the configured algorithm and key.
pub struct JwtVerifier {
    settings: JwtSettings,
    key: VerifyingKey,
}

enum VerifyingKey {
    /// Read (and cached) by the store: it may change while the function runs.
    Secret(Arc<dyn SecretStore>),
    Public(DecodingKey),
}

impl JwtVerifier {
    pub fn new(settings: JwtSettings, secrets: Arc<dyn SecretStore>) -> Self {
        let key = match &settings.public_key {
            Some(Ed25519PublicKey(raw)) => VerifyingKey::Public(DecodingKey::from_ed_der(raw)),
            None => VerifyingKey::Secret(secrets),
        };
        Self { settings, key }
    }

    /// Whether verifying reads the `JwtKey` secret (a cold start may fetch it early).
    pub fn reads_secret(&self) -> bool {
        matches!(self.key, VerifyingKey::Secret(_))
    }

    /// A function's verifier: its settings read through `lookup` ([`JwtSettings::from_lookup`]),
    /// the key from `secrets`.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<Self, ConfigError> {
        Ok(Self::new(JwtSettings::from_lookup(lookup)?, secrets))
    }

    pub async fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(AuthError::Invalid("token too long".into()));
        }
        let key = self.decoding_key().await?;
        let mut validation = Validation::new(self.settings.algorithm);
        validation.algorithms = vec![self.settings.algorithm];
        validation.leeway = self.settings.leeway_secs;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_audience(&[&self.settings.audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .map_err(|err| AuthError::Invalid(err.to_string()))?;
        let claims = data.claims;
        if claims.sub.is_empty()
            || claims.sub.len() > 256
            || claims.sub.chars().any(char::is_control)
        {
            return Err(AuthError::Invalid("unusable sub".into()));
        }
        Ok(Principal {
            admin: claims.roles.iter().any(|role| role == "admin"),
            sub: claims.sub,
            tier: claims.tier,
        })
    }

    async fn decoding_key(&self) -> Result<DecodingKey, AuthError> {
        let secrets = match &self.key {
            VerifyingKey::Public(key) => return Ok(key.clone()),
            VerifyingKey::Secret(secrets) => secrets,
        };
        let material = secrets
            .get(SecretName::JwtKey)
            .await
            .map_err(|err| AuthError::KeyUnavailable(err.to_string()))?;
        match self.settings.algorithm {
            Algorithm::HS256 => {
                if material.len() < MIN_HS256_KEY_BYTES {
                    return Err(AuthError::KeyUnavailable(format!(
                        "HS256 key is {} bytes; at least {MIN_HS256_KEY_BYTES} are required",
                        material.len()
                    )));
                }
                Ok(DecodingKey::from_secret(material.as_bytes()))
            }
            Algorithm::EdDSA => DecodingKey::from_ed_pem(material.as_bytes())
                .map_err(|err| AuthError::KeyUnavailable(format!("EdDSA public key: {err}"))),
            other => Err(AuthError::KeyUnavailable(format!(
                "unsupported algorithm {other:?}"
            ))),
        }
    }
}

/// What a new token should say; used by `visions-ai token` and by tests.
pub struct TokenRequest<'a> {
    pub sub: &'a str,
    pub tier: Tier,
    pub admin: bool,
    pub ttl_secs: i64,
}

/// Signs an HS256 token the local server accepts (the key is the local `jwt-key` secret).
pub fn issue_hs256(
    settings: &JwtSettings,
    key: &str,
    request: &TokenRequest<'_>,
) -> anyhow::Result<String> {
    anyhow::ensure!(
        key.len() >= MIN_HS256_KEY_BYTES,
        "the HS256 key must be at least {MIN_HS256_KEY_BYTES} bytes"
    );
    anyhow::ensure!(
        (1..=MAX_TOKEN_TTL_SECS).contains(&request.ttl_secs),
        "--ttl must be between 1 and {MAX_TOKEN_TTL_SECS} seconds"
    );
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let claims = Claims {
        sub: request.sub.to_owned(),
        iss: settings.issuer.clone(),
        aud: Audience::One(settings.audience.clone()),
        iat: now,
        nbf: now,
        exp: now.saturating_add(request.ttl_secs),
        tier: request.tier,
        roles: if request.admin {
            vec!["admin".into()]
        } else {
            Vec::new()
        },
    };
    Ok(jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(key.as_bytes()),
    )?)
}

/// Axum extractor: any handler that takes a `Principal` is authenticated.
impl<S> FromRequestParts<S> for Principal
where
    Arc<JwtVerifier>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let verifier = Arc::<JwtVerifier>::from_ref(state);
        let header = parts.headers.get(AUTHORIZATION).ok_or(AuthError::Missing)?;
        let token = header
            .to_str()
            .ok()
            .and_then(|value| {
                let (scheme, token) = value.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .filter(|token| !token.is_empty())
            .ok_or(AuthError::Missing)?;
        let principal = verifier.verify(token).await?;
        tracing::Span::current().record("principal", principal.sub.as_str());
        Ok(principal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Result<JwtSettings, ConfigError> {
        JwtSettings::from_lookup(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    const X: &str = "Aq0CJH6AWz8D8FA2PkujK6Fsl9JuqC_iG4n-lyw5pco";

    #[test]
    fn a_public_key_is_read_for_eddsa_only() {
        let eddsa = settings(&[("VISIONS_JWT_ALG", "EdDSA"), ("VISIONS_JWT_PUBLIC_KEY", X)]);
        assert!(eddsa.unwrap().public_key.is_some());
        let unset = settings(&[("VISIONS_JWT_ALG", "EdDSA"), ("VISIONS_JWT_PUBLIC_KEY", "")]);
        assert_eq!(unset.unwrap().public_key, None, "empty is unset");
        let hs256 = settings(&[("VISIONS_JWT_PUBLIC_KEY", X)]).unwrap_err();
        assert!(
            hs256.to_string().contains("VISIONS_JWT_ALG=EdDSA"),
            "{hs256}"
        );
    }

    #[test]
    fn a_public_key_that_is_not_one_is_refused() {
        let pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAAq0CJH6AWz8D8FA2PkujK6Fsl9JuqC/iG4n+lyw5pco=\n-----END PUBLIC KEY-----";
        let short = X.get(..42).unwrap_or_default();
        let padded = format!("{X}=");
        let standard_alphabet = X.replace('_', "/");
        for bad in [pem, short, padded.as_str(), standard_alphabet.as_str(), "é"] {
            let err = settings(&[
                ("VISIONS_JWT_ALG", "EdDSA"),
                ("VISIONS_JWT_PUBLIC_KEY", bad),
            ])
            .unwrap_err();
            assert!(
                err.to_string().contains("43 base64url characters"),
                "{bad}: {err}"
            );
        }
    }
}
