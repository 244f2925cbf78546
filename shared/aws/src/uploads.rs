//! Presigned S3 POSTs for uploads: a POST policy (this bucket, this key, this content type, a
//! length from 1 byte to the declared size, an expiry) signed with SigV4 by the function's own
//! credentials, so the browser sends the file straight to the private uploads bucket and S3
//! refuses anything else. The SDK presigns requests but not POST policies; the signing is
//! `aws-sigv4`'s.

use std::collections::BTreeMap;
use std::time::SystemTime;

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use base64::Engine;
use serde_json::json;
use time::OffsetDateTime;
use time::macros::format_description;

use visions_domain::asset::{UploadForm, UploadSigner};
use visions_domain::ports::StoreError;

pub struct S3UploadSigner {
    credentials: SharedCredentialsProvider,
    bucket: String,
    region: String,
    /// The S3 endpoint (path-style) when one is configured (an emulator); virtual-hosted
    /// `https://{bucket}.s3.{region}.amazonaws.com` otherwise.
    endpoint: Option<String>,
}

impl S3UploadSigner {
    pub fn new(sdk: &aws_config::SdkConfig, bucket: &str) -> Result<Self, StoreError> {
        let credentials = sdk
            .credentials_provider()
            .ok_or_else(|| StoreError::Backend(anyhow::anyhow!("no AWS credentials provider")))?;
        let region = sdk
            .region()
            .map(|r| r.to_string())
            .unwrap_or_else(|| "us-east-1".to_owned());
        Ok(Self {
            credentials,
            bucket: bucket.to_owned(),
            region,
            endpoint: sdk
                .endpoint_url()
                .map(|e| e.trim_end_matches('/').to_owned()),
        })
    }
}

#[async_trait::async_trait]
impl UploadSigner for S3UploadSigner {
    async fn sign(
        &self,
        key: &str,
        content_type: &str,
        max_bytes: u64,
        expires_at: OffsetDateTime,
    ) -> Result<UploadForm, StoreError> {
        let credentials = self
            .credentials
            .provide_credentials()
            .await
            .map_err(|e| StoreError::Backend(anyhow::anyhow!("AWS credentials: {e}")))?;
        let now = SystemTime::now();
        let stamp = OffsetDateTime::from(now);
        let date = stamp
            .format(format_description!("[year][month][day]"))
            .map_err(|e| StoreError::Backend(e.into()))?;
        let amz_date = stamp
            .format(format_description!(
                "[year][month][day]T[hour][minute][second]Z"
            ))
            .map_err(|e| StoreError::Backend(e.into()))?;
        let expiration = expires_at
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(|e| StoreError::Backend(e.into()))?;
        let credential = format!(
            "{}/{date}/{}/s3/aws4_request",
            credentials.access_key_id(),
            self.region
        );
        let mut fields = BTreeMap::from([
            ("key".to_owned(), key.to_owned()),
            ("Content-Type".to_owned(), content_type.to_owned()),
            ("x-amz-algorithm".to_owned(), "AWS4-HMAC-SHA256".to_owned()),
            ("x-amz-credential".to_owned(), credential.clone()),
            ("x-amz-date".to_owned(), amz_date.clone()),
        ]);
        let mut conditions = vec![
            json!({"bucket": self.bucket}),
            json!({"key": key}),
            json!({"Content-Type": content_type}),
            json!(["content-length-range", 1, max_bytes]),
            json!({"x-amz-algorithm": "AWS4-HMAC-SHA256"}),
            json!({"x-amz-credential": credential}),
            json!({"x-amz-date": amz_date}),
        ];
        if let Some(token) = credentials.session_token() {
            fields.insert("x-amz-security-token".to_owned(), token.to_owned());
            conditions.push(json!({"x-amz-security-token": token}));
        }
        let policy = json!({"expiration": expiration, "conditions": conditions});
        let policy = base64::engine::general_purpose::STANDARD.encode(policy.to_string());
        let signing_key = aws_sigv4::sign::v4::generate_signing_key(
            credentials.secret_access_key(),
            now,
            &self.region,
            "s3",
        );
        let signature = aws_sigv4::sign::v4::calculate_signature(signing_key, policy.as_bytes());
        fields.insert("policy".to_owned(), policy);
        fields.insert("x-amz-signature".to_owned(), signature);
        let url = match &self.endpoint {
            Some(endpoint) => format!("{endpoint}/{}", self.bucket),
            None => format!("https://{}.s3.{}.amazonaws.com", self.bucket, self.region),
        };
        Ok(UploadForm {
            url,
            fields,
            max_bytes,
            expires_at,
        })
    }
}
