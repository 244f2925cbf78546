//! Upload URLs on the local server, standing in for S3's presigned POST: the same form
//! fields, posted to `/v1/uploads/{token}`, where the token carries the conditions signed with
//! the cursor key (`UploadGrant`).

use std::collections::BTreeMap;
use std::sync::Arc;

use time::OffsetDateTime;
use visions_domain::asset::{UploadForm, UploadGrant, UploadSigner};
use visions_domain::ports::{SecretName, SecretStore, StoreError};

pub struct LocalUploadSigner {
    secrets: Arc<dyn SecretStore>,
}

impl LocalUploadSigner {
    pub fn new(secrets: Arc<dyn SecretStore>) -> Self {
        Self { secrets }
    }
}

#[async_trait::async_trait]
impl UploadSigner for LocalUploadSigner {
    async fn sign(
        &self,
        key: &str,
        content_type: &str,
        max_bytes: u64,
        expires_at: OffsetDateTime,
    ) -> Result<UploadForm, StoreError> {
        let secret = self
            .secrets
            .get(SecretName::CursorKey)
            .await
            .map_err(|e| StoreError::Backend(anyhow::anyhow!("{e}")))?;
        let token = UploadGrant {
            key: key.to_owned(),
            content_type: content_type.to_owned(),
            max_bytes,
            expires: expires_at.unix_timestamp(),
        }
        .sign(secret.as_bytes());
        Ok(UploadForm {
            url: format!("/v1/uploads/{token}"),
            fields: BTreeMap::from([
                ("key".to_owned(), key.to_owned()),
                ("Content-Type".to_owned(), content_type.to_owned()),
            ]),
            max_bytes,
            expires_at,
        })
    }
}
