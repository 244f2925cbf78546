//! Images as the platform keeps them: an asset is one picture a user asked for (generated from
//! a prompt, or uploaded), its state, and once optimized, its responsive WebP widths on the CDN.
//! The original stays private; only the optimized widths are public.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::page::Picture;
use crate::ports::StoreError;

/// The shape of picture wanted; each provider is asked for its nearest size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Aspect {
    /// 1:1
    Square,
    /// 4:3
    Landscape,
    /// 16:9
    Wide,
    /// 21:9
    Panorama,
    /// 3:4
    Portrait,
}

impl Aspect {
    /// Pixels for generators that take any size (the offline one).
    pub fn pixels(self) -> (u32, u32) {
        match self {
            Aspect::Square => (1200, 1200),
            Aspect::Landscape => (1600, 1200),
            Aspect::Wide => (1920, 1080),
            Aspect::Panorama => (2100, 900),
            Aspect::Portrait => (1200, 1600),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssetStatus {
    /// Waiting for its bytes (an upload not yet made) or for the optimize stage.
    Pending,
    Ready,
    Failed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssetOrigin {
    Generated,
    Upload,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5b7-c1d2-7e8f-9a0b-1c2d3e4f5a6b",
    "origin": "generated",
    "status": "ready",
    "prompt": "Sourdough loaves cooling on a linen cloth, morning light",
    "model": "local:art",
    "picture": {
        "asset_id": "0193a5b7-c1d2-7e8f-9a0b-1c2d3e4f5a6b",
        "width": 1920, "height": 1080,
        "sources": [
            {"url": "https://d111111abcdef8.cloudfront.net/images/5f2a9c0d7e4b1a3c8d6e2f9a0b7c4d1e-1920w.webp", "width": 1920, "height": 1080, "bytes": 141233},
            {"url": "https://d111111abcdef8.cloudfront.net/images/9b1e7c3a5d2f4e6a8c0b9d7e1f3a5c2b-320w.webp", "width": 320, "height": 180, "bytes": 9120}
        ],
        "placeholder": "data:image/webp;base64,UklGRkIAAABXRUJQVlA4IDYAAADQAQCdASoQAAkAAUAmJaQAA3AA/v02aAA="
    },
    "created_at": "2026-12-02T09:30:00Z",
    "updated_at": "2026-12-02T09:30:01Z"
}))]
pub struct Asset {
    pub id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<Uuid>,
    pub origin: AssetOrigin,
    pub status: AssetStatus,
    /// The prompt it was generated from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// The image model that made it (`local:art`, `openai:gpt-image-1`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The uploaded file's name, as the user gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// The responsive widths, once ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<Picture>,
    /// Why it failed, in words a user can act on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

impl Asset {
    pub fn new(origin: AssetOrigin, project_id: Option<Uuid>, now: OffsetDateTime) -> Self {
        Self {
            id: Uuid::now_v7(),
            project_id,
            origin,
            status: AssetStatus::Pending,
            prompt: None,
            model: None,
            filename: None,
            picture: None,
            failure: None,
            created_at: now,
            updated_at: now,
        }
    }
}

/// Where an upload's original is kept (private): the owner and the asset are in the key, so
/// the optimize stage, which knows only the key, finds the asset. The owner's `sub` is hex so
/// any character it holds is a valid key.
pub fn original_key(owner: &str, asset: Uuid) -> String {
    let hex: String = owner.bytes().map(|b| format!("{b:02x}")).collect();
    format!("originals/{hex}/{}", asset.simple())
}

/// The owner and asset of an [`original_key`], or `None` for any other key.
pub fn parse_original_key(key: &str) -> Option<(String, Uuid)> {
    let rest = key.strip_prefix("originals/")?;
    let (hex, id) = rest.split_once('/')?;
    if hex.is_empty() || hex.len() % 2 != 0 || hex.len() > 512 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect();
    let owner = String::from_utf8(bytes?).ok()?;
    let id = Uuid::try_parse(id).ok()?;
    // Only the canonical spelling: one asset, one key.
    (original_key(&owner, id) == key).then_some((owner, id))
}

#[async_trait::async_trait]
pub trait AssetStore: Send + Sync + 'static {
    /// Stores a new asset; `AlreadyExists` if the id is taken.
    async fn insert(&self, owner: &str, asset: &Asset) -> Result<(), StoreError>;
    async fn get(&self, owner: &str, id: Uuid) -> Result<Option<Asset>, StoreError>;
    /// Replaces a stored asset; `NotFound` if there is none.
    async fn save(&self, owner: &str, asset: &Asset) -> Result<(), StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_original_key_names_its_owner_and_asset_and_nothing_else_parses() {
        let id = Uuid::now_v7();
        for owner in ["user-1", "auth0|5f7c8ec7", "ünïcode@example.com"] {
            let key = original_key(owner, id);
            assert!(crate::ports::valid_key(&key), "{key}");
            assert_eq!(parse_original_key(&key), Some((owner.to_owned(), id)));
        }
        for key in [
            "originals/zz/abc",
            "originals//x",
            "images/ab/cd",
            "originals/6162",
            "originals/616/x",
        ] {
            assert_eq!(parse_original_key(key), None, "{key}");
        }
    }
}

/// The largest upload, as the optimize stage's decode limit.
pub const MAX_UPLOAD_BYTES: u64 = 40 * 1_000_000;

/// Where and how a client sends an upload: an HTML-form POST of `fields` plus the file (last,
/// named `file`) to `url`, as S3 takes it. The conditions (this key, this type, at most the
/// declared size, before `expires_at`) are signed into it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UploadForm {
    pub url: String,
    pub fields: std::collections::BTreeMap<String, String>,
    pub max_bytes: u64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
}

/// Signs upload forms: a presigned S3 POST on AWS, the local server's upload URL locally.
#[async_trait::async_trait]
pub trait UploadSigner: Send + Sync + 'static {
    async fn sign(
        &self,
        key: &str,
        content_type: &str,
        max_bytes: u64,
        expires_at: OffsetDateTime,
    ) -> Result<UploadForm, StoreError>;
}

/// What a local upload URL allows, signed with the cursor key: the local server checks it as
/// S3 checks a POST policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadGrant {
    pub key: String,
    pub content_type: String,
    pub max_bytes: u64,
    /// Unix seconds.
    pub expires: i64,
}

impl UploadGrant {
    pub fn sign(&self, secret: &[u8]) -> String {
        use base64::Engine;
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use hmac::Mac;
        let body = serde_json::to_vec(self).unwrap_or_default();
        let tag = Self::mac(secret, &body).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&body),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// The grant a token carries, if it was signed with `secret` and has not expired.
    pub fn verify(secret: &[u8], token: &str, now: OffsetDateTime) -> Option<Self> {
        use base64::Engine;
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use hmac::Mac;
        if token.len() > 2048 {
            return None;
        }
        let (body, tag) = token.split_once('.')?;
        let body = URL_SAFE_NO_PAD.decode(body).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        Self::mac(secret, &body).verify_slice(&tag).ok()?;
        let grant: Self = serde_json::from_slice(&body).ok()?;
        (grant.expires > now.unix_timestamp()).then_some(grant)
    }

    fn mac(secret: &[u8], body: &[u8]) -> hmac::Hmac<sha2::Sha256> {
        use hmac::{KeyInit, Mac};
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret)
            .expect("HMAC takes keys of any length");
        mac.update(b"visions-upload-v1");
        mac.update(body);
        mac
    }
}

#[cfg(test)]
mod grant_tests {
    use super::*;

    #[test]
    fn a_grant_is_good_only_unaltered_unexpired_and_under_its_key() {
        let now = OffsetDateTime::now_utc();
        let grant = UploadGrant {
            key: "originals/616c696365/0193".into(),
            content_type: "image/png".into(),
            max_bytes: 1000,
            expires: now.unix_timestamp() + 60,
        };
        let token = grant.sign(b"key");
        assert_eq!(
            UploadGrant::verify(b"key", &token, now),
            Some(grant.clone())
        );
        assert_eq!(UploadGrant::verify(b"other", &token, now), None);
        assert_eq!(
            UploadGrant::verify(b"key", &token, now + time::Duration::minutes(2)),
            None
        );
        let (body, tag) = token.split_once('.').unwrap();
        let mut forged = grant.clone();
        forged.max_bytes = 1_000_000_000;
        let forged_body = {
            use base64::Engine;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(serde_json::to_vec(&forged).unwrap())
        };
        assert_ne!(forged_body, body);
        assert_eq!(
            UploadGrant::verify(b"key", &format!("{forged_body}.{tag}"), now),
            None
        );
    }
}
