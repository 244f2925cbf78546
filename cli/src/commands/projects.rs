//! `visions-ai projects list|get|delete`.

use axum::http::Method;
use serde_json::Value;

use super::common::{Common, text};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Your projects, newest first.
    List {
        /// At most this many (the API pages them; `--cursor` continues).
        #[arg(long, default_value_t = 20)]
        limit: u32,
        #[arg(long)]
        cursor: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// One project.
    Get {
        id: String,
        #[command(flatten)]
        common: Common,
    },
    /// Delete a project with its versions, jobs and pages.
    Delete {
        id: String,
        #[command(flatten)]
        common: Common,
    },
}

pub async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::List {
            limit,
            cursor,
            common,
        } => {
            let mut path = format!("/v1/projects?limit={limit}");
            if let Some(cursor) = &cursor {
                path.push_str(&format!("&cursor={}", urlencode(cursor)));
            }
            let page = common
                .with_client(async |client| client.get(&path).await)
                .await?;
            common.print(&page, |page| {
                let items = page.get("items").and_then(Value::as_array);
                let mut lines: Vec<String> = items
                    .into_iter()
                    .flatten()
                    .map(|p| format!("{}  {}", text(p, "id"), text(p, "name")))
                    .collect();
                if lines.is_empty() {
                    lines.push("No projects yet: `visions-ai create \"…\"` makes one.".into());
                }
                if let Some(next) = page.get("next_cursor").and_then(Value::as_str) {
                    lines.push(format!("More: --cursor {next}"));
                }
                lines.join("\n")
            });
        }
        Command::Get { id, common } => {
            let result = common
                .with_client(async |client| {
                    client
                        .get(&format!("/v1/projects/{}", urlencode(&id)))
                        .await
                })
                .await;
            common.print(&result?, |p| {
                serde_json::to_string_pretty(p).unwrap_or_default()
            });
        }
        Command::Delete { id, common } => {
            let result = common
                .with_client(async |client| {
                    client
                        .call(
                            Method::DELETE,
                            &format!("/v1/projects/{}", urlencode(&id)),
                            None,
                            None,
                        )
                        .await
                })
                .await;
            result?;
            let deleted = serde_json::json!({"id": id, "deleted": true});
            common.print(&deleted, |_| format!("Deleted project {id}"));
        }
    }
    Ok(())
}

/// A path segment or query value as typed by the user, percent-encoded.
pub fn urlencode(raw: &str) -> String {
    percent_encoding::utf8_percent_encode(raw, percent_encoding::NON_ALPHANUMERIC).to_string()
}
