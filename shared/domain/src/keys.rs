//! API keys: what a developer sends as `x-api-key` so that their tier's usage plan (throttle
//! and daily quota) applies. The value is shown once, at creation; stores keep its SHA-256.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::ports::StoreError;
use crate::tier::Tier;

/// A key as its owner sees it (never its value).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ApiKey {
    /// The key's id (API Gateway's on AWS).
    pub id: String,
    pub name: String,
    /// The first characters of the value, to tell keys apart.
    pub prefix: String,
    /// The usage plan it is attached to.
    pub tier: Tier,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

/// Key values: `vk_` and 40 random letters and digits (API Gateway needs at least 20).
pub const KEY_PREFIX: &str = "vk_";
const KEY_CHARS: usize = 40;

/// A fresh key value from the operating system's random source.
pub fn new_key_value() -> String {
    let mut value = String::with_capacity(KEY_PREFIX.len() + KEY_CHARS);
    value.push_str(KEY_PREFIX);
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    // Bytes of 248 and above are skipped so that every letter is equally likely (248 = 4 × 62).
    while value.len() < KEY_PREFIX.len() + KEY_CHARS {
        let mut bytes = [0u8; 64];
        getrandom::fill(&mut bytes).expect("the OS random source works");
        value.extend(
            bytes
                .iter()
                .filter(|b| **b < 248)
                .filter_map(|b| alphabet.get(usize::from(*b) % alphabet.len()))
                .map(|b| char::from(*b))
                .take(KEY_PREFIX.len() + KEY_CHARS - value.len()),
        );
    }
    value
}

/// How a stored key is found from the value a request sends.
pub fn key_hash(value: &str) -> String {
    Sha256::digest(value.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The part of a value shown in listings.
pub fn key_prefix(value: &str) -> String {
    value.chars().take(KEY_PREFIX.len() + 4).collect()
}

/// A key store per backend: SQLite locally (the local server enforces the plans), API Gateway
/// keys and usage plans on AWS (the gateway enforces them).
#[async_trait::async_trait]
pub trait ApiKeyStore: Send + Sync + 'static {
    /// Creates a key on `tier`'s plan; returns it with its value, which is not kept.
    async fn create(
        &self,
        owner: &str,
        name: &str,
        tier: Tier,
    ) -> Result<(ApiKey, String), StoreError>;
    /// The owner's live keys, newest first.
    async fn list(&self, owner: &str) -> Result<Vec<ApiKey>, StoreError>;
    /// Revokes a key of the owner's: `NotFound` for anyone else's.
    async fn revoke(&self, owner: &str, id: &str) -> Result<(), StoreError>;
    /// Moves every key of the owner's to `tier`'s plan.
    async fn move_to(&self, owner: &str, tier: Tier) -> Result<(), StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_long_random_and_hashed() {
        let (a, b) = (new_key_value(), new_key_value());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(a.starts_with("vk_"));
        assert!(a.chars().skip(3).all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(key_hash(&a).len(), 64);
        assert!(a.starts_with(&key_prefix(&a)) && key_prefix(&a).len() == 7);
    }
}
