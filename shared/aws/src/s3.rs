//! Blobs (rendered pages, later images and exports) in S3, served through CloudFront.

use visions_domain::ports::{BlobStore, StoreError, cache_control, invalid_key, valid_key};

pub struct S3BlobStore {
    client: aws_sdk_s3::Client,
    bucket: String,
    /// The CloudFront distribution (or any CDN) in front of the bucket.
    public_base_url: String,
}

impl S3BlobStore {
    pub fn new(
        client: aws_sdk_s3::Client,
        bucket: impl Into<String>,
        public_base_url: impl Into<String>,
    ) -> Self {
        Self {
            client,
            bucket: bucket.into(),
            public_base_url: public_base_url.into(),
        }
    }
}

impl S3BlobStore {
    /// The blob at `key`, or its bytes in an HTTP `range`; `None` when there is none.
    async fn get_object(
        &self,
        key: &str,
        range: Option<String>,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        if !valid_key(key) {
            return Ok(None);
        }
        match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .set_range(range)
            .send()
            .await
        {
            Ok(output) => {
                let bytes = output
                    .body
                    .collect()
                    .await
                    .map_err(|e| StoreError::Backend(e.into()))?;
                // `into_bytes` joins the received chunks with whole-chunk copies;
                // `AggregatedBytes::to_vec` iterates them byte by byte, which took seconds for
                // a 200 MB vector index in a debug build.
                Ok(Some(Vec::from(bytes.into_bytes())))
            }
            Err(err) if err.as_service_error().is_some_and(|e| e.is_no_such_key()) => Ok(None),
            // 416: the range starts past the blob's end, where it has no bytes.
            Err(err)
                if err
                    .raw_response()
                    .is_some_and(|r| r.status().as_u16() == 416) =>
            {
                Ok(Some(Vec::new()))
            }
            Err(err) => Err(s3_error(err)),
        }
    }
}

fn s3_error<E, R>(err: aws_sdk_s3::error::SdkError<E, R>) -> StoreError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    StoreError::Backend(anyhow::anyhow!(
        "{}",
        aws_sdk_s3::error::DisplayErrorContext(err)
    ))
}

#[async_trait::async_trait]
impl BlobStore for S3BlobStore {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), StoreError> {
        if !valid_key(key) {
            return Err(invalid_key(key));
        }
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .cache_control(cache_control(content_type))
            .body(bytes.into())
            .send()
            .await
            .map_err(s3_error)?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.get_object(key, None).await
    }

    async fn get_range(
        &self,
        key: &str,
        start: u64,
        len: u64,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        // An HTTP range is inclusive and cannot be empty: an empty one asks for a byte, so a
        // missing blob is still `None`, and keeps none.
        let last = start.saturating_add(len.max(1) - 1);
        let mut bytes = self
            .get_object(key, Some(format!("bytes={start}-{last}")))
            .await?;
        if let Some(bytes) = &mut bytes {
            bytes.truncate(usize::try_from(len).unwrap_or(usize::MAX));
        }
        Ok(bytes)
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        if !valid_key(key) {
            return Err(invalid_key(key));
        }
        // S3 answers 204 whether or not the key existed.
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(s3_error)?;
        Ok(())
    }

    fn public_url(&self, key: &str) -> String {
        format!("{}/{key}", self.public_base_url.trim_end_matches('/'))
    }
}
