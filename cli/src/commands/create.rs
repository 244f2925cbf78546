//! `visions-ai create "<prompt>"`: a project, its page generated, and the page exported into a
//! folder — the whole product in one command, on this machine or against the API `login` chose.

use std::path::PathBuf;

use axum::http::Method;
use serde_json::{Value, json};

use super::common::{Common, field, text};
use super::export::{Format, export};
use super::jobs::{PageOptions, generate};
use crate::client::Client;

#[derive(clap::Args)]
pub struct Args {
    /// What the page is for, in your own words.
    prompt: String,
    #[command(flatten)]
    options: PageOptions,
    /// Folder to write the page into (with `page.json`, the page model).
    #[arg(long, default_value = "visions-page")]
    out: PathBuf,
    /// What to write: the static site, or a React or Next.js project.
    #[arg(long, value_enum, default_value = "html")]
    format: Format,
    /// Project name; read from the prompt when absent.
    #[arg(long)]
    name: Option<String>,
    #[command(flatten)]
    common: Common,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let result = args
        .common
        .with_client(async |client| create(client, &args).await)
        .await;
    let summary = result?;
    args.common.print(&summary, |s| {
        format!(
            "{}\nProject {} \"{}\", version {}; designs: {}; models: {}",
            text(s, "written"),
            text(field(s, "project"), "id"),
            text(field(s, "project"), "name"),
            field(field(s, "version"), "number"),
            join(field(field(s, "version"), "design_ids")),
            join(field(field(s, "version"), "models")),
        )
    });
    Ok(())
}

async fn create(client: &Client, args: &Args) -> anyhow::Result<Value> {
    let common = &args.common;
    let name = args.name.clone().unwrap_or_else(|| {
        visions_facts::extract(&args.prompt, visions_facts::Context::default())
            .business_name
            .or_else(|| visions_facts::prose::subject(&args.prompt))
            .unwrap_or_else(|| "Untitled page".into())
    });
    let project = client
        .call(
            Method::POST,
            "/v1/projects",
            Some(&json!({"name": name})),
            None,
        )
        .await?
        .body;
    let project_id = text(&project, "id").to_owned();
    let job = generate(
        client,
        common,
        &project_id,
        &args.prompt,
        &args.options,
        true,
    )
    .await?;
    let number = field(&job, "version").as_u64().unwrap_or(1);
    let version = client
        .get(&format!("/v1/projects/{project_id}/versions/{number}"))
        .await?;
    let (exported, zip) = export(client, common, &project_id, args.format, Some(number)).await?;
    let files = visions_export::unpack(&zip, &args.out)?;
    std::fs::write(
        args.out.join("page.json"),
        serde_json::to_vec_pretty(field(&version, "page"))?,
    )?;
    let entry = match args.format {
        Format::Html => "index.html",
        Format::React | Format::Nextjs => "README.md",
    };
    let written = format!(
        "Wrote {files} files and page.json to {} (open {})",
        args.out.display(),
        args.out.join(entry).display()
    );
    let mut version = version;
    if let Some(map) = version.as_object_mut() {
        map.remove("page");
    }
    Ok(json!({
        "project": project,
        "job": job,
        "version": version,
        "export": exported,
        "written": written,
    }))
}

fn join(list: &Value) -> String {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}
