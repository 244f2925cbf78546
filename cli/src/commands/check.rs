//! `visions-ai check FILE`: the quality gate on a page (`page.json`, as `create` writes it) or
//! on HTML. Prints the score and each finding; exits non-zero when the page is not publishable.

use std::path::PathBuf;

use anyhow::Context;
use visions_domain::page::{Page, Severity};

#[derive(clap::Args)]
pub struct Args {
    /// A page.json or an HTML file.
    file: PathBuf,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> anyhow::Result<bool> {
    let raw = std::fs::read_to_string(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?;
    let quality = if raw.trim_start().starts_with('{') {
        let page: Page = serde_json::from_str(&raw)
            .with_context(|| format!("{} is not a page.json", args.file.display()))?;
        visions_quality::check_page(&page)
    } else {
        visions_quality::check_html(&raw)
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&quality)?);
    } else {
        println!(
            "{}: score {}/100, {}",
            args.file.display(),
            quality.score,
            if quality.publishable {
                "publishable"
            } else {
                "not publishable"
            }
        );
        for finding in &quality.findings {
            let severity = match finding.severity {
                Severity::Blocking => "blocking",
                Severity::Warning => "warning",
            };
            let section = finding
                .section
                .as_deref()
                .map(|s| format!(" [{s}]"))
                .unwrap_or_default();
            println!(
                "  {severity} {}{section}: {}",
                finding.code, finding.message
            );
        }
    }
    Ok(quality.publishable)
}
