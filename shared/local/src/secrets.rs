//! Local secrets: `VISIONS_JWT_KEY` / `VISIONS_CURSOR_KEY` win; otherwise files under
//! `<data_dir>/secrets/`, created once with mode 0600, so tokens stay valid across restarts.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use visions_domain::ports::{SecretError, SecretName, SecretStore};

pub struct LocalSecrets {
    dir: PathBuf,
    /// Values never expire locally: read once per process.
    cache: Mutex<HashMap<SecretName, Arc<str>>>,
}

fn env_var(name: SecretName) -> &'static str {
    match name {
        SecretName::JwtKey => "VISIONS_JWT_KEY",
        SecretName::CursorKey => "VISIONS_CURSOR_KEY",
    }
}

fn file_name(name: SecretName) -> &'static str {
    match name {
        SecretName::JwtKey => "jwt-key",
        SecretName::CursorKey => "cursor-key",
    }
}

impl LocalSecrets {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            dir: data_dir.join("secrets"),
            cache: Mutex::default(),
        }
    }
}

#[async_trait::async_trait]
impl SecretStore for LocalSecrets {
    async fn get(&self, name: SecretName) -> Result<Arc<str>, SecretError> {
        if let Some(value) = self.cache.lock().expect("secret cache poisoned").get(&name) {
            return Ok(value.clone());
        }
        let value: Arc<str> = match std::env::var(env_var(name)) {
            Ok(value) if !value.trim().is_empty() => value.into(),
            _ => read_or_create(&self.dir, name)?.into(),
        };
        self.cache
            .lock()
            .expect("secret cache poisoned")
            .insert(name, value.clone());
        Ok(value)
    }

    async fn get_by_reference(&self, reference: &str) -> Result<Arc<str>, SecretError> {
        Err(SecretError::Unavailable(
            reference.to_owned(),
            "secrets by ARN need VISIONS_BACKEND=aws; set the key itself locally".into(),
        ))
    }
}

fn read_or_create(dir: &Path, name: SecretName) -> Result<String, SecretError> {
    let path = dir.join(file_name(name));
    let unavailable = |err: std::io::Error| {
        SecretError::Unavailable(format!("{name:?}"), format!("{}: {err}", path.display()))
    };
    match std::fs::read_to_string(&path) {
        Ok(value) => return Ok(value.trim().to_owned()),
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(unavailable(err)),
        Err(_) => {}
    }
    std::fs::create_dir_all(dir).map_err(unavailable)?;
    let value = random_secret();
    // create_new: if two processes race, the loser reads the winner's secret.
    match write_private(&path, &value) {
        Ok(()) => Ok(value),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::read_to_string(&path)
                .map(|v| v.trim().to_owned())
                .map_err(unavailable)
        }
        Err(err) => Err(unavailable(err)),
    }
}

fn write_private(path: &Path, value: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(value.as_bytes())?;
    file.sync_all()
}

/// 256 random bits, base64url: comfortably above HS256's 32-byte minimum.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 48];
    getrandom::fill(&mut bytes).expect("the OS random source failed");
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn local_secret_is_created_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = LocalSecrets::new(dir.path())
            .get(SecretName::CursorKey)
            .await
            .unwrap();
        let second = LocalSecrets::new(dir.path())
            .get(SecretName::CursorKey)
            .await
            .unwrap();
        assert_eq!(first, second);
        assert!(first.len() >= 32);
        let jwt = LocalSecrets::new(dir.path())
            .get(SecretName::JwtKey)
            .await
            .unwrap();
        assert_ne!(first, jwt);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("secrets/jwt-key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
