//! `visions-ai keys create|list|revoke`: API keys on your tier's usage plan.

use axum::http::Method;
use serde_json::{Value, json};

use super::common::{Common, text};
use super::projects::urlencode;

#[derive(clap::Subcommand)]
pub enum Command {
    /// A new key; its value is shown this once.
    Create {
        /// What the key is for, e.g. `laptop` or `ci`.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        common: Common,
    },
    /// Your keys (never their values).
    List {
        #[command(flatten)]
        common: Common,
    },
    /// Revoke a key: requests with it are refused from now on.
    Revoke {
        id: String,
        #[command(flatten)]
        common: Common,
    },
}

pub async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Create { name, common } => {
            let result = common
                .with_client(async |client| {
                    client
                        .call(Method::POST, "/v1/keys", Some(&json!({"name": name})), None)
                        .await
                })
                .await;
            common.print(&result?.body, |key| {
                format!(
                    "{}\nKey {} ({}). This is the only time the value is shown: `visions-ai login --api-key` keeps it.",
                    text(key, "value"),
                    text(key, "id"),
                    text(key, "name")
                )
            });
        }
        Command::List { common } => {
            let result = common
                .with_client(async |client| client.get("/v1/keys").await)
                .await;
            common.print(&result?, |page| {
                let lines: Vec<String> = page
                    .get("items")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|k| {
                        format!(
                            "{}  {}  {}…  {}  {}",
                            text(k, "id"),
                            text(k, "name"),
                            text(k, "prefix"),
                            text(k, "tier"),
                            text(k, "created_at")
                        )
                    })
                    .collect();
                if lines.is_empty() {
                    "No keys yet: `visions-ai keys create --name laptop`.".into()
                } else {
                    lines.join("\n")
                }
            });
        }
        Command::Revoke { id, common } => {
            let result = common
                .with_client(async |client| {
                    client
                        .call(
                            Method::DELETE,
                            &format!("/v1/keys/{}", urlencode(&id)),
                            None,
                            None,
                        )
                        .await
                })
                .await;
            result?;
            common.print(&json!({"id": id, "revoked": true}), |_| {
                format!("Revoked key {id}")
            });
        }
    }
    Ok(())
}
