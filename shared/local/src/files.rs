//! Blobs as files in the data folder (served by the local server under `/assets/`).

use std::path::PathBuf;

use visions_domain::ports::{BlobStore, StoreError, invalid_key, valid_key};

/// Missing, or a path through something that is not a folder.
fn is_absent(err: &std::io::Error) -> bool {
    matches!(
        err.kind(),
        std::io::ErrorKind::NotFound
            | std::io::ErrorKind::NotADirectory
            | std::io::ErrorKind::IsADirectory
    )
}

pub struct FileBlobStore {
    root: PathBuf,
    url_prefix: String,
}

impl FileBlobStore {
    /// `url_prefix` is where the local server serves `root`, e.g. `/assets`.
    pub fn new(root: PathBuf, url_prefix: impl Into<String>) -> Self {
        Self {
            root,
            url_prefix: url_prefix.into(),
        }
    }
}

#[async_trait::async_trait]
impl BlobStore for FileBlobStore {
    async fn put(&self, key: &str, bytes: Vec<u8>, _content_type: &str) -> Result<(), StoreError> {
        if !valid_key(key) {
            return Err(invalid_key(key));
        }
        let path = self.root.join(key);
        let dir = path
            .parent()
            .map_or_else(|| self.root.clone(), ToOwned::to_owned);
        // Write then rename, so a reader never sees half a file.
        let temp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(|e| StoreError::Backend(e.into()))?;
        tokio::fs::write(&temp, bytes)
            .await
            .map_err(|e| StoreError::Backend(e.into()))?;
        tokio::fs::rename(&temp, &path)
            .await
            .map_err(|e| StoreError::Backend(e.into()))?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        if !valid_key(key) {
            return Ok(None);
        }
        let path = self.root.join(key);
        // A folder (a key's prefix) is no blob: as on S3, there is nothing at that key.
        match tokio::fs::metadata(&path).await {
            Ok(meta) if meta.is_file() => {}
            Ok(_) => return Ok(None),
            Err(err) if is_absent(&err) => return Ok(None),
            Err(err) => return Err(StoreError::Backend(err.into())),
        }
        match tokio::fs::read(path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(err) if is_absent(&err) => Ok(None),
            Err(err) => Err(StoreError::Backend(err.into())),
        }
    }

    async fn get_range(
        &self,
        key: &str,
        start: u64,
        len: u64,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        use tokio::io::{AsyncReadExt, AsyncSeekExt};
        if !valid_key(key) {
            return Ok(None);
        }
        let mut file = match tokio::fs::File::open(self.root.join(key)).await {
            Ok(file) => file,
            Err(err) if is_absent(&err) => return Ok(None),
            Err(err) => return Err(StoreError::Backend(err.into())),
        };
        if !file
            .metadata()
            .await
            .map_err(|e| StoreError::Backend(e.into()))?
            .is_file()
        {
            return Ok(None);
        }
        file.seek(std::io::SeekFrom::Start(start))
            .await
            .map_err(|e| StoreError::Backend(e.into()))?;
        let mut bytes = Vec::new();
        file.take(len)
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| StoreError::Backend(e.into()))?;
        Ok(Some(bytes))
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        if !valid_key(key) {
            return Err(invalid_key(key));
        }
        let path = self.root.join(key);
        match tokio::fs::remove_file(&path).await {
            Ok(()) => {}
            Err(err) if is_absent(&err) => {}
            Err(err) => return Err(StoreError::Backend(err.into())),
        }
        // Drop the key's folders once empty (pages/<id>/ holds one page).
        let mut dir = path.parent();
        while let Some(folder) = dir.filter(|d| *d != self.root && d.starts_with(&self.root)) {
            if tokio::fs::remove_dir(folder).await.is_err() {
                break;
            }
            dir = folder.parent();
        }
        Ok(())
    }

    fn public_url(&self, key: &str) -> String {
        format!("{}/{key}", self.url_prefix)
    }
}
