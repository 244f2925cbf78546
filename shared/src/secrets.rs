//! Secrets: Secrets Manager by ARN with a TTL cache on AWS; environment or files in the data
//! folder locally (created once, mode 0600, so tokens stay valid across restarts).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::config::{AwsSettings, Backend, Config};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SecretName {
    /// HS256 signing secret, or the Ed25519 public key (PEM) when the algorithm is EdDSA.
    JwtKey,
    /// HMAC key that binds pagination cursors to their user.
    CursorKey,
    /// A secret named by its ARN (see [`Secrets::get_by_arn`]).
    ByArn,
}

impl SecretName {
    fn env_var(self) -> &'static str {
        match self {
            Self::JwtKey => "VISIONS_JWT_KEY",
            Self::CursorKey => "VISIONS_CURSOR_KEY",
            Self::ByArn => "",
        }
    }

    fn file_name(self) -> &'static str {
        match self {
            Self::JwtKey => "jwt-key",
            Self::CursorKey => "cursor-key",
            Self::ByArn => "",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("secret {0:?} is unavailable: {1}")]
    Unavailable(SecretName, String),
}

enum Source {
    Local {
        dir: PathBuf,
    },
    Aws {
        client: aws_sdk_secretsmanager::Client,
        arns: HashMap<SecretName, String>,
    },
}

/// Reads secrets through a cache; one instance per process.
pub struct Secrets {
    source: Source,
    ttl: Duration,
    cache: Mutex<HashMap<SecretName, (Instant, Arc<str>)>>,
    by_arn: Mutex<HashMap<String, (Instant, Arc<str>)>>,
}

impl Secrets {
    /// Local secrets: `VISIONS_JWT_KEY` / `VISIONS_CURSOR_KEY` win; otherwise files under
    /// `<data_dir>/secrets/`, generated on first use.
    pub fn local(data_dir: &Path) -> Self {
        let mut cache = HashMap::new();
        for name in [SecretName::JwtKey, SecretName::CursorKey] {
            if let Ok(value) = std::env::var(name.env_var()) {
                if !value.is_empty() {
                    // Environment values never expire: far-future timestamp stands in for "forever".
                    cache.insert(
                        name,
                        (
                            Instant::now() + Duration::from_secs(u32::MAX as u64),
                            value.into(),
                        ),
                    );
                }
            }
        }
        Self {
            source: Source::Local {
                dir: data_dir.join("secrets"),
            },
            ttl: Duration::from_secs(u32::MAX as u64),
            cache: Mutex::new(cache),
            by_arn: Mutex::default(),
        }
    }

    pub fn aws(client: aws_sdk_secretsmanager::Client, settings: &AwsSettings) -> Self {
        let arns = HashMap::from([
            (SecretName::JwtKey, settings.jwt_key_arn.clone()),
            (SecretName::CursorKey, settings.cursor_key_arn.clone()),
        ]);
        Self {
            source: Source::Aws { client, arns },
            ttl: settings.secret_ttl,
            cache: Mutex::default(),
            by_arn: Mutex::default(),
        }
    }

    pub async fn from_config(config: &Config) -> Self {
        match &config.backend {
            Backend::Local { data_dir } => Self::local(data_dir),
            Backend::Aws(settings) => {
                let sdk = crate::aws::sdk_config().await;
                Self::aws(aws_sdk_secretsmanager::Client::new(&sdk), settings)
            }
        }
    }

    pub async fn get(&self, name: SecretName) -> Result<Arc<str>, SecretError> {
        if let Some(value) = self.cached(name) {
            return Ok(value);
        }
        let value: Arc<str> = match &self.source {
            Source::Local { dir } => read_or_create(dir, name)?.into(),
            Source::Aws { client, arns } => {
                let arn = arns
                    .get(&name)
                    .ok_or_else(|| SecretError::Unavailable(name, "no ARN configured".into()))?;
                fetch_aws(client, name, arn).await?.into()
            }
        };
        let expires = Instant::now() + self.ttl;
        self.cache
            .lock()
            .expect("secret cache poisoned")
            .insert(name, (expires, value.clone()));
        Ok(value)
    }

    /// Any other secret by ARN (AWS), e.g. a model provider's API key; cached like the rest.
    pub async fn get_by_arn(&self, arn: &str) -> Result<Arc<str>, SecretError> {
        let Source::Aws { client, .. } = &self.source else {
            return Err(SecretError::Unavailable(
                SecretName::ByArn,
                "secrets by ARN need VISIONS_BACKEND=aws".into(),
            ));
        };
        if let Some((expires, value)) = self.by_arn.lock().expect("secret cache poisoned").get(arn)
        {
            if Instant::now() < *expires {
                return Ok(value.clone());
            }
        }
        let value: Arc<str> = fetch_aws(client, SecretName::ByArn, arn).await?.into();
        self.by_arn
            .lock()
            .expect("secret cache poisoned")
            .insert(arn.to_owned(), (Instant::now() + self.ttl, value.clone()));
        Ok(value)
    }

    fn cached(&self, name: SecretName) -> Option<Arc<str>> {
        let cache = self.cache.lock().expect("secret cache poisoned");
        cache
            .get(&name)
            .filter(|(expires, _)| Instant::now() < *expires)
            .map(|(_, value)| value.clone())
    }
}

async fn fetch_aws(
    client: &aws_sdk_secretsmanager::Client,
    name: SecretName,
    arn: &str,
) -> Result<String, SecretError> {
    let output = client
        .get_secret_value()
        .secret_id(arn)
        .send()
        .await
        // The SDK error names the ARN; it is logged by the caller's problem, never answered.
        .map_err(|err| {
            SecretError::Unavailable(
                name,
                aws_sdk_secretsmanager::error::DisplayErrorContext(err).to_string(),
            )
        })?;
    output
        .secret_string
        .ok_or_else(|| SecretError::Unavailable(name, "secret has no string value".into()))
}

fn read_or_create(dir: &Path, name: SecretName) -> Result<String, SecretError> {
    let path = dir.join(name.file_name());
    let unavailable =
        |err: std::io::Error| SecretError::Unavailable(name, format!("{}: {err}", path.display()));
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
        let first = Secrets::local(dir.path())
            .get(SecretName::CursorKey)
            .await
            .unwrap();
        let second = Secrets::local(dir.path())
            .get(SecretName::CursorKey)
            .await
            .unwrap();
        assert_eq!(first, second);
        assert!(first.len() >= 32);
        let jwt = Secrets::local(dir.path())
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
