//! `visions-ai versions list|restore`.

use axum::http::Method;
use serde_json::Value;

use super::common::{Common, field, text};
use super::projects::urlencode;

#[derive(clap::Subcommand)]
pub enum Command {
    /// A project's versions, newest first.
    List {
        project: String,
        #[arg(long, default_value_t = 20)]
        limit: u32,
        #[command(flatten)]
        common: Common,
    },
    /// Make version NUMBER the newest again (as a new version; none is ever changed).
    Restore {
        project: String,
        number: u64,
        #[command(flatten)]
        common: Common,
    },
}

pub async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::List {
            project,
            limit,
            common,
        } => {
            let result = common
                .with_client(async |client| {
                    client
                        .get(&format!(
                            "/v1/projects/{}/versions?limit={limit}",
                            urlencode(&project)
                        ))
                        .await
                })
                .await;
            common.print(&result?, |page| {
                let lines: Vec<String> = page
                    .get("items")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(describe)
                    .collect();
                if lines.is_empty() {
                    "No versions yet: `visions-ai generate PROJECT \"…\"` makes one.".into()
                } else {
                    lines.join("\n")
                }
            });
        }
        Command::Restore {
            project,
            number,
            common,
        } => {
            let result = common
                .with_client(async |client| {
                    client
                        .call(
                            Method::POST,
                            &format!(
                                "/v1/projects/{}/versions/{number}/restore",
                                urlencode(&project)
                            ),
                            None,
                            None,
                        )
                        .await
                })
                .await;
            common.print(&result?.body, |v| format!("Restored as {}", describe(v)));
        }
    }
    Ok(())
}

fn describe(version: &Value) -> String {
    let quality = field(version, "quality");
    format!(
        "v{}  {}  score {}{}  {}",
        field(version, "number"),
        text(version, "created_at"),
        field(quality, "score"),
        if field(quality, "publishable") == &Value::Bool(true) {
            ""
        } else {
            " (not publishable)"
        },
        text(version, "html_url")
    )
}
