//! `visions-ai login`'s file: the API's URL, an API key and a token, in the user's config
//! folder (never the working tree), readable by the user alone.

use std::io::Write;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Login {
    /// The API's base URL, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com/prod`.
    pub api: String,
    /// Sent as `x-api-key` (API Gateway's usage plans).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    /// Sent as `Authorization: Bearer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

impl Login {
    /// `VISIONS_CONFIG_DIR`, else the platform's config folder (`~/.config/visions-ai` on
    /// Linux, `~/Library/Application Support/visions-ai` on macOS).
    pub fn path() -> anyhow::Result<PathBuf> {
        let folder = match std::env::var_os("VISIONS_CONFIG_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => dirs::config_dir()
                .ok_or_else(|| {
                    anyhow::anyhow!("no config folder on this system; set VISIONS_CONFIG_DIR")
                })?
                .join("visions-ai"),
        };
        Ok(folder.join("login.json"))
    }

    pub fn load() -> anyhow::Result<Option<Self>> {
        let path = Self::path()?;
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
                anyhow::anyhow!(
                    "{} is not a login file ({e}); run `visions-ai logout` and log in again",
                    path.display()
                )
            }),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(anyhow::anyhow!("reading {}: {err}", path.display())),
        }
    }

    /// Writes the file with mode 0600 (its folder 0700).
    pub fn save(&self) -> anyhow::Result<PathBuf> {
        let path = Self::path()?;
        let folder = path
            .parent()
            .ok_or_else(|| anyhow::anyhow!("{} has no folder", path.display()))?;
        std::fs::create_dir_all(folder)?;
        let json = serde_json::to_vec_pretty(self)?;
        let temporary = folder.join(".login.json.tmp");
        {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
                options.mode(0o600);
                std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700))?;
            }
            let mut file = options.open(&temporary)?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
            }
            file.write_all(&json)?;
            file.sync_all()?;
        }
        std::fs::rename(&temporary, &path)?;
        Ok(path)
    }

    /// Removes the file; true when there was one.
    pub fn remove() -> anyhow::Result<bool> {
        match std::fs::remove_file(Self::path()?) {
            Ok(()) => Ok(true),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(err) => Err(err.into()),
        }
    }

    /// The API's URL checked: http(s), a host, no query or credentials.
    pub fn parse_api(raw: &str) -> Result<String, String> {
        let url = reqwest::Url::parse(raw.trim())
            .map_err(|e| format!("{raw:?} is not a URL ({e}); e.g. http://127.0.0.1:8787"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(format!("{raw:?} must be an http:// or https:// address"));
        }
        if !url.username().is_empty() || url.password().is_some() || url.query().is_some() {
            return Err(format!(
                "{raw:?} must not carry credentials or a query; pass them as --token and --api-key"
            ));
        }
        Ok(url.as_str().trim_end_matches('/').to_owned())
    }

    /// `path` (`/v1/…`) under the API's URL, keeping a stage prefix such as `/prod`.
    pub fn url(&self, path: &str) -> Result<reqwest::Url, String> {
        let joined = format!("{}{}", self.api.trim_end_matches('/'), path);
        reqwest::Url::parse(&joined).map_err(|e| format!("{joined}: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::Login;

    #[test]
    fn api_addresses_are_checked_and_keep_their_stage() {
        assert_eq!(
            Login::parse_api("https://abc.execute-api.eu-west-1.amazonaws.com/prod/").unwrap(),
            "https://abc.execute-api.eu-west-1.amazonaws.com/prod"
        );
        for bad in [
            "ftp://x",
            "localhost:8787",
            "https://u:p@x",
            "https://x/?k=v",
            "",
        ] {
            assert!(Login::parse_api(bad).is_err(), "{bad}");
        }
        let login = Login {
            api: "https://x.example/prod".into(),
            api_key: None,
            token: None,
        };
        assert_eq!(
            login.url("/v1/projects").unwrap().as_str(),
            "https://x.example/prod/v1/projects"
        );
    }
}
