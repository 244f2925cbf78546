//! `visions-ai export`: a version as a static site, a React or a Next.js project, downloaded as
//! a zip (or unpacked into a folder).

use std::path::PathBuf;

use axum::http::Method;
use serde_json::{Value, json};

use super::common::{Common, field, idempotency_key, text, watch};
use super::projects::urlencode;
use crate::client::{ApiError, Client};

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    Html,
    React,
    Nextjs,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Html => "html",
            Self::React => "react",
            Self::Nextjs => "nextjs",
        }
    }
}

#[derive(clap::Args)]
pub struct Args {
    /// The project (`visions-ai projects list`).
    project: String,
    #[arg(long, value_enum, default_value = "html")]
    format: Format,
    /// The version to export; the latest when absent.
    #[arg(long)]
    version: Option<u64>,
    /// Where to write the zip; its own name in this folder when absent.
    #[arg(long, conflicts_with = "extract")]
    out: Option<PathBuf>,
    /// Unpack the export into this folder instead of keeping the zip.
    #[arg(long)]
    extract: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
}

/// Runs an export of `project` to its end and downloads its zip.
pub async fn export(
    client: &Client,
    common: &Common,
    project: &str,
    format: Format,
    version: Option<u64>,
) -> Result<(Value, Vec<u8>), ApiError> {
    let body = json!({"format": format.as_str(), "version": version});
    let started = client
        .call(
            Method::POST,
            &format!("/v1/projects/{}/exports", urlencode(project)),
            Some(&body),
            Some(&idempotency_key()),
        )
        .await?;
    let job = watch(client, common, text(&started.body, "id")).await?;
    let archive = field(&job, "export");
    let url = text(archive, "url").to_owned();
    let bar = common.bar(
        field(archive, "bytes").as_u64().unwrap_or(0),
        "{spinner} downloading {bar:30} {bytes}/{total_bytes}",
    );
    let bytes = client
        .download(&url, &|done, total| {
            if let Some(total) = total {
                bar.set_length(total);
            }
            bar.set_position(done);
        })
        .await?;
    bar.finish_and_clear();
    Ok((job, bytes))
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let result = args
        .common
        .with_client(async |client| {
            export(
                client,
                &args.common,
                &args.project,
                args.format,
                args.version,
            )
            .await
        })
        .await;
    let (job, zip) = result?;
    let written = match &args.extract {
        Some(folder) => {
            let files = visions_export::unpack(&zip, folder)?;
            format!("Unpacked {files} files into {}", folder.display())
        }
        None => {
            let name = text(field(&job, "export"), "url")
                .rsplit('/')
                .next()
                .filter(|n| n.ends_with(".zip"))
                .unwrap_or("export.zip")
                .to_owned();
            let path = args.out.clone().unwrap_or_else(|| PathBuf::from(&name));
            std::fs::write(&path, &zip)
                .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
            format!("Wrote {} ({} KB)", path.display(), zip.len().div_ceil(1024))
        }
    };
    let summary = json!({"job": job, "written": written});
    args.common.print(&summary, |_| written.clone());
    Ok(())
}
